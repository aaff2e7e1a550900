"""The daily tallies, kept current in the transaction that changes what they count.

What is counted is defined once, in counting.py. The tallies hold it per organisation and day.

How they stay exact. Database triggers (migration c4e2a7f91b3d) write, for every delivery
inserted, deleted or changed in a counted column, a `TallyChange` row: what the delivery's old
row took from and its new row adds to the received columns of its (organisation, day), exact
deltas; and, when a department's document to the ministry side is concerned (or its seal
changes), a mark to recount that department's sent documents of that day: the sent columns
count documents, and a delivery alone cannot say whether another delivery of its document still
counts it. Just before the session commits, `apply_changes` takes its transaction's rows, adds
the deltas to the tallies and recounts the marked (department, day) pairs, which the indexes
answer from a few dozen rows. An issue to 63 departments adds 63 deltas; nothing is read again.
The same mechanism on both databases: only the triggers' dialect differs.

Concurrent writers (PostgreSQL). Each writer first takes a transaction-scoped advisory lock
per day it touches, in day order (so two writers never wait for each other in a cycle), then
adds its deltas with an upsert that increments, and recounts its sent pairs: after the lock,
each statement sees every transaction that touched the day before (READ COMMITTED takes a new
snapshot per statement), so no update is lost. A writer takes only its own rows (each carries
its transaction id). SQLite has one writer at a time.

What a commit outside the session leaves (rows written through a raw connection) and days
marked `StaleDay` (bulk loads, rows from before c4e2a7f91b3d) are brought up to date by the
next reader (`refresh_tallies`); `rebuild_tallies` recounts everything.
"""

import functools
import weakref
from collections import defaultdict
from datetime import date

from sqlalchemy import and_, delete, event, func, insert, inspect, select, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from portal.deliveries.models import Delivery
from portal.documents.models import Document
from portal.extensions import db
from portal.leaderboard.counting import (
    COLUMNS,
    RECEIVED_COLUMNS,
    SENT_COLUMNS,
    counts_select,
    sent_select,
)
from portal.leaderboard.models import DailyTally, StaleDay, TallyChange
from portal.transaction import keep_read_side_work

# Advisory locks (PostgreSQL): one per day, (RECOUNT_LOCK, day's ordinal); RECOUNT_LOCK alone
# serialises the readers that take what others' commits left.
RECOUNT_LOCK = 7_302_019
_WROTE = "portal.leaderboard.wrote"


def tallied_counts(first: date, last: date) -> dict[int, dict[str, int]]:
    """The same counts summed from the daily tallies (bringing left-over changes in first)."""
    refresh_tallies()
    rows = db.session.execute(
        select(DailyTally.organisation_id, *(func.sum(getattr(DailyTally, c)).label(c)
                                             for c in COLUMNS))
        .where(DailyTally.day.between(first, last)).group_by(DailyTally.organisation_id))
    return {row.organisation_id: {c: int(getattr(row, c)) for c in COLUMNS} for row in rows}


class _Changes:
    """Taken change rows: the received deltas per (day, organisation), the sent pairs."""

    def __init__(self, rows):
        self.deltas = defaultdict(lambda: [0] * len(RECEIVED_COLUMNS))
        self.sent = defaultdict(set)
        for row in rows:
            if row.recount_sent:
                self.sent[row.day].add(row.organisation_id)
            else:
                totals = self.deltas[(row.day, row.organisation_id)]
                for i, column in enumerate(RECEIVED_COLUMNS):
                    totals[i] += getattr(row, column)

    def days(self) -> set[date]:
        return {day for day, _ in self.deltas} | set(self.sent)


def _take_changes(session, *, own_only: bool) -> _Changes:
    taken = delete(TallyChange).returning(TallyChange.day, TallyChange.organisation_id,
                                          TallyChange.recount_sent,
                                          *(getattr(TallyChange, c) for c in RECEIVED_COLUMNS))
    if own_only and _postgresql(session):
        taken = taken.where(TallyChange.transaction_id == func.txid_current())
    return _Changes(session.execute(taken, execution_options={"synchronize_session": False}))


def apply_changes(session=None) -> int:
    """Apply this transaction's changes to the tallies (before it commits); return how many
    (organisation, day) tallies were touched."""
    session = session or db.session
    changes = _take_changes(session, own_only=True)
    _lock_days(session, changes.days())
    return _apply(session, changes, skip_days=set())


def _dialect(session) -> str:
    return session.get_bind().dialect.name


def _postgresql(session) -> bool:
    return _dialect(session) == "postgresql"


def _lock_days(session, days) -> None:
    if _postgresql(session):
        for day in sorted(days):
            session.execute(text("SELECT pg_advisory_xact_lock(:key, :day)"),
                            {"key": RECOUNT_LOCK, "day": day.toordinal()})


def _apply(session, changes: _Changes, skip_days: set[date]) -> int:
    deltas = sorted((key, values) for key, values in changes.deltas.items()
                    if key[0] not in skip_days and any(values))
    if deltas:
        session.execute(_upsert(_dialect(session), RECEIVED_COLUMNS, add=True), [
            {"day": day, "organisation_id": organisation_id, **dict(zip(
                RECEIVED_COLUMNS, values, strict=True)), **dict.fromkeys(SENT_COLUMNS, 0)}
            for (day, organisation_id), values in deltas])
    touched = defaultdict(set)
    for day, organisation_id in (key for key, _ in deltas):
        touched[day].add(organisation_id)
    for day in sorted(changes.sent):
        if day not in skip_days:
            _recount_sent(session, day, sorted(changes.sent[day]))
            touched[day] |= changes.sent[day]
    # A tally counting nothing is no row; only a count taken from or recounted comes to 0.
    shrunk = {key[0] for key, values in deltas if min(values) < 0} | set(changes.sent)
    for day in sorted(shrunk - skip_days):
        session.execute(delete(DailyTally).where(
            DailyTally.day == day, DailyTally.organisation_id.in_(touched[day]),
            *(getattr(DailyTally, c) == 0 for c in COLUMNS)),
            execution_options={"synchronize_session": False})
    return sum(len(v) for v in touched.values())


def _recount_sent(session, day: date, organisations: list[int]) -> None:
    """Replace the sent columns of these departments' tallies of the day by a fresh count."""
    session.execute(update(DailyTally).where(
        DailyTally.day == day, DailyTally.organisation_id.in_(organisations))
        .values(dict.fromkeys(SENT_COLUMNS, 0)),
        execution_options={"synchronize_session": False})
    counted = session.execute(sent_select(and_(
        Delivery.received_on == day, Document.issuer_id.in_(organisations)), by_day=True)).all()
    if counted:
        session.execute(_upsert(_dialect(session), SENT_COLUMNS, add=False), [
            {"day": day, "organisation_id": row.organisation_id,
             **dict.fromkeys(RECEIVED_COLUMNS, 0), **{c: getattr(row, c) for c in SENT_COLUMNS}}
            for row in sorted(counted, key=lambda r: r.organisation_id)])


@functools.cache
def _upsert(dialect: str, columns, *, add: bool):
    """INSERT of tallies that, for a tally already there, adds to these columns (or sets
    them). One statement whatever the rows (executemany): its SQL is compiled once."""
    added = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}[dialect](
        DailyTally.__table__)
    table = DailyTally.__table__.c
    return added.on_conflict_do_update(
        index_elements=[table.day, table.organisation_id],
        set_={c: (table[c] + added.excluded[c]) if add else added.excluded[c] for c in columns})


def refresh_tallies() -> int:
    """Bring in what commits outside the session left and recount the days marked stale;
    return how many tallies or days were brought up to date."""
    session = db.session
    if (session.scalar(select(TallyChange.id).limit(1)) is None
            and session.scalar(select(StaleDay.id).limit(1)) is None):
        return 0
    if _postgresql(session):
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": RECOUNT_LOCK})
    # Taking the marks is the first write: on SQLite it holds the write lock from here on.
    days = set(session.scalars(delete(StaleDay).returning(StaleDay.day)))
    changes = _take_changes(session, own_only=False)
    _lock_days(session, days | changes.days())
    recount_days(days)  # a day recounted whole counts its changes already
    done = len(days) + _apply(session, changes, skip_days=days)
    keep_read_side_work()
    return done


def recount_days(days) -> None:
    """Replace the tallies of these days by a fresh count (the caller commits)."""
    days = sorted(days)
    for start in range(0, len(days), 500):
        chunk = days[start:start + 500]
        db.session.execute(delete(DailyTally).where(DailyTally.day.in_(chunk)))
        counted = counts_select(Delivery.received_on.in_(chunk), by_day=True)
        db.session.execute(insert(DailyTally).from_select(["organisation_id", "day", *COLUMNS],
                                                          counted))


def rebuild_tallies() -> int:
    """Recount every day that has deliveries (after a bulk load, or to check)."""
    if _postgresql(db.session):
        db.session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": RECOUNT_LOCK})
    db.session.execute(delete(StaleDay))
    db.session.execute(delete(TallyChange))
    db.session.execute(delete(DailyTally))
    days = db.session.scalars(select(Delivery.received_on).distinct()).all()
    recount_days(days)
    db.session.flush()
    return len(days)


@event.listens_for(Session, "after_flush")
def _note_flush(session, _context) -> None:
    session.info[_WROTE] = True


@event.listens_for(Session, "do_orm_execute")
def _note_statement(state) -> None:
    if not state.is_select:
        state.session.info[_WROTE] = True


@event.listens_for(Session, "before_commit")
def _keep_tallies_current(session) -> None:
    """The writing transaction brings the tallies it changed up to date before it commits."""
    session.flush()  # what the commit would flush next
    if not session.info.pop(_WROTE, False):
        return
    if _has_table(session):
        apply_changes(session)
    session.info.pop(_WROTE, None)


_READY = weakref.WeakSet()  # the engines whose database has the table


def _has_table(session) -> bool:
    """False while the schema is not yet made (a database migrated halfway, in tests)."""
    bind = session.get_bind()
    if bind not in _READY:
        if not inspect(session.connection()).has_table(TallyChange.__tablename__):
            return False
        _READY.add(bind)
    return True
