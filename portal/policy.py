"""Who may do what: every permission check of the portal lives here.

Checks combine the user's role and organisation. Routes enforce them with
``permission_required`` (403 when the role does not allow the page) and ``visible_or_404``
(another organisation's object answers 404, so its existence does not leak). Both refusals are
written to the audit trail.
"""

from enum import StrEnum
from functools import wraps

from flask import abort, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from portal.audit import services as audit
from portal.extensions import db
from portal.organisations.models import Organisation, OrganisationKind


class Role(StrEnum):
    CLERK = "clerk"  # văn thư: receives and issues documents
    SPECIALIST = "specialist"  # chuyên viên: drafts, replies
    LEADER = "leader"  # lãnh đạo: assigns, approves, signs
    REVIEWER = "reviewer"  # ministry oversight
    ADMIN = "admin"  # runs the portal: organisations, audit


ROLE_LABELS = {
    Role.CLERK: _l("Clerk"),
    Role.SPECIALIST: _l("Specialist"),
    Role.LEADER: _l("Leader"),
    Role.REVIEWER: _l("Reviewer"),
    Role.ADMIN: _l("Administrator"),
}

MINISTRY_SIDE = {OrganisationKind.MINISTRY, OrganisationKind.MINISTRY_UNIT}


def role_fits_organisation(role: str, organisation: Organisation) -> bool:
    """Reviewers and administrators work for the ministry; other roles fit anywhere."""
    if role in (Role.REVIEWER, Role.ADMIN):
        return organisation.kind in MINISTRY_SIDE
    return role in Role.__members__.values()


def is_admin(user) -> bool:
    return user.is_authenticated and user.role == Role.ADMIN


def can_manage_organisations(user) -> bool:
    return is_admin(user)


def can_view_audit(user) -> bool:
    return is_admin(user)


def can_view_organisation(user, organisation: Organisation) -> bool:
    """An organisation's page (its people) is for its own members and administrators."""
    return is_admin(user) or user.organisation_id == organisation.id


def owns_token(user, token) -> bool:
    """API tokens are managed by their owner only."""
    return token.user_id == user.id


def _refuse(status: int, reason: str):
    actor = current_user if current_user.is_authenticated else None
    audit.record(
        "access.refused",
        actor=actor,
        details={"path": request.path, "method": request.method, "status": status,
                 "reason": reason},
    )
    db.session.commit()
    abort(status)


def permission_required(check):
    """Answer 403 unless check(current_user) holds; login_required must come first."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not check(current_user):
                _refuse(403, check.__name__)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def visible_or_404(model, object_id, check):
    """Load an object the current user may see, or answer 404 (never reveal it exists)."""
    obj = db.session.get(model, object_id)
    if obj is None:
        abort(404)
    if not check(current_user, obj):
        _refuse(404, check.__name__)
    return obj
