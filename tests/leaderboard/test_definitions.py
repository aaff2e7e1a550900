"""Each column of the leaderboard on hand-built cases (DESIGN.md, "Leaderboard")."""

from datetime import date, timedelta

from portal.deliveries.models import Status
from portal.extensions import db
from portal.leaderboard.models import OversightSettings
from portal.leaderboard.services import Period, leaderboard
from portal.organisations import services as organisations
from portal.transaction import action
from tests.leaderboard.conftest import local_moment

DAY = date(2026, 3, 10)  # a Tuesday
PERIOD = Period(date(2026, 3, 1), date(2026, 3, 31))
TODAY = date(2026, 11, 23)


def row_of(board, organisation):
    return next(r for r in board.rows if r.organisation.id == organisation.id)


def test_received_and_processed_count_portal_deliveries_from_the_ministry_side(records):
    records.send(records.ministry, [records.a], DAY, status=Status.ACKNOWLEDGED)
    records.send(records.office, [records.a], DAY, status=Status.DONE)
    records.send(records.ministry, [records.a], DAY)  # not opened yet
    records.send(records.ministry, [records.a], DAY, status=Status.REFUSED)
    records.send(records.b, [records.a], DAY, status=Status.ACKNOWLEDGED)  # a department's

    row = row_of(leaderboard(PERIOD, today=TODAY), records.a)

    assert row["interaction_received_from_ministry"] == 4
    assert row["interaction_processed"] == 2
    assert row.processed_rate == 0.5


def test_a_reply_on_the_last_minute_of_the_due_day_is_on_time_and_a_minute_later_is_late(
        records):
    due = DAY + timedelta(days=3)
    on_time, late = (records.send(records.ministry, [records.a], DAY, due_on=due,
                                  status=Status.IN_PROGRESS)[0] for _ in range(2))
    records.reply(on_time, local_moment(due, 23, 59, 59))
    records.reply(late, local_moment(due + timedelta(days=1), 0, 0, 0))

    row = row_of(leaderboard(PERIOD, today=TODAY), records.a)

    assert (row["deadline_replied"], row["deadline_replied_on_time"]) == (2, 1)
    assert row["deadline_not_replied"] == 0
    assert row.overdue == 1 and row.overdue_rate == 0.5


def test_not_replied_counts_every_open_deadline_but_overdue_only_those_past_due(records):
    today = DAY + timedelta(days=5)
    records.send(records.ministry, [records.a], DAY, due_on=today - timedelta(days=1))
    records.send(records.ministry, [records.a], DAY, due_on=today)  # due today: not overdue
    records.send(records.ministry, [records.a], DAY, due_on=today + timedelta(days=4))

    row = row_of(leaderboard(PERIOD, today=today), records.a)

    assert row["deadline_not_replied"] == 3
    assert row.overdue == 1
    assert row_of(leaderboard(PERIOD, today=today + timedelta(days=1)), records.a).overdue == 2


def test_refused_leaves_the_deadline_count_and_recalled_leaves_every_count(records):
    due = DAY + timedelta(days=3)
    records.send(records.ministry, [records.a], DAY, due_on=due, status=Status.REFUSED)
    records.send(records.ministry, [records.a], DAY, due_on=due, status=Status.RECALL_AGREED)
    records.send(records.a, [records.ministry], DAY, status=Status.RECALL_AGREED)

    row = row_of(leaderboard(PERIOD, today=TODAY), records.a)

    assert row["interaction_received_from_ministry"] == 1  # the refused one arrived
    assert row["interaction_processed"] == 0
    assert row["deadline_not_replied"] == 0 and row.overdue_rate is None
    assert row.total_sent == 0


def test_axis_and_portal_are_counted_apart_and_added_in_the_totals(records):
    records.send(records.ministry, [records.a], DAY, status=Status.ACKNOWLEDGED)
    records.send(records.ministry, [records.a], DAY, channel="axis", status=Status.ACKNOWLEDGED)
    records.send(records.ministry, [records.a], DAY, channel="axis",
                 due_on=DAY + timedelta(days=2))
    records.send(records.a, [records.ministry, records.office], DAY)  # one document
    records.send(records.a, [records.office], DAY, channel="axis")
    records.send(records.a, [records.b], DAY)  # to another department: not counted

    row = row_of(leaderboard(PERIOD, today=TODAY), records.a)

    assert row["interaction_received_from_ministry"] == 1
    assert row["axis_received_from_ministry"] == 2
    assert row["interaction_processed"] == 1  # processing is followed in the portal only
    assert row["deadline_not_replied"] == 0
    assert (row["interaction_sent_to_ministry"], row["axis_sent_to_ministry"]) == (1, 1)
    assert (row.total_received, row.total_sent) == (3, 2)


def test_unsigned_rate_is_documents_sent_without_the_seal_over_documents_sent(records):
    for sealed in (True, True, False):
        records.send(records.a, [records.ministry], DAY, sealed=sealed)

    row = row_of(leaderboard(PERIOD, today=TODAY), records.a)

    assert row["unsigned_sent"] == 1
    assert abs(row.unsigned_rate - 1 / 3) < 1e-9
    assert row.unsigned_flag  # above the default 20 %


def test_thresholds_flag_rates_strictly_above_them_and_an_administrator_can_move_them(records):
    for days_late in (1, 1, 0, 0):
        delivery = records.send(records.ministry, [records.a], DAY, due_on=DAY,
                                status=Status.IN_PROGRESS)[0]
        records.reply(delivery, local_moment(DAY + timedelta(days=days_late)))

    row = row_of(leaderboard(PERIOD, today=TODAY), records.a)
    assert row.overdue_rate == 0.5 and not row.overdue_flag  # 50 % is not above 50 %

    db.session.add(OversightSettings(id=1, overdue_threshold_percent=40,
                                     unsigned_threshold_percent=20))
    db.session.commit()
    assert row_of(leaderboard(PERIOD, today=TODAY), records.a).overdue_flag


def test_the_period_is_counted_by_the_vietnamese_day_of_receipt(records):
    first, last = PERIOD.first, PERIOD.last
    records.send(records.ministry, [records.a], first, at=local_moment(first, 0, 0, 0))
    records.send(records.ministry, [records.a], last, at=local_moment(last, 23, 59, 59))
    records.send(records.ministry, [records.a], first - timedelta(days=1),
                 at=local_moment(first - timedelta(days=1), 23, 59, 59))
    records.send(records.ministry, [records.a], last + timedelta(days=1),
                 at=local_moment(last + timedelta(days=1), 0, 0, 0))

    row = row_of(leaderboard(PERIOD, today=TODAY), records.a)

    assert row["interaction_received_from_ministry"] == 2


def _merged_after(records, make, days):
    admin = make.user(records.ministry, "admin")
    records.send(records.ministry, [records.a], DAY, status=Status.ACKNOWLEDGED)
    records.send(records.ministry, [records.b], DAY)
    records.send(records.b, [records.ministry], DAY)
    with action():
        organisations.merge_organisation(records.b, records.a, actor=admin,
                                          effective_on=DAY + timedelta(days=days))


def test_a_department_merged_by_the_period_s_end_is_counted_under_its_successor(records, make):
    _merged_after(records, make, 21)  # 31 March: the period's last day

    board = leaderboard(PERIOD, today=TODAY)

    assert [r.organisation.id for r in board.rows] == [records.a.id]
    row = board.rows[0]
    assert (row["interaction_received_from_ministry"], row["interaction_processed"]) == (2, 1)
    assert row.total_sent == 1
    assert row.note == "gồm cả Sở TN&MT tỉnh Bạc Liêu (sáp nhập từ 31/03/2026)"


def test_a_department_merged_after_the_period_s_end_has_its_own_row(records, make):
    _merged_after(records, make, 22)  # 1 April

    board = leaderboard(PERIOD, today=TODAY)

    assert [r.organisation.id for r in board.rows] == [records.b.id, records.a.id]  # by sent
    a, b = row_of(board, records.a), row_of(board, records.b)
    assert (a["interaction_received_from_ministry"], a.total_sent, a.note) == (1, 0, "")
    # B's open delivery passed to A on the merger; it still counts where it was addressed.
    assert (b["interaction_received_from_ministry"], b.total_sent) == (1, 1)
    assert board.total["interaction_received_from_ministry"] == 2


def test_default_order_is_total_sent_descending_with_ties_by_name(records, make):
    c = make.organisation(code="CM", name="Sở TN&MT tỉnh Cà Mau")
    for department, sent in ((records.a, 1), (records.b, 2), (c, 1)):
        for _ in range(sent):
            records.send(department, [records.ministry], DAY)

    board = leaderboard(PERIOD, today=TODAY)
    assert [r.organisation.code for r in board.rows] == ["BL", "AG", "CM"]

    ascending = leaderboard(PERIOD, sort="total_sent", descending=False, today=TODAY)
    assert [r.organisation.code for r in ascending.rows] == ["AG", "CM", "BL"]
    by_name = leaderboard(PERIOD, sort="name", descending=False, today=TODAY)
    assert [r.organisation.code for r in by_name.rows] == ["AG", "BL", "CM"]
    unknown = leaderboard(PERIOD, sort="subject; DROP TABLE", today=TODAY)
    assert [r.organisation.code for r in unknown.rows] == ["BL", "AG", "CM"]


def test_the_total_row_is_the_sum_of_the_rows(records):
    records.send(records.ministry, [records.a, records.b], DAY, status=Status.ACKNOWLEDGED,
                 due_on=DAY + timedelta(days=2))
    records.send(records.b, [records.ministry], DAY, sealed=False)
    records.send(records.ministry, [records.b], DAY, channel="axis")

    board = leaderboard(PERIOD, today=TODAY)

    for column in ("interaction_received_from_ministry", "interaction_processed",
                   "deadline_replied", "deadline_not_replied", "interaction_sent_to_ministry",
                   "axis_received_from_ministry", "total_received", "total_sent", "overdue"):
        assert board.total[column] == sum(r[column] for r in board.rows), column
    assert board.total.total_received == 3
