"""Write and read the audit trail."""

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from portal.audit.context import current_origin
from portal.audit.models import AuditEvent
from portal.clock import start_of_local_day
from portal.extensions import db

PAGE_SIZE = 50


def record(action: str, *, actor=None, organisation=None, obj=None, details=None) -> AuditEvent:
    """Add an audit entry to the current transaction; the caller commits."""
    if organisation is None and actor is not None:
        organisation = actor.organisation
    event = AuditEvent(
        action=action,
        actor_id=actor.id if actor is not None else None,
        organisation_id=organisation.id if organisation is not None else None,
        object_type=type(obj).__name__ if obj is not None else None,
        object_id=str(obj.id) if obj is not None else None,
        ip_address=current_origin(),
        details=details or {},
    )
    db.session.add(event)
    return event


def list_events(*, action=None, organisation_id=None, actor_email=None, date_from=None,
                date_to=None, before_id=None, limit=PAGE_SIZE):
    """Return one page of events, newest first, and the id to continue from (or None)."""
    from portal.auth.models import User

    query = (select(AuditEvent)
             .options(joinedload(AuditEvent.actor), joinedload(AuditEvent.organisation))
             .order_by(AuditEvent.id.desc()).limit(limit + 1))
    if action:
        query = query.where(AuditEvent.action == action)
    if organisation_id:
        query = query.where(AuditEvent.organisation_id == organisation_id)
    if actor_email:
        query = query.join(User, AuditEvent.actor_id == User.id).where(
            User.email == actor_email.strip().lower()
        )
    if date_from:
        query = query.where(AuditEvent.occurred_at >= start_of_local_day(date_from))
    if date_to:
        day_after = start_of_local_day(date_to + timedelta(days=1))
        query = query.where(AuditEvent.occurred_at < day_after)
    if before_id:
        query = query.where(AuditEvent.id < before_id)
    events = list(db.session.scalars(query))
    next_before = events[limit - 1].id if len(events) > limit else None
    return events[:limit], next_before


def known_actions() -> list[str]:
    """The distinct actions recorded so far, for the filter list."""
    query = select(AuditEvent.action).distinct().order_by(AuditEvent.action)
    return list(db.session.scalars(query))

