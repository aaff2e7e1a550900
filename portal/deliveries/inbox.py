"""The inbox: a recipient's deliveries by tab, filtered, searched and paged by keyset.

Tabs and counts are derived from status and due date at query time ("due soon" and
"overdue" are never stored). Pages continue from the last row seen (keyset), so a deep page
costs what the first one does.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import Date, case, delete, func, literal, select, tuple_
from sqlalchemy.orm import contains_eager, joinedload

from portal.auth.models import User
from portal.bounds import parse_id
from portal.clock import aware_utc, start_of_local_day
from portal.deliveries.deadlines import (
    TABS,
    due_soon_condition,
    overdue_condition,
    tab_condition,
    with_states,
)
from portal.deliveries.models import OPEN_STATUSES, Delivery, InboxTally
from portal.documents.models import Document
from portal.documents.text import fold
from portal.extensions import db, insert_for_dialect
from portal.organisations.models import Organisation

PAGE_SIZE = 25
SORTS = ("newest", "oldest", "deadline")
NO_DEADLINE = date(9999, 12, 31)


class CursorError(ValueError):
    """A page cursor that was not made by this portal."""


@dataclass(frozen=True)
class InboxQuery:
    tab: str = "new"
    sender_id: int | None = None
    doc_type: str | None = None
    urgency: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    q: str = ""
    sort: str = "newest"
    after: str | None = None


def _filters(query: InboxQuery) -> list:
    conditions = []
    if query.sender_id:
        conditions.append(Document.issuer_id == query.sender_id)
    if query.doc_type:
        conditions.append(Document.doc_type == query.doc_type)
    if query.urgency:
        conditions.append(Document.urgency == query.urgency)
    if query.date_from:
        conditions.append(Delivery.received_at >= start_of_local_day(query.date_from))
    if query.date_to:
        conditions.append(Delivery.received_at < start_of_local_day(
            date.fromordinal(query.date_to.toordinal() + 1)))
    for word in fold(query.q).split()[:8]:
        escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        conditions.append(Document.search_text.like(f"%{escaped}%", escape="\\"))
    return conditions


def _sort_keys(sort: str):
    if sort == "deadline":
        return func.coalesce(Delivery.due_on, literal(NO_DEADLINE, Date)), Delivery.id
    return Delivery.received_at, Delivery.id


def encode_cursor(delivery: Delivery, sort: str) -> str:
    """The position after this row, URL-safe as it stands (UTC without an offset sign)."""
    if sort == "deadline":
        key = (delivery.due_on or NO_DEADLINE).isoformat()
    else:
        key = aware_utc(delivery.received_at).replace(tzinfo=None).isoformat()
    return f"{key}~{delivery.id}"


def _decode_cursor(cursor: str, sort: str):
    try:
        key, _, row_id = cursor.partition("~")
        if sort == "deadline":
            value = date.fromisoformat(key)
        else:
            value = datetime.fromisoformat(key).replace(tzinfo=UTC)
        return value, parse_id(row_id)
    except (ValueError, TypeError) as error:
        raise CursorError(cursor) from error


# What an inbox row shows (and the API's inbox lists): loading only these halves the time
# SQLAlchemy spends building the page's objects.
_ROW_COLUMNS = (
    contains_eager(Delivery.document)
    .load_only(Document.notation, Document.subject, Document.doc_type, Document.urgency,
               Document.issuer_id)
    .joinedload(Document.issuer).load_only(Organisation.code, Organisation.name),
    joinedload(Delivery.assignee).load_only(User.full_name),
)


def inbox_page(organisation_id: int, query: InboxQuery, today: date, soon_until: date,
               limit: int = PAGE_SIZE) -> tuple[list[Delivery], str | None]:
    """One page of the organisation's inbox and the cursor of the next page (or None)."""
    sort = query.sort if query.sort in SORTS else "newest"
    first, second = _sort_keys(sort)
    descending = sort == "newest"
    statement = (
        select(Delivery).join(Delivery.document)
        .options(*_ROW_COLUMNS)
        .where(Delivery.recipient_id == organisation_id,
               tab_condition(query.tab, today, soon_until), *_filters(query))
        .order_by(first.desc() if descending else first, second.desc() if descending else second)
        .limit(limit + 1)
    )
    if query.after:
        key = _decode_cursor(query.after, sort)
        position = tuple_(first, second)
        statement = statement.where(position < key if descending else position > key)
    rows = list(db.session.scalars(statement).unique())
    next_cursor = encode_cursor(rows[limit - 1], sort) if len(rows) > limit else None
    return rows[:limit], next_cursor


def inbox_rows(organisation_id: int, query: InboxQuery, today: date, soon_until: date):
    """One page of the inbox as (delivery, deadline state) rows, and the next page's cursor."""
    deliveries, next_cursor = inbox_page(organisation_id, query, today, soon_until)
    return with_states(deliveries, today, soon_until), next_cursor


def tab_counts(organisation_id: int, query: InboxQuery, today: date,
               soon_until: date) -> dict[str, int]:
    """How many deliveries each tab holds under the current filters."""
    if _filters(query):
        return _filtered_counts(organisation_id, query, today, soon_until)
    # One pass over the open deliveries only (an index range, not the department's history).
    open_count, new, overdue, due_soon = db.session.execute(
        select(func.count(), func.count().filter(tab_condition("new", today, soon_until)),
               func.count().filter(overdue_condition(today)),
               func.count().filter(due_soon_condition(today, soon_until)))
        .where(Delivery.recipient_id == organisation_id, Delivery.status.in_(OPEN_STATUSES))
    ).one()
    counts = {"new": new, "in_progress": open_count - new, "overdue": overdue,
              "due_soon": due_soon}
    counts["all"] = db.session.scalar(select(InboxTally.received).where(
        InboxTally.recipient_id == organisation_id)) or 0
    counts["done"] = counts["all"] - open_count
    return counts


def _filtered_counts(organisation_id: int, query: InboxQuery, today: date,
                     soon_until: date) -> dict[str, int]:
    columns = [func.coalesce(func.sum(case((tab_condition(tab, today, soon_until), 1),
                                           else_=0)), 0).label(tab) for tab in TABS]
    statement = select(*columns).select_from(Delivery).where(
        Delivery.recipient_id == organisation_id, *_filters(query))
    if query.sender_id or query.doc_type or query.urgency or query.q.strip():
        statement = statement.join(Delivery.document)
    row = db.session.execute(statement).one()
    return dict(zip(TABS, (int(v) for v in row), strict=True))


def count_arrivals(recipient_ids) -> None:
    """Add one delivery to each recipient's tally (in the delivering transaction).

    Recipients are taken in id order, so concurrent issues lock tally rows in one order and
    cannot deadlock each other.
    """
    for recipient_id in sorted(recipient_ids):
        statement = insert_for_dialect(InboxTally).values(recipient_id=recipient_id, received=1)
        db.session.execute(statement.on_conflict_do_update(
            index_elements=[InboxTally.recipient_id],
            set_={"received": InboxTally.received + 1}))


def rebuild_tallies() -> None:
    """Recount every tally from the deliveries (after bulk loads; caller commits)."""
    db.session.execute(delete(InboxTally))
    db.session.execute(insert_for_dialect(InboxTally).from_select(
        ["recipient_id", "received"],
        select(Delivery.recipient_id, func.count()).group_by(Delivery.recipient_id)))


def recount_tallies(recipient_ids) -> None:
    """Recount these organisations' tallies (after deliveries moved between them)."""
    for recipient_id in sorted(set(recipient_ids)):
        received = db.session.scalar(select(func.count()).select_from(Delivery).where(
            Delivery.recipient_id == recipient_id))
        statement = insert_for_dialect(InboxTally).values(recipient_id=recipient_id,
                                                          received=received)
        db.session.execute(statement.on_conflict_do_update(
            index_elements=[InboxTally.recipient_id], set_={"received": received}))


def open_deliveries_from(organisation_id: int, issuer_ids, today: date,
                         soon_until: date) -> list[tuple[Delivery, str | None]]:
    """An organisation's open deliveries from the given issuers, earliest deadline first, as
    (delivery, deadline state) rows."""
    statement = (
        select(Delivery).join(Delivery.document)
        .options(contains_eager(Delivery.document).joinedload(Document.issuer))
        .where(Delivery.recipient_id == organisation_id, Delivery.status.in_(OPEN_STATUSES),
               Document.issuer_id.in_(issuer_ids))
        .order_by(func.coalesce(Delivery.due_on, literal(NO_DEADLINE, Date)),
                  Delivery.received_at)
    )
    return with_states(db.session.scalars(statement), today, soon_until)
