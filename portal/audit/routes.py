from flask import Blueprint, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from wtforms import SelectChoice

from portal import policy
from portal.audit import display, services
from portal.audit.forms import AuditFilterForm
from portal.audit.labels import action_label
from portal.collation import sort_key
from portal.errors import refusal
from portal.organisations.services import list_organisations

bp = Blueprint("audit", __name__, url_prefix="/audit")

@bp.get("/")
@login_required
@policy.permission_required(policy.can_view_audit)
def index():
    """Browse and filter the audit trail (administrators)."""
    form = AuditFilterForm(request.args)
    actions = sorted(((action_label(a), a) for a in services.known_actions()),
                     key=lambda pair: sort_key(pair[0]))
    form.action.choices = [SelectChoice("", _("All actions"))] + [
        SelectChoice(code, label) for label, code in actions]
    form.organisation_id.choices = [SelectChoice(0, _("All organisations"))] + [
        SelectChoice(o.id, f"{o.code} — {o.name}") for o in list_organisations()
    ]
    events, next_before = [], None
    valid = form.validate()
    if not valid and request.htmx:
        return refusal(400, form.error_text())
    if valid:
        events, next_before = services.list_events(
            action=form.action.data or None,
            organisation_id=form.organisation_id.data or None,
            actor_email=form.actor.data or None,
            date_from=form.date_from.data,
            date_to=form.date_to.data,
            before_id=form.before.data,
        )
    older_url = None
    if next_before:
        filters = {name: value for name, value in request.args.items() if name in form}
        older_url = url_for(".index", **{**filters, "before": next_before})
    template = "audit/_events.html" if request.htmx else "audit/index.html"
    return render_template(template, form=form, rows=display.event_rows(events, current_user),
                           older_url=older_url), (
        200 if valid else 400)
