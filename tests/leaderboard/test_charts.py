"""The charts: the same rates as the table, and a department's months adding up to its row."""

import re
from datetime import date

import pytest

from portal.deliveries.models import Status
from portal.leaderboard import charts
from portal.leaderboard.services import Period, leaderboard, row_of
from portal.organisations import services as organisations
from portal.transaction import action
from tests.leaderboard.conftest import local_moment

TODAY = date(2026, 6, 20)
SPRING = Period(date(2026, 3, 15), date(2026, 5, 10))
QUERY = "from=2026-03-15&to=2026-05-10"


@pytest.fixture
def spring(records, make):
    """A: March 2 received, 1 processed; April 4 received, all processed, 2 with a deadline
    (1 replied on time, 1 late); May nothing. B: 1 in May, then merged into A on 6 May, before
    the period's last day (so its row is A's)."""
    r = records
    r.send(r.ministry, [r.a], date(2026, 3, 1), status=Status.ACKNOWLEDGED)  # before the period
    r.send(r.ministry, [r.a], date(2026, 3, 16), status=Status.ACKNOWLEDGED)
    r.send(r.ministry, [r.a], date(2026, 3, 31))
    for _ in range(2):
        r.send(r.office, [r.a], date(2026, 4, 2), status=Status.ACKNOWLEDGED)
    on_time, late = (r.send(r.ministry, [r.a], date(2026, 4, 3), due_on=date(2026, 4, 8),
                            status=Status.ACKNOWLEDGED)[0] for _ in range(2))
    r.reply(on_time, local_moment(date(2026, 4, 8), 23, 59))
    r.reply(late, local_moment(date(2026, 4, 9), 8, 0))
    r.send(r.ministry, [r.b], date(2026, 5, 4), status=Status.ACKNOWLEDGED)
    admin = make.user(r.ministry, "admin")
    with action():
        organisations.merge_organisation(r.b, r.a, actor=admin, effective_on=date(2026, 5, 6))


def test_the_rates_chart_has_a_bar_per_row_in_the_table_s_order_with_its_rates(records, make):
    make.organisation(code="CM", name="Sở TN&MT tỉnh Cà Mau")
    for _ in range(3):
        records.send(records.ministry, [records.a], date(2026, 4, 2), status=Status.ACKNOWLEDGED)
    records.send(records.ministry, [records.a], date(2026, 4, 2))
    records.send(records.ministry, [records.b], date(2026, 4, 2), due_on=date(2026, 4, 6))

    board = leaderboard(SPRING, sort="processed_rate", today=TODAY)
    chart = charts.rates_chart(board)

    assert [b.label for b in chart.bars] == ["An Giang", "Bạc Liêu", "Cà Mau"]
    a, b, cm = chart.bars
    assert (a.processed, a.on_time) == (75.0, None)  # 3 of 4 processed, nothing with a deadline
    assert (b.processed, b.on_time) == (0.0, 0.0)
    assert (cm.processed, cm.on_time) == (None, None)  # nothing received
    assert a.width(a.processed) == charts.PLOT_WIDTH * 0.75
    assert [bar.y for bar in chart.bars] == [charts.TOP + i * charts.ROW_HEIGHT for i in range(3)]


def test_a_department_s_months_add_up_to_its_row_merged_departments_included(records, spring):
    board = leaderboard(SPRING, today=TODAY)
    _rank, row = row_of(board, records.a)
    trend = charts.trend_chart(board, records.a)

    assert [m.label for m in trend.months] == ["03/2026", "04/2026", "05/2026"]
    march, april, may = (m.row for m in trend.months)
    assert (march["interaction_received_from_ministry"], march["interaction_processed"]) == (2, 1)
    assert (april["deadline_documents"], april["deadline_replied_on_time"]) == (2, 1)
    assert (april.processed_rate, april.on_time_rate) == (1.0, 0.5)
    assert (may["interaction_received_from_ministry"], may.on_time_rate) == (1, None)  # B's
    for column in row.counts:
        assert sum(m.row.counts[column] for m in trend.months) == row.counts[column]
    # Months with a rate have a point; a month with nothing to rate has none.
    assert [p[2] for p in trend.points("on_time_rate")] == [50.0]
    assert [p[2] for p in trend.points("processed_rate")] == [50.0, 100.0, 100.0]


def test_a_long_period_shows_its_last_24_months_and_labels_that_fit():
    months = charts.month_starts(date(2020, 2, 10), date(2026, 11, 23))
    assert (len(months), months[0], months[-1]) == (24, date(2024, 12, 1), date(2026, 11, 1))
    chart = charts.TrendChart([charts.Month(m, None) for m in months])
    assert chart.label_every == 2
    assert chart.x(0) == chart.left and chart.x(23) == chart.width - 40
    assert chart.y(100) < chart.y(0)


def test_the_pages_draw_the_charts(records, spring, client, auth, make):
    auth.login(make.user(records.ministry, "reviewer").email)
    board = client.get(f"/oversight/?{QUERY}").text
    assert board.count('class="bar-row"') == 1  # A only: B is merged
    assert re.search(r"An Giang: [^<]*85\.7 %[^<]*50\.0 %", board)  # 6 of 7, 1 of 2

    page = client.get(f"/oversight/departments/{records.a.id}?{QUERY}").text
    assert page.count("<circle") == 4  # three processed points, one on-time point
    figures = re.findall(r"<th scope=\"row\">(\d\d/\d{4})</th>\s*<td>(\d+)</td>", page)
    assert figures == [("03/2026", "2"), ("04/2026", "4"), ("05/2026", "1")]

    public = client.get(f"/leaderboard?{QUERY}").text
    assert 'class="bar-row"' in public and "<circle" not in public


def test_the_trend_is_the_department_s_own_for_a_department(records, spring, client, auth,
                                                            make):
    auth.login(make.user(records.a, "specialist").email)
    page = client.get(f"/oversight/departments/{records.a.id}?{QUERY}")
    assert page.status_code == 200 and page.text.count("<circle") == 4
    other = make.organisation(code="CM", name="Sở TN&MT tỉnh Cà Mau")
    assert client.get(f"/oversight/departments/{other.id}?{QUERY}").status_code == 404
