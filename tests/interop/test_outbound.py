"""What goes out to the axis: a document issued to a department on the axis becomes one
package (read back field by field by the reader), steps on a delivery that came through the
axis become status messages, a recall becomes a revocation; each event queues one message."""

import hashlib
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from portal.clock import as_local, local_today
from portal.deliveries import services as deliveries
from portal.deliveries.models import Delivery
from portal.documents import services as documents
from portal.documents.models import Document, DocumentState
from portal.extensions import db
from portal.interop import outbound
from portal.interop.edxml.model import BusinessType, DocumentPackage, StatusMessage
from portal.interop.edxml.reader import read_message
from portal.interop.models import AxisMessage
from portal.jobs.models import Job
from portal.jobs.runner import run_queued_here
from portal.organisations.services import set_axis_details
from portal.signing import keys
from portal.storage.services import path_of, read_bytes
from portal.transaction import action
from tests.interop.conftest import AXIS_ORGAN_ID, MINISTRY_ORGAN_ID


def _messages(**where):
    db.session.expire_all()
    return list(db.session.scalars(select(AxisMessage).filter_by(**where)
                                   .order_by(AxisMessage.id)))


def _read(message: AxisMessage, tmp_path):
    with path_of(message.file).open("rb") as source:
        return read_message(source, workdir=tmp_path, max_bytes=80 * 1024 * 1024)


def _issue(world, **fields):
    return world.make.document(world.ministry_clerk, [world.on_axis, world.on_portal],
                               **{"urgency": "urgent", "due_on": local_today() + timedelta(10),
                                  **fields})


def test_an_issued_document_goes_as_one_package_to_the_recipient_on_the_axis(world, tmp_path):
    document = _issue(world)
    by_recipient = {d.recipient_id: d for d in db.session.scalars(
        select(Delivery).where(Delivery.document_id == document.id))}
    assert by_recipient[world.on_axis.id].channel == "axis"
    assert by_recipient[world.on_axis.id].status == "01"
    assert by_recipient[world.on_portal.id].channel == "portal"
    [message] = _messages(document_id=document.id)
    assert (message.direction, message.kind, message.business_type) == ("out", "document", 0)
    assert message.delivery_id == by_recipient[world.on_axis.id].id
    assert message.to_organ_ids == [AXIS_ORGAN_ID]
    assert message.from_organ_id == MINISTRY_ORGAN_ID
    assert message.file.content_type == "application/xml"
    day = as_local(document.issued_at).date()
    assert message.edxml_document_id == (f"{MINISTRY_ORGAN_ID},{day:%Y/%m/%d},"
                                         f"{document.notation}")
    job = db.session.scalar(select(Job).where(Job.message_id == message.id))
    assert job.kind == "axis_send"


def test_the_package_read_back_says_every_field_of_the_document(world, tmp_path):
    document = _issue(world, subject="Về việc báo cáo tình hình sử dụng đất năm 2026",
                      body="Đề nghị Sở báo cáo trước ngày 15.")
    [message] = _messages(document_id=document.id)
    read = _read(message, tmp_path)
    package = read.message
    assert isinstance(package, DocumentPackage)
    day = as_local(document.issued_at).date()
    number, notation = document.notation.split("/", 1)
    assert (package.code_number, package.code_notation) == (number, notation)
    assert package.document_id == message.edxml_document_id
    assert (package.sender.organ_id, package.sender.name) == (MINISTRY_ORGAN_ID,
                                                              world.ministry.name)
    assert package.sender.email == "vanthu@mae.gov.vn"
    assert package.sender.telephone == "024 3795 6868"
    assert [r.organ_id for r in package.recipients] == [AXIS_ORGAN_ID]
    assert package.recipients[0].name == world.on_axis.name
    assert (package.place, package.promulgation_date) == ("Hà Nội", day)
    assert (package.type_code, package.type_name) == (18, "Công văn")
    assert package.subject == "Về việc báo cáo tình hình sử dụng đất năm 2026"
    assert package.content == "Đề nghị Sở báo cáo trước ngày 15."
    assert package.due_date == local_today() + timedelta(10)
    assert sorted(package.to_places) == sorted([world.on_axis.name, world.on_portal.name])
    assert (package.priority, package.steering_type) == (1, 0)
    assert package.business.doc_type == BusinessType.NEW
    assert [t.organ_id for t in package.traces] == [MINISTRY_ORGAN_ID]
    [pdf] = package.attachments
    assert pdf.content_type == "application/pdf"
    assert pdf.sha256 == hashlib.sha256(read_bytes(document.pdf_file)).hexdigest()
    identity = keys.organisation_identity(world.ministry.id)
    assert read.signature.present and read.signature.certificate == identity.certificate


def test_the_signer_of_the_chain_is_the_packages_signer(world):
    from portal.signing.models import SIGNER_FIELD, SignatureStep

    document = _issue(world)
    assert outbound.package_of(document, [world.on_axis]).signer is None  # nobody signed it
    deputy = world.make.user(world.ministry, "leader", full_name="Trần Văn Minh",
                             title="Thứ trưởng", signs_as="deputy")
    with action():
        db.session.add(SignatureStep(document_id=document.id, position=1, field=SIGNER_FIELD,
                                     user_id=deputy.id))
    signer = outbound.package_of(document, [world.on_axis]).signer
    assert (signer.competence, signer.position, signer.full_name) == (
        "KT. BỘ TRƯỞNG", "Thứ trưởng", "Trần Văn Minh")


def test_dispatch_run_again_queues_nothing_more(world):
    document = _issue(world)
    delivery = db.session.scalar(select(Delivery).where(
        Delivery.document_id == document.id, Delivery.recipient_id == world.on_axis.id))
    with action():
        assert outbound.queue_document(document, delivery) is None
    dispatch = db.session.scalar(select(Job).where(Job.document_id == document.id,
                                                   Job.kind == "dispatch"))
    from portal.documents.tasks import dispatch_document

    with action():
        dispatch_document(dispatch)
    assert len(_messages(document_id=document.id)) == 1
    assert db.session.scalar(select(func.count()).select_from(Job).where(
        Job.kind == "axis_send")) == 1


def test_issuing_to_the_axis_without_the_authoritys_identifier_is_refused(world):
    with action():
        set_axis_details(world.ministry, organ_id="", channel="portal")
    draft = world.make.document(world.ministry_clerk, [world.on_axis], issue=False)
    with pytest.raises(outbound.OutboundError, match="Lai Châu"), action():
        documents.issue_document(draft, actor=world.ministry_clerk)
    db.session.expire_all()
    kept = db.session.get(Document, draft.id)
    assert (kept.state, kept.number) == (DocumentState.DRAFT, None)
    assert not _messages()


@pytest.mark.parametrize("step, code", [("acknowledge", "03"), ("refuse", "02")])
def test_a_step_on_a_delivery_received_through_the_axis_sends_its_status(world, tmp_path,
                                                                         step, code):
    sender, document, delivery = world.received()
    with action():
        if step == "acknowledge":
            deliveries.acknowledge_delivery(delivery, actor=world.portal_clerk)
        else:
            deliveries.refuse_delivery(delivery, actor=world.portal_clerk,
                                       reason="Không đúng thẩm quyền")
    [message] = _messages(delivery_id=delivery.id)
    assert (message.kind, message.status_code) == ("status", code)
    assert message.to_organ_ids == [sender.organ_id]
    assert message.event_key == f"status:event:{delivery.events[-1].id}"
    status = _read(message, tmp_path).message
    assert isinstance(status, StatusMessage)
    assert status.status_code == code
    assert status.response_for.document_id == "000.00.00.H17,2026/11/20,88/UBND-KT"
    assert (status.response_for.organ_id, status.response_for.code) == ("000.00.00.H17",
                                                                        "88/UBND-KT")
    assert status.staff.staff == world.portal_clerk.full_name
    assert status.description == ("Không đúng thẩm quyền" if code == "02" else "")
    assert [r.organ_id for r in status.recipients] == ["000.00.00.H17"]


def test_each_step_sends_one_status_with_its_code(world):
    from portal.deliveries import replies  # noqa: F401 (the reply's own path is tested there)

    _sender, _document, delivery = world.received()
    specialist = world.make.user(world.on_portal, "specialist")
    with action():
        deliveries.acknowledge_delivery(delivery, actor=world.portal_clerk)
    with action():
        deliveries.assign_delivery(delivery, actor=world.portal_leader, assignee=specialist)
    with action():
        deliveries.start_processing(delivery, actor=specialist)
    with action():
        deliveries.complete_delivery(delivery, actor=world.portal_leader, note="Đã xử lý")
    assert [m.status_code for m in _messages(delivery_id=delivery.id)] == ["03", "04", "05",
                                                                           "06"]
    with pytest.raises(deliveries.DeliveryError), action():  # refused: no second message
        deliveries.acknowledge_delivery(delivery, actor=world.portal_clerk)
    assert len(_messages(delivery_id=delivery.id)) == 4


def test_a_step_on_a_portal_delivery_sends_nothing(world):
    document = world.make.document(world.ministry_clerk, [world.on_portal])
    delivery = world.make.delivery(document, world.on_portal)
    with action():
        deliveries.acknowledge_delivery(delivery, actor=world.portal_clerk)
    assert not _messages()


def test_a_recall_of_a_delivery_sent_through_the_axis_sends_a_revocation(world, tmp_path):
    document = _issue(world)
    with action():
        documents.recall_document(document, actor=world.ministry_clerk)
    delivery = world.make.delivery(document, world.on_axis)
    first, revocation = _messages(delivery_id=delivery.id)
    assert revocation.business_type == BusinessType.REVOKE
    assert revocation.to_organ_ids == [AXIS_ORGAN_ID]
    package = _read(revocation, tmp_path).message
    assert package.business.doc_type == BusinessType.REVOKE
    assert package.business.document_id == first.edxml_document_id
    assert package.business.reason
    assert package.attachments == []


def test_a_message_is_signed_only_when_the_organisation_has_a_key(world, tmp_path):
    _sender, _document, delivery = world.received()
    from portal.signing.models import SigningIdentity

    with action():
        for identity in db.session.scalars(select(SigningIdentity).where(
                SigningIdentity.organisation_id == world.on_portal.id)):
            identity.retired_on = local_today()
        deliveries.acknowledge_delivery(delivery, actor=world.portal_clerk)
    [message] = _messages(delivery_id=delivery.id)
    assert _read(message, tmp_path).signature.present is False


def test_no_axis_address_leaves_the_message_waiting_with_the_reason(world):
    document = _issue(world)
    run_queued_here()
    [message] = _messages(document_id=document.id)
    assert message.state == "pending"
    assert "AXIS_URL" in message.error


def test_a_reply_to_a_document_received_through_the_axis_goes_back_with_response_for(
        world, tmp_path):
    from portal.deliveries import replies

    sender, document, delivery = world.received()
    with action():
        deliveries.acknowledge_delivery(delivery, actor=world.portal_clerk)
    with action():
        reply = replies.answer_delivery(delivery, actor=world.portal_leader,
                                        body="Sở xin báo cáo kết quả kiểm tra.")
    run_queued_here()
    [package_message] = _messages(document_id=reply.id)
    assert package_message.to_organ_ids == [sender.organ_id]
    package = _read(package_message, tmp_path).message
    assert package.response_for.document_id == "000.00.00.H17,2026/11/20,88/UBND-KT"
    assert package.response_for.code == "88/UBND-KT"
    assert package.sender.organ_id == world.on_portal.organ_id
    # The leader answers in one go: assigned to themself, started, replied, each reported.
    assert [m.status_code for m in _messages(delivery_id=delivery.id)] == ["03", "04", "05",
                                                                           "06"]
