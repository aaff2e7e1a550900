"""The ranges a number or a date from a request must lie in before the portal uses it.

Ids are PostgreSQL `integer` columns: beyond 2^31 - 1 the database refuses the query itself
(SQLite's limit is 2^63 - 1), so a larger id in a path is no such page and in a query string a
bad parameter. Dates are those an official record can mean: outside 1900..2100 date
arithmetic overflows (a deadline counted from 9999-12-30) and nobody meant them anyway. A reply
deadline is nearer still: at most two years ahead.
"""

import re
from datetime import date

from flask_babel import gettext as _
from werkzeug.routing import IntegerConverter

from portal.rules import PortalError

MAX_ID = 2**31 - 1
FIRST_DAY = date(1900, 1, 1)
LAST_DAY = date(2100, 12, 31)
DEADLINE_YEARS_AHEAD = 2
_DIGITS = re.compile(r"[0-9]{1,10}")


class OutOfBounds(PortalError):
    """A number or date the portal cannot mean; the message says which range it must be in."""


class IdConverter(IntegerConverter):
    """Flask's `int` converter, for ids: a path id outside 1..MAX_ID matches no route (404)."""

    def __init__(self, map, fixed_digits=0, min=1, max=MAX_ID, signed=False):  # noqa: A002
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def parse_id(text) -> int:
    """An id (or a page number) from a query string or form: 1..MAX_ID, else OutOfBounds."""
    value = int(text) if isinstance(text, str) and _DIGITS.fullmatch(text) else 0
    if not 1 <= value <= MAX_ID:
        raise OutOfBounds(_("Give a whole number between 1 and %(most)s.", most=MAX_ID))
    return value


def check_day(day: date) -> date:
    """The day itself when it lies within FIRST_DAY..LAST_DAY; else OutOfBounds."""
    if not FIRST_DAY <= day <= LAST_DAY:
        raise OutOfBounds(_("The date must lie between %(first)s and %(last)s.",
                            first=FIRST_DAY.strftime("%d/%m/%Y"),
                            last=LAST_DAY.strftime("%d/%m/%Y")))
    return day


def parse_day(text) -> date:
    """A day written YYYY-MM-DD, within FIRST_DAY..LAST_DAY; else OutOfBounds."""
    try:
        day = date.fromisoformat(text) if isinstance(text, str) and len(text) == 10 else None
    except ValueError:
        day = None
    if day is None:
        raise OutOfBounds(_("Give the date as YYYY-MM-DD."))
    return check_day(day)


def latest_deadline(today: date) -> date:
    """The last day a reply may be asked for: the same day DEADLINE_YEARS_AHEAD years on."""
    year = today.year + DEADLINE_YEARS_AHEAD
    return date(year, 3, 1) if (today.month, today.day) == (2, 29) else today.replace(year=year)
