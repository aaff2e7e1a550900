"""A department's documents behind its leaderboard row, for a period.

The lists apply the definitions of tallies.py to single records: what the department received
from the ministry side (with each deadline's verdict) and what it sent there. Deliveries of a
department merged into this one are its own (`Leaderboard.ids_counted_as`).
"""

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, or_, select, union_all
from sqlalchemy.orm import aliased, joinedload

from portal.clock import as_local, start_of_local_day
from portal.deliveries.models import Channel, Delivery, Status
from portal.documents.models import Document
from portal.extensions import db
from portal.leaderboard.counting import MINISTRY_SIDE
from portal.leaderboard.services import Period
from portal.organisations.models import Organisation

PAGE_SIZE = 25


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
    """One page of a list, newest first, and where the next one starts (keyset paging)."""

    items: list
    total: int
    after: int | None  # the cursor this page started after; None on the first page
    next_after: int | None  # the cursor of the next page; None on the last

    @property
    def first(self) -> bool:
        return self.after is None


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


def _page(of_one, ids: list[int], model, at_column, after: int | None, total: int,
          options=()) -> Page:
    """The PAGE_SIZE rows after the row `after` names, newest first by (at_column, id), of
    these organisations' lists (`of_one(id)`: the query of one). Each organisation's list is
    read in its index's order, so a page reads a page's rows, not the period's; a cursor
    naming no row (stale, or made up) gives the first page."""
    if not ids:
        return Page([], total, None, None)
    start = None
    if after:
        start = db.session.execute(select(at_column, model.id).where(model.id == after)).first()
    newest = (at_column.desc(), model.id.desc())
    heads = []
    for one in ids:
        query = of_one(one).with_only_columns(model.id.label("id"), at_column.label("at"))
        if start is not None:
            query = query.where(or_(at_column < start[0],
                                    and_(at_column == start[0], model.id < start[1])))
        heads.append(select(query.order_by(*newest).limit(PAGE_SIZE + 1).subquery()))
    merged = union_all(*heads).subquery() if len(heads) > 1 else heads[0].subquery()
    chosen = db.session.execute(select(merged.c.id).order_by(merged.c.at.desc(),
                                                             merged.c.id.desc())
                                .limit(PAGE_SIZE + 1)).scalars().all()
    rows = {row.id: row for row in db.session.scalars(
        select(model).where(model.id.in_(chosen[:PAGE_SIZE])).options(*options)).unique()}
    items = [rows[i] for i in chosen[:PAGE_SIZE]]
    more = len(chosen) > PAGE_SIZE
    return Page(items, total, start[1] if start else None, items[-1].id if more else None)


def _received_within(moment, period: Period):
    """The period's days as a range of instants: what the (organisation, moment, id) indexes
    answer in order (`received_on` is the Vietnamese day of `received_at`)."""
    return (moment >= start_of_local_day(period.first),
            moment < start_of_local_day(period.last + timedelta(days=1)))


def received_from_ministry(ids: list[int], period: Period, after: int | None = None, *,
                           total: int) -> Page:
    """Deliveries from the ministry side to these departments, received in the period.

    `total` is the row's total received, which counts exactly these deliveries (the test
    walks every page to hold the two equal): counting them again would read every one of a
    year's deliveries of a large department (143,000 at 10 M) for each page shown."""
    issuer = aliased(Organisation)

    def of_one(list_key):
        # A department's list is what it received itself and what a merge passed on from it,
        # as the tallies count them (by the organisation addressed); each read by its index.
        organisation_id, passed_on = list_key
        addressed = (Delivery.addressed_to_id == organisation_id if passed_on
                     else and_(Delivery.recipient_id == organisation_id,
                               Delivery.addressed_to_id.is_(None)))
        return (select(Delivery)
                .join(Document, Document.id == Delivery.document_id)
                .join(issuer, issuer.id == Document.issuer_id)
                .where(addressed,
                       issuer.kind.in_(MINISTRY_SIDE),
                       Delivery.received_on.between(period.first, period.last),
                       Delivery.status != Status.RECALL_AGREED,
                       *_received_within(Delivery.received_at, period)))

    return _page(of_one, [(i, passed_on) for i in ids for passed_on in (False, True)],
                 Delivery, Delivery.received_at, after, total,
                 (joinedload(Delivery.document).joinedload(Document.issuer),))


def sent_to_ministry(ids: list[int], period: Period, after: int | None = None, *,
                     total: int) -> Page:
    """Documents these departments sent to the ministry side in the period, each once.

    `total` is the row's total sent (the documents through the portal and through the axis:
    the same documents, unless one went through both)."""
    recipient = aliased(Organisation)
    delivered = (select(Delivery.id)
                 .join(recipient, recipient.id == Delivery.recipient_id)
                 .where(Delivery.document_id == Document.id, recipient.kind.in_(MINISTRY_SIDE),
                        Delivery.received_on.between(period.first, period.last),
                        Delivery.status != Status.RECALL_AGREED))

    def of_one(organisation_id):
        # Received in the period, so issued before its end: the index's range.
        return select(Document).where(Document.issuer_id == organisation_id,
                                      _received_within(Document.issued_at, period)[1],
                                      delivered.exists())

    return _page(of_one, ids, Document, Document.issued_at, after, total)


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
