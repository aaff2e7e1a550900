"""What the leaderboard counts, defined once (the daily tallies are kept from it: tallies.py).

Every column is a count of deliveries between a department and the ministry side (the
ministry and its units), by the Vietnamese day the delivery was received (`received_on`; in the
portal a document is received the moment it is dispatched, so for the "sent" columns this is
also the day it was sent). `counts_select` is the one definition; the daily tallies are that
query grouped by day, and `raw_counts` is it over a whole period, without the tallies (tests
and benchmarks hold the two equal).

Received from the ministry (per recipient department, delivered through the portal):
- interaction_received_from_ministry: deliveries, except those the ministry recalled (15).
- interaction_processed: of those, acknowledged (tiếp nhận) and not refused: 03 and beyond.
- deadline_documents: of those with a reply deadline, all but refused ones (02): a refusal
  hands the document back to its sender with a reason, and is counted as not processed.
- deadline_replied, deadline_replied_on_time: answered by a reply; on time when the reply's
  Vietnamese day is on or before the due date (the last minute of the last day counts).
- axis_received_from_ministry: the same deliveries as the first column, through the axis.
Sent to the ministry (per sending department; a document to several ministry units counts once):
- interaction_sent_to_ministry, axis_sent_to_ministry: documents, per channel, not recalled.
- unsigned_sent: of those documents, the ones that went out without the organisation's
  signature (`document.sealed_at` empty).
"""

from datetime import date

from sqlalchemy import Date, and_, case, func, literal, select, union_all
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import aliased
from sqlalchemy.sql.functions import FunctionElement

from portal.deliveries.models import Channel, Delivery, Status
from portal.documents.models import Document
from portal.extensions import db
from portal.organisations.models import Organisation, OrganisationKind

RECEIVED_COLUMNS = ("interaction_received_from_ministry", "interaction_processed",
                    "deadline_documents", "deadline_replied", "deadline_replied_on_time",
                    "axis_received_from_ministry")
SENT_COLUMNS = ("interaction_sent_to_ministry", "axis_sent_to_ministry", "unsigned_sent")
COLUMNS = RECEIVED_COLUMNS + SENT_COLUMNS

MINISTRY_SIDE = (OrganisationKind.MINISTRY, OrganisationKind.MINISTRY_UNIT)


class local_date(FunctionElement):  # noqa: N801  (used like an SQL function)
    """The Vietnamese calendar day of a stored UTC instant."""

    type = Date()
    inherit_cache = True


@compiles(local_date, "postgresql")
def _local_date_postgresql(element, compiler, **kw):
    return f"CAST(timezone('Asia/Ho_Chi_Minh', {compiler.process(element.clauses, **kw)}) AS DATE)"


@compiles(local_date, "sqlite")
def _local_date_sqlite(element, compiler, **kw):
    # Vietnam has kept UTC+7 without daylight saving since 1975.
    return f"date({compiler.process(element.clauses, **kw)}, '+7 hours')"


class unindexed_date(FunctionElement):  # noqa: N801  (used like an SQL function)
    """A date column's value, which the database is not to search by its index.

    SQLite chooses an index by the terms of a query, not by how many rows they keep: a range
    over a year of days received looks as good to it as a deadline still ahead, which a small
    partial index answers. SQLite's way to rule an index out is a unary plus.
    """

    type = Date()
    inherit_cache = True


@compiles(unindexed_date)
def _unindexed_date(element, compiler, **kw):
    return compiler.process(element.clauses, **kw)


@compiles(unindexed_date, "sqlite")
def _unindexed_date_sqlite(element, compiler, **kw):
    return f"+{compiler.process(element.clauses, **kw)}"


def _count(condition):
    return func.count(case((condition, literal(1))))


def _count_documents(condition):
    return func.count(func.distinct(case((condition, Document.id))))


def counts_select(day_filter, *, by_day: bool):
    """Counts per organisation (and per day when by_day) of the deliveries day_filter keeps."""
    both = union_all(received_select(day_filter, by_day=by_day),
                     sent_select(day_filter, by_day=by_day)).subquery()
    keys = [both.c.organisation_id, *([both.c.day] if by_day else [])]
    return (select(*keys, *(func.sum(both.c[c]).label(c) for c in COLUMNS))
            .group_by(*keys))


# A delivery a merge passed on counts for the organisation it was addressed to (as the period
# stood); the leaderboard folds that one into its successor's row when read.
def addressed_to():
    return func.coalesce(Delivery.addressed_to_id, Delivery.recipient_id)


def _between(select_, day_filter, organisation_column, by_day, issuer, recipient):
    return (select_.select_from(Delivery).join(Document, Document.id == Delivery.document_id)
            .join(issuer, issuer.id == Document.issuer_id)
            .join(recipient, recipient.id == addressed_to())
            .where(day_filter, Delivery.status != Status.RECALL_AGREED)
            .group_by(organisation_column, *([Delivery.received_on] if by_day else [])))


def received_select(day_filter, *, by_day: bool):
    """The received columns (the sent ones zero) per department the ministry side sent to."""
    issuer, recipient = aliased(Organisation), aliased(Organisation)
    portal = Delivery.channel == Channel.PORTAL
    not_refused = Delivery.status != Status.REFUSED
    deadline = and_(portal, not_refused, Delivery.due_on.is_not(None))
    replied = and_(deadline, Delivery.replied_at.is_not(None))
    day = [Delivery.received_on.label("day")] if by_day else []
    return _between(select(
        addressed_to().label("organisation_id"), *day,
        _count(portal).label("interaction_received_from_ministry"),
        _count(and_(portal, not_refused, Delivery.acknowledged_at.is_not(None)))
        .label("interaction_processed"),
        _count(deadline).label("deadline_documents"),
        _count(replied).label("deadline_replied"),
        _count(and_(replied, local_date(Delivery.replied_at) <= Delivery.due_on))
        .label("deadline_replied_on_time"),
        _count(Delivery.channel == Channel.AXIS).label("axis_received_from_ministry"),
        *(literal(0).label(c) for c in SENT_COLUMNS),
    ).where(issuer.kind.in_(MINISTRY_SIDE), recipient.kind == OrganisationKind.DEPARTMENT),
        day_filter, addressed_to(), by_day, issuer, recipient)


def sent_select(day_filter, *, by_day: bool):
    """The sent columns (the received ones zero) per department that sent to the ministry."""
    issuer, recipient = aliased(Organisation), aliased(Organisation)
    day = [Delivery.received_on.label("day")] if by_day else []
    return _between(select(
        Document.issuer_id.label("organisation_id"), *day,
        *(literal(0).label(c) for c in RECEIVED_COLUMNS),
        _count_documents(Delivery.channel == Channel.PORTAL).label("interaction_sent_to_ministry"),
        _count_documents(Delivery.channel == Channel.AXIS).label("axis_sent_to_ministry"),
        _count_documents(Document.sealed_at.is_(None)).label("unsigned_sent"),
    ).where(issuer.kind == OrganisationKind.DEPARTMENT, recipient.kind.in_(MINISTRY_SIDE)),
        day_filter, Document.issuer_id, by_day, issuer, recipient)


def raw_counts(first: date, last: date) -> dict[int, dict[str, int]]:
    """The period's counts per organisation, straight from the deliveries (no tallies)."""
    rows = db.session.execute(counts_select(Delivery.received_on.between(first, last),
                                            by_day=False))
    return {row.organisation_id: {c: int(getattr(row, c)) for c in COLUMNS} for row in rows}


