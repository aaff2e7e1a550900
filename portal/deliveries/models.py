"""Deliveries: one per recipient of an issued document, with its processing state."""

from enum import StrEnum

from flask_babel import lazy_gettext as _l

from portal.clock import utcnow
from portal.extensions import db

BIG_ID = db.BigInteger().with_variant(db.Integer, "sqlite")


class Status(StrEnum):
    """The national e-document status codes (QCVN 102:2016/BTTTT)."""

    RECEIVED = "01"  # đã đến
    REFUSED = "02"  # từ chối tiếp nhận
    ACKNOWLEDGED = "03"  # đã tiếp nhận
    ASSIGNED = "04"  # phân công
    IN_PROGRESS = "05"  # đang xử lý
    DONE = "06"  # hoàn thành
    RECALL_REQUESTED = "13"  # lấy lại
    RECALL_AGREED = "15"  # đồng ý lấy lại
    RECALL_REFUSED = "16"  # từ chối lấy lại


STATUS_LABELS = {
    Status.RECEIVED: _l("Received"),
    Status.REFUSED: _l("Refused"),
    Status.ACKNOWLEDGED: _l("Acknowledged"),
    Status.ASSIGNED: _l("Assigned"),
    Status.IN_PROGRESS: _l("In progress"),
    Status.DONE: _l("Done"),
    Status.RECALL_REQUESTED: _l("Recall requested"),
    Status.RECALL_AGREED: _l("Recalled"),
    Status.RECALL_REFUSED: _l("Recall refused"),
}

OPEN_STATUSES = (Status.RECEIVED, Status.ACKNOWLEDGED, Status.ASSIGNED, Status.IN_PROGRESS,
                 Status.RECALL_REQUESTED, Status.RECALL_REFUSED)
CLOSED_STATUSES = (Status.DONE, Status.REFUSED, Status.RECALL_AGREED)


class Channel(StrEnum):
    PORTAL = "portal"  # Hệ thống tương tác
    AXIS = "axis"  # Trục liên thông văn bản quốc gia


class Delivery(db.Model):
    id = db.Column(BIG_ID, primary_key=True)
    document_id = db.Column(db.Integer, db.ForeignKey("document.id"), nullable=False,
                            index=True)
    recipient_id = db.Column(db.Integer, db.ForeignKey("organisation.id"), nullable=False)
    # The organisation the document was addressed to, once a merge passed the delivery on to
    # its successor (None: the recipient is the one it was addressed to). No foreign key: see
    # migration b7c3e9a1d2f4.
    addressed_to_id = db.Column(db.Integer)
    channel = db.Column(db.String(10), nullable=False, default=Channel.PORTAL)
    status = db.Column(db.String(2), nullable=False, default=Status.RECEIVED)
    # Where a refused recall returns the delivery to.
    status_before_recall = db.Column(db.String(2))
    received_at = db.Column(db.DateTime(timezone=True), nullable=False, default=utcnow)
    received_on = db.Column(db.Date, nullable=False)  # the Vietnamese day of receipt
    due_on = db.Column(db.Date)
    due_working_days = db.Column(db.Integer)
    acknowledged_at = db.Column(db.DateTime(timezone=True))
    # Số đến: the recipient's incoming number, given when its clerk acknowledges (registers)
    # the document, per organisation per calendar year of registration from 1 (Decree
    # 30/2020, Art. 22); deliveries.services.acknowledge_delivery takes it.
    incoming_year = db.Column(db.Integer)
    incoming_number = db.Column(db.Integer)
    assigned_at = db.Column(db.DateTime(timezone=True))
    assignee_id = db.Column(db.Integer, db.ForeignKey("user.id"))
    done_at = db.Column(db.DateTime(timezone=True))
    replied_at = db.Column(db.DateTime(timezone=True))
    # The reply, from its first draft on (sent once replied_at is set): the one link between
    # a reply and the delivery it answers (Document.reply_to reads it the other way).
    reply_document_id = db.Column(db.Integer, db.ForeignKey("document.id"), index=True,
                                  unique=True)
    refusal_reason = db.Column(db.String(1000))

    document = db.relationship("Document", foreign_keys=[document_id])
    recipient = db.relationship("Organisation", foreign_keys=[recipient_id])
    addressed_to = db.relationship(
        "Organisation", primaryjoin="foreign(Delivery.addressed_to_id) == Organisation.id",
        viewonly=True)
    assignee = db.relationship("User")
    reply_document = db.relationship("Document", foreign_keys=[reply_document_id])
    events = db.relationship("DeliveryEvent", order_by="DeliveryEvent.id",
                             back_populates="delivery")

    __table_args__ = (
        db.UniqueConstraint("document_id", "recipient_id"),
        # The incoming register: each number once per organisation and year.
        db.Index("ix_delivery_incoming_number", "recipient_id", "incoming_year",
                 "incoming_number", unique=True),
        # The inbox: a recipient's deliveries by state, newest first (keyset on received_at, id).
        db.Index("ix_delivery_inbox", "recipient_id", "status", "received_at", "id"),
        db.Index("ix_delivery_recipient_received", "recipient_id", "received_at", "id"),
        # A merged department's record: the deliveries a merge passed on, as addressed.
        db.Index("ix_delivery_addressed_to_received", "addressed_to_id", "received_at", "id",
                 postgresql_where=db.text("addressed_to_id IS NOT NULL"),
                 sqlite_where=db.text("addressed_to_id IS NOT NULL")),
        # Tab counts and deadline tabs read state and due date without visiting the rows.
        db.Index("ix_delivery_recipient_status_due", "recipient_id", "status", "due_on"),
        # The leaderboard's recount of a day (its tallies are per Vietnamese day received).
        db.Index("ix_delivery_received_on", "received_on"),
        # The leaderboard's live part: deadline documents not answered yet, by due date, with
        # what it filters and counts by, so it never reads the table's rows (at 10 M
        # deliveries, reading them cost 290 ms of a 300 ms leaderboard).
        db.Index("ix_delivery_unanswered_due", "due_on", "recipient_id", "received_on",
                 "channel", "status", "document_id",
                 postgresql_where=db.text("replied_at IS NULL AND due_on IS NOT NULL"),
                 sqlite_where=db.text("replied_at IS NULL AND due_on IS NOT NULL")),
    )

    @property
    def sent_reply(self):
        """The reply once sent; before, its draft is the recipient's own."""
        return self.reply_document if self.replied_at is not None else None

    @property
    def sent_reply_id(self) -> int | None:
        return self.reply_document_id if self.replied_at is not None else None


EVENT_LABELS = {
    "deadline_changed": _l("Deadline changed"),
    "passed_on": _l("Passed on by a merge"),
    "passed_back": _l("Given back: the merge was undone"),
    "updated_by_sender": _l("Updated by the sender, through the axis"),
    "replaced_by_sender": _l("Replaced by the sender, through the axis"),
}


class DeliveryEvent(db.Model):
    """One step in a delivery's history: a state change, an assignment, a new deadline."""

    id = db.Column(BIG_ID, primary_key=True)
    delivery_id = db.Column(BIG_ID, db.ForeignKey("delivery.id"), nullable=False, index=True)
    occurred_at = db.Column(db.DateTime(timezone=True), nullable=False, default=utcnow)
    actor_id = db.Column(db.Integer, db.ForeignKey("user.id"))
    action = db.Column(db.String(30), nullable=False)
    from_status = db.Column(db.String(2))
    to_status = db.Column(db.String(2))
    note = db.Column(db.String(1000))

    delivery = db.relationship("Delivery", back_populates="events")
    actor = db.relationship("User")


class IncomingRegister(db.Model):
    """The last incoming number an organisation gave in a calendar year (sổ đăng ký văn bản
    đến), as NumberRegister keeps the outgoing one."""

    organisation_id = db.Column(db.Integer, db.ForeignKey("organisation.id"), primary_key=True)
    year = db.Column(db.Integer, primary_key=True, autoincrement=False)
    last_number = db.Column(db.Integer, nullable=False, default=0)


class InboxTally(db.Model):
    """How many deliveries an organisation has received, counted as each one arrives.

    The inbox's "all" and "done" counts come from here (done = all - open, since a closed
    delivery never reopens), so they cost no scan of a busy department's history. Only
    `inbox.count_arrivals` writes it; `inbox.rebuild_tallies` recounts from the deliveries.
    """

    recipient_id = db.Column(db.Integer, db.ForeignKey("organisation.id"), primary_key=True)
    received = db.Column(db.Integer, nullable=False, default=0)
