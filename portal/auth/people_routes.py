"""What an administrator does to a person's sign-in: reset their second factor (a lost
phone)."""

from flask import url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from portal import policy
from portal.auth import second_factor
from portal.auth.blueprint import bp
from portal.auth.models import User
from portal.extensions import db
from portal.web import take_step


@bp.post("/people/<int:user_id>/two-factor/reset")
@login_required
@policy.permission_required(policy.can_reset_second_factor)
def reset_second_factor(user_id):
    """An administrator resets a person's second factor (a lost phone); it is audited."""
    person = db.get_or_404(User, user_id)
    return take_step(
        None, lambda: second_factor.reset(person, current_user),
        _("Two-step sign-in of %(name)s was reset; they set it up again when they next sign "
          "in.", name=person.full_name),
        back=url_for("organisations.show", organisation_id=person.organisation_id))
