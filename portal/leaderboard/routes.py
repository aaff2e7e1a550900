"""The leaderboard's pages: the reviewers' table, the public page and the public CSV."""

from datetime import date

from flask import Blueprint, Response, abort, render_template, request
from flask_babel import gettext as _
from flask_login import login_required

from portal.leaderboard import exports
from portal.leaderboard.services import (
    APPENDIX_COLUMNS,
    DEFAULT_SORT,
    PRESETS,
    Period,
    leaderboard,
)

bp = Blueprint("leaderboard", __name__)

PUBLIC_MAX_AGE = 60  # seconds a browser or proxy may keep the public page and CSV


class PeriodError(ValueError):
    pass


def period_from(args) -> Period:
    """The period the query string asks for: from/to dates, or a preset; this year by default."""
    if args.get("from") or args.get("to"):
        try:
            first = date.fromisoformat(args.get("from", ""))
            last = date.fromisoformat(args.get("to", ""))
        except ValueError:
            raise PeriodError(_("Give both dates as YYYY-MM-DD.")) from None
        if first > last:
            raise PeriodError(_("The first day comes after the last day."))
        return Period(first, last)
    return Period.preset(args.get("preset", "year"))


def _board_from(args):
    """(leaderboard, error): on a malformed period, this year's table and the message."""
    sort = args.get("sort", DEFAULT_SORT)
    descending = args.get("dir", "desc") != "asc"
    try:
        period, error = period_from(args), None
    except PeriodError as problem:
        period, error = Period.preset("year"), str(problem)
    return leaderboard(period, sort=sort, descending=descending), error


def _render_board(page: str, *, public: bool) -> str:
    """The page for the query string's period and order, or only its table for htmx."""
    board, error = _board_from(request.args)
    template = "leaderboard/_table.html" if request.htmx else page
    return render_template(template, board=board, error=error, presets=PRESETS,
                           appendix_columns=APPENDIX_COLUMNS, public=public)


def _cacheable(response: Response) -> Response:
    response.cache_control.public = True
    response.cache_control.max_age = PUBLIC_MAX_AGE
    return response


@bp.get("/oversight/")
@login_required
def index():
    """The appendix table, live: any period, sortable, with the rates flagged."""
    return _render_board("leaderboard/index.html", public=False)


@bp.get("/leaderboard")
def public():
    """The public page: the departments' aggregates, never a document."""
    return _cacheable(Response(_render_board("leaderboard/public.html", public=True)))


@bp.get("/leaderboard.csv")
def public_csv():
    """One row per department, the columns named as in the 2019 appendix's checked data."""
    try:
        period = period_from(request.args)
    except PeriodError as problem:
        abort(Response(str(problem) + "\n", status=400, mimetype="text/plain"))
    board = leaderboard(period)
    name = f"leaderboard-{period.first.isoformat()}-{period.last.isoformat()}.csv"
    return _cacheable(Response(exports.appendix_csv(board), mimetype="text/csv",
                               headers={"Content-Disposition":
                                        f'attachment; filename="{name}"'}))
