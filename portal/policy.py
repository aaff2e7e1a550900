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
from portal.deliveries.models import Delivery, Status
from portal.extensions import db
from portal.organisations.models import Organisation, OrganisationKind, final_successor
from portal.signing.models import SignatureStep


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


def can_reset_second_factor(user) -> bool:
    """A person who lost their phone and recovery codes is helped by an administrator."""
    return is_admin(user)


def owns_token(user, token) -> bool:
    """API tokens are managed by their owner only."""
    return token.user_id == user.id


def _refuse(status: int, reason: str, user, message: str | None = None):
    audit.record(
        "access.refused",
        actor=user if user.is_authenticated else None,
        details={"path": request.path, "method": request.method, "status": status,
                 "reason": reason},
    )
    db.session.commit()
    abort(status, message)


def permission_required(check):
    """Answer 403 unless check(current_user) holds; login_required must come first."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not check(current_user):
                _refuse(403, check.__name__, current_user)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def visible_or_404(model, object_id, check, *, user=None, message: str | None = None):
    """Load an object the user may see, or answer 404 (never reveal it exists).

    user: the one signed in, unless given (the API's caller, signed in by token). message:
    what the 404 says (the API answers it as JSON, portal.errors).
    """
    user = current_user if user is None else user
    obj = db.session.get(model, object_id)
    if obj is None:
        abort(404, message)
    if not check(user, obj):
        _refuse(404, check.__name__, user, message)
    return obj


# Documents and deliveries.

def _member(user, organisation_id) -> bool:
    return user.is_authenticated and user.organisation_id == organisation_id


def can_compose(user) -> bool:
    """Clerks, specialists and leaders draft documents for their organisation."""
    return user.is_authenticated and user.role in (Role.CLERK, Role.SPECIALIST, Role.LEADER)


def can_issue(user, document) -> bool:
    """Only the issuing organisation's clerk (văn thư) numbers and issues a document."""
    return _member(user, document.issuer_id) and user.role == Role.CLERK


def can_sign_documents(user) -> bool:
    """Leaders initial and sign documents (their list of documents waiting for them)."""
    return user.is_authenticated and user.role == Role.LEADER


def can_edit_draft(user, document) -> bool:
    return (_member(user, document.issuer_id) and document.reply_to_id is None
            and (document.author_id == user.id or user.role in (Role.CLERK, Role.LEADER)))


def can_track_document(user, document) -> bool:
    """Who sees every recipient's progress: the issuer's people, the ministry's overseers
    (reviewers, leaders, administrators) for the ministry's documents, and the people of its
    signature chain."""
    return document.id in trackable_document_ids(user, [document])


def trackable_document_ids(user, documents) -> set[int]:
    """can_track_document for a page of documents at once: the issuer's people, the overseers
    for the ministry's documents, and those asked to initial or sign (one query for those)."""
    tracked = {d.id for d in documents if _member(user, d.issuer_id)
               or (can_oversee(user) and d.issuer.kind in MINISTRY_SIDE)}
    others = [d.id for d in documents if d.id not in tracked]
    if others and user.is_authenticated:
        tracked.update(db.session.scalars(db.select(SignatureStep.document_id).where(
            SignatureStep.document_id.in_(others), SignatureStep.user_id == user.id)))
    return tracked


def can_manage_jobs(user) -> bool:
    """The background jobs that are stuck or failed, all of them, and trying them again."""
    return is_admin(user)


def can_follow_job(user, job) -> bool:
    """A document's background work (progress, retry): those who track the document, and the
    administrators."""
    return can_manage_jobs(user) or (job.document is not None
                                     and can_track_document(user, job.document))


def can_read_document(user, document) -> bool:
    """The document's content and files: those who track it, its recipients, and the
    ministry's overseers for what departments sent to the ministry side."""
    if can_track_document(user, document):
        return True
    if document.state != "issued":
        return False
    delivered = (Delivery.document_id == document.id, Delivery.status != Status.RECALL_AGREED)
    if db.session.query(db.exists().where(
            *delivered, Delivery.recipient_id == user.organisation_id)).scalar():
        return True
    return can_oversee(user) and db.session.query(db.exists().where(
        *delivered, Delivery.recipient_id == Organisation.id,
        Organisation.kind.in_(MINISTRY_SIDE))).scalar()


def can_view_delivery(user, delivery) -> bool:
    """A delivery is seen by its recipient and by the document's issuer."""
    return (_member(user, delivery.recipient_id)
            or _member(user, delivery.document.issuer_id))


def can_receive(user, delivery) -> bool:
    """Acknowledge, refuse, answer a recall: the recipient's clerk or a leader."""
    return _member(user, delivery.recipient_id) and user.role in (Role.CLERK, Role.LEADER)


def can_assign(user, delivery) -> bool:
    return _member(user, delivery.recipient_id) and user.role == Role.LEADER


def can_be_assigned(user, delivery) -> bool:
    return (_member(user, delivery.recipient_id) and user.active
            and user.role in (Role.SPECIALIST, Role.LEADER))


def can_claim(user, delivery) -> bool:
    return (_member(user, delivery.recipient_id) and user.role == Role.SPECIALIST
            and delivery.assignee_id is None)


def can_draft_reply(user, delivery) -> bool:
    """The assigned specialist, or a leader of the recipient."""
    return _member(user, delivery.recipient_id) and (
        delivery.assignee_id == user.id or user.role == Role.LEADER)


def can_approve_reply(user, delivery) -> bool:
    return _member(user, delivery.recipient_id) and user.role == Role.LEADER


def can_recall(user, delivery) -> bool:
    return _member(user, delivery.document.issuer_id) and user.role in (Role.CLERK, Role.LEADER)


def can_track_organisation(user, organisation) -> bool:
    """A department's open deliveries: the ministry side, and the department itself."""
    if not user.is_authenticated:
        return False
    return user.organisation.kind in MINISTRY_SIDE or user.organisation_id == organisation.id


def can_manage_calendar(user) -> bool:
    return is_admin(user)


def can_manage_keys(user) -> bool:
    """Import signing keys and choose the trusted roots."""
    return is_admin(user)


# Oversight: the leaderboard's assessments and drill-down.

def can_assess(user) -> bool:
    """Reviewers record commendations and criticisms, and draft the oversight letter."""
    return user.is_authenticated and user.role == Role.REVIEWER


def can_decide_assessments(user) -> bool:
    """A ministry leader publishes or withdraws assessments."""
    return (user.is_authenticated and user.role == Role.LEADER
            and user.organisation.kind in MINISTRY_SIDE)


def can_oversee(user) -> bool:
    """Every department's drill-down and every assessment: reviewers, ministry leaders and
    administrators."""
    return user.is_authenticated and (user.role in (Role.REVIEWER, Role.ADMIN)
                                      or can_decide_assessments(user))


def can_view_department_record(user, organisation) -> bool:
    """A department's documents behind its leaderboard row: the overseers, and the
    department itself (its own only, and those of the departments merged into it, whose
    work and people it took over)."""
    return can_oversee(user) or _member(user, final_successor(organisation).id)


def can_draft_oversight_letter(user) -> bool:
    return can_assess(user) or can_decide_assessments(user)


def can_manage_oversight_settings(user) -> bool:
    return is_admin(user)
