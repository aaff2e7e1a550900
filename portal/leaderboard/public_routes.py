"""The public page and the public files (CSV, XLSX, PDF): the departments' aggregates, never a
document, kept a minute by this worker, browsers and proxies."""

from flask import Response, abort, request, session
from flask_babel import get_locale
from flask_login import current_user

from portal.extensions import cache
from portal.leaderboard import exports
from portal.leaderboard.blueprint import PeriodError, bp, period_from
from portal.leaderboard.board_routes import render_board
from portal.leaderboard.services import Period, leaderboard
from portal.spreadsheets import headings_wanted

PUBLIC_MAX_AGE = 60  # seconds a browser or proxy may keep the public page and CSV


def _public(make_response) -> Response:
    """A public page or file: kept for PUBLIC_MAX_AGE seconds in this worker (per address,
    language and htmx request) and by browsers and proxies.

    Only what an anonymous visitor sees is shared: a signed-in person's page carries their
    name and form tokens, and a pending flash message is one person's, so those are made
    fresh and marked for nobody to keep. A decision that changes what the page shows clears
    this worker's cache (`services.forget_public_pages`); other workers catch up within the
    minute."""
    personal = current_user.is_authenticated or bool(session.get("_flashes"))
    key = f"public:{get_locale()}:{bool(request.htmx)}:{request.full_path}"
    kept = None if personal else cache.get(key)
    if kept is None:
        response = make_response()
        kept = (response.get_data(), response.mimetype, response.headers.get_all(
            "Content-Disposition"))
        if not personal and response.status_code == 200:
            cache.set(key, kept, timeout=PUBLIC_MAX_AGE)
    body, mimetype, disposition = kept
    response = Response(body, mimetype=mimetype,
                        headers=[("Content-Disposition", d) for d in disposition])
    if personal:
        response.cache_control.private = response.cache_control.no_store = True
    else:
        response.cache_control.public = True
        response.cache_control.max_age = PUBLIC_MAX_AGE
    return response


def _period_or_400(args) -> Period:
    try:
        return period_from(args)
    except PeriodError as problem:
        abort(Response(str(problem) + "\n", status=400, mimetype="text/plain"))


@bp.get("/leaderboard")
def public():
    """The public page: the departments' aggregates, never a document."""
    return _public(lambda: Response(render_board("leaderboard/public.html", public=True)))


EXPORTS = {
    "csv": (lambda board: exports.appendix_csv(board, headings_wanted(request.args)),
            "text/csv"),
    "xlsx": (exports.appendix_xlsx,
             "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "pdf": (exports.appendix_pdf, "application/pdf"),
}


@bp.get("/leaderboard.<any(csv, xlsx, pdf):kind>")
def export(kind):
    """The period's table as a file, public like the page. The CSV has one row per
    department, the columns named as in the 2019 appendix's checked data; the XLSX and PDF
    have the appendix's layout. ?lang=vi heads the CSV with the appendix's headings."""
    period = _period_or_400(request.args)
    write, mimetype = EXPORTS[kind]
    name = f"leaderboard-{period.first.isoformat()}-{period.last.isoformat()}.{kind}"
    return _public(lambda: Response(write(leaderboard(period)), mimetype=mimetype,
                                    headers={"Content-Disposition":
                                             f'attachment; filename="{name}"'}))
