"""Folding loses and invents nothing: on random deliveries, random mergers and random periods,
each row of the leaderboard is the sum, over its department and the departments folded into
it, of the counts of the same deliveries without the mergers; the total row is unchanged."""

import random
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from portal.deliveries.models import Channel, Delivery, Status
from portal.documents.models import Document
from portal.extensions import db
from portal.leaderboard.counting import COLUMNS, raw_counts
from portal.leaderboard.services import Period, leaderboard
from portal.organisations import services as organisations
from portal.organisations.models import Organisation
from portal.transaction import action
from tests.leaderboard.conftest import local_moment

FIRST, LAST = date(2024, 1, 1), date(2026, 11, 20)
TODAY = date(2026, 6, 1)  # some deadlines are still ahead, some passed
STATUSES = (Status.RECEIVED, Status.ACKNOWLEDGED, Status.DONE, Status.REFUSED,
            Status.RECALL_AGREED)


def _day(rng, first=FIRST, last=LAST):
    return first + timedelta(days=rng.randrange((last - first).days + 1))


def _random_deliveries(rng, records, departments, count):
    ministry_side = [records.ministry, records.office]
    for _ in range(count):
        day = _day(rng)
        if rng.random() < 0.6:
            issuer, pool = rng.choice(ministry_side), departments
        else:  # to the ministry side mostly, sometimes to another department (not counted)
            issuer = rng.choice(departments)
            pool = ministry_side if rng.random() < 0.8 else [d for d in departments
                                                            if d is not issuer]
        recipients = rng.sample(pool, rng.randint(1, min(3, len(pool))))
        due_on = day + timedelta(days=rng.randint(-2, 400)) if rng.random() < 0.5 else None
        deliveries = records.send(issuer, recipients, day, channel=rng.choice(list(Channel)),
                                  due_on=due_on, sealed=rng.random() < 0.7,
                                  status=rng.choice(STATUSES))
        for delivery in deliveries:
            if delivery.status == Status.ACKNOWLEDGED and rng.random() < 0.5:
                records.reply(delivery, local_moment(day + timedelta(days=rng.randint(0, 30)),
                                                     rng.randint(0, 23), rng.randint(0, 59)))


def _random_mergers(rng, departments, admin, count):
    """Up to `count` mergers on random days, chains included (a successor merged later)."""
    for _ in range(count):
        standing = [d for d in departments if d.successor_id is None]
        predecessor, successor = rng.sample(standing, 2)
        with action():
            organisations.merge_organisation(predecessor, successor, actor=admin,
                                             effective_on=_day(rng, date(2024, 3, 1)))


def _carriers(last: date) -> dict[int, int]:
    """Organisation id → the id of the one carrying its work on the day, by its own walk over
    the mergers as stored (not through the models' helpers)."""
    merged = {i: (successor, on) for i, successor, on in db.session.execute(
        select(Organisation.id, Organisation.successor_id, Organisation.merged_on))}
    carriers = {}
    for organisation_id in merged:
        current, steps = organisation_id, 0
        while merged[current][0] is not None and merged[current][1] <= last:
            current, steps = merged[current][0], steps + 1
            assert steps <= len(merged)
        carriers[organisation_id] = current
    return carriers


def _not_yet_due(period: Period) -> dict[int, int]:
    """Open deadlines not yet due on TODAY, per department as addressed, one by one."""
    found: dict[int, int] = {}
    for delivery, issuer_kind in db.session.execute(
            select(Delivery, Organisation.kind).select_from(Delivery)
            .join(Document, Document.id == Delivery.document_id)
            .join(Organisation, Organisation.id == Document.issuer_id)):
        if (issuer_kind in ("ministry", "ministry_unit") and delivery.channel == Channel.PORTAL
                and delivery.due_on is not None and delivery.due_on >= TODAY
                and delivery.replied_at is None
                and delivery.status not in (Status.REFUSED, Status.RECALL_AGREED)
                and period.first <= delivery.received_on <= period.last):
            key = delivery.addressed_to_id or delivery.recipient_id
            found[key] = found.get(key, 0) + 1
    return found


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_each_row_is_the_sum_of_its_own_and_its_predecessors_counts(records, make, seed):
    rng = random.Random(seed)
    departments = [records.a, records.b, *(make.organisation() for _ in range(5))]
    _random_deliveries(rng, records, departments, 120)
    periods = [Period(*sorted((_day(rng), _day(rng)))) for _ in range(6)]
    periods.append(Period(FIRST, LAST))
    unmerged = {p: raw_counts(p.first, p.last) for p in periods}
    unmerged_open = {p: _not_yet_due(p) for p in periods}

    _random_mergers(rng, departments, make.user(records.ministry, "admin"), 4)

    ids, folded_rows = {d.id for d in departments}, 0
    passed_on = db.session.scalars(select(Delivery.id).where(
        Delivery.addressed_to_id.is_not(None))).all()
    assert passed_on  # mergers passed open deliveries on: the case folding must count right
    for period in periods:
        board = leaderboard(period, today=TODAY)
        carriers = _carriers(period.last)
        assert raw_counts(period.first, period.last) == unmerged[period]  # the same deliveries
        assert _not_yet_due(period) == unmerged_open[period]
        assert {r.organisation.id for r in board.rows} == {i for i in ids if carriers[i] == i}
        for row in board.rows:
            folded = [i for i in ids if carriers[i] == row.organisation.id]
            folded_rows += len(folded) > 1
            assert sorted(board.ids_counted_as(row.organisation)) == sorted(folded)
            assert {p.organisation.id for p in row.predecessors} == set(folded) - {
                row.organisation.id}
            for column in COLUMNS:
                expected = sum(unmerged[period].get(i, {}).get(column, 0) for i in folded)
                assert row.counts[column] == expected, (seed, period, row.name, column)
            assert row.not_yet_due == sum(unmerged_open[period].get(i, 0) for i in folded)
        for column in COLUMNS:
            assert board.total.counts[column] == sum(
                counts[column] for counts in unmerged[period].values()), (seed, period, column)
        assert board.total.not_yet_due == sum(unmerged_open[period].values())
    assert folded_rows  # some period ends after a merger
