"""A department's record behind its row (the documents counted, the deadlines, the trend)
and the assessments of it: recorded by reviewers, published or withdrawn by a leader."""

from flask import abort, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from portal import policy
from portal.bounds import parse_id
from portal.clock import local_today
from portal.documents.forms import ActionForm
from portal.extensions import db
from portal.leaderboard import assessments, charts, drilldown
from portal.leaderboard.blueprint import bp, period_or_this_year
from portal.leaderboard.forms import AssessmentForm, WithdrawForm
from portal.leaderboard.models import Assessment, AssessmentState
from portal.leaderboard.services import APPENDIX_COLUMNS, Period, leaderboard, row_of
from portal.leaderboard.standing import Predecessor, last_name_of, last_period_stood
from portal.organisations.models import Organisation, OrganisationKind
from portal.web import take_step


def _department_or_404(organisation_id) -> Organisation:
    organisation = policy.visible_or_404(Organisation, organisation_id,
                                         policy.can_view_department_record)
    if organisation.kind != OrganisationKind.DEPARTMENT:
        abort(404)
    return organisation


def _cursor(name: str) -> int | None:
    """Where a list's page starts (the id of the row before it); anything else: the first."""
    return request.args.get(name, None, type=parse_id)


@bp.get("/oversight/departments/<int:organisation_id>")
@login_required
def department(organisation_id):
    """One department's row for the period, the documents behind it, and its assessments."""
    organisation = _department_or_404(organisation_id)
    period, error = period_or_this_year(request.args)
    board = leaderboard(period)
    place = row_of(board, organisation)
    if place is None:
        return _merged_department(organisation, period, error, board)
    rank, row = place
    ids = board.ids_counted_as(organisation)
    sent = drilldown.sent_to_ministry(ids, period, _cursor("sent_after"),
                                      total=row["total_sent"])
    overseer = policy.can_oversee(current_user)
    form = AssessmentForm(first=period.first, last=period.last)
    return render_template(
        "leaderboard/department.html", organisation=organisation, period=period, error=error,
        rank=rank, count=len(board.rows), row=row, appendix_columns=APPENDIX_COLUMNS,
        name=row.name, predecessors=_with_last_periods(row.predecessors),
        trend=charts.trend_chart(board, organisation),
        own=organisation.id == current_user.organisation_id,
        received=drilldown.received_from_ministry(ids, period, _cursor("received_after"),
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


def _with_last_periods(predecessors: list[Predecessor]) -> list[tuple[Predecessor, Period]]:
    """Each department folded into the row, with the last period it stood (its record)."""
    return [(p, Period(*last_period_stood(p.organisation))) for p in predecessors]


def _merged_department(organisation, period, error, board):
    """The page of a department merged by the period's last day: where its figures are."""
    carrier = board.standing.carrier_of(organisation)
    successor = organisation.successor
    return render_template(
        "leaderboard/department_merged.html", organisation=organisation, period=period,
        error=error, name=last_name_of(organisation),
        successor_name=successor.name_on(organisation.merged_on),
        carrier=carrier, carrier_name=board.standing.names.get(carrier.id, carrier.name),
        last_stood=Period(*last_period_stood(organisation)),
        assessments=assessments.assessments_of(
            organisation, published_only=not policy.can_oversee(current_user)),
        kind_labels=assessments.KIND_LABELS, state_labels=assessments.STATE_LABELS)


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
    found = list(db.session.scalars(query))
    return render_template("leaderboard/assessments.html", assessments=found, state=state,
                           assessed_names=assessments.names_in_their_periods(found),
                           kind_labels=assessments.KIND_LABELS,
                           state_labels=assessments.STATE_LABELS)
