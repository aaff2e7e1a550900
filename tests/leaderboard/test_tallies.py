"""The daily tallies always equal the count straight from the deliveries."""

import random
from datetime import date, timedelta

from sqlalchemy import delete, func, select, update

from portal.deliveries.models import Delivery, Status
from portal.documents.models import Document
from portal.extensions import db
from portal.leaderboard.models import DailyTally, StaleDay
from portal.leaderboard.tallies import raw_counts, rebuild_tallies, refresh_tallies, tallied_counts
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


def test_a_refresh_recounts_only_marked_days_and_a_rebuild_changes_nothing(records, make):
    rng = random.Random(7)
    _random_history(records, make, rng, documents=30)
    assert refresh_tallies() > 0
    assert db.session.scalar(select(func.count()).select_from(StaleDay)) == 0
    assert refresh_tallies() == 0  # nothing changed since

    delivery = db.session.scalars(select(Delivery).order_by(Delivery.id)).first()
    delivery.assignee_id = records.author.id  # not a counted column
    db.session.commit()
    assert refresh_tallies() == 0
    delivery.status = Status.ACKNOWLEDGED
    delivery.acknowledged_at = delivery.received_at
    db.session.commit()
    assert refresh_tallies() == 1

    kept = {(t.day, t.organisation_id): _values(t)
            for t in db.session.scalars(select(DailyTally))}
    rebuild_tallies()
    assert {(t.day, t.organisation_id): _values(t)
            for t in db.session.scalars(select(DailyTally))} == kept


def _values(tally):
    return tuple(getattr(tally, c.name) for c in DailyTally.__table__.columns)
