"""The leaderboard's pages: the reviewers' table, a department's record behind its row,
assessments, the oversight letter, the thresholds, the public page and the public CSV."""

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from portal import policy
from portal.bounds import OutOfBounds, parse_day, parse_id
from portal.clock import local_today
from portal.documents.forms import ActionForm
from portal.extensions import cache, db
from portal.leaderboard import assessments, charts, drilldown, exports
from portal.leaderboard.forms import AssessmentForm, PeriodFields, ThresholdsForm, WithdrawForm
from portal.leaderboard.letter import draft_oversight_letter
from portal.leaderboard.models import Assessment, AssessmentState
from portal.leaderboard.services import (
    APPENDIX_COLUMNS,
    DEFAULT_SORT,
    PRESETS,
    Period,
    change_thresholds,
    leaderboard,
    row_of,
    settings,
)
from portal.organisations.models import Organisation, OrganisationKind
from portal.rules import PortalError
from portal.spreadsheets import headings_wanted
from portal.transaction import action
from portal.web import take_step

bp = Blueprint("leaderboard", __name__)

PUBLIC_MAX_AGE = 60  # seconds a browser or proxy may keep the public page and CSV


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


def _period_or_this_year(args) -> tuple[Period, str | None]:
    """(period, error): on a malformed period, this year and the message."""
    try:
        return period_from(args), None
    except PeriodError as problem:
        return Period.preset("year"), str(problem)


def _board_from(args):
    """(leaderboard, error): on a malformed period, this year's table and the message."""
    sort = args.get("sort", DEFAULT_SORT)
    descending = args.get("dir", "desc") != "asc"
    period, error = _period_or_this_year(args)
    return leaderboard(period, sort=sort, descending=descending), error


def _render_board(page: str, *, public: bool) -> str:
    """The page for the query string's period and order, or only its table for htmx."""
    board, error = _board_from(request.args)
    template = "leaderboard/_table.html" if request.htmx else page
    published = assessments.assessments_overlapping(board.period)
    return render_template(template, board=board, error=error, presets=PRESETS,
                           appendix_columns=APPENDIX_COLUMNS, public=public,
                           published=published, links=_drilldown_links(public),
                           rates=charts.rates_chart(board),
                           kind_labels=assessments.KIND_LABELS)


def _drilldown_links(public: bool) -> set[int] | bool:
    """Which rows link to their department's record: all for overseers, one's own for a
    department, none on the public page."""
    if public or not current_user.is_authenticated:
        return set()
    return True if policy.can_oversee(current_user) else {current_user.organisation_id}


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


@bp.get("/oversight/")
@login_required
def index():
    """The appendix table, live: any period, sortable, with the rates flagged."""
    return _render_board("leaderboard/index.html", public=False)


@bp.get("/leaderboard")
def public():
    """The public page: the departments' aggregates, never a document."""
    return _public(lambda: Response(_render_board("leaderboard/public.html", public=True)))


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


def _department_or_404(organisation_id) -> Organisation:
    organisation = policy.visible_or_404(Organisation, organisation_id,
                                         policy.can_view_department_record)
    if organisation.kind != OrganisationKind.DEPARTMENT:
        abort(404)
    return organisation


def _page_number(name: str) -> int:
    return request.args.get(name, 1, type=parse_id)


@bp.get("/oversight/departments/<int:organisation_id>")
@login_required
def department(organisation_id):
    """One department's row for the period, the documents behind it, and its assessments."""
    organisation = _department_or_404(organisation_id)
    period, error = _period_or_this_year(request.args)
    board = leaderboard(period)
    rank, row = row_of(board, organisation)
    ids = board.ids_counted_as(organisation)
    sent = drilldown.sent_to_ministry(ids, period, _page_number("sent_page"))
    overseer = policy.can_oversee(current_user)
    form = AssessmentForm(first=period.first, last=period.last)
    return render_template(
        "leaderboard/department.html", organisation=organisation, period=period, error=error,
        rank=rank, count=len(board.rows), row=row, appendix_columns=APPENDIX_COLUMNS,
        trend=charts.trend_chart(board, organisation),
        own=organisation.id == current_user.organisation_id,
        received=drilldown.received_from_ministry(ids, period, _page_number("received_page"),
                                                  total=row["total_received"]),
        sent=sent, channels=drilldown.channels_of(sent.items), today=local_today(),
        verdict=drilldown.deadline_verdict, verdict_labels=drilldown.VERDICT_LABELS,
        channel_labels=drilldown.CHANNEL_LABELS,
        assessments=assessments.assessments_of(organisation, published_only=not overseer),
        assessment_form=form if policy.can_assess(current_user) else None,
        action_form=ActionForm(), withdraw_form=WithdrawForm(),
        can_decide=policy.can_decide_assessments(current_user),
        kind_labels=assessments.KIND_LABELS, state_labels=assessments.STATE_LABELS,
        style_labels=assessments.APPENDIX_STYLES)


@bp.post("/oversight/departments/<int:organisation_id>/assessments")
@login_required
@policy.permission_required(policy.can_assess)
def assess(organisation_id):
    """Record a commendation or criticism, with the row's figures as evidence."""
    organisation = _department_or_404(organisation_id)
    form = AssessmentForm()
    period = (Period(form.first.data, form.last.data)
              if form.first.data and form.last.data else Period.preset("year"))
    back = url_for(".department", organisation_id=organisation.id,
                   **{"from": period.first.isoformat(), "to": period.last.isoformat()})
    return take_step(
        form, lambda: assessments.record_assessment(
            organisation, period, kind=form.kind.data, note=form.note.data, actor=current_user,
            appendix_style=form.appendix_style.data),
        _("Assessment recorded as a draft; a ministry leader publishes it."),
        # A form with errors comes back to the top of the page, where the form is.
        back=lambda outcome: back if form.errors else back + "#assessments")


def _assessment_or_404(assessment_id) -> Assessment:
    return policy.visible_or_404(Assessment, assessment_id,
                                 lambda user, _assessment: policy.can_oversee(user))


def _back_to(assessment: Assessment) -> str:
    return url_for(".department", organisation_id=assessment.organisation_id,
                   **{"from": assessment.period_first.isoformat(),
                      "to": assessment.period_last.isoformat()}, _anchor="assessments")


def _decide(assessment_id, form, invalid: str, decide, done: str):
    """A leader's decision on an assessment, then back to the department's page."""
    assessment = _assessment_or_404(assessment_id)
    return take_step(form, lambda: decide(assessment), done, back=_back_to(assessment),
                     invalid=invalid)


@bp.post("/oversight/assessments/<int:assessment_id>/publish")
@login_required
def publish_assessment(assessment_id):
    return _decide(assessment_id, ActionForm(),
                   _("The form expired. Reload the page and try again."),
                   lambda a: assessments.publish_assessment(a, actor=current_user),
                   _("Published: the department and the public page show it."))


@bp.post("/oversight/assessments/<int:assessment_id>/withdraw")
@login_required
def withdraw_assessment(assessment_id):
    form = WithdrawForm()
    return _decide(assessment_id, form, _("Say why the assessment is withdrawn."),
                   lambda a: assessments.withdraw_assessment(a, actor=current_user,
                                                             reason=form.reason.data),
                   _("Withdrawn."))


@bp.get("/oversight/assessments/")
@login_required
@policy.permission_required(policy.can_oversee)
def assessment_list():
    """Every assessment, drafts waiting for a leader first."""
    state = request.args.get("state", "")
    query = select(Assessment).order_by(
        (Assessment.state != AssessmentState.DRAFT), Assessment.created_at.desc()).limit(500)
    if state in assessments.STATE_LABELS:
        query = query.where(Assessment.state == state)
    return render_template("leaderboard/assessments.html",
                           assessments=list(db.session.scalars(query)), state=state,
                           kind_labels=assessments.KIND_LABELS,
                           state_labels=assessments.STATE_LABELS)


@bp.post("/oversight/letter")
@login_required
@policy.permission_required(policy.can_draft_oversight_letter)
def draft_letter():
    """Draft the oversight letter for the period; the drafter then edits it as any draft."""
    form = PeriodFields()
    if not form.validate_on_submit() or form.first.data > form.last.data:
        flash(_("The form expired. Reload the page and try again."), "error")
        return redirect(url_for(".index"))
    try:
        with action():
            letter = draft_oversight_letter(Period(form.first.data, form.last.data),
                                            actor=current_user)
    except PortalError as error:
        flash(str(error), "error")
        return redirect(url_for(".index"))
    flash(_("The oversight letter is drafted with the period's table as its appendix. "
            "Read it, change what you need, then send it for signing."), "info")
    return redirect(url_for("documents.edit", document_id=letter.id))


@bp.route("/oversight/settings", methods=["GET", "POST"])
@login_required
@policy.permission_required(policy.can_manage_oversight_settings)
def thresholds():
    """The rates above which a department is flagged."""
    form = ThresholdsForm(obj=settings())
    if form.validate_on_submit():
        with action():
            change_thresholds(overdue=form.overdue_threshold_percent.data,
                              unsigned=form.unsigned_threshold_percent.data, actor=current_user)
        flash(_("Thresholds saved."), "info")
        return redirect(url_for(".thresholds"))
    return render_template("leaderboard/settings.html", form=form), (
        400 if request.method == "POST" else 200)
