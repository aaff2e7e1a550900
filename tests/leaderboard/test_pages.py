"""The leaderboard's pages: the reviewers' table, the public page and the public CSV."""

import codecs
import csv
import io
from datetime import date, timedelta

import pytest

from portal.clock import local_today
from portal.deliveries.models import Status
from portal.demo.history import APPENDIX_2019
from portal.transaction import action

DAY = date(2026, 3, 10)
QUERY = "from=2026-03-01&to=2026-03-31"


@pytest.fixture
def filled(records):
    records.send(records.ministry, [records.a, records.b], DAY, status=Status.ACKNOWLEDGED,
                 due_on=DAY + timedelta(days=3))
    records.send(records.ministry, [records.a], DAY)
    records.send(records.b, [records.office], DAY)
    records.send(records.b, [records.ministry], DAY, sealed=False)
    return records


def test_the_public_page_shows_figures_and_no_document_without_signing_in(client, filled):
    response = client.get(f"/leaderboard?{QUERY}")

    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Sở TN&amp;MT tỉnh An Giang" in html and "Sở TN&amp;MT tỉnh Bạc Liêu" in html
    assert "V/v thử nghiệm" not in html  # no subject, notation or content of any document
    assert "/documents/" not in html and "/inbox/" not in html
    assert response.headers["Cache-Control"] in ("public, max-age=60", "max-age=60, public")
    assert "Set-Cookie" not in response.headers  # nothing per visitor: proxies may cache it


def test_the_public_csv_has_the_appendix_columns_one_row_per_department(client, filled):
    response = client.get(f"/leaderboard.csv?{QUERY}")

    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.data.decode("utf-8-sig"))))
    with APPENDIX_2019.open(encoding="utf-8") as f:
        assert list(rows[0]) == next(csv.reader(f))  # the checked data's column names
    by_name = {r["department"]: r for r in rows}
    bac_lieu = by_name["Sở TN&MT tỉnh Bạc Liêu"]
    assert (bac_lieu["stt"], bac_lieu["total_sent"], bac_lieu["interaction_processed"]) == (
        "1", "2", "1")
    assert by_name["Sở TN&MT tỉnh An Giang"]["interaction_received_from_ministry"] == "2"
    assert bac_lieu["appendix_style"] == ""


def test_the_csv_is_utf8_with_a_byte_order_mark_so_excel_reads_vietnamese(client, filled):
    data = client.get(f"/leaderboard.csv?{QUERY}").data

    assert data.startswith(codecs.BOM_UTF8) and data.count(codecs.BOM_UTF8) == 1
    header, *rows = csv.reader(io.StringIO(data.decode("utf-8-sig")))
    with APPENDIX_2019.open(encoding="utf-8") as f:
        assert header == next(csv.reader(f))  # the stable keys, without ?lang=
    assert "Sở TN&MT tỉnh Bạc Liêu" in {row[1] for row in rows}


def test_lang_vi_heads_the_csv_with_the_appendix_headings(client, filled):
    keyed = client.get(f"/leaderboard.csv?{QUERY}").data
    data = client.get(f"/leaderboard.csv?{QUERY}&lang=vi").data

    assert data.startswith(codecs.BOM_UTF8)
    header, *rows = csv.reader(io.StringIO(data.decode("utf-8-sig")))
    keys, *keyed_rows = csv.reader(io.StringIO(keyed.decode("utf-8-sig")))
    assert rows == keyed_rows and len(header) == len(keys)
    headings = dict(zip(keys, header, strict=True))
    assert headings["stt"] == "STT" and headings["department"] == "Cơ quan/Đơn vị"
    assert headings["interaction_received_from_ministry"] == (
        "Hệ thống tương tác ngành / Đã nhận từ Bộ")
    assert headings["deadline_replied_on_time"] == (
        "Hệ thống tương tác ngành / Tình hình xử lý / Văn bản có thời hạn - phải trả lời"
        " / Đúng hạn")
    assert headings["axis_sent_to_ministry"] == "Trục liên thông văn bản quốc gia / Đã gửi đến Bộ"
    assert headings["total_sent"] == "Tổng hợp / Đã gửi"
    assert headings["appendix_style"] == "Định dạng dòng"


@pytest.mark.parametrize("query", ["from=2026-02-30&to=2026-03-31", "from=2026-03-01",
                                   "from=2026-04-01&to=2026-03-01"])
def test_a_malformed_period_is_a_clear_400(client, query):
    response = client.get(f"/leaderboard.csv?{query}")
    assert response.status_code == 400
    message = response.get_data(as_text=True)
    assert "YYYY-MM-DD" in message or "Ngày bắt đầu ở sau ngày kết thúc" in message


def test_reviewers_sort_the_table_and_htmx_gets_only_the_table(client, auth, make, filled):
    reviewer = make.user(filled.ministry, "reviewer")
    auth.login(reviewer.email)

    page = client.get(f"/oversight/?{QUERY}").get_data(as_text=True)
    assert page.index("Bạc Liêu") < page.index("An Giang")  # total sent, descending

    fragment = client.get(f"/oversight/?{QUERY}&sort=interaction_received_from_ministry",
                          headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "<html" not in fragment and 'id="leaderboard"' in fragment
    assert fragment.index("An Giang") < fragment.index("Bạc Liêu")
    assert 'aria-sort="descending"' in fragment


def test_a_bad_period_on_the_page_says_why_and_shows_this_year(client, auth, make, filled):
    auth.login(make.user(filled.ministry, "reviewer").email)
    html = client.get("/oversight/?from=2026-03-31&to=2026-03-01").get_data(as_text=True)
    assert 'role="alert"' in html
    assert f'value="{local_today().year}-01-01"' in html


def test_an_administrator_sets_the_thresholds_and_the_change_is_audited(client, auth, make,
                                                                       filled):
    from sqlalchemy import select

    from portal.audit.models import AuditEvent
    from portal.extensions import db
    from portal.leaderboard.services import settings
    from tests.conftest import csrf_token_from

    admin = make.user(filled.ministry, "admin")
    auth.login(admin.email)
    token = csrf_token_from(client.get("/oversight/settings").text)
    refused = client.post("/oversight/settings", data={
        "csrf_token": token, "overdue_threshold_percent": "150",
        "unsigned_threshold_percent": "20"})
    assert refused.status_code == 400 and settings().overdue_threshold_percent == 50

    client.post("/oversight/settings", data={
        "csrf_token": token, "overdue_threshold_percent": "40",
        "unsigned_threshold_percent": "10"})

    db.session.expire_all()
    assert (settings().overdue_threshold_percent, settings().unsigned_threshold_percent) == (40, 10)
    event = db.session.scalar(select(AuditEvent).where(
        AuditEvent.action == "oversight.thresholds_changed"))
    assert event.details == {"before": [50, 20], "after": [40, 10]}
    assert "40 %" in client.get(f"/oversight/?{QUERY}").text


def _first_department_received(html: str, name: str) -> str:
    row = html[html.index(name):]
    return row.split("<td>", 2)[1].split("</td>")[0]


def test_the_public_page_is_kept_a_minute_and_a_published_assessment_shows_at_once(
        client, filled, make):
    first = client.get(f"/leaderboard?{QUERY}").text
    assert _first_department_received(first, "tỉnh An Giang") == "2"
    filled.send(filled.ministry, [filled.a], DAY)  # a new delivery: counted, not yet shown
    assert client.get(f"/leaderboard?{QUERY}").text == first
    assert client.get(f"/leaderboard?{QUERY}&lang=en").text != first  # per language

    from portal.leaderboard import assessments
    from portal.leaderboard.services import Period

    reviewer, leader = make.user(filled.ministry, "reviewer"), make.user(filled.ministry, "leader")
    with action():
        draft = assessments.record_assessment(
            filled.a, Period(date(2026, 3, 1), date(2026, 3, 31)), kind="commend",
            note="Tiếp nhận đầy đủ.", appendix_style="", actor=reviewer)
    with action():
        assessments.publish_assessment(draft, actor=leader)
    fresh = client.get(f"/leaderboard?{QUERY}").text
    assert "Tiếp nhận đầy đủ." in fresh
    assert _first_department_received(fresh, "tỉnh An Giang") == "3"


def test_a_signed_in_person_s_page_is_never_kept_for_the_public(app, client, filled, make,
                                                                auth):
    person = make.user(filled.a, "clerk")
    auth.login(person.email)
    response = client.get(f"/leaderboard?{QUERY}")
    assert person.full_name in response.text
    assert set(response.headers["Cache-Control"].split(", ")) == {"private", "no-store"}
    anonymous = app.test_client().get(f"/leaderboard?{QUERY}").text
    assert person.full_name not in anonymous and "csrf" not in anonymous.lower()


def test_an_export_is_kept_with_its_file_name(client, filled):
    first = client.get(f"/leaderboard.csv?{QUERY}")
    filled.send(filled.ministry, [filled.a], DAY)
    again = client.get(f"/leaderboard.csv?{QUERY}")
    assert again.data == first.data and again.mimetype == "text/csv"
    assert again.headers["Content-Disposition"] == (
        'attachment; filename="leaderboard-2026-03-01-2026-03-31.csv"')
