"""The sender's view of a document: every recipient's progress, filterable and exportable."""

from dataclasses import dataclass
from datetime import date

from flask import url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from portal import policy
from portal.clock import as_local
from portal.collation import by_name
from portal.deliveries.deadlines import DEADLINE_LABELS, with_states
from portal.deliveries.models import STATUS_LABELS, Delivery, Status
from portal.extensions import db
from portal.interop import outbound
from portal.interop.models import AxisMessage, MessageState
from portal.jobs import services as jobs
from portal.jobs.models import Job, JobState
from portal.organisations.models import Organisation
from portal.spreadsheets import csv_file

SHOW_CHOICES = {
    "all": _l("All recipients"),
    "not_acknowledged": _l("Not acknowledged"),
    "not_replied": _l("Not replied"),
    "overdue": _l("Overdue"),
}

def recipients_of(document, show: str, today: date, soon_until: date) -> list[tuple]:
    """(delivery, deadline state) per recipient, ordered by recipient name."""
    deliveries = db.session.scalars(
        select(Delivery).join(Delivery.recipient)
        .options(joinedload(Delivery.recipient), joinedload(Delivery.reply_document))
        .where(Delivery.document_id == document.id)
        .order_by(by_name(Organisation.name), Organisation.id))
    rows = with_states(deliveries, today, soon_until)
    if show == "not_acknowledged":
        rows = [r for r in rows if r[0].status == Status.RECEIVED]
    elif show == "not_replied":
        rows = [r for r in rows if r[0].due_on is not None and r[0].replied_at is None
                and r[0].status not in (Status.REFUSED, Status.RECALL_AGREED)]
    elif show == "overdue":
        rows = [r for r in rows if r[1] == "overdue"]
    return rows


@dataclass(frozen=True)
class AxisState:
    """Where the package of an axis recipient stands: its message, the job sending it, why it
    is not sent yet (with the next try), and whether the person may try it again now."""

    message: AxisMessage
    job: Job | None
    reason: str
    retry: bool


def axis_states(document, person) -> dict[int, AxisState]:
    """Delivery id → the state of its outbound message, for the recipients on the axis."""
    states = {}
    messages = outbound.messages_of(document)
    jobs_of = outbound.jobs_of(messages.values())
    for delivery_id, message in messages.items():
        job = jobs_of.get(message.id)
        reason = ""
        if message.state != MessageState.SENT and job is not None:
            reason = jobs.reason(job) if job.state != JobState.DONE else (message.error or "")
        states[delivery_id] = AxisState(
            message=message, job=job, reason=reason,
            retry=job is not None and message.state != MessageState.SENT
            and policy.can_follow_job(person, job) and jobs.can_retry(job))
    return states


def reply_links(rows, person) -> dict[int, str]:
    """Delivery id → where the person reads its reply: the reply's delivery to the sender,
    when the person may see it (a reply is only a number to anyone else)."""
    replied = {d.sent_reply_id: d.id for d, _ in rows if d.sent_reply_id}
    if not replied:
        return {}
    links = {}
    for reply_delivery in db.session.scalars(select(Delivery).where(
            Delivery.document_id.in_(replied)).order_by(Delivery.id)):
        if policy.can_view_delivery(person, reply_delivery):
            links.setdefault(replied[reply_delivery.document_id],
                             url_for("deliveries.show", delivery_id=reply_delivery.id))
    return links


def summary(rows) -> dict[str, int]:
    return {
        "recipients": len(rows),
        "acknowledged": sum(1 for d, _ in rows if d.acknowledged_at is not None),
        "replied": sum(1 for d, _ in rows if d.replied_at is not None),
        "on_time": sum(1 for _, s in rows if s == "on_time"),
        "overdue": sum(1 for _, s in rows if s == "overdue"),
    }


def _moment(value) -> str:
    local = as_local(value)
    return local.strftime("%Y-%m-%d %H:%M") if local else ""


# The CSV's columns: stable keys, and their Vietnamese headings for ?lang=vi.
CSV_HEADINGS = {
    "document": "Số, ký hiệu văn bản", "recipient_code": "Mã nơi nhận", "recipient": "Nơi nhận",
    "status_code": "Mã trạng thái", "status": "Trạng thái", "received_at": "Thời điểm nhận",
    "acknowledged_at": "Thời điểm tiếp nhận", "replied_at": "Thời điểm trả lời",
    "reply": "Văn bản trả lời", "due_on": "Hạn trả lời", "deadline": "Tình trạng hạn",
}


def recipients_csv(document, rows, vietnamese_headings: bool = False) -> bytes:
    """The tracking table as CSV (portal.spreadsheets: UTF-8 with BOM, no formulas)."""
    lines = ([document.notation, delivery.recipient.code, delivery.recipient.name,
              delivery.status, str(STATUS_LABELS[delivery.status]),
              _moment(delivery.received_at), _moment(delivery.acknowledged_at),
              _moment(delivery.replied_at),
              delivery.sent_reply.notation if delivery.sent_reply else "",
              delivery.due_on.isoformat() if delivery.due_on else "",
              str(DEADLINE_LABELS[state])]
             for delivery, state in rows)
    return csv_file(list(CSV_HEADINGS), lines, CSV_HEADINGS if vietnamese_headings else None)
