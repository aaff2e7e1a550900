"""Demo documents: what a department finds in its inbox on its first day.

Issued through the same services as everything else; only the dates of the older document
are moved into the past afterwards, so that "overdue" and "replied on time" appear at once.
"""

import time
from datetime import date, timedelta

from sqlalchemy import select, update

from portal.auth.services import find_user_by_email
from portal.calendar.services import WorkingCalendar
from portal.clock import as_local, local_today, start_of_local_day
from portal.deliveries import replies
from portal.deliveries import services as deliveries
from portal.deliveries.models import Delivery
from portal.documents import services as documents
from portal.documents.models import Document
from portal.extensions import db
from portal.jobs.models import Job, JobState
from portal.jobs.runner import run_queued_here
from portal.organisations.models import Organisation, OrganisationKind
from portal.organisations.services import find_by_code
from portal.signing import chain
from portal.transaction import action

# Vietnamese weekday names, Monday first (date.weekday()).
WEEKDAYS = ("thứ Hai", "thứ Ba", "thứ Tư", "thứ Năm", "thứ Sáu", "thứ Bảy", "Chủ nhật")
MEETING_IN_WORKING_DAYS = 10  # the invitation's meeting: two working weeks from the demo's day


def meeting_day(today: date) -> date:
    """The invitation's meeting: a working day some way after the demo's today."""
    return WorkingCalendar().add_working_days(today, MEETING_IN_WORKING_DAYS).due_on


def letters(today: date) -> list[dict]:
    """The demo's letters, their dates computed from its today (a weekday that is the date's,
    a meeting still to come)."""
    meeting = meeting_day(today)
    return [
        dict(doc_type="cong_van", urgency="urgent", due_working_days=5,
             subject="V/v đẩy mạnh thực hiện gửi, nhận, xử lý văn bản điện tử có ký số",
             body="Thực hiện Quyết định số 28/2018/QĐ-TTg ngày 12/7/2018 của Thủ tướng Chính "
                  "phủ về việc gửi, nhận văn bản điện tử giữa các cơ quan trong hệ thống hành "
                  "chính nhà nước, Bộ Nông nghiệp và Môi trường đề nghị các Sở báo cáo tình hình "
                  "gửi, nhận văn bản điện tử có xác thực chữ ký số."),
        dict(doc_type="giay_moi", urgency="normal", due_working_days=None,
             subject="Giấy mời dự Hội nghị trực tuyến sơ kết triển khai Quyết định 28/2018/QĐ-TTg",
             body="Bộ Nông nghiệp và Môi trường tổ chức Hội nghị trực tuyến sơ kết 01 năm triển "
                  "khai Quyết định số 28/2018/QĐ-TTg.\n"
                  "Kính mời: Đại diện lãnh đạo Sở Nông nghiệp và Môi trường.\n"
                  f"Thời gian: 08 giờ 00, {WEEKDAYS[meeting.weekday()]}, ngày "
                  f"{meeting.strftime('%d/%m/%Y')} (nửa ngày).\n"
                  "Địa điểm: Điểm cầu trực tuyến tại trụ sở Sở Nông nghiệp và Môi trường."),
        dict(doc_type="cong_van", urgency="normal", due_working_days=3,
             subject="V/v cung cấp số liệu đất đai phục vụ xây dựng báo cáo năm",
             body="Đề nghị các Sở cung cấp số liệu theo biểu mẫu kèm theo."),
    ]


def _person(code, role):
    return find_user_by_email(f"{role}.{code.lower()}@demo.portal.gov.vn")


def _age(document: Document, days: int) -> None:
    """Move an issued document and its deliveries into the past (demo history)."""
    received_on = local_today() - timedelta(days=days)
    received_at = start_of_local_day(received_on) + timedelta(hours=2)
    due_on = (WorkingCalendar().add_working_days(received_on, document.due_working_days).due_on
              if document.due_working_days else None)
    document.issued_at = document.dispatched_at = received_at
    db.session.execute(update(Delivery).where(Delivery.document_id == document.id)
                       .values(received_at=received_at, received_on=received_on,
                               due_on=due_on))
    db.session.flush()


def _through_the_chain(draft: Document, chain_people: dict, clerk) -> Document:
    """Trình ký, each person signs in turn, the clerk issues: the whole chain, as in real use.

    Jobs run here, between the steps, so that each person signs the PDF the step before made.
    """
    with action():
        chain.submit_for_signing(draft, actor=draft.author, **{
            key: person.id for key, person in chain_people.items()})
    _settled(draft.id)
    for step in chain.steps_of(draft):
        with action():
            chain.approve(db.session.get(Document, draft.id), actor=step.user)
        _settled(draft.id)
    with action():
        issued = documents.issue_document(db.session.get(Document, draft.id), actor=clerk)
    _settled(draft.id)
    return issued


def _settled(document_id: int, within: float = 300) -> None:
    """Run the document's jobs here, and wait for those a running worker took meanwhile."""
    deadline = time.monotonic() + within
    while True:
        run_queued_here()
        db.session.rollback()  # see what a worker committed
        if not db.session.scalar(select(Job.id).where(  # a message waits for the axis instead
                Job.document_id == document_id, Job.message_id.is_(None),
                Job.state.in_((JobState.QUEUED, JobState.RUNNING))).limit(1)):
            return
        if time.monotonic() > deadline:
            raise RuntimeError(f"the jobs of document {document_id} did not finish")
        time.sleep(0.2)


def load_documents() -> int:
    """Issue the demo letters once, signed through the whole chain; return how many."""
    office = find_by_code("VP")
    if db.session.scalar(select(Document.id).where(  # the history's records have no PDF
            Document.issuer_id == office.id, Document.pdf_file_id.is_not(None)).limit(1)):
        return 0
    author, clerk = _person("VP", "specialist"), _person("VP", "clerk")
    signers = dict(unit_initials_id=_person("CDS", "leader"),
                   office_initials_id=_person("VP", "leader"),
                   signer_id=_person("BTNMT", "leader"))
    departments = tuple(o.id for o in db.session.scalars(select(Organisation).where(
        Organisation.kind == OrganisationKind.DEPARTMENT)) if not o.is_merged())
    issued = []
    for letter in letters(local_today()):
        fields = documents.DraftFields(recipient_ids=departments, **letter)
        with action():
            draft = documents.save_draft(fields, actor=author)
        issued.append(_through_the_chain(draft, signers, clerk))
    with action():
        _age(issued[0], 10)
    _play_the_older_letter(issued[0])
    with action():
        report = documents.save_draft(documents.DraftFields(
            doc_type="bao_cao",
            subject="Báo cáo tình hình ứng dụng công nghệ thông tin năm 2026",
            body="Sở Nông nghiệp và Môi trường Thành phố Hồ Chí Minh báo cáo như sau.",
            recipient_ids=(office.id,)),
            actor=_person("HCM", "specialist"))
    _through_the_chain(report, {"signer_id": _person("HCM", "leader")},
                       _person("HCM", "clerk"))
    return len(issued) + 1


def _play_the_older_letter(letter: Document) -> None:
    """Hà Nội answers; Hồ Chí Minh is working on it; Ninh Bình has not opened it."""
    def delivery_to(code):
        return db.session.scalar(select(Delivery).where(
            Delivery.document_id == letter.id,
            Delivery.recipient_id == find_by_code(code).id))

    hni = delivery_to("HNI")
    with action():
        deliveries.acknowledge_delivery(hni, actor=_person("HNI", "clerk"))
    with action():
        reply = replies.answer_delivery(hni, actor=_person("HNI", "leader"),
                                        body="Sở Nông nghiệp và Môi trường Hà Nội báo cáo: "
                                             "100% văn bản đi được ký số.")
    _settled(reply.id)  # sealed and delivered to the ministry
    with action():  # answered two days after receipt, well within the deadline
        answered_at = hni.received_at + timedelta(days=2)
        db.session.execute(update(Delivery).where(Delivery.id == hni.id).values(
            acknowledged_at=hni.received_at + timedelta(hours=1), assigned_at=answered_at,
            done_at=answered_at, replied_at=answered_at))
        db.session.execute(update(Delivery).where(Delivery.document_id == reply.id).values(
            received_at=answered_at, received_on=as_local(answered_at).date()))
        reply.issued_at = reply.dispatched_at = answered_at
    hcm = delivery_to("HCM")
    with action():
        deliveries.acknowledge_delivery(hcm, actor=_person("HCM", "clerk"))
    with action():
        deliveries.assign_delivery(hcm, actor=_person("HCM", "leader"),
                                   assignee=_person("HCM", "specialist"))
    dng = delivery_to("DNG")
    with action():
        deliveries.acknowledge_delivery(dng, actor=_person("DNG", "clerk"))
