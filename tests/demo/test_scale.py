"""`flask demo-data --scale N`: a busy year of exchange, counted like any other records."""

from datetime import timedelta

from sqlalchemy import func, select

from portal.clock import local_today
from portal.deliveries.models import Delivery
from portal.demo.scale import generate_deliveries
from portal.demo.services import load_organisations
from portal.documents.models import Document
from portal.extensions import db
from portal.leaderboard.counting import raw_counts
from portal.leaderboard.services import Period, leaderboard
from portal.leaderboard.tallies import tallied_counts
from portal.organisations.services import find_by_code
from portal.transaction import action


def _year() -> Period:
    today = local_today()
    return Period(today - timedelta(days=366), today)


def test_the_generated_year_has_the_documented_shape_and_counts_as_records(make):
    with action():
        load_organisations()
    make.user(find_by_code("VP"), "specialist")  # the records' author

    made = generate_deliveries(6_300)

    assert made == db.session.scalar(select(func.count(Delivery.id))) == 6_300
    by_channel = dict(db.session.execute(
        select(Delivery.channel, func.count()).group_by(Delivery.channel)).all())
    # 90 ministry documents to 63 departments, 15 of them by the axis; 630 reports, 126 by it.
    assert by_channel == {"axis": 15 * 63 + 126, "portal": 75 * 63 + 504}
    year = _year()
    first, last = db.session.execute(
        select(func.min(Delivery.received_on), func.max(Delivery.received_on))).one()
    assert year.first <= first and last <= year.last
    assert tallied_counts(year.first, year.last) == raw_counts(year.first, year.last)

    board = leaderboard(year)
    assert board.total.total_sent == 630 and board.total["unsigned_sent"] == 63
    recalled = db.session.scalar(select(func.count()).where(Delivery.status == "15"))
    assert board.total.total_received == 90 * 63 - recalled
    assert 0 < board.total["deadline_replied_on_time"] < board.total["deadline_replied"]


def test_it_can_be_run_again_and_adds_as_much_again(make):
    with action():
        load_organisations()
    make.user(find_by_code("VP"), "specialist")
    generate_deliveries(1_260)
    assert generate_deliveries(1_260) == 1_260
    assert db.session.scalar(select(func.count(Delivery.id))) == 2_520


def test_each_day_is_sent_to_the_departments_standing_that_day(make):
    from portal.organisations.services import merge_organisation

    with action():
        load_organisations()
    make.user(find_by_code("VP"), "specialist")
    merged_on = local_today() - timedelta(days=100)
    merged, successor = find_by_code("HCM"), find_by_code("HNI")
    with action():
        merge_organisation(merged, successor, effective_on=merged_on)
    generate_deliveries(6_300, first_day=local_today() - timedelta(days=500))

    def days_received(organisation):
        return db.session.execute(select(func.min(Delivery.received_on),
                                         func.max(Delivery.received_on)).where(
            Delivery.recipient_id == organisation.id)).one()

    first, last = days_received(merged)
    assert first < local_today() - timedelta(days=400) and last < merged_on
    assert days_received(successor)[1] >= merged_on
    sent = db.session.scalar(select(func.max(Delivery.received_on)).join(
        Document, Document.id == Delivery.document_id).where(Document.issuer_id == merged.id))
    assert sent < merged_on
