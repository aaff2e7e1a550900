from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required

from portal import policy
from portal.calendar import services
from portal.calendar.forms import OVERRIDE_KIND_LABELS, DueDateQueryForm, OverrideForm
from portal.calendar.models import CalendarOverride
from portal.clock import local_today
from portal.documents.forms import ActionForm
from portal.extensions import db
from portal.web import attempt, take_step

bp = Blueprint("calendar", __name__, url_prefix="/calendar")


@bp.route("/", methods=["GET", "POST"])
@login_required
@policy.permission_required(policy.can_manage_calendar)
def index():
    """The working-day calendar: the administrators' overrides and the coming holidays."""
    form = OverrideForm()
    if request.method == "POST":
        outcome = attempt(form, lambda: services.add_override(
            day=form.day.data, kind=form.kind.data, reason=form.reason.data, actor=current_user))
        if outcome.done:
            flash(_("Calendar updated; open deadlines counted in working days were "
                    "recomputed."), "info")
            return redirect(url_for(".index"))
        if not form.errors:  # refused by the calendar's rules: said beside the day
            form.day.errors.append(outcome.error)
    status = 400 if request.method == "POST" else 200
    calendar = services.WorkingCalendar(language=str(get_locale()))
    coming = services.coming_days_off(calendar, local_today())
    return render_template("calendar/index.html", form=form, overrides=services.list_overrides(),
                           kind_labels=OVERRIDE_KIND_LABELS, coming=coming), status


@bp.post("/overrides/<int:override_id>/delete")
@login_required
@policy.permission_required(policy.can_manage_calendar)
def delete_override(override_id):
    """Withdraw an override."""
    override = db.get_or_404(CalendarOverride, override_id)
    return take_step(ActionForm(), lambda: services.remove_override(override, actor=current_user),
                     _("Override withdrawn; open deadlines were recomputed."),
                     back=url_for(".index"))


@bp.get("/explain")
@login_required
def explain():
    """The deadline N working days from a start day, and the days skipped (a fragment)."""
    form = DueDateQueryForm(request.args)
    result = None
    if form.validate() and form.due_working_days.data:
        start = form.start.data or local_today()
        result = services.due_date(start, form.due_working_days.data,
                                   language=str(get_locale()))
    return render_template("calendar/_explanation.html", result=result)
