"""A reorganisation file read: dated renames and merges, one a line, refused with its line.

The file's columns (a header names them, in any order): effective_on (YYYY-MM-DD), event
(rename or merge), organisation (as it is called that day, after the file's earlier events),
result (the new name, or the organisation it is merged into), basis (the legal text) and
certainty; basis and certainty are kept for the audit.
"""

import csv
import io
import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _

from portal.rules import PortalError

COLUMNS = ("effective_on", "event", "organisation", "result", "basis", "certainty")
REQUIRED = ("effective_on", "event", "organisation", "result")
KINDS = ("rename", "merge")
MAX_NAME = 255  # Organisation.name
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class ReorganisationError(PortalError):
    """A reorganisation file refused before anything changed: the line and the reason."""

    def __init__(self, line: int, reason: str):
        super().__init__(_("line %(line)s: %(reason)s", line=line, reason=reason))
        self.line = line
        self.reason = reason


@dataclass(frozen=True)
class Event:
    """One line of the file: line is 1-based, the header being line 1."""

    line: int
    effective_on: date
    kind: str  # rename, merge
    organisation: str
    result: str
    basis: str = ""
    certainty: str = ""


def decode(data: bytes) -> str:
    """A file's bytes as text: UTF-8, with or without its byte-order mark."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[:error.start].count(b"\n") + 1
        raise ReorganisationError(line, _("The file is not UTF-8 text.")) from error


def clean(text: str) -> str:
    """A name as compared: NFC (a file typed elsewhere may decompose its accents), spaces
    collapsed."""
    return " ".join(unicodedata.normalize("NFC", text).split())


def read_events(text: str) -> list[Event]:
    """The file's events in file order; ReorganisationError for the first malformed line."""
    reader = csv.reader(io.StringIO(text.removeprefix("\ufeff")))
    try:
        header = next(reader, None)
        if header is None:
            raise ReorganisationError(1, _("The file is empty."))
        columns = _columns(header)
        events, start = [], reader.line_num + 1
        for row in reader:
            if any(field.strip() for field in row):
                events.append(_event(start, row, columns))
            start = reader.line_num + 1
    except csv.Error as error:
        raise ReorganisationError(reader.line_num or 1,
                                  _("The line cannot be read as CSV (%(error)s).",
                                    error=error)) from error
    if not events:
        raise ReorganisationError(1, _("The file lists no event."))
    return events


def _columns(header: list[str]) -> dict[str, int]:
    """Where each column is; basis and certainty may be left out (they are only recorded)."""
    names = [name.strip().lower() for name in header]
    unknown = [name for name in names if name not in COLUMNS]
    missing = [name for name in REQUIRED if name not in names]
    if unknown or missing or len(set(names)) != len(names):
        raise ReorganisationError(1, _(
            "The first line must name the columns %(columns)s.", columns=",".join(COLUMNS)))
    return {name: names.index(name) for name in COLUMNS if name in names}


def _event(line: int, row: list[str], columns: dict[str, int]) -> Event:
    if len(row) != len(columns):
        raise ReorganisationError(line, _("%(n)s fields instead of %(expected)s.", n=len(row),
                                          expected=len(columns)))
    fields = {name: clean(row[index]) for name, index in columns.items()}
    for name in REQUIRED:
        if not fields[name]:
            raise ReorganisationError(line, _("The field %(field)s is empty.", field=name))
    for name in ("organisation", "result"):
        if len(fields[name]) > MAX_NAME:
            raise ReorganisationError(line, _("The field %(field)s is longer than %(n)s "
                                              "characters.", field=name, n=MAX_NAME))
    kind = fields["event"].lower()
    if kind not in KINDS:
        raise ReorganisationError(line, _("Unknown event %(kind)s: write rename or merge.",
                                          kind=fields["event"]))
    return Event(line=line, effective_on=_date(line, fields["effective_on"]), kind=kind,
                 organisation=fields["organisation"], result=fields["result"],
                 basis=fields.get("basis", ""), certainty=fields.get("certainty", ""))


def _date(line: int, text: str) -> date:
    try:
        if _ISO_DATE.match(text):
            return date.fromisoformat(text)
    except ValueError:
        pass
    raise ReorganisationError(line, _("%(value)s is not a date (YYYY-MM-DD).", value=text))
