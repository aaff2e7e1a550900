"""A department's documents behind its row: the same definitions, record by record, and only
for those who may see them."""

import re
from collections import Counter
from datetime import date, timedelta

import pytest

from portal.clock import LOCAL_TZ
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
    sent = drilldown.sent_to_ministry(ids, MARCH, total=row["total_sent"])

    assert len(received) == row["total_received"] == 6
    verdicts = Counter(drilldown.deadline_verdict(d, TODAY) for d in received)
    assert verdicts == {"on_time": 1, "late": 1, "overdue": 1, "not_yet_due": 1, "refused": 1,
                        None: 1}
    assert verdicts["on_time"] == row["deadline_replied_on_time"]
    assert verdicts["on_time"] + verdicts["late"] == row["deadline_replied"]
    assert verdicts["late"] + verdicts["overdue"] == row.overdue
    assert len(sent.items) == sent.total == row["total_sent"] == 2
    channels = drilldown.channels_of(sent.items)
    assert sorted(map(tuple, channels.values())) == [("axis",), ("portal",)]


def _every_delivery(ids, row) -> list:
    """Every page of the received list, walked to its end by its cursors."""
    items, after = [], None
    while True:
        page = drilldown.received_from_ministry(ids, MARCH, after, total=row["total_received"])
        items += page.items
        if page.next_after is None:
            return items
        after = page.next_after


def test_a_long_list_is_paged_and_its_pages_hold_the_row_s_deliveries(records):
    for _ in range(drilldown.PAGE_SIZE + 3):
        records.send(records.ministry, [records.a], DAY)
    records.send(records.ministry, [records.a], DAY, status=Status.RECALL_AGREED)
    board = leaderboard(MARCH)
    ids, (_rank, row) = board.ids_counted_as(records.a), row_of(board, records.a)
    total = row["total_received"]
    first = drilldown.received_from_ministry(ids, MARCH, total=total)
    second = drilldown.received_from_ministry(ids, MARCH, first.next_after, total=total)
    assert (first.first, len(first.items), len(second.items)) == (True, drilldown.PAGE_SIZE, 3)
    assert (second.first, second.next_after) == (False, None)
    assert not {d.id for d in first.items} & {d.id for d in second.items}
    every = _every_delivery(ids, row)
    assert len({d.id for d in every}) == len(every) == total  # all of them, once each
    assert [d.id for d in every] == sorted((d.id for d in every), reverse=True)  # newest first
    for stale in (999_999, None):  # a cursor naming no row: the first page
        again = drilldown.received_from_ministry(ids, MARCH, stale, total=total)
        assert [d.id for d in again.items] == [d.id for d in first.items] and again.first


def test_the_lists_of_a_department_and_its_predecessors_are_paged_as_one(records):
    for n in range(drilldown.PAGE_SIZE + 5):
        at = local_moment(DAY, 8, n)
        records.send(records.ministry, [records.a if n % 2 else records.b], DAY, at=at)
        records.send(records.b if n % 3 else records.a, [records.office], DAY, at=at)
    ids, pages = [records.a.id, records.b.id], {}
    for name, read in (("received", drilldown.received_from_ministry),
                       ("sent", drilldown.sent_to_ministry)):
        first = read(ids, MARCH, total=0)
        second = read(ids, MARCH, first.next_after, total=0)
        pages[name] = first.items + second.items
        assert (len(first.items), len(second.items)) == (drilldown.PAGE_SIZE, 5)
    moments = [d.received_at for d in pages["received"]]
    assert moments == sorted(moments, reverse=True)
    assert [d.issued_at for d in pages["sent"]] == sorted(moments, reverse=True)
    assert drilldown.received_from_ministry([], MARCH, total=0).items == []


def test_the_sent_list_is_paged_by_its_cursor(records):
    for _ in range(drilldown.PAGE_SIZE + 2):
        records.send(records.a, [records.office], DAY)
    board = leaderboard(MARCH)
    ids, (_rank, row) = board.ids_counted_as(records.a), row_of(board, records.a)
    first = drilldown.sent_to_ministry(ids, MARCH, total=row["total_sent"])
    second = drilldown.sent_to_ministry(ids, MARCH, first.next_after, total=row["total_sent"])
    assert (len(first.items), len(second.items), second.next_after) == (
        drilldown.PAGE_SIZE, 2, None)
    assert len({d.id for d in first.items + second.items}) == row["total_sent"]


def test_the_page_follows_its_cursors_and_a_hostile_one_gives_the_first_page(
        records, make, client, auth):
    for _ in range(drilldown.PAGE_SIZE + 1):
        records.send(records.ministry, [records.a], DAY)
        records.send(records.a, [records.office], DAY)
    auth.login(make.user(records.ministry, "reviewer").email)
    path = f"/oversight/departments/{records.a.id}?{QUERY}"
    first = client.get(path).text
    assert first.count("received_after=") == 1 and first.count("sent_after=") == 1
    cursor = re.search(r"received_after=(\d+)", first).group(1)
    second = client.get(f"{path}&received_after={cursor}").text
    assert "Newest first" in second or "Mới nhất" in second
    assert second.count("V/v thử nghiệm") < first.count("V/v thử nghiệm")
    for hostile in ("-1", "abc", "1e9", "99999999999999999999", "0", "'; DROP TABLE x", "999"):
        response = client.get(f"/oversight/departments/{records.a.id}", query_string={
            "from": "2026-03-01", "to": "2026-03-31", "received_after": hostile,
            "sent_after": hostile, "received_page": 3})
        assert response.status_code == 200
        assert response.text.count("V/v thử nghiệm") == first.count("V/v thử nghiệm")


def test_the_page_takes_the_same_queries_on_every_page_however_long_its_lists(
        records, make, client, auth):
    from tests.queries import queries_of

    auth.login(make.user(records.ministry, "reviewer").email)
    path = f"/oversight/departments/{records.a.id}?{QUERY}"
    for _ in range(3):
        records.send(records.ministry, [records.a], DAY)
        records.send(records.a, [records.office], DAY)
    queries_of(client, path)
    few = queries_of(client, path)
    for _ in range(2 * drilldown.PAGE_SIZE):
        records.send(records.ministry, [records.a], DAY)
        records.send(records.a, [records.office], DAY)
    assert queries_of(client, path) == few
    page = client.get(path).text
    cursors = {name: re.search(rf"{name}=(\d+)", page).group(1)
               for name in ("received_after", "sent_after")}
    assert queries_of(client, f"{path}&received_after={cursors['received_after']}"
                                f"&sent_after={cursors['sent_after']}") == few + 2


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


def test_the_lists_hold_the_period_s_first_and_last_minute_and_nothing_after(records):
    edges = [local_moment(MARCH.first, 0, 0, 0), local_moment(MARCH.last, 23, 59, 59),
             local_moment(MARCH.last + timedelta(days=1), 0, 0, 0)]
    for at in edges:
        records.send(records.ministry, [records.a], at.astimezone(LOCAL_TZ).date(), at=at)
        records.send(records.a, [records.office], at.astimezone(LOCAL_TZ).date(), at=at)
    received = drilldown.received_from_ministry([records.a.id], MARCH, total=2)
    sent = drilldown.sent_to_ministry([records.a.id], MARCH, total=2)
    assert len(received.items) == len(sent.items) == 2
