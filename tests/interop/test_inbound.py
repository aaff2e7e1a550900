"""POST /api/v1/edxml: new documents, the same again, updates, replacements, revocations,
and status messages about documents this portal sent, through the real route."""

import pytest
from sqlalchemy import select

from portal.clock import local_today
from portal.deliveries import services as deliveries
from portal.deliveries.models import Delivery, DeliveryEvent, InboxTally
from portal.documents import services as documents
from portal.documents.models import Document, DocumentAttachment
from portal.extensions import db
from portal.interop.edxml.model import BusinessType, Organ
from portal.interop.edxml.writer import package_bytes
from portal.interop.models import AxisDocument, AxisMessage
from portal.jobs.models import Job
from portal.leaderboard.counting import raw_counts
from portal.organisations.models import Organisation
from portal.signing.models import Verification
from portal.transaction import action
from tests.interop.inbound_world import (
    AXIS_ID,
    ELSEWHERE_ID,
    HERE_ID,
    MINISTRY_ID,
    SENDER_ID,
    build_world,
    business,
    package,
    package_xml,
    post,
    row_counts,
    status,
)


@pytest.fixture
def world(make):
    return build_world(make)


def _outbound(**where):
    return db.session.scalars(select(AxisMessage).where(
        AxisMessage.direction == "out", *[getattr(AxisMessage, k) == v for k, v in where.items()])
        .order_by(AxisMessage.id)).all()


def test_a_new_document_is_stored_and_delivered_to_the_recipient_here(client, world, auth,
                                                                      run_jobs):
    response = post(client, world, package_xml())
    assert response.status_code == 201, response.get_json()
    answer = response.get_json()
    assert answer["status"] == "created" and answer["signature"] == "unsigned"
    assert [d["recipient"]["organ_id"] for d in answer["deliveries"]] == [HERE_ID]
    assert any(ELSEWHERE_ID in note for note in answer["repairs"])

    document = db.session.get(Document, answer["document"]["id"])
    sender = db.session.scalar(select(Organisation).where(Organisation.organ_id == SENDER_ID))
    assert sender.kind == "external" and sender.name == "Bộ Nội vụ"
    assert (document.state, document.author_id, document.issuer_id, document.authority_id) == \
        ("issued", None, sender.id, sender.id)
    assert (document.notation, document.number, document.year) == ("712/BNV-VP", 712, 2026)
    assert document.doc_type == "cong_van" and document.urgency == "urgent"
    assert document.body == "Đề nghị các Sở báo cáo."
    attachments = db.session.scalars(select(DocumentAttachment).where(
        DocumentAttachment.document_id == document.id).order_by(DocumentAttachment.id)).all()
    assert [(a.filename, a.is_main, a.file.content_type) for a in attachments] == [
        ("712-BNV-VP.pdf", True, "application/pdf"),
        ("Phụ lục.doc", False, "application/octet-stream"),
        ("Số liệu.zip", False, "application/octet-stream")]
    assert document.pdf_file_id == attachments[0].file_id

    record = db.session.get(AxisDocument, document.id)
    assert record.edxml_document_id == f"{SENDER_ID},2026/11/28,712/BNV-VP"
    assert record.signature == "unsigned" and record.header["signer"]["full_name"]
    inbound = db.session.get(AxisMessage, record.message_id)
    assert (inbound.direction, inbound.state, inbound.from_organ_id) == ("in", "accepted",
                                                                         SENDER_ID)
    assert inbound.file.content_type == "application/xml"

    delivery = db.session.scalar(select(Delivery).where(Delivery.document_id == document.id))
    assert (delivery.recipient_id, delivery.channel, delivery.status) == (world.here.id, "axis",
                                                                          "01")
    assert delivery.due_on is not None
    assert db.session.get(InboxTally, world.here.id).received == 1
    arrived = _outbound(event_key=f"status:arrived:{delivery.id}")
    assert len(arrived) == 1 and arrived[0].status_code == "01"
    assert arrived[0].to_organ_ids == [SENDER_ID]
    assert db.session.scalar(select(Job).where(Job.kind == "verify",
                                               Job.document_id == document.id)) is not None

    run_jobs()  # the verify job: the PDF only (the .doc and .zip are not opened)
    verify = db.session.scalar(select(Job).where(Job.kind == "verify",
                                                 Job.document_id == document.id))
    assert verify.state == "done", verify.error
    verified = set(db.session.scalars(select(Verification.stored_file_id)))
    assert attachments[0].file_id in verified
    assert not {attachments[1].file_id, attachments[2].file_id} & verified
    assert auth.login(world.here_clerk.email).status_code == 302
    page = client.get(f"/inbox/{delivery.id}").get_data(as_text=True)
    assert "axis-facts" in page and "unsigned" in page
    assert SENDER_ID in page and ELSEWHERE_ID in page
    inbox = client.get("/inbox/").get_data(as_text=True)
    assert "712/BNV-VP" in inbox


def test_the_same_message_or_document_id_again_is_nothing_new(client, world):
    sent = package_xml()
    first = post(client, world, sent)
    assert first.status_code == 201
    before = row_counts()
    again = post(client, world, sent)  # the very bytes again (the axis tried twice)
    assert again.status_code == 200
    assert again.get_json()["document"]["id"] == first.get_json()["document"]["id"]
    # Other bytes (another subject), the same DocumentId: the document is not taken twice.
    other = post(client, world, package_xml(subject="Khác"))
    assert other.status_code == 200 and other.get_json()["status"] == "already_received"
    assert row_counts() == before


def test_an_update_changes_the_document_and_says_so_on_the_page(client, world, auth):
    created = post(client, world, package_xml()).get_json()
    document_id = f"{SENDER_ID},2026/11/28,712/BNV-VP"
    response = post(client, world, package_xml(
        subject="V/v rà soát vị trí việc làm năm 2027 (sửa đổi)",
        business=business(BusinessType.UPDATE, document_id, "Sửa trích yếu")))
    assert response.status_code == 200, response.get_json()
    document = db.session.get(Document, created["document"]["id"])
    assert document.subject.endswith("(sửa đổi)")
    record = db.session.get(AxisDocument, document.id)
    assert record.update_reason == "Sửa trích yếu" and record.updated_at is not None
    delivery_id = created["deliveries"][0]["id"]
    auth.login(world.here_clerk.email)
    page = client.get(f"/inbox/{delivery_id}").get_data(as_text=True)
    assert "Sửa trích yếu" in page and "axis-updated" in page


def test_an_update_of_a_document_never_received_is_404(client, world):
    before = row_counts()
    response = post(client, world, package_xml(
        business=business(BusinessType.UPDATE, f"{SENDER_ID},2026/01/01,1/BNV-VP", "x")))
    assert response.status_code == 404
    assert row_counts() == before


def test_a_replacement_is_a_new_document_linked_both_ways(client, world, auth):
    old = post(client, world, package_xml()).get_json()
    old_id = f"{SENDER_ID},2026/11/28,712/BNV-VP"
    response = post(client, world, package_xml(
        "713", business=business(BusinessType.REPLACE, old_id, "Thay thế", replaces=[old_id])))
    assert response.status_code == 201, response.get_json()
    new = response.get_json()
    assert new["replaces"] == old["document"]["id"]
    record = db.session.get(AxisDocument, new["document"]["id"])
    assert record.replaces_document_id == old["document"]["id"]
    auth.login(world.here_clerk.email)
    new_page = client.get(f"/inbox/{new['deliveries'][0]['id']}").get_data(as_text=True)
    old_page = client.get(f"/inbox/{old['deliveries'][0]['id']}").get_data(as_text=True)
    assert "axis-replaces" in new_page and "712/BNV-VP" in new_page
    assert "axis-replaced-by" in old_page and "713/BNV-VP" in old_page


@pytest.mark.parametrize("agree, code", [(True, "15"), (False, "16")])
def test_a_revocation_asks_the_clerk_who_answers_back(client, world, agree, code):
    created = post(client, world, package_xml()).get_json()
    document_id = f"{SENDER_ID},2026/11/28,712/BNV-VP"
    revocation = package_xml(business=business(BusinessType.REVOKE, document_id,
                                               "Ban hành nhầm"))
    response = post(client, world, revocation)
    assert response.status_code == 200, response.get_json()
    delivery = db.session.get(Delivery, created["deliveries"][0]["id"])
    assert delivery.status == "13"
    event = db.session.scalar(select(DeliveryEvent).where(
        DeliveryEvent.delivery_id == delivery.id, DeliveryEvent.to_status == "13"))
    assert event.note == "Ban hành nhầm" and event.actor_id is None
    with action():
        deliveries.answer_recall(delivery, actor=world.here_clerk, agree=agree)
    assert delivery.status == code
    answered = [m for m in _outbound(delivery_id=delivery.id) if m.status_code == code]
    assert len(answered) == 1 and answered[0].to_organ_ids == [SENDER_ID]
    # The same revocation again, as sent or written anew: nothing twice.
    assert post(client, world, revocation).status_code == 200
    again = post(client, world, package_xml(
        business=business(BusinessType.REVOKE, document_id, "Ban hành nhầm")))
    assert again.status_code == 200, again.get_json()
    assert again.get_json()["status"] == "already_received"
    db.session.expire_all()
    assert db.session.get(Delivery, delivery.id).status == code


def test_none_of_the_recipients_here_is_422_and_nothing_kept(client, world):
    before = row_counts()
    response = post(client, world, package_xml(recipients=[Organ(organ_id=ELSEWHERE_ID),
                                                           Organ(organ_id=AXIS_ID)]))
    assert response.status_code == 422
    assert row_counts() == before  # an unknown sender is not answered: nothing at all


def _sent_to_the_axis(make, world):
    """A document the ministry issues to the department on the axis (B's dispatch)."""
    document = make.document(world.ministry_clerk, [world.on_axis], due_working_days=5)
    delivery = make.delivery(document, world.on_axis)
    sent = _outbound(delivery_id=delivery.id, kind="document")
    assert len(sent) == 1
    return delivery, sent[0].edxml_document_id


def test_status_03_moves_the_delivery_this_portal_sent(client, world, make):
    delivery, document_id = _sent_to_the_axis(make, world)
    response = post(client, world, status("03", document_id))
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["status"] == "applied"
    db.session.expire_all()
    delivery = db.session.get(Delivery, delivery.id)
    assert delivery.status == "03" and delivery.acknowledged_at is not None
    event = delivery.events[-1]
    assert event.to_status == "03" and event.actor_id is None
    assert "Lò Văn Sáng" in event.note and "Đã vào sổ" in event.note and "14:05" in event.note
    # The same status again (another moment): nothing twice.
    again = post(client, world, status("03", document_id, minute=6))
    assert again.status_code == 200 and again.get_json()["status"] == "unchanged"
    events = len(delivery.events)
    db.session.expire_all()
    assert len(db.session.get(Delivery, delivery.id).events) == events


def test_a_status_for_an_unknown_document_is_404_and_a_forbidden_move_409(client, world, make):
    delivery, document_id = _sent_to_the_axis(make, world)
    before = row_counts()
    assert post(client, world, status("03", "000.00.00.G14,2026/01/01,9/X")).status_code == 404
    # Another organisation reporting on it: not its delivery.
    assert post(client, world, status("03", document_id, reporter=HERE_ID)).status_code == 404
    assert post(client, world, status("15", document_id)).status_code == 409  # no recall asked
    assert row_counts() == before
    db.session.expire_all()
    assert db.session.get(Delivery, delivery.id).status == "01"


def test_the_leaderboard_counts_what_came_through_the_axis(client, world):
    from_ministry = package("901", sender=Organ(organ_id=MINISTRY_ID),
                            recipients=[Organ(organ_id=HERE_ID)],
                            document_id=f"{MINISTRY_ID},2026/11/28,901/BNNMT-VP")
    to_ministry = package("55", sender=Organ(organ_id=AXIS_ID),
                          recipients=[Organ(organ_id=MINISTRY_ID)],
                          document_id=f"{AXIS_ID},2026/11/28,55/SNNMT-VP")
    assert post(client, world, package_bytes(from_ministry)).status_code == 201
    assert post(client, world, package_bytes(to_ministry)).status_code == 201
    today = local_today()
    counts = raw_counts(today, today)
    assert counts[world.here.id]["axis_received_from_ministry"] == 1
    assert counts[world.here.id]["interaction_received_from_ministry"] == 0
    assert counts[world.on_axis.id]["axis_sent_to_ministry"] == 1
    assert counts[world.on_axis.id]["unsigned_sent"] == 1  # an unsigned package
    assert counts[world.on_axis.id]["interaction_sent_to_ministry"] == 0


def test_the_recipients_system_walks_the_delivery_to_done(client, world, make):
    delivery, document_id = _sent_to_the_axis(make, world)
    for minute, code in enumerate(("01", "03", "04", "05", "06")):
        response = post(client, world, status(code, document_id, minute=minute))
        assert response.status_code == 200, (code, response.get_json())
    db.session.expire_all()
    delivery = db.session.get(Delivery, delivery.id)
    assert delivery.status == "06"
    assert delivery.replied_at is not None  # a deadline document: done is answered there
    assert [e.to_status for e in delivery.events] == ["03", "04", "05", "06"]


def test_a_status_that_skips_steps_is_taken_through_them_and_a_move_back_is_409(client, world,
                                                                              make):
    """One public system sends 03 then 05 on registering a document: the 05 passes through
    the 04 it did not report, said to be implied; a 04 after that goes backwards: 409."""
    delivery, document_id = _sent_to_the_axis(make, world)
    assert post(client, world, status("03", document_id)).status_code == 200
    response = post(client, world, status("05", document_id, minute=6))
    assert response.status_code == 200, response.get_json()
    db.session.expire_all()
    delivery = db.session.get(Delivery, delivery.id)
    assert delivery.status == "05" and delivery.assigned_at is not None
    assert [e.to_status for e in delivery.events] == ["03", "04", "05"]
    assert "05" in delivery.events[1].note and "Lò Văn Sáng" in delivery.events[2].note
    before = row_counts()
    assert post(client, world, status("04", document_id, minute=7)).status_code == 409
    assert row_counts() == before


def test_a_recall_asked_here_is_agreed_by_the_recipients_system(client, world, make):
    delivery, document_id = _sent_to_the_axis(make, world)
    with action():
        documents.recall_document(delivery.document, actor=world.ministry_clerk)
    assert db.session.get(Delivery, delivery.id).status == "13"
    assert any(m.business_type == 1 for m in _outbound(delivery_id=delivery.id))
    assert post(client, world, status("15", document_id)).status_code == 200
    db.session.expire_all()
    assert db.session.get(Delivery, delivery.id).status == "15"
