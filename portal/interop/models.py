"""The national axis (Trục liên thông văn bản quốc gia): the messages exchanged in edXML, what
a received package said of its document, and the tokens the axis presents.

Every message in or out is one `AxisMessage`, its XML kept as a stored file: outbound, the
row is written in the transaction of the event it reports (a document issued, a step taken
on a delivery that came through the axis) and a job sends it; its `event_key` makes one event
one message, however often the event's code runs. Inbound, the row is written with what the
message created, or not at all when it was refused.
"""

from enum import StrEnum

from flask_babel import lazy_gettext as _l

from portal.clock import utcnow
from portal.extensions import db


class Direction(StrEnum):
    OUT = "out"
    IN = "in"


class MessageKind(StrEnum):
    DOCUMENT = "document"  # a package: a new document, or a revocation, update, replacement
    STATUS = "status"  # a status message (StatusCode with ResponseFor)


class MessageState(StrEnum):
    PENDING = "pending"  # outbound: waiting to be sent, or to be tried again
    SENT = "sent"  # outbound: the axis answered 2xx
    FAILED = "failed"  # outbound: given up after its attempts; a person may try again
    ACCEPTED = "accepted"  # inbound: applied


MESSAGE_STATE_LABELS = {
    MessageState.PENDING: _l("Waiting to be sent"),
    MessageState.SENT: _l("Taken by the axis"),
    MessageState.FAILED: _l("Not sent"),
    MessageState.ACCEPTED: _l("Received"),
}


class SignatureVerdict(StrEnum):
    """What the XML signature of a received message showed (a refused one is not kept)."""

    VALID = "valid"  # verified, and its certificate is under a trusted root
    UNTRUSTED = "untrusted"  # verified, but its certificate is not under a trusted root
    UNSIGNED = "unsigned"


SIGNATURE_VERDICT_LABELS = {
    SignatureVerdict.VALID: _l("Signed, and the signature is trusted"),
    SignatureVerdict.UNTRUSTED: _l("Signed, but the certificate is not under a trusted root"),
    SignatureVerdict.UNSIGNED: _l("Not signed"),
}


class AxisMessage(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    direction = db.Column(db.String(3), nullable=False)  # Direction
    kind = db.Column(db.String(10), nullable=False)  # MessageKind
    # Outbound: the event it reports, e.g. "document:12:to:34" or "status:<delivery event id>";
    # unique, so one event is one message however often its code runs.
    event_key = db.Column(db.String(120), unique=True)
    document_id = db.Column(db.Integer, db.ForeignKey("document.id"), index=True)
    delivery_id = db.Column(db.BigInteger().with_variant(db.Integer, "sqlite"),
                            db.ForeignKey("delivery.id"), index=True)
    # The edXML DocumentId the message is about (OrganId,yyyy/MM/dd,number/notation or a UUID).
    edxml_document_id = db.Column(db.String(255), index=True)
    from_organ_id = db.Column(db.String(40))
    to_organ_ids = db.Column(db.JSON, nullable=False, default=list)
    business_type = db.Column(db.Integer)  # BussinessDocType: 0 new, 1 revoke, 2 update, 3 replace
    status_code = db.Column(db.String(2))  # a status message's StatusCode
    file_id = db.Column(db.Integer, db.ForeignKey("stored_file.id"))  # the XML as sent/received
    state = db.Column(db.String(10), nullable=False, default=MessageState.PENDING)
    attempts = db.Column(db.Integer, nullable=False, default=0)
    http_status = db.Column(db.Integer)  # the axis's last answer
    error = db.Column(db.String(1000))  # why the last attempt failed
    signature = db.Column(db.String(10))  # inbound: a SignatureVerdict
    # What was repaired or set aside in a received message (said in the answer as well).
    notes = db.Column(db.JSON, nullable=False, default=list)
    created_at = db.Column(db.DateTime(timezone=True), nullable=False, default=utcnow)
    sent_at = db.Column(db.DateTime(timezone=True))

    document = db.relationship("Document")
    delivery = db.relationship("Delivery")
    file = db.relationship("StoredFile")

    __table_args__ = (db.Index("ix_axis_message_direction_state", "direction", "state"),)


class AxisDocument(db.Model):
    """What the edXML package of a document said beyond the portal's own fields: its identity
    across systems, and the header as it came (signer, places, other info)."""

    document_id = db.Column(db.Integer, db.ForeignKey("document.id"), primary_key=True)
    edxml_document_id = db.Column(db.String(255), nullable=False, unique=True)
    # The header as received: From, To, Code, PromulgationInfo, DocumentType, SignerInfo,
    # ToPlaces, OtherInfo, SteeringType, Content (portal.interop.edxml.model, as JSON).
    header = db.Column(db.JSON, nullable=False, default=dict)
    signature = db.Column(db.String(10), nullable=False)  # a SignatureVerdict
    replaces_document_id = db.Column(db.Integer, db.ForeignKey("document.id"))
    # The last update (BussinessDocType 2): when, and the sender's reason.
    updated_at = db.Column(db.DateTime(timezone=True))
    update_reason = db.Column(db.String(1000))
    message_id = db.Column(db.Integer, db.ForeignKey("axis_message.id"))

    document = db.relationship("Document", foreign_keys=[document_id])
    replaces = db.relationship("Document", foreign_keys=[replaces_document_id])


class AxisToken(db.Model):
    """The bearer token the axis presents to POST /api/v1/edxml; only its SHA-256 is kept."""

    id = db.Column(db.Integer, primary_key=True)
    token_hash = db.Column(db.String(64), nullable=False, unique=True)
    prefix = db.Column(db.String(12), nullable=False)
    created_at = db.Column(db.DateTime(timezone=True), nullable=False, default=utcnow)
    last_used_at = db.Column(db.DateTime(timezone=True))
    revoked_at = db.Column(db.DateTime(timezone=True))
