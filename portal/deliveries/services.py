"""What happens to a delivery: every step is checked, timestamped, recorded and audited.

A step is a conditional UPDATE on the state the person saw, so two clerks (or one
double-click) cannot both acknowledge: the second gets a clear message, nothing changes twice.
Services flush; the action that calls them commits (portal/transaction.py).
"""


from flask_babel import gettext as _
from sqlalchemy import update

from portal import policy
from portal.audit import services as audit
from portal.clock import local_today, utcnow
from portal.deliveries import steps
from portal.deliveries.models import (
    STATUS_LABELS,
    Delivery,
    DeliveryEvent,
    IncomingRegister,
    Status,
)
from portal.deliveries.steps import EVENTS, STEPS, effective_status
from portal.documents.numbering import next_number
from portal.extensions import db
from portal.rules import PortalError
from portal.signals import delivery_stepped

DUE_SOON_WORKING_DAYS = 2


class DeliveryError(PortalError):
    """A step that is not allowed now; the message is shown to the person."""


def _move(delivery, step_name, actor, *, note=None, extra_where=(), **values):
    """Take a step of the table (steps.py) if the delivery still allows it, else refuse.

    The step's own checks (role, state) come first; the UPDATE then changes only the state
    the person saw, so a step taken meanwhile by someone else is refused too.
    """
    step = STEPS[step_name]
    _refuse_unless_allowed(delivery, step_name, actor)
    seen = delivery.status
    result = db.session.execute(
        update(Delivery)
        .where(Delivery.id == delivery.id, Delivery.status == seen, *extra_where)
        .values(status=step.to_state, **values)
        .execution_options(synchronize_session="fetch")
    )
    if result.rowcount != 1:
        raise DeliveryError(_("Someone else has just changed this document. "
                              "Reload the page to see its state."))
    db.session.refresh(delivery)
    _log(delivery, step_name, actor, seen, step.to_state, note)


def _refuse_unless_allowed(delivery, step_name, actor) -> None:
    """The step's own checks: the person's role (none for the axis), then the state."""
    if actor is not None and not steps.role_allows(step_name, actor, delivery):
        raise DeliveryError(_("Your role does not allow this step."))
    if not steps.state_allows(step_name, delivery):
        raise DeliveryError(_("This step is not possible now: the document is %(state)s.",
                              state=STATUS_LABELS[delivery.status]))


def _log(delivery, step_name, actor, from_status, to_status, note=None):
    action = EVENTS[step_name]
    event = DeliveryEvent(delivery_id=delivery.id, actor_id=actor.id if actor else None,
                          action=action, from_status=from_status, to_status=to_status, note=note)
    db.session.add(event)
    audit.record(f"delivery.{action}", actor=actor, obj=delivery,
                 details={"from": from_status, "to": to_status,
                          "document_id": delivery.document_id, **({"note": note} if note else {})})
    db.session.flush()
    delivery_stepped.send(delivery, event=event, actor=actor)


def acknowledge_delivery(delivery: Delivery, *, actor) -> None:
    """Tiếp nhận: the clerk (or a leader) takes the document in and registers it: it takes
    the organisation's next incoming number for the year (số đến). The number is taken in
    the step's transaction, so a step refused or rolled back gives none away, and
    concurrent clerks queue on the register's row: no gap, no number twice."""
    _refuse_unless_allowed(delivery, "acknowledge", actor)
    year = local_today().year
    number = next_number(delivery.recipient_id, year, IncomingRegister)
    _move(delivery, "acknowledge", actor, acknowledged_at=utcnow(), incoming_year=year,
          incoming_number=number)
    db.session.flush()


def refuse_delivery(delivery: Delivery, *, actor, reason: str) -> None:
    """Từ chối: send the document back, with the reason."""
    if not steps.role_allows("refuse", actor, delivery):
        raise DeliveryError(_("Your role does not allow this step."))
    reason = (reason or "").strip()
    if not reason:
        raise DeliveryError(_("Give the reason for refusing the document."))
    _move(delivery, "refuse", actor, note=reason, refusal_reason=reason[:1000],
          done_at=utcnow())
    db.session.flush()


def assign_delivery(delivery: Delivery, *, actor, assignee=None) -> None:
    """Phân công: a leader gives the document to a specialist, or to the whole department."""
    if not steps.role_allows("assign", actor, delivery):
        raise DeliveryError(_("Your role does not allow this step."))
    if assignee is not None and not policy.can_be_assigned(assignee, delivery):
        raise DeliveryError(_("Documents can only be assigned to people of your organisation."))
    note = assignee.full_name if assignee else _("the whole department")
    _move(delivery, "assign", actor, note=note,
          assigned_at=utcnow(), assignee_id=assignee.id if assignee else None)
    db.session.flush()


def claim_delivery(delivery: Delivery, *, actor) -> None:
    """Nhận xử lý: a specialist takes a document assigned to the whole department."""
    _move(delivery, "claim", actor, extra_where=(Delivery.assignee_id.is_(None),),
          note=actor.full_name, assignee_id=actor.id)
    db.session.flush()


def start_processing(delivery: Delivery, *, actor) -> None:
    """The first draft of a reply moves an assigned document to in progress."""
    if delivery.status == Status.ASSIGNED:
        _move(delivery, "draft_reply", actor)


def complete_delivery(delivery: Delivery, *, actor, reply=None, note=None) -> None:
    """Hoàn thành: replied (the reply is linked) or closed with no reply needed."""
    now = utcnow()
    values = {"done_at": now}
    if reply is not None:
        values.update(replied_at=now, reply_document_id=reply.id)
    _move(delivery, "reply" if reply is not None else "close", actor,
          note=note or (reply.notation if reply is not None else None), **values)


def close_delivery(delivery: Delivery, *, actor, note: str) -> None:
    """A leader closes a document that needs no reply."""
    if not steps.role_allows("close", actor, delivery):
        raise DeliveryError(_("Your role does not allow this step."))
    note = (note or "").strip()
    if not note:
        raise DeliveryError(_("Say why no reply is needed."))
    if delivery.due_on is not None:
        raise DeliveryError(_("A document with a reply deadline is done only when it is "
                              "answered."))
    complete_delivery(delivery, actor=actor, note=note)
    db.session.flush()


def request_recall(delivery: Delivery, *, actor, note: str | None = None) -> None:
    """Lấy lại: the sender asks for a document back before the recipient handles it (from
    the axis: no actor here, and the sender's reason as the note)."""
    _move(delivery, "request_recall", actor, note=note,
          status_before_recall=effective_status(delivery))


def answer_recall(delivery: Delivery, *, actor, agree: bool) -> None:
    """The recipient agrees to give the document back (15) or refuses (16)."""
    if agree:
        _move(delivery, "agree_recall", actor, done_at=utcnow())
    else:
        _move(delivery, "refuse_recall", actor)
    db.session.flush()


# The step of the table (steps.py) each status code of a recipient's own system stands for.
REPORTED_STEPS = {Status.REFUSED: "refuse", Status.ACKNOWLEDGED: "acknowledge",
                  Status.ASSIGNED: "assign", Status.IN_PROGRESS: "draft_reply",
                  Status.RECALL_AGREED: "agree_recall", Status.RECALL_REFUSED: "refuse_recall"}


def reported_step_name(delivery: Delivery, code: str) -> str | None:
    """The table's step a reported code stands for (06: done, replied when it had a
    deadline), or None for a code that moves nothing (01, or one the table has no step for)."""
    if code == Status.DONE:
        return "close" if delivery.due_on is None else "reply"
    return REPORTED_STEPS.get(code)


# How a recipient's system moves a delivery forward. A report that skips steps (03 then 05,
# as one public system sends on registering a document) is taken through the steps it
# skipped, each said to be implied; a move backwards, or out of a closed state, is refused.
FORWARD_STEPS = ("acknowledge", "assign", "draft_reply")


def _skipped_steps(delivery: Delivery, name: str) -> list[str]:
    """The forward steps between the delivery's state and the one a report names, when the
    table does not allow that step from here ([] when it does, or when no forward walk
    reaches it)."""
    state, path = effective_status(delivery), []
    for step in FORWARD_STEPS:
        if state in STEPS[name].from_states:
            return path
        if state in STEPS[step].from_states:
            path.append(step)
            state = STEPS[step].to_state
    return path if state in STEPS[name].from_states else []


def report_step(delivery: Delivery, code: str, *, note: str, at) -> bool:
    """A step reported by the recipient's own system (a status message through the axis),
    taken as the axis (no actor here) by the same table; `at` is when it says it happened.
    False when the delivery is in that state already (the same status again)."""
    name = reported_step_name(delivery, code)
    if name is None:
        raise DeliveryError(_("Status %(code)s does not move a delivery.", code=code))
    if delivery.status == STEPS[name].to_state:
        return False
    moments = {"refuse": {"refusal_reason": note[:1000], "done_at": at},
               "acknowledge": {"acknowledged_at": at}, "assign": {"assigned_at": at},
               "close": {"done_at": at}, "reply": {"done_at": at, "replied_at": at},
               "agree_recall": {"done_at": at}}
    for skipped in _skipped_steps(delivery, name):
        _move(delivery, skipped, None, **moments.get(skipped, {}), note=_(
            "Not reported by the recipient's system: implied by its status %(code)s.",
            code=code))
    _move(delivery, name, None, note=note[:1000], **moments.get(name, {}))
    db.session.flush()
    return True
