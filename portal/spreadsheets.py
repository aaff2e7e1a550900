"""Cells of the CSV and XLSX files the portal makes, so that no text becomes a formula.

Names, subjects, notes and notations come from people; a spreadsheet program reads a cell
that begins with = + - @, a tab or a carriage return as a formula, which can fetch
addresses or start programs (`=HYPERLINK(...)`, DDE). Such text is written with a
single quote before it, as OWASP advises for CSV injection; numbers stay numbers (a negative
figure is not text). In XLSX every text cell is also written as a string, never as a
formula: openpyxl makes a formula of any string that starts with "=".

A CSV file is UTF-8 with a byte-order mark: without it Excel reads the bytes in the machine's
code page and garbles every Vietnamese letter. Its first row is the columns' stable keys, or
their Vietnamese headings when the person asks for them (?lang=vi).
"""

import csv
import io
from collections.abc import Iterable, Mapping, Sequence

BYTE_ORDER_MARK = "\ufeff"

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """The value to write: text that would start a formula gets a quote before it."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def safe_row(values: Iterable) -> list:
    """A CSV row of safe cells."""
    return [safe_cell(value) for value in values]


def put_cell(sheet, row: int, column: int, value):
    """Write a safe cell into an openpyxl sheet and return it; text is typed as a string."""
    cell = sheet.cell(row, column)
    cell.value = safe_cell(value)
    if isinstance(cell.value, str):
        cell.data_type = "s"
    return cell


def csv_file(keys: Sequence[str], rows: Iterable[Iterable],
             headings: Mapping[str, str] | None = None) -> bytes:
    """A CSV file of safe cells, headed by the keys or, given them, by their headings."""
    out = io.StringIO()
    out.write(BYTE_ORDER_MARK)
    writer = csv.writer(out)
    writer.writerow([headings[key] for key in keys] if headings else keys)
    writer.writerows(safe_row(row) for row in rows)
    return out.getvalue().encode("utf-8")


def headings_wanted(args: Mapping[str, str]) -> bool:
    """Whether the query string asks for Vietnamese column headings (?lang=vi)."""
    return args.get("lang") == "vi"
