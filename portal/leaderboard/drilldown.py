"""A department's documents behind its leaderboard row, for a period.

The lists apply the definitions of tallies.py to single records: what the department received
from the ministry side (with each deadline's verdict) and what it sent there. Deliveries of a
department merged into this one are its own (`Leaderboard.ids_counted_as`).
"""

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, func, select
from sqlalchemy.orm import aliased, joinedload

from portal.clock import as_local
from portal.deliveries.models import Channel, Delivery, Status
from portal.documents.models import Document
from portal.extensions import db
from portal.leaderboard.services import Period
from portal.leaderboard.tallies import MINISTRY_SIDE
from portal.organisations.models import Organisation

PAGE_SIZE = 50


class Verdict(StrEnum):
    ON_TIME = "on_time"
    LATE = "late"
    OVERDUE = "overdue"
    NOT_YET_DUE = "not_yet_due"
    REFUSED = "refused"  # handed back: counted as not processed, not as a deadline


VERDICT_LABELS = {
    Verdict.ON_TIME: _l("Replied on time"),
    Verdict.LATE: _l("Replied late"),
    Verdict.OVERDUE: _l("Overdue"),
    Verdict.NOT_YET_DUE: _l("Not yet due"),
    Verdict.REFUSED: _l("Refused"),
}
CHANNEL_LABELS = {
    Channel.PORTAL: _l("Interaction portal"),
    Channel.AXIS: _l("National document axis"),
}


@dataclass
class Page:
    items: list
    total: int
    number: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // PAGE_SIZE))


def deadline_verdict(delivery: Delivery, today: date) -> str | None:
    """How the delivery counts in the deadline columns; None when it has no deadline there."""
    if delivery.channel != Channel.PORTAL or delivery.due_on is None:
        return None
    if delivery.status == Status.REFUSED:
        return Verdict.REFUSED
    if delivery.replied_at is not None:
        on_time = as_local(delivery.replied_at).date() <= delivery.due_on
        return Verdict.ON_TIME if on_time else Verdict.LATE
    return Verdict.NOT_YET_DUE if delivery.due_on >= today else Verdict.OVERDUE


def _page(query, number: int, order_by, total: int | None = None) -> Page:
    if total is None:
        total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    number = min(max(number, 1), max(1, -(-total // PAGE_SIZE)))
    items = db.session.scalars(query.order_by(*order_by)
                               .offset((number - 1) * PAGE_SIZE).limit(PAGE_SIZE)).unique().all()
    return Page(list(items), total, number)


def received_from_ministry(ids: list[int], period: Period, page: int = 1, *,
                           total: int) -> Page:
    """Deliveries from the ministry side to these departments, received in the period.

    `total` is the row's total received, which counts exactly these deliveries (the test
    walks every page to hold the two equal): counting them again would read every one of a
    year's deliveries of a large department (143,000 at 10 M) for each page shown."""
    issuer = aliased(Organisation)
    query = (select(Delivery)
             .join(Document, Document.id == Delivery.document_id)
             .join(issuer, issuer.id == Document.issuer_id)
             .where(Delivery.recipient_id.in_(ids), issuer.kind.in_(MINISTRY_SIDE),
                    Delivery.received_on.between(period.first, period.last),
                    Delivery.status != Status.RECALL_AGREED)
             .options(joinedload(Delivery.document).joinedload(Document.issuer)))
    return _page(query, page, (Delivery.received_at.desc(), Delivery.id.desc()), total)


def sent_to_ministry(ids: list[int], period: Period, page: int = 1) -> Page:
    """Documents these departments sent to the ministry side in the period, each once."""
    recipient = aliased(Organisation)
    delivered = (select(Delivery.id)
                 .join(recipient, recipient.id == Delivery.recipient_id)
                 .where(Delivery.document_id == Document.id, recipient.kind.in_(MINISTRY_SIDE),
                        Delivery.received_on.between(period.first, period.last),
                        Delivery.status != Status.RECALL_AGREED))
    query = select(Document).where(Document.issuer_id.in_(ids), delivered.exists())
    return _page(query, page, (Document.issued_at.desc(), Document.id.desc()))


def channels_of(documents: list[Document]) -> dict[int, list[str]]:
    """Document id → the channels it reached the ministry side through."""
    recipient = aliased(Organisation)
    rows = db.session.execute(
        select(Delivery.document_id, Delivery.channel).distinct()
        .join(recipient, and_(recipient.id == Delivery.recipient_id,
                              recipient.kind.in_(MINISTRY_SIDE)))
        .where(Delivery.document_id.in_([d.id for d in documents])))
    channels: dict[int, list[str]] = {}
    for document_id, channel in rows:
        channels.setdefault(document_id, []).append(channel)
    return {k: sorted(v, reverse=True) for k, v in channels.items()}
