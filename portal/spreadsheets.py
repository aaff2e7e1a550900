"""Cells of the CSV and XLSX files the portal makes, so that no text becomes a formula.

Names, subjects, notes and notations come from people; a spreadsheet program reads a cell
that begins with = + - @, a tab or a carriage return as a formula, which can fetch
addresses or start programs (`=HYPERLINK(...)`, DDE). Such text is written with a
single quote before it, as OWASP advises for CSV injection; numbers stay numbers (a negative
figure is not text). In XLSX every text cell is also written as a string, never as a
formula: openpyxl makes a formula of any string that starts with "=".
"""

from collections.abc import Iterable

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
