"""Every period as it was: after the 2025 reorganisation, the departments as they stood on a
period's last day, under that day's names, each merged department folded into its successor.

The organisations are the demo's (the 2019 appendix's 63), reorganised by the events file
(tests/leaderboard/reorganisation.py)."""

import csv
import io
from datetime import date

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from portal.collation import sort_key
from portal.deliveries.models import Status
from portal.demo.services import load_organisations
from portal.extensions import db
from portal.leaderboard import assessments, charts, exports, letter
from portal.leaderboard.models import Assessment
from portal.leaderboard.services import Period, leaderboard, row_of, short_name
from portal.leaderboard.standing import last_period_stood
from portal.organisations import services as organisations
from portal.organisations.services import find_by_code
from portal.transaction import action
from tests.conftest import csrf_token_from
from tests.leaderboard.conftest import Records
from tests.leaderboard.reorganisation import apply_reorganisation, events

NEW = "Sở Nông nghiệp và Môi trường "
HA_GIANG = "Sở Nông nghiệp và Môi trường tỉnh Hà Giang"
TUYEN_QUANG = "Sở Nông nghiệp và Môi trường tỉnh Tuyên Quang"
BEFORE_THE_MERGERS = Period(date(2025, 1, 1), date(2025, 6, 30))
SINCE_THE_MERGERS = Period(date(2025, 1, 1), date(2025, 12, 31))
QUERY = "from=2025-01-01&to=2025-12-31"


class Reorganised(Records):
    """The demo's organisations, reorganised; documents sent as in conftest.Records."""

    def __init__(self, make):
        with action():
            load_organisations()
        self.ministry, self.office = find_by_code("BTNMT"), find_by_code("VP")
        self.ha_giang, self.tuyen_quang = find_by_code("HGI"), find_by_code("TQ")
        self.author = make.user(self.office, "specialist")
        self.reviewer = make.user(self.ministry, "reviewer")
        self.leader = make.user(self.ministry, "leader")


@pytest.fixture
def world(make):
    world = Reorganised(make)
    # Before the mergers: Hà Giang receives two (one answered), sends one; Tuyên Quang one.
    answered = world.send(world.ministry, [world.ha_giang], date(2025, 5, 5),
                          status=Status.ACKNOWLEDGED, due_on=date(2025, 5, 20))[0]
    world.reply(answered, answered.received_at)
    world.send(world.ministry, [world.ha_giang], date(2025, 6, 10), due_on=date(2099, 1, 1))
    world.send(world.ha_giang, [world.ministry], date(2025, 6, 11))
    world.send(world.ministry, [world.tuyen_quang], date(2025, 6, 12))
    assert apply_reorganisation() == len(events()) == 94
    # After: Tuyên Quang (with Hà Giang's work) receives one more.
    world.send(world.ministry, [world.tuyen_quang], date(2025, 8, 1))
    return world


def _row(board, name):
    return next(r for r in board.rows if r.name == name)


def test_a_period_ending_after_the_mergers_has_the_34_under_their_new_names(world):
    board = leaderboard(SINCE_THE_MERGERS)

    assert len(board.rows) == 34
    assert all(r.name.startswith(NEW) for r in board.rows)
    assert HA_GIANG not in {r.name for r in board.rows}
    tuyen_quang = _row(board, TUYEN_QUANG)
    assert [p.name for p in tuyen_quang.predecessors] == [HA_GIANG]
    # Hà Giang's two, Tuyên Quang's own two; Hà Giang's document sent; its answered deadline.
    assert tuyen_quang.total_received == 4 and tuyen_quang.total_sent == 1
    assert (tuyen_quang["deadline_replied"], tuyen_quang.not_yet_due) == (1, 1)
    assert (board.total.total_received, board.total.total_sent) == (4, 1)


def test_the_day_of_the_mergers_is_after_them_and_the_day_before_is_not(world):
    assert len(leaderboard(Period(date(2025, 7, 1), date(2025, 7, 1))).rows) == 34
    board = leaderboard(BEFORE_THE_MERGERS)
    assert len(board.rows) == 63
    assert all(r.name.startswith(NEW) and not r.predecessors for r in board.rows)


def test_a_period_before_the_mergers_counts_each_department_in_its_own_row(world):
    board = leaderboard(BEFORE_THE_MERGERS, sort="name", descending=False)

    assert [r.name for r in board.rows] == sorted((r.name for r in board.rows), key=sort_key)
    ha_giang, tuyen_quang = _row(board, HA_GIANG), _row(board, TUYEN_QUANG)
    assert (ha_giang.total_received, ha_giang.total_sent) == (2, 1)
    # Its open deadline passed to Tuyên Quang on the merger, and is still Hà Giang's here.
    assert (ha_giang.not_yet_due, ha_giang.overdue, tuyen_quang.not_yet_due) == (1, 0, 0)
    assert tuyen_quang.total_received == 1
    assert "Sở Nông nghiệp và Môi trường thành phố Huế" in {r.name for r in board.rows}


def test_before_the_1_march_renames_the_names_are_the_old_ones_but_hue(world):
    names = {r.name for r in leaderboard(Period(date(2025, 1, 1), date(2025, 2, 28))).rows}
    assert len(names) == 63
    assert "Sở TN&MT tỉnh Hà Giang" in names and "Sở TN&MT thành phố Huế" in names
    assert "Sở TN&MT tỉnh Thừa Thiên Huế" not in names
    assert not any(n.startswith(NEW) for n in names)


def test_the_chart_and_the_letter_s_short_names_drop_the_new_prefixes():
    assert short_name("Sở Nông nghiệp và Môi trường thành phố Huế") == "Huế"
    assert short_name("Sở NN&MT tỉnh Hà Giang") == "Hà Giang"
    assert short_name("Sở TN&MT TP. Hồ Chí Minh") == "TP. Hồ Chí Minh"  # as the 2019 letter


def test_the_public_page_and_the_files_carry_the_period_s_names_and_the_note(world, client):
    page = client.get(f"/leaderboard?{QUERY}").text
    assert TUYEN_QUANG in page and HA_GIANG + " (sáp nhập từ 01/07/2025)" in page
    assert "gồm cả " + HA_GIANG in page
    assert page.count('class="bar-row"') == 34 and ">Tuyên Quang<" in page

    rows = list(csv.DictReader(io.StringIO(
        client.get(f"/leaderboard.csv?{QUERY}").data.decode("utf-8-sig"))))
    assert len(rows) == 34 and TUYEN_QUANG in {r["department"] for r in rows}
    before = list(csv.DictReader(io.StringIO(client.get(
        "/leaderboard.csv?from=2025-01-01&to=2025-06-30").data.decode("utf-8-sig"))))
    assert len(before) == 63 and HA_GIANG in {r["department"] for r in before}

    sheet = load_workbook(io.BytesIO(client.get(f"/leaderboard.xlsx?{QUERY}").data)).active
    names = [c.value for c in sheet["B"] if isinstance(c.value, str)]
    assert f"{TUYEN_QUANG} – gồm cả {HA_GIANG} (sáp nhập từ 01/07/2025)" in names


def test_a_merged_department_s_page_says_where_its_figures_are(world, client, auth):
    auth.login(world.reviewer.email)
    page = client.get(f"/oversight/departments/{world.ha_giang.id}?{QUERY}")

    assert page.status_code == 200  # no row for it in this period: not a 500
    assert "Sáp nhập vào " + TUYEN_QUANG + " ngày 01/07/2025" in page.text
    carrier = f"/oversight/departments/{world.tuyen_quang.id}?from=2025-01-01&amp;to=2025-12-31"
    own_record = f"/oversight/departments/{world.ha_giang.id}?from=2025-01-01&amp;to=2025-06-30"
    assert carrier in page.text and own_record in page.text
    assert "Biểu dương hoặc phê bình cho kỳ này" not in page.text  # no form to assess it

    record = client.get(own_record.replace("&amp;", "&"))
    assert record.status_code == 200 and f"<h1>{HA_GIANG}</h1>" in record.text


def test_a_successor_s_page_lists_its_predecessors_with_their_records(world, client, auth):
    auth.login(world.reviewer.email)
    page = client.get(f"/oversight/departments/{world.tuyen_quang.id}?{QUERY}").text

    assert f"<h1>{TUYEN_QUANG}</h1>" in page
    own_record = f"/oversight/departments/{world.ha_giang.id}?from=2025-01-01&amp;to=2025-06-30"
    assert f'href="{own_record}">{HA_GIANG}</a>' in page
    assert "01/07/2025" in page
    # The lists hold Hà Giang's documents: what it sent before the merger.
    assert "Đã gửi đến Bộ (1)" in page


def test_a_department_is_assessed_for_a_period_it_stood_in_not_after_its_merger(world):
    with action():
        assessments.record_assessment(world.ha_giang, BEFORE_THE_MERGERS, kind="commend",
                                      note="Trả lời đúng hạn.", appendix_style="",
                                      actor=world.reviewer)
    with pytest.raises(assessments.AssessmentError, match="sáp nhập vào " + TUYEN_QUANG), \
            action():
        assessments.record_assessment(world.ha_giang, SINCE_THE_MERGERS, kind="commend",
                                      note="Trả lời đúng hạn.", appendix_style="",
                                      actor=world.reviewer)
    assert db.session.scalar(select(func.count()).select_from(Assessment)) == 1


def _publish(world, department, period, kind):
    with action():
        assessment = assessments.record_assessment(department, period, kind=kind,
                                                   note="Nhận xét.", appendix_style="bold",
                                                   actor=world.reviewer)
    with action():
        assessments.publish_assessment(assessment, actor=world.leader)


def test_the_letter_and_the_marks_name_departments_as_in_the_period(world):
    _publish(world, world.ha_giang, BEFORE_THE_MERGERS, "criticise")
    _publish(world, world.tuyen_quang, SINCE_THE_MERGERS, "commend")

    with action():
        before = letter.draft_oversight_letter(BEFORE_THE_MERGERS, actor=world.reviewer)
        since = letter.draft_oversight_letter(SINCE_THE_MERGERS, actor=world.reviewer)

    assert "thực hiện chưa nghiêm túc: Hà Giang." in before.body
    assert "thực hiện tốt: Tuyên Quang." in since.body
    # The ministry and its departments are named as they were called in the period.
    assert "Các Sở Nông nghiệp và Môi trường thực hiện tốt: Tuyên Quang." in since.body
    assert "Tài nguyên và Môi trường" not in since.body + since.subject
    assert since.subject.endswith("toàn ngành Nông nghiệp và Môi trường")
    assert since.appendix["title"].endswith("NGÀNH NÔNG NGHIỆP VÀ MÔI TRƯỜNG")
    assert "Bộ Nông nghiệp và Môi trường đánh giá" in before.body  # 30 June: after 1 March
    with action():
        old = letter.draft_oversight_letter(Period(date(2024, 1, 1), date(2025, 2, 28)),
                                            actor=world.reviewer)
    assert old.subject == letter.SUBJECT and "Bộ Tài nguyên và Môi trường đánh giá" in old.body
    assert old.appendix["title"] == exports.APPENDIX_TITLE
    assert len(before.appendix["rows"]) == 63 and len(since.appendix["rows"]) == 34
    marked = [r["cells"][1] for r in since.appendix["rows"] if r["style"] == "bold"]
    assert marked == [f"{TUYEN_QUANG} – gồm cả {HA_GIANG} (sáp nhập từ 01/07/2025)"]
    board = leaderboard(BEFORE_THE_MERGERS)
    assert row_of(board, world.ha_giang)[1].style == "bold"
    assert {b.label for b in charts.rates_chart(board).bars} >= {"Hà Giang", "Huế"}


def test_assessing_a_merged_department_through_the_page_is_refused_with_the_reason(
        world, client, auth):
    auth.login(world.reviewer.email)
    page = client.get(f"/oversight/departments/{world.ha_giang.id}"
                      "?from=2025-01-01&to=2025-06-30").text
    # A clumsy or crafted post: the period changed to one ending after the merger.
    response = client.post(f"/oversight/departments/{world.ha_giang.id}/assessments", data={
        "csrf_token": csrf_token_from(page), "first": "2025-01-01", "last": "2025-07-31",
        "kind": "commend", "note": "Tốt.", "appendix_style": ""}, follow_redirects=True)

    assert response.status_code == 200
    assert f"đã sáp nhập vào {TUYEN_QUANG} từ ngày 01/07/2025" in response.text
    assert db.session.scalar(select(func.count()).select_from(Assessment)) == 0


def test_the_last_period_a_department_stood_ends_the_day_before_its_merger(world):
    assert last_period_stood(world.ha_giang) == (date(2025, 1, 1), date(2025, 6, 30))
    world.ha_giang.merged_on = date(2025, 1, 1)
    assert last_period_stood(world.ha_giang) == (date(2024, 1, 1), date(2024, 12, 31))
    db.session.rollback()


def test_a_predecessor_s_record_lists_the_deliveries_its_merger_passed_on(world, client, auth):
    auth.login(world.reviewer.email)
    page = client.get(f"/oversight/departments/{world.ha_giang.id}"
                      "?from=2025-01-01&to=2025-06-30").text
    assert "Đã nhận từ Bộ (2)" in page
    assert page.count("<td>10/06/2025</td>") == 1  # the open one, passed to Tuyên Quang


def test_published_assessments_name_the_department_as_in_their_period(world, client, auth):
    winter = Period(date(2025, 1, 1), date(2025, 2, 28))
    _publish(world, world.ha_giang, winter, "commend")

    public = client.get("/leaderboard?from=2025-01-01&to=2025-02-28").text
    assert "— Sở TN&amp;MT tỉnh Hà Giang" in public
    auth.login(world.reviewer.email)
    listed = client.get("/oversight/assessments/").text
    assert ">Sở TN&amp;MT tỉnh Hà Giang</a>" in listed and HA_GIANG not in listed


def test_a_chain_of_mergers_leads_each_page_to_the_row_holding_it(records, make, client, auth):
    c = make.organisation(code="CM", name="Sở TN&MT tỉnh Cà Mau")
    admin = make.user(records.ministry, "admin")
    records.send(records.ministry, [records.a], date(2025, 2, 3))
    with action():
        organisations.merge_organisation(records.a, records.b, actor=admin,
                                          effective_on=date(2025, 3, 1))
    with action():
        organisations.merge_organisation(records.b, c, actor=admin,
                                          effective_on=date(2025, 7, 1))
    auth.login(make.user(records.ministry, "reviewer").email)

    page = client.get(f"/oversight/departments/{records.a.id}?{QUERY}").text
    assert "Sáp nhập vào Sở TN&amp;MT tỉnh Bạc Liêu ngày 01/03/2025" in page
    assert "được tính vào dòng của Sở TN&amp;MT tỉnh Cà Mau" in page
    assert f"/oversight/departments/{c.id}?from=2025-01-01&amp;to=2025-12-31" in page
    successor = client.get(f"/oversight/departments/{c.id}?{QUERY}").text
    assert successor.count("sáp nhập từ ngày") == 2 and "Đã nhận từ Bộ (1)" in successor
    spring = leaderboard(Period(date(2025, 3, 1), date(2025, 6, 30)))
    assert [(r.name, [p.name for p in r.predecessors]) for r in spring.rows] == [
        ("Sở TN&MT tỉnh Bạc Liêu", ["Sở TN&MT tỉnh An Giang"]), ("Sở TN&MT tỉnh Cà Mau", [])]


def test_a_successor_s_people_open_their_predecessor_s_record_others_do_not(world, make,
                                                                            client, auth):
    record = f"/oversight/departments/{world.ha_giang.id}?from=2025-01-01&to=2025-06-30"
    auth.login(make.user(world.tuyen_quang, "clerk").email)
    assert client.get(record).status_code == 200  # the work it took over
    auth.logout()
    auth.login(make.user(find_by_code("HNI"), "clerk").email)
    assert client.get(record).status_code == 404
