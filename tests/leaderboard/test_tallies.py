"""The daily tallies always equal the count straight from the deliveries."""

import random
from datetime import date, timedelta

import pytest
from sqlalchemy import delete, func, select, update

from portal.deliveries.models import Delivery, Status
from portal.documents.models import Document
from portal.extensions import db
from portal.leaderboard.counting import COLUMNS, counts_select, raw_counts
from portal.leaderboard.models import DailyTally, StaleDay, TallyChange
from portal.leaderboard.tallies import rebuild_tallies, refresh_tallies, tallied_counts
from tests.leaderboard.conftest import local_moment

FIRST, LAST = date(2026, 1, 1), date(2026, 3, 31)


def _random_history(records, make, rng, documents=120):
    departments = [records.a, records.b] + [make.organisation() for _ in range(3)]
    ministry_side = [records.ministry, records.office]
    for _ in range(documents):
        day = FIRST + timedelta(days=rng.randrange(-10, 100))
        if rng.random() < 0.7:
            issuer, recipients = rng.choice(ministry_side), rng.sample(departments, 3)
        else:
            issuer, recipients = rng.choice(departments), rng.sample(ministry_side, 1)
        records.send(issuer, recipients, day, channel=rng.choice(["portal", "portal", "axis"]),
                     due_on=day + timedelta(days=rng.randrange(0, 9)) if rng.random() < .4
                     else None,
                     sealed=rng.random() < .8,
                     status=rng.choice([Status.RECEIVED, Status.ACKNOWLEDGED, Status.REFUSED,
                                        Status.IN_PROGRESS, Status.RECALL_AGREED]))
    return departments


def _change_some(rng):
    """What the workflow does later to older deliveries: replies, refusals, recalls, removal."""
    deliveries = db.session.scalars(select(Delivery).order_by(Delivery.id)).all()
    for delivery in rng.sample(deliveries, 40):
        choice = rng.randrange(5)
        if choice == 0 and delivery.due_on:
            delivery.status = Status.DONE
            delivery.acknowledged_at = delivery.received_at
            delivery.replied_at = local_moment(delivery.due_on + timedelta(
                days=rng.choice([-1, 0, 1])), 23, 59)
        elif choice == 1:
            delivery.status, delivery.acknowledged_at = Status.REFUSED, None
        elif choice == 2:
            delivery.status = Status.RECALL_AGREED
        elif choice == 3:
            delivery.received_on += timedelta(days=rng.choice([-40, 1, 30]))
        else:
            delivery.due_on = (delivery.due_on or delivery.received_on) + timedelta(days=2)
    db.session.commit()
    # Bulk statements, as the calendar's deadline recount and the demo loader write.
    db.session.execute(update(Delivery).where(Delivery.id % 7 == 0)
                       .values(acknowledged_at=func.coalesce(Delivery.acknowledged_at,
                                                             Delivery.received_at)))
    db.session.execute(update(Document).where(Document.id % 5 == 0).values(sealed_at=None))
    db.session.execute(delete(Delivery).where(Delivery.id % 11 == 0))
    db.session.commit()


def test_tallies_equal_the_raw_count_on_random_data_after_every_kind_of_change(records, make):
    rng = random.Random(20190812)
    _random_history(records, make, rng)
    before = raw_counts(FIRST, LAST)
    assert tallied_counts(FIRST, LAST) == before
    assert sum(c["interaction_received_from_ministry"] for c in before.values()) > 50

    _change_some(rng)

    after = raw_counts(FIRST, LAST)
    assert after != before  # the changes touched counted columns
    assert tallied_counts(FIRST, LAST) == after
    for first, last in ((FIRST, FIRST), (date(2026, 2, 3), date(2026, 2, 17)),
                        (date(2025, 12, 1), date(2026, 12, 31))):
        assert tallied_counts(first, last) == raw_counts(first, last)


def _tallies_as_kept():
    """The tallies as the last commit left them, per (organisation, day), read as they are."""
    assert db.session.scalar(select(func.count()).select_from(TallyChange)) == 0
    assert db.session.scalar(select(func.count()).select_from(StaleDay)) == 0
    return {(t.organisation_id, t.day): {c: getattr(t, c) for c in COLUMNS}
            for t in db.session.scalars(select(DailyTally))}


def _raw_by_day():
    """The same straight from the deliveries (the definition grouped by day)."""
    rows = db.session.execute(counts_select(Delivery.received_on.is_not(None), by_day=True))
    return {(row.organisation_id, row.day): {c: int(getattr(row, c)) for c in COLUMNS}
            for row in rows}


class _Exchange:
    """Open deliveries both ways, each kind of change applied to one of them."""

    def __init__(self, records, make):
        self.records, self.make = records, make
        day = date(2026, 2, 10)
        self.day = day
        self.to_a, self.to_b = records.send(records.office, [records.a, records.b], day,
                                            due_on=day + timedelta(days=5))
        self.report = records.send(records.a, [records.office, records.ministry], day,
                                   sealed=False)[0]
        self.axis = records.send(records.ministry, [records.b], day, channel="axis")[0]
        self.only_a = records.send(records.ministry, [records.a], day)[0]

    def new_delivery(self):
        self.records.send(self.records.ministry, [self.records.a], self.day)

    def acknowledge(self):
        self.to_a.status, self.to_a.acknowledged_at = Status.ACKNOWLEDGED, self.to_a.received_at

    def refuse(self):
        self.to_b.status, self.to_b.refusal_reason = Status.REFUSED, "Không thuộc thẩm quyền"

    def reply(self):
        self.records.reply(self.to_a, local_moment(self.to_a.due_on, 23, 59))

    def reply_late(self):
        self.records.reply(self.to_a, local_moment(self.to_a.due_on + timedelta(days=1), 0, 1))

    def recall_agreed(self):
        self.to_a.status = Status.RECALL_AGREED
        # The department's report to two ministry units counts once, until both are recalled.
        db.session.execute(update(Delivery).where(Delivery.document_id == self.report.document_id)
                           .values(status=Status.RECALL_AGREED))

    def due_date_change(self):
        self.to_b.due_on = None
        self.to_a.due_on += timedelta(days=3)

    def day_change(self):
        self.axis.received_on -= timedelta(days=1)

    def seal(self):
        db.session.get(Document, self.report.document_id).sealed_at = self.report.received_at

    def seal_in_bulk(self):
        db.session.execute(update(Document).values(sealed_at=Document.issued_at))

    def pass_on_by_a_merge(self):
        from portal.organisations.services import merge_organisation

        merge_organisation(self.records.a, self.records.b, effective_on=self.day)

    def delete(self):
        db.session.delete(self.to_b)
        db.session.execute(delete(Delivery).where(Delivery.id == self.report.id))


CHANGES = [name for name in vars(_Exchange) if not name.startswith("_")]


@pytest.mark.parametrize("change", CHANGES)
def test_the_writing_transaction_leaves_the_tallies_equal_to_the_raw_count(records, make,
                                                                            change):
    exchange = _Exchange(records, make)
    before = _raw_by_day()
    assert _tallies_as_kept() == before
    getattr(exchange, change)()
    db.session.commit()
    after = _raw_by_day()
    if change == "pass_on_by_a_merge":  # counted where addressed: the deliveries moved, not
        db.session.refresh(exchange.only_a)  # the counts
        assert exchange.only_a.recipient_id == records.b.id and after == before
    else:
        assert after != before  # the change is one the leaderboard counts
    assert _tallies_as_kept() == after
    assert tallied_counts(FIRST, LAST) == raw_counts(FIRST, LAST)


def test_a_change_rolled_back_leaves_the_tallies_as_they_were(records, make):
    exchange = _Exchange(records, make)
    kept = _tallies_as_kept()
    exchange.acknowledge()
    db.session.flush()
    db.session.rollback()
    assert _tallies_as_kept() == kept == _raw_by_day()


def test_a_commit_outside_the_session_is_brought_in_by_the_next_reader(records, make, app):
    """Rows written through a connection of their own (a script, psql) leave their changes
    for the next reader; days marked stale (bulk loads) are recounted whole."""
    exchange = _Exchange(records, make)
    with db.engine.begin() as connection:
        connection.execute(update(Delivery).where(Delivery.id == exchange.to_a.id)
                           .values(status=Status.REFUSED))
        connection.execute(StaleDay.__table__.insert().values(day=exchange.day))
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(TallyChange)) > 0
    assert refresh_tallies() > 0
    db.session.commit()
    assert _tallies_as_kept() == _raw_by_day()
    assert refresh_tallies() == 0


def test_a_change_of_a_column_not_counted_writes_nothing(records, make):
    exchange = _Exchange(records, make)
    exchange.to_a.assignee_id = records.author.id
    db.session.flush()
    assert db.session.scalar(select(func.count()).select_from(TallyChange)) == 0
    db.session.commit()


def test_a_rebuild_changes_nothing(records, make):
    _random_history(records, make, random.Random(7), documents=30)
    kept = {(t.day, t.organisation_id): _values(t)
            for t in db.session.scalars(select(DailyTally))}
    rebuild_tallies()
    db.session.commit()
    assert {(t.day, t.organisation_id): _values(t)
            for t in db.session.scalars(select(DailyTally))} == kept


def _values(tally):
    return tuple(getattr(tally, c.name) for c in DailyTally.__table__.columns)


def test_two_writers_on_the_same_days_lose_nothing_and_do_not_deadlock(records, app):
    """Two transactions write the same department's days at once, in opposite order: each
    waits for the other's day, none is lost (PostgreSQL; SQLite has one writer at a time)."""
    import threading
    import time
    from concurrent.futures import ThreadPoolExecutor

    from sqlalchemy import event

    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite has one writer at a time")
    ids = (records.a.id, records.office.id, records.author.id)
    ready = threading.Barrier(2, timeout=30)

    def write(order):
        with app.app_context():
            try:
                for day in order:  # the first round reports only: no row to wait for
                    _send(*ids, day, both_ways=day > date(2026, 2, 12) and day.day % 2 == 0)
                db.session.flush()
                ready.wait()  # both have written; neither has committed
                db.session.commit()
            finally:
                db.session.remove()

    def slowly(_conn, _cursor, statement, *_args):
        if statement.startswith("INSERT INTO leaderboard_day "):
            time.sleep(0.2)  # between counting and writing: where an unlocked writer loses

    event.listen(db.engine, "before_cursor_execute", slowly)
    try:
        for first in (date(2026, 2, 11), date(2026, 2, 13), date(2026, 2, 15)):
            days = [first, first + timedelta(days=1)]
            with ThreadPoolExecutor(max_workers=2) as pool:
                list(pool.map(write, [days, days[::-1]]))
            db.session.expire_all()
            assert _tallies_as_kept() == _raw_by_day()
    finally:
        event.remove(db.engine, "before_cursor_execute", slowly)
    counted = raw_counts(date(2026, 2, 11), date(2026, 2, 16))[records.a.id]
    assert counted["interaction_sent_to_ministry"] == 12  # 3 rounds × 2 writers × 2 days
    assert counted["interaction_received_from_ministry"] == 4


def _send(department_id, office_id, author_id, day, *, both_ways):
    """The department's report to the ministry's office (and the office's document to it)."""
    from tests.leaderboard.conftest import _numbers

    at = local_moment(day)
    ways = [(department_id, office_id), (office_id, department_id)]
    for issuer, recipient in ways if both_ways else ways[:1]:
        number = next(_numbers)
        document = Document(issuer_id=issuer, author_id=author_id, doc_type="cong_van",
                            subject="V/v thử đồng thời", state="issued", number=number,
                            year=day.year, notation=f"{number}/DT", issued_at=at,
                            dispatched_at=at, sealed_at=at, recipient_ids=[])
        db.session.add(document)
        db.session.flush()
        db.session.add(Delivery(document_id=document.id, recipient_id=recipient,
                                channel="portal", status=Status.RECEIVED, received_at=at,
                                received_on=day))
