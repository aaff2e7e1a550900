from flask import Blueprint, render_template, request
from flask_babel import gettext as _
from flask_login import login_required

from portal import policy
from portal.audit import services
from portal.audit.forms import AuditFilterForm
from portal.organisations.services import list_organisations

bp = Blueprint("audit", __name__, url_prefix="/audit")

@bp.get("/")
@login_required
@policy.permission_required(policy.can_view_audit)
def index():
    """Browse and filter the audit trail (administrators)."""
    form = AuditFilterForm(request.args)
    form.action.choices = [("", _("All actions"))] + [(a, a) for a in services.known_actions()]
    form.organisation_id.choices = [(0, _("All organisations"))] + [
        (o.id, f"{o.code} — {o.name}") for o in list_organisations()
    ]
    events, next_before = [], None
    if form.validate():
        events, next_before = services.list_events(
            action=form.action.data or None,
            organisation_id=form.organisation_id.data or None,
            actor_email=form.actor.data or None,
            date_from=form.date_from.data,
            date_to=form.date_to.data,
            before_id=form.before.data,
        )
    template = "audit/_events.html" if request.htmx else "audit/index.html"
    return render_template(template, form=form, events=events, next_before=next_before)
