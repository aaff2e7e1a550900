"""edXML's names and how its dates and moments are written: one place for writer and reader."""

import re
from datetime import date, datetime

from portal.clock import LOCAL_TZ
from portal.interop.edxml.model import NAMESPACE

PREFIX = "edXML"
XLINK = "http://www.w3.org/1999/xlink"
XMLDSIG = "http://www.w3.org/2000/09/xmldsig#"
SHA256 = "http://www.w3.org/2001/04/xmlenc#sha256"

DATE_FORMAT = "%Y/%m/%d"
MOMENT_FORMAT = "%Y/%m/%d %H:%M:%S"
_DATE = re.compile(r"(\d{4})([/-])(\d{1,2})\2(\d{1,2})")
_MOMENT = re.compile(r"(\d{4})([/-])(\d{1,2})\2(\d{1,2})[ T](\d{1,2}):(\d{2})(?::(\d{2}))?")


def q(name: str) -> str:
    """An element's name in the edXML namespace (Clark notation)."""
    return f"{{{NAMESPACE}}}{name}"


def format_date(day: date) -> str:
    return day.strftime(DATE_FORMAT)


def format_moment(moment: datetime) -> str:
    """In Vietnam's time, as the standard writes moments (no zone)."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(LOCAL_TZ)
    return moment.strftime(MOMENT_FORMAT)


def parse_date(text: str) -> tuple[date, bool] | None:
    """The day written, and whether it was written with dashes (yyyy-MM-dd, not the
    standard's yyyy/MM/dd); None when it is not a date."""
    found = _DATE.fullmatch(text.strip())
    if not found:
        return None
    try:
        day = date(int(found[1]), int(found[3]), int(found[4]))
    except ValueError:
        return None
    return day, found[2] == "-"


def parse_moment(text: str) -> tuple[datetime, bool] | None:
    """The moment written (read in Vietnam's time), and whether it used dashes."""
    found = _MOMENT.fullmatch(text.strip())
    if not found:
        return None
    try:
        moment = datetime(int(found[1]), int(found[3]), int(found[4]), int(found[5]),
                          int(found[6]), int(found[7] or 0), tzinfo=LOCAL_TZ)
    except ValueError:
        return None
    return moment, found[2] == "-"
