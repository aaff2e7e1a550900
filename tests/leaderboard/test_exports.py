"""The leaderboard as XLSX and PDF in the 2019 appendix's layout, public like the CSV."""

import io
from datetime import date, timedelta

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from portal.deliveries.models import Status
from portal.leaderboard import assessments
from portal.leaderboard.services import APPENDIX_COLUMNS, Period, leaderboard
from portal.transaction import action

DAY = date(2026, 3, 10)
MARCH = Period(date(2026, 3, 1), date(2026, 3, 31))
QUERY = "from=2026-03-01&to=2026-03-31"


@pytest.fixture
def marked(records, make):
    r = records
    r.send(r.ministry, [r.a, r.b], DAY, status=Status.ACKNOWLEDGED,
           due_on=DAY + timedelta(days=3))
    for _ in range(1200):  # enough for a thousands separator in the total
        r.send(r.ministry, [r.b], DAY)
    r.send(r.b, [r.office], DAY)
    reviewer, leader = make.user(r.ministry, "reviewer"), make.user(r.ministry, "leader")
    with action():
        assessment = assessments.record_assessment(r.a, MARCH, kind="criticise", note="Chậm.",
                                                   appendix_style="italic", actor=reviewer)
    with action():
        assessments.publish_assessment(assessment, actor=leader)
    return r


def test_the_xlsx_is_the_appendix_with_numbers_marks_merged_headings_and_total(client, marked):
    response = client.get(f"/leaderboard.xlsx?{QUERY}")

    assert response.status_code == 200
    assert response.mimetype.endswith("spreadsheetml.sheet")
    assert "max-age=60" in response.headers["Cache-Control"]
    sheet = load_workbook(io.BytesIO(response.data)).active
    assert sheet["A1"].value.startswith("TÌNH HÌNH GỬI, NHẬN VĂN BẢN ĐIỆN TỬ")
    assert sheet["A2"].value == "(Từ ngày 01/03/2026 đến ngày 31/03/2026)"
    merged = {str(r) for r in sheet.merged_cells.ranges}
    assert {"A4:A7", "B4:B7", "C4:H4", "I4:J4", "K4:L4", "D5:G5", "E6:G6"} <= merged
    assert [sheet.cell(7, c).value for c in (5, 6, 7)] == ["Đã trả lời", "Đúng hạn",
                                                         "Chưa trả lời"]
    board = leaderboard(MARCH)
    for offset, row in enumerate(board.rows):
        line = [sheet.cell(8 + offset, c).value for c in range(1, 13)]
        assert line == [offset + 1, row.name, *(row[c] for c in APPENDIX_COLUMNS)]
    total = [sheet.cell(8 + len(board.rows), c).value for c in range(2, 13)]
    assert total == ["Tổng cộng", *(board.total[c] for c in APPENDIX_COLUMNS)]
    a_line = 8 + next(i for i, r in enumerate(board.rows) if r.organisation.id == marked.a.id)
    assert sheet.cell(a_line, 2).font.italic and not sheet.cell(a_line, 2).font.bold
    assert sheet.cell(8 + len(board.rows), 3).font.bold


def test_the_pdf_is_the_appendix_on_landscape_pages(client, marked):
    response = client.get(f"/leaderboard.pdf?{QUERY}")

    assert response.status_code == 200 and response.mimetype == "application/pdf"
    pdf = PdfReader(io.BytesIO(response.data))
    box = pdf.pages[0].mediabox
    assert box.width > box.height  # landscape A4
    text = " ".join(" ".join(p.extract_text() for p in pdf.pages).split())
    assert "TÌNH HÌNH GỬI, NHẬN VĂN BẢN ĐIỆN TỬ" in text
    assert "(Từ ngày 01/03/2026 đến ngày 31/03/2026)" in text
    assert marked.a.name in text and marked.b.name in text
    assert "Tổng cộng 1.202" in text  # the total, written as Vietnamese numbers are


@pytest.mark.parametrize("kind", ["xlsx", "pdf"])
def test_a_malformed_period_gets_400_for_every_format(client, kind):
    response = client.get(f"/leaderboard.{kind}?from=2026-03-31&to=2026-03-01")
    assert response.status_code == 400
