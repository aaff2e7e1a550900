"""No text from people becomes a formula in the CSV and XLSX files the portal makes; numbers
stay numbers. Each file is read back as a spreadsheet program's importer would read it."""

import csv
import io

import pytest
from openpyxl import Workbook, load_workbook

from portal.spreadsheets import put_cell, safe_cell, safe_row
from tests.deliveries.conftest import Exchange
from tests.leaderboard.conftest import Records

HOSTILE = ['=HYPERLINK("http://x","y")', "+1+1", "-2", "@SUM(A1)", "\t=1+1", "\r=1+1",
           "=cmd|' /C calc'!A0"]
NAMES = [text for text in HOSTILE if text == text.strip()]  # organisations' names are stripped
QUERY = "from=2026-03-01&to=2026-03-31"


@pytest.mark.parametrize("text", HOSTILE)
def test_text_that_starts_a_formula_gets_a_quote(text):
    assert safe_cell(text) == "'" + text


@pytest.mark.parametrize("value", ["Sở TN&MT An Giang", "12/BTNMT-VP", " =1", "a=b", "", -2,
                                   -2.5, 0, None])
def test_other_text_and_every_number_stay_as_they_are(value):
    assert safe_cell(value) == value


def test_a_csv_row_keeps_its_numbers_and_quotes_its_text():
    out = io.StringIO()
    csv.writer(out).writerow(safe_row([-2, "-2", 3, "=1+1"]))
    assert next(csv.reader(io.StringIO(out.getvalue()))) == ["-2", "'-2", "3", "'=1+1"]


def test_an_xlsx_cell_is_text_or_number_never_a_formula():
    sheet = Workbook().active
    cells = [put_cell(sheet, 1, column, value)
             for column, value in enumerate(["=1+1", "=A2", -2, "Sở"], start=1)]
    assert [c.data_type for c in cells] == ["s", "s", "n", "s"]
    out = io.BytesIO()
    sheet.parent.save(out)
    read = load_workbook(io.BytesIO(out.getvalue())).active
    assert [c.value for c in read[1]] == ["'=1+1", "'=A2", -2, "Sở"]
    assert [c.data_type for c in read[1]] == ["s", "s", "n", "s"]


@pytest.fixture
def hostile_departments(make):
    records = Records(make)
    for number, name in enumerate(NAMES, start=1):
        make.organisation(code=f"X{number}", name=name)
    return records


def test_the_leaderboard_csv_neutralises_department_names(client, hostile_departments):
    response = client.get(f"/leaderboard.csv?{QUERY}")
    rows = list(csv.DictReader(io.StringIO(response.data.decode("utf-8-sig"))))
    names = {row["department"] for row in rows}
    assert {"'" + name for name in NAMES} <= names
    assert not any(name.startswith(("=", "+", "-", "@", "\t", "\r")) for name in names)
    assert all(row["stt"].isdigit() for row in rows)  # figures are written as numbers


def test_the_leaderboard_xlsx_neutralises_department_names(client, hostile_departments):
    response = client.get(f"/leaderboard.xlsx?{QUERY}")
    sheet = load_workbook(io.BytesIO(response.data)).active
    names = [cell for cell in sheet["B"][7:] if cell.value != "Tổng cộng"]
    assert {"'" + name for name in NAMES} <= {cell.value for cell in names}
    assert all(cell.data_type == "s" for cell in names)  # not one formula
    assert all(isinstance(sheet.cell(cell.row, 3).value, int) for cell in names)


def test_the_tracking_csv_neutralises_recipients_and_names_itself_safely(client, auth, make):
    exchange = Exchange(make)
    hostile = [make.organisation(code=f"X{n}", name=name) for n, name in enumerate(NAMES)]
    document = make.document(exchange.ministry_clerk, hostile, doc_type="quyet_dinh")
    auth.login(exchange.ministry_clerk.email)
    response = client.get(f"/documents/{document.id}/recipients.csv")
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert sorted(row["recipient"] for row in rows) == sorted("'" + name for name in NAMES)
    assert {row["document"] for row in rows} == {document.notation}  # 3/QĐ-BTNMT-VP: a digit
    header = response.headers["Content-Disposition"]
    header.encode("latin-1")  # a raw "QĐ" here cannot travel in an HTTP header
    assert header.startswith(f'attachment; filename="{document.number}_QD-BTNMT-VP-all.csv"; '
                             f"filename*=UTF-8''{document.number}_Q%C4%90-BTNMT-VP-all.csv")
