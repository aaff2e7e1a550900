"""Writing one period's document-level records in bulk: the ministry's documents, their
deliveries to the departments (with their states and timestamps), the departments' replies and
reports, and the axis traffic, such that the leaderboard counts exactly the figures given for
each department.

Records are written without PDFs; the appendix has no signature column, so which sent
documents went out unsigned is invented (about one in ten).
"""

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import insert, select

from portal.auth.models import User
from portal.calendar.services import WorkingCalendar
from portal.clock import LOCAL_TZ
from portal.collation import sort_key
from portal.deliveries.inbox import rebuild_tallies as rebuild_inbox_tallies
from portal.deliveries.models import Channel, Delivery, Status
from portal.documents.authority import default_authority
from portal.documents.models import Document, DocumentState, NumberRegister
from portal.documents.numbering import notation_for
from portal.documents.text import fold
from portal.extensions import db
from portal.organisations.models import Organisation, OrganisationKind

# Subjects of the ministry's documents and of the departments' reports, in turn.
MINISTRY_SUBJECTS = [
    "V/v báo cáo kết quả thực hiện công tác quản lý đất đai",
    "V/v tăng cường quản lý hoạt động khoáng sản",
    "V/v cung cấp số liệu phục vụ thống kê đất đai",
    "V/v triển khai Quyết định số 28/2018/QĐ-TTg về gửi, nhận văn bản điện tử",
    "V/v rà soát quy hoạch sử dụng đất cấp tỉnh",
    "V/v kiểm tra công tác bảo vệ môi trường tại các khu công nghiệp",
    "V/v góp ý dự thảo Thông tư hướng dẫn về tài nguyên nước",
    "V/v tổng hợp tình hình ứng phó với biến đổi khí hậu",
]
DEPARTMENT_SUBJECTS = [
    "V/v báo cáo tình hình gửi, nhận văn bản điện tử",
    "V/v đề nghị hướng dẫn thủ tục cấp giấy chứng nhận quyền sử dụng đất",
    "V/v báo cáo kết quả quan trắc môi trường định kỳ",
    "V/v xin ý kiến về phương án khai thác khoáng sản",
]
LATE_DAYS = 4


@dataclass
class Figures:
    """What one department's records must add up to, in the appendix's columns."""

    received: int
    processed: int
    replied: int
    on_time: int
    not_replied: int
    sent: int
    axis_received: int
    axis_sent: int

    @property
    def deadlines(self) -> int:
        return self.replied + self.not_replied


def _moment(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=LOCAL_TZ).astimezone(UTC)


def _spread(count: int, among: int) -> list[int]:
    """`count` indexes spread evenly over range(among) (distinct when count <= among)."""
    return [i * among // count for i in range(count)]


class RecordWriter:
    """Writes one period's records for the given figures, on working days only."""

    def __init__(self, first: date, last: date, rng: random.Random):
        self.rng = rng
        self.calendar = WorkingCalendar()
        self.days = [first + timedelta(days=n) for n in range((last - first).days + 1)
                     if self.calendar.non_working_reason(first + timedelta(days=n)) is None]
        self.ministry_side = list(db.session.scalars(select(Organisation).where(
            Organisation.kind.in_((OrganisationKind.MINISTRY, OrganisationKind.MINISTRY_UNIT)))
            .order_by(Organisation.id)))
        self.ministry = next(o for o in self.ministry_side
                             if o.kind == OrganisationKind.MINISTRY)
        # The records name no real author: the first person of the demo (the administrator).
        self.author_id = db.session.scalar(select(db.func.min(User.id)))
        # Numbers continue the registers (the demo letters may have taken some this year).
        self.numbers = dict(db.session.execute(
            select(NumberRegister.organisation_id, NumberRegister.last_number)
            .where(NumberRegister.year == first.year)).all())

    def write(self, figures: dict[Organisation, Figures]) -> None:
        deadline_docs = self._ministry_documents(max(f.deadlines for f in figures.values()),
                                                 with_deadline=True)
        plain_docs = self._ministry_documents(
            max(f.received - f.deadlines for f in figures.values()), with_deadline=False)
        axis_docs = self._ministry_documents(max(f.axis_received for f in figures.values()),
                                             with_deadline=False)
        for department in sorted(figures, key=lambda o: sort_key(o.name)):
            self._department(department, figures[department], deadline_docs, plain_docs,
                             axis_docs)
        self._close_registers()
        rebuild_inbox_tallies()
        db.session.flush()

    # The ministry's side: documents, each later delivered to some departments.

    def _ministry_documents(self, count: int, *, with_deadline: bool) -> list[dict]:
        # Documents with a deadline are dated early enough to be answered within the period.
        days = self.days[:-LATE_DAYS * 3] if with_deadline else self.days
        documents = []
        for index, position in enumerate(_spread(count, len(days)) if count else []):
            day = days[position]
            issuer = self.ministry_side[index % len(self.ministry_side)]
            due_on = (self.calendar.add_working_days(day, self.rng.choice([5, 7, 10])).due_on
                      if with_deadline else None)
            documents.append(self._document(issuer, day, MINISTRY_SUBJECTS, due_on=due_on))
        self._insert_documents(documents)
        return documents

    def _document(self, issuer, day, subjects, *, due_on=None, at=None, sealed=True) -> dict:
        authority = default_authority(issuer)  # a unit's letters are in the ministry's name
        number = self.numbers[authority.id] = self.numbers.get(authority.id, 0) + 1
        sent_at = at or _moment(day, 8 + number % 9, number % 60)
        notation = notation_for(number, "cong_van", issuer, authority, on=day)
        subject = subjects[number % len(subjects)]
        return dict(issuer_id=issuer.id, authority_id=authority.id, author_id=self.author_id,
                    doc_type="cong_van", subject=subject, body="", state=DocumentState.ISSUED,
                    recipient_ids=[],
                    due_on=due_on, number=number, year=day.year, notation=notation,
                    issued_at=sent_at, dispatched_at=sent_at,
                    sealed_at=sent_at if sealed else None,
                    search_text=fold(f"{notation} {subject}"), created_at=sent_at,
                    updated_at=sent_at)

    def _insert_documents(self, documents: list[dict]) -> None:
        if not documents:
            return
        # Core inserts: the ORM's bulk insert splits rows into many batches by their None values.
        table = Document.__table__
        ids = db.session.scalars(insert(table).returning(table.c.id,
                                                         sort_by_parameter_order=True),
                                 documents).all()
        for document, document_id in zip(documents, ids, strict=True):
            document["id"] = document_id

    # One department: what it received and what it sent.

    def _department(self, department, figures: Figures, deadline_docs, plain_docs, axis_docs):
        rng = self.rng
        deadline = [deadline_docs[i] for i in _spread(figures.deadlines, len(deadline_docs))]
        plain_count = figures.received - figures.deadlines
        plain = [plain_docs[i] for i in _spread(plain_count, len(plain_docs))]
        rng.shuffle(deadline)
        replied, open_deadline = deadline[:figures.replied], deadline[figures.replied:]
        others = open_deadline + plain
        processed = set(rng.sample(range(len(others)), figures.processed - figures.replied))
        deliveries = [self._received(department, d, processed=n in processed)
                      for n, d in enumerate(others)]
        answered = [self._received(department, d, processed=True) for d in replied]
        for number, delivery in enumerate(answered):
            on_time = number < figures.on_time
            delivery["replied_at"] = delivery["done_at"] = self._reply_moment(
                delivery["received_on"], delivery["due_on"], on_time)
            delivery["status"] = Status.DONE
        axis = [self._received(department, axis_docs[i], processed=True, channel=Channel.AXIS)
                for i in _spread(figures.axis_received, len(axis_docs))]
        db.session.execute(insert(Delivery.__table__), deliveries + answered + axis)
        self._send_replies(department, answered, replied)
        self._send_reports(department, figures.sent - figures.replied, Channel.PORTAL)
        self._send_reports(department, figures.axis_sent, Channel.AXIS)

    def _received(self, department, document, *, processed, channel=Channel.PORTAL) -> dict:
        received_at = document["dispatched_at"]
        status = Status.RECEIVED
        if processed:
            status = (Status.IN_PROGRESS if document["due_on"]
                      else self.rng.choice([Status.DONE] * 3 + [Status.ACKNOWLEDGED]))
        return dict(document_id=document["id"], recipient_id=department.id, channel=channel,
                    status=status, received_at=received_at,
                    received_on=received_at.astimezone(LOCAL_TZ).date(),
                    due_on=document["due_on"],
                    acknowledged_at=received_at + timedelta(hours=2) if processed else None,
                    done_at=(received_at + timedelta(days=1)
                             if status == Status.DONE else None),
                    replied_at=None)

    def _reply_moment(self, received_on: date, due_on: date, on_time: bool) -> datetime:
        if on_time:
            day = received_on + timedelta(days=self.rng.randint(0, (due_on - received_on).days))
        else:
            day = due_on + timedelta(days=self.rng.randint(1, LATE_DAYS))
        return _moment(day, self.rng.randint(8, 16), self.rng.randint(0, 59))

    def _send_replies(self, department, answered: list[dict], originals: list[dict]) -> None:
        """Each answered delivery's reply: a document back to the original's sender, linked
        from the delivery (answered[i] is the delivery of originals[i])."""
        issuers = {o.id: o for o in self.ministry_side}
        deliveries = {row.document_id: row.id for row in db.session.execute(
            select(Delivery.document_id, Delivery.id).where(
                Delivery.recipient_id == department.id,
                Delivery.document_id.in_([a["document_id"] for a in answered])))}
        replies = []
        for delivery in answered:
            replied_at = delivery["replied_at"]
            replies.append(self._document(
                department, replied_at.astimezone(LOCAL_TZ).date(), DEPARTMENT_SUBJECTS,
                at=replied_at, sealed=self._sealed()))
        self._insert_documents(replies)
        self._deliver_to_ministry(replies, [issuers[o["issuer_id"]] for o in originals],
                                  Channel.PORTAL)
        for delivery, reply in zip(answered, replies, strict=True):
            db.session.execute(Delivery.__table__.update()
                               .where(Delivery.id == deliveries[delivery["document_id"]])
                               .values(reply_document_id=reply["id"]))

    def _send_reports(self, department, count: int, channel: str) -> None:
        reports = [self._document(department, self.days[i], DEPARTMENT_SUBJECTS,
                                  sealed=self._sealed())
                   for i in _spread(count, len(self.days))] if count else []
        self._insert_documents(reports)
        office = [o for o in self.ministry_side if o.kind != OrganisationKind.MINISTRY]
        self._deliver_to_ministry(
            reports, [self.ministry if n % 2 else office[n % len(office)]
                      for n in range(len(reports))], channel)

    def _deliver_to_ministry(self, documents, recipients, channel) -> None:
        if documents:
            db.session.execute(insert(Delivery.__table__), [
                dict(document_id=d["id"], recipient_id=r.id, channel=channel,
                     status=Status.DONE, received_at=d["dispatched_at"],
                     received_on=d["dispatched_at"].astimezone(LOCAL_TZ).date(),
                     acknowledged_at=d["dispatched_at"] + timedelta(hours=1),
                     done_at=d["dispatched_at"] + timedelta(days=1))
                for d, r in zip(documents, recipients, strict=True)])

    def _sealed(self) -> bool:
        return self.rng.random() >= 0.1

    def _close_registers(self) -> None:
        """The number registers continue after the numbers these records took."""
        year = self.days[0].year
        for organisation_id, last in self.numbers.items():
            register = db.session.get(NumberRegister, (organisation_id, year))
            if register is None:
                db.session.add(NumberRegister(organisation_id=organisation_id, year=year,
                                              last_number=last))
            else:
                register.last_number = max(register.last_number, last)
