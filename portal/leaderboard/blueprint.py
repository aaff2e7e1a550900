"""The leaderboard's blueprint and the period every one of its pages reads from the query
string (from/to dates, or a preset)."""

from flask import Blueprint
from flask_babel import gettext as _

from portal.bounds import OutOfBounds, parse_day
from portal.leaderboard.services import Period
from portal.rules import PortalError

bp = Blueprint("leaderboard", __name__)


class PeriodError(PortalError):
    pass


def period_from(args) -> Period:
    """The period the query string asks for: from/to dates, or a preset; this year by default."""
    if args.get("from") or args.get("to"):
        if not (args.get("from") and args.get("to")):
            raise PeriodError(_("Give both dates as YYYY-MM-DD."))
        try:
            first, last = parse_day(args["from"]), parse_day(args["to"])
        except OutOfBounds as error:
            raise PeriodError(str(error)) from None
        if first > last:
            raise PeriodError(_("The first day comes after the last day."))
        return Period(first, last)
    return Period.preset(args.get("preset", "year"))


def period_or_this_year(args) -> tuple[Period, str | None]:
    """(period, error): on a malformed period, this year and the message."""
    try:
        return period_from(args), None
    except PeriodError as problem:
        return Period.preset("year"), str(problem)
