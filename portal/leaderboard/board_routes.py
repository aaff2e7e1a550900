"""The reviewers' table: the appendix for any period, sortable, with the rates flagged (the
public page shows the same table, see public_routes)."""

from flask import render_template, request
from flask_login import current_user, login_required

from portal import policy
from portal.leaderboard import assessments, charts
from portal.leaderboard.blueprint import bp, period_or_this_year
from portal.leaderboard.services import APPENDIX_COLUMNS, DEFAULT_SORT, PRESETS, leaderboard


def _board_from(args):
    """(leaderboard, error): on a malformed period, this year's table and the message."""
    sort = args.get("sort", DEFAULT_SORT)
    descending = args.get("dir", "desc") != "asc"
    period, error = period_or_this_year(args)
    return leaderboard(period, sort=sort, descending=descending), error


def render_board(page: str, *, public: bool) -> str:
    """The page for the query string's period and order, or only its table for htmx."""
    board, error = _board_from(request.args)
    template = "leaderboard/_table.html" if request.htmx else page
    published = assessments.assessments_overlapping(board.period)
    return render_template(template, board=board, error=error, presets=PRESETS,
                           appendix_columns=APPENDIX_COLUMNS, public=public,
                           published=published, links=_drilldown_links(public),
                           assessed_names=assessments.names_in_their_periods(published),
                           rates=charts.rates_chart(board),
                           kind_labels=assessments.KIND_LABELS)


def _drilldown_links(public: bool) -> set[int] | bool:
    """Which rows link to their department's record: all for overseers, one's own for a
    department, none on the public page."""
    if public or not current_user.is_authenticated:
        return set()
    return True if policy.can_oversee(current_user) else {current_user.organisation_id}


@bp.get("/oversight/")
@login_required
def index():
    """The appendix table, live: any period, sortable, with the rates flagged."""
    return render_board("leaderboard/index.html", public=False)
