"""A department's documents behind its row: the same definitions, record by record, and only
for those who may see them."""

from collections import Counter
from datetime import date, timedelta

import pytest

from portal.deliveries.models import Status
from portal.leaderboard import drilldown
from portal.leaderboard.services import Period, leaderboard, row_of
from tests.leaderboard.conftest import local_moment

DAY = date(2026, 3, 10)
DUE = DAY + timedelta(days=3)
TODAY = date(2026, 3, 20)
MARCH = Period(date(2026, 3, 1), date(2026, 3, 31))
QUERY = "from=2026-03-01&to=2026-03-31"


@pytest.fixture
def history(records):
    r = records
    on_time, late, overdue = (r.send(r.ministry, [r.a], DAY, due_on=DUE,
                                     status=Status.ACKNOWLEDGED)[0] for _ in range(3))
    r.reply(on_time, local_moment(DUE, 23, 59, 59))
    r.reply(late, local_moment(DUE + timedelta(days=1), 0, 0, 0))
    r.send(r.ministry, [r.a], DAY, due_on=TODAY + timedelta(days=2))  # not yet due
    r.send(r.office, [r.a], DAY, due_on=DUE, status=Status.REFUSED)
    r.send(r.office, [r.a], DAY, status=Status.RECALL_AGREED)  # counts nowhere
    r.send(r.ministry, [r.a], DAY, channel="axis")
    r.send(r.ministry, [r.a], date(2026, 4, 2))  # another period
    r.send(r.a, [r.ministry, r.office], DAY)  # one document to two: counted once
    r.send(r.a, [r.office], DAY, channel="axis", sealed=False)
    r.send(r.a, [r.b], DAY)  # department to department: not the ministry's
    return overdue


def test_the_lists_add_up_to_the_departments_row(records, history):
    board = leaderboard(MARCH, today=TODAY)
    _rank, row = row_of(board, records.a)
    ids = board.ids_counted_as(records.a)
    received = _every_delivery(ids, row)
    sent = drilldown.sent_to_ministry(ids, MARCH)

    assert len(received) == row["total_received"] == 6
    verdicts = Counter(drilldown.deadline_verdict(d, TODAY) for d in received)
    assert verdicts == {"on_time": 1, "late": 1, "overdue": 1, "not_yet_due": 1, "refused": 1,
                        None: 1}
    assert verdicts["on_time"] == row["deadline_replied_on_time"]
    assert verdicts["on_time"] + verdicts["late"] == row["deadline_replied"]
    assert verdicts["late"] + verdicts["overdue"] == row.overdue
    assert sent.total == row["total_sent"] == 2
    channels = drilldown.channels_of(sent.items)
    assert sorted(map(tuple, channels.values())) == [("axis",), ("portal",)]


def _every_delivery(ids, row) -> list:
    """Every page of the received list, walked to its end."""
    total = row["total_received"]
    pages = drilldown.received_from_ministry(ids, MARCH, total=total).pages
    return [delivery for number in range(1, pages + 1)
            for delivery in drilldown.received_from_ministry(ids, MARCH, number,
                                                             total=total).items]


def test_a_long_list_is_paged_and_its_pages_hold_the_row_s_deliveries(records):
    for _ in range(drilldown.PAGE_SIZE + 3):
        records.send(records.ministry, [records.a], DAY)
    records.send(records.ministry, [records.a], DAY, status=Status.RECALL_AGREED)
    board = leaderboard(MARCH)
    ids, (_rank, row) = board.ids_counted_as(records.a), row_of(board, records.a)
    first, second = (drilldown.received_from_ministry(ids, MARCH, page,
                                                      total=row["total_received"])
                     for page in (1, 2))
    assert (first.pages, len(first.items), len(second.items)) == (2, drilldown.PAGE_SIZE, 3)
    assert not {d.id for d in first.items} & {d.id for d in second.items}
    assert len({d.id for d in _every_delivery(ids, row)}) == row["total_received"]
    last = drilldown.received_from_ministry(ids, MARCH, 99, total=row["total_received"])
    assert last.number == 2  # past the end


@pytest.fixture
def viewers(records, make, auth):
    people = {
        "reviewer": make.user(records.ministry, "reviewer"),
        "ministry_leader": make.user(records.ministry, "leader"),
        "ministry_clerk": make.user(records.ministry, "clerk"),
        "a_specialist": make.user(records.a, "specialist"),
        "b_leader": make.user(records.b, "leader"),
    }
    records.send(records.ministry, [records.a], DAY, due_on=DUE)
    return people


@pytest.mark.parametrize("viewer, status", [
    ("reviewer", 200), ("ministry_leader", 200), ("a_specialist", 200),
    ("b_leader", 404), ("ministry_clerk", 404),
])
def test_only_overseers_and_the_department_itself_see_its_records(
        records, viewers, client, auth, viewer, status):
    auth.login(viewers[viewer].email)
    response = client.get(f"/oversight/departments/{records.a.id}?{QUERY}")
    assert response.status_code == status
    if status == 404:
        assert "V/v thử nghiệm" not in response.text


def test_a_department_s_own_rows_link_to_its_inbox_and_only_its_row_links(
        records, viewers, client, auth):
    auth.login(viewers["a_specialist"].email)
    page = client.get(f"/oversight/departments/{records.a.id}?{QUERY}").text
    assert "/inbox/" in page and "V/v thử nghiệm" in page
    board = client.get(f"/oversight/?{QUERY}").text
    assert f"/oversight/departments/{records.a.id}" in board
    assert f"/oversight/departments/{records.b.id}" not in board


def test_anything_but_a_department_answers_404(records, viewers, client, auth):
    auth.login(viewers["reviewer"].email)
    assert client.get(f"/oversight/departments/{records.office.id}").status_code == 404
    assert client.get("/oversight/departments/999999").status_code == 404
