"""A delivery's life: acknowledge, assign, claim, reply, approve; refusals and recalls."""

import pytest
from sqlalchemy import func, select

from portal.audit.models import AuditEvent
from portal.deliveries import deadlines, replies, services
from portal.deliveries.models import Delivery, DeliveryEvent, Status
from portal.documents import services as documents
from portal.documents.models import Document
from portal.extensions import db
from portal.storage.services import UploadError, path_of
from portal.transaction import action
from tests.pdfs import blank_pdf

PDF = blank_pdf()


def _actions(delivery):
    return [(e.action, e.from_status, e.to_status) for e in db.session.scalars(
        select(DeliveryEvent).where(DeliveryEvent.delivery_id == delivery.id)
        .order_by(DeliveryEvent.id))]


def test_issue_delivers_one_delivery_per_recipient_with_its_deadline(exchange):
    deliveries = db.session.scalars(select(Delivery).where(
        Delivery.document_id == exchange.document.id)).all()
    assert {d.recipient_id for d in deliveries} == {exchange.a.id, exchange.b.id}
    assert all(d.status == Status.RECEIVED and d.due_working_days == 3 for d in deliveries)
    from portal.calendar.services import due_date

    assert exchange.delivery.due_on == due_date(exchange.delivery.received_on, 3).due_on


def test_the_whole_way_to_a_reply_on_time(exchange, run_jobs):
    delivery = exchange.delivery
    with action():
        services.acknowledge_delivery(delivery, actor=exchange.a_clerk)
    with action():
        services.assign_delivery(delivery, actor=exchange.a_leader, assignee=exchange.a_specialist)
    with action():
        replies.save_reply(delivery, actor=exchange.a_specialist, body="Sở đã thực hiện.")
    assert delivery.status == Status.IN_PROGRESS
    reply = replies.reply_of(delivery)
    with action():
        documents.add_attachment(reply, actor=exchange.a_specialist, filename="bao-cao.pdf",
                                 data=PDF)
    with action():
        replies.submit_reply(delivery, actor=exchange.a_specialist)
    with action():
        sent = replies.send_reply(delivery, actor=exchange.a_leader)
    run_jobs()  # the reply is delivered by its jobs
    db.session.refresh(delivery)
    assert delivery.status == Status.DONE
    assert delivery.reply_document_id == sent.id
    assert sent.notation == "1/DA" and sent.state == "issued"
    assert deadlines.deadline_state(delivery, delivery.received_on, delivery.due_on) == "on_time"
    # The reply reaches the sender's inbox (the ministry's office).
    back = db.session.scalar(select(Delivery).where(Delivery.document_id == sent.id))
    assert back.recipient_id == exchange.office.id and back.status == Status.RECEIVED
    assert _actions(delivery) == [("acknowledged", "01", "03"), ("assigned", "03", "04"),
                                  ("started", "04", "05"), ("replied", "05", "06")]
    assert all(e.occurred_at is not None for e in delivery.events)


def test_a_reply_after_the_deadline_is_late(exchange):
    delivery = exchange.delivery
    with action():
        services.acknowledge_delivery(delivery, actor=exchange.a_clerk)
    with action():
        services.assign_delivery(delivery, actor=exchange.a_leader, assignee=exchange.a_leader)
    delivery.due_on = delivery.received_on.replace(year=delivery.received_on.year - 1)
    db.session.commit()
    assert deadlines.deadline_state(delivery, delivery.received_on, delivery.received_on) \
        == "overdue"
    with action():
        replies.answer_delivery(delivery, actor=exchange.a_leader, body="Trả lời muộn.")
    db.session.refresh(delivery)
    assert deadlines.deadline_state(delivery, delivery.received_on, delivery.received_on) == "late"


@pytest.mark.parametrize("step", ["assign", "claim", "close", "agree_recall"])
def test_illegal_jumps_are_refused(exchange, step):
    delivery = exchange.delivery  # still 01: received
    with pytest.raises(services.DeliveryError):
        {
            "assign": lambda: services.assign_delivery(delivery, actor=exchange.a_leader),
            "claim": lambda: services.claim_delivery(delivery, actor=exchange.a_specialist),
            "close": lambda: services.close_delivery(delivery, actor=exchange.a_leader,
                                                     note="x"),
            "agree_recall": lambda: services.answer_recall(delivery, actor=exchange.a_clerk,
                                                           agree=True),
        }[step]()
    db.session.refresh(delivery)
    assert delivery.status == Status.RECEIVED


def test_acknowledging_twice_is_refused_and_changes_nothing_twice(exchange):
    with action():
        services.acknowledge_delivery(exchange.delivery, actor=exchange.a_clerk)
    first = exchange.delivery.acknowledged_at
    stale = db.session.get(Delivery, exchange.delivery.id)
    with pytest.raises(services.DeliveryError), action():
        services.acknowledge_delivery(stale, actor=exchange.a_leader)
    db.session.refresh(exchange.delivery)
    assert exchange.delivery.acknowledged_at == first
    assert len(_actions(exchange.delivery)) == 1


def test_two_clerks_acknowledging_at_once_make_one_step(exchange, app):
    """The conditional UPDATE lets one request through; the other is told, not applied."""
    import threading
    from concurrent.futures import ThreadPoolExecutor

    from portal.auth.models import User

    start = threading.Barrier(2)

    def acknowledge(user_id):
        with app.app_context():
            delivery = db.session.get(Delivery, exchange.delivery.id)
            user = db.session.get(User, user_id)
            start.wait()
            try:
                with action():
                    services.acknowledge_delivery(delivery, actor=user)
                return "done"
            except services.DeliveryError:
                return "refused"
            finally:
                db.session.remove()

    with ThreadPoolExecutor(max_workers=2) as pool:
        outcomes = list(pool.map(acknowledge, [exchange.a_clerk.id, exchange.a_leader.id]))
    assert sorted(outcomes) == ["done", "refused"]
    assert len(_actions(exchange.delivery)) == 1


def test_roles_are_checked_on_every_step(exchange):
    delivery = exchange.delivery
    with pytest.raises(services.DeliveryError), action():
        services.acknowledge_delivery(delivery, actor=exchange.a_specialist)
    with pytest.raises(services.DeliveryError), action():
        services.acknowledge_delivery(delivery, actor=exchange.b_leader)
    with action():
        services.acknowledge_delivery(delivery, actor=exchange.a_clerk)
    with pytest.raises(services.DeliveryError), action():
        services.assign_delivery(delivery, actor=exchange.a_clerk)
    with pytest.raises(services.DeliveryError), action():
        services.assign_delivery(delivery, actor=exchange.a_leader, assignee=exchange.b_leader)


def test_refusal_needs_a_reason_and_closes_the_delivery(exchange):
    with pytest.raises(services.DeliveryError), action():
        services.refuse_delivery(exchange.delivery, actor=exchange.a_clerk, reason=" ")
    with action():
        services.refuse_delivery(exchange.delivery, actor=exchange.a_clerk,
                                 reason="Không thuộc thẩm quyền")
    assert exchange.delivery.status == Status.REFUSED
    assert exchange.delivery.refusal_reason == "Không thuộc thẩm quyền"


def test_work_for_the_department_is_claimed_by_one_specialist(exchange):
    delivery = exchange.delivery
    with action():
        services.acknowledge_delivery(delivery, actor=exchange.a_clerk)
    with action():
        services.assign_delivery(delivery, actor=exchange.a_leader, assignee=None)
    with action():
        services.claim_delivery(delivery, actor=exchange.a_specialist)
    assert delivery.assignee_id == exchange.a_specialist.id
    with pytest.raises(services.DeliveryError), action():
        services.claim_delivery(delivery, actor=exchange.a_other_specialist)
    with pytest.raises(documents.DocumentError), action():
        replies.save_reply(delivery, actor=exchange.a_other_specialist, body="x")


def test_recall_agreed_and_refused(exchange, make):
    with action():
        documents.recall_document(exchange.document, actor=exchange.ministry_clerk)
    a_delivery = exchange.delivery
    b_delivery = make.delivery(exchange.document, exchange.b)
    db.session.refresh(a_delivery)
    db.session.refresh(b_delivery)
    assert a_delivery.status == b_delivery.status == Status.RECALL_REQUESTED
    with action():
        services.answer_recall(a_delivery, actor=exchange.a_clerk, agree=True)
    with action():
        services.answer_recall(b_delivery, actor=exchange.b_leader, agree=False)
    assert a_delivery.status == Status.RECALL_AGREED
    assert b_delivery.status == Status.RECALL_REFUSED
    # Refused: the work carries on from where it was.
    with action():
        services.acknowledge_delivery(b_delivery, actor=exchange.b_leader)
    assert b_delivery.status == Status.ACKNOWLEDGED


def test_started_work_cannot_be_recalled(exchange):
    with action():
        services.acknowledge_delivery(exchange.delivery, actor=exchange.a_clerk)
    with action():
        services.assign_delivery(exchange.delivery, actor=exchange.a_leader,
                                 assignee=exchange.a_specialist)
    with pytest.raises(services.DeliveryError), action():
        services.request_recall(exchange.delivery, actor=exchange.ministry_clerk)


def test_every_step_is_audited(exchange):
    with action():
        services.acknowledge_delivery(exchange.delivery, actor=exchange.a_clerk)
    event = db.session.scalar(select(AuditEvent).where(
        AuditEvent.action == "delivery.acknowledged"))
    assert event.actor_id == exchange.a_clerk.id
    assert event.object_id == str(exchange.delivery.id)
    assert event.details == {"from": "01", "to": "03", "document_id": exchange.document.id}


def test_attachments_are_pdf_by_their_bytes_and_stored_by_hash(exchange):
    from flask import current_app

    delivery = exchange.delivery
    with action():
        services.acknowledge_delivery(delivery, actor=exchange.a_clerk)
    with action():
        services.assign_delivery(delivery, actor=exchange.a_leader, assignee=exchange.a_specialist)
    with action():
        reply = replies.save_reply(delivery, actor=exchange.a_specialist, body="")
    with pytest.raises(UploadError, match="PDF"), action():
        documents.add_attachment(reply, actor=exchange.a_specialist, filename="virus.pdf",
                                 data=b"MZ\x90\x00 not a pdf")
    current_app.config["MAX_ATTACHMENT_BYTES"] = 100
    try:
        with pytest.raises(UploadError, match="MB"), action():
            documents.add_attachment(reply, actor=exchange.a_specialist, filename="big.pdf",
                                     data=PDF + b" " * 200)
    finally:
        current_app.config["MAX_ATTACHMENT_BYTES"] = 20 * 1024 * 1024
    with action():
        attachment = documents.add_attachment(reply, actor=exchange.a_specialist,
                                              filename="../../etc/passwd.pdf", data=PDF)
    assert "/" not in attachment.filename
    import hashlib

    stored = path_of(attachment.file)
    assert stored.name == hashlib.sha256(PDF).hexdigest()
    assert stored.read_bytes() == PDF
    assert "static" not in stored.parts
    with action():
        again = documents.add_attachment(reply, actor=exchange.a_specialist, filename="copy.pdf",
                                         data=PDF)
    assert again.file_id == attachment.file_id


def test_confidential_documents_are_refused_and_nothing_is_stored(exchange):
    before = db.session.scalar(select(func.count(Document.id)))
    for level in ("mat", "toi_mat", "tuyet_mat"):
        fields = documents.DraftFields(doc_type="cong_van", subject="Tài liệu mật",
                                       confidentiality=level, recipient_ids=(exchange.a.id,))
        with pytest.raises(documents.ConfidentialDocumentError), action():
            documents.save_draft(fields, actor=exchange.ministry_clerk)
    assert db.session.scalar(select(func.count(Document.id))) == before


def test_merged_recipient_receives_through_its_successor(exchange, make):
    from datetime import date

    from portal.organisations.services import merge_organisation

    admin = make.user(exchange.ministry, "admin")
    with action():
        merge_organisation(exchange.b, exchange.a, effective_on=date(2020, 1, 1), actor=admin)
    document = make.document(exchange.ministry_clerk, [exchange.b])
    recipients = db.session.scalars(select(Delivery.recipient_id).where(
        Delivery.document_id == document.id)).all()
    assert recipients == [exchange.a.id]
