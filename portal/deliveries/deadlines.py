"""A delivery's reply deadline, in one place: its date, its state, its tabs, its explanation.

The deadline is `Delivery.due_on`, fixed when the document arrives (a date, or N working days
after the day of receipt) and moved only by a calendar change while the delivery is open.
Everything that shows a deadline reads that one value: the delivery page, its explanation,
the inbox, the sender's tracking page, the API. Due soon and overdue are derived from it and
the reply, never stored.
"""

from datetime import date, timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, literal, select

from portal.calendar.services import DueDate, SkippedDay, WorkingCalendar
from portal.clock import as_local
from portal.deliveries.models import (
    CLOSED_STATUSES,
    OPEN_STATUSES,
    Delivery,
    DeliveryEvent,
    Status,
)
from portal.deliveries.steps import in_effective_states
from portal.extensions import db
from portal.signals import working_days_changed

DUE_SOON_WORKING_DAYS = 2

DEADLINE_LABELS = {
    "on_time": _l("Replied on time"),
    "late": _l("Replied late"),
    "overdue": _l("Overdue"),
    "due_soon": _l("Due soon"),
    "open": _l("Not yet due"),
    None: "",
}


def due_on_at_receipt(document, received_on: date, calendar: WorkingCalendar | None = None):
    """The deadline a delivery of the document gets on the day it is received."""
    if document.due_working_days is None:
        return document.due_on
    calendar = calendar or WorkingCalendar()
    return calendar.add_working_days(received_on, document.due_working_days).due_on


def due_soon_until(today: date, calendar: WorkingCalendar | None = None) -> date:
    """The last due date that counts as "due soon" today (≤ 2 working days left)."""
    calendar = calendar or WorkingCalendar()
    return calendar.add_working_days(today, DUE_SOON_WORKING_DAYS).due_on


def deadline_state(delivery: Delivery, today: date, soon_until: date) -> str | None:
    """on_time / late for answered documents; overdue / due_soon / open for open ones."""
    if delivery.due_on is None:
        return None
    if delivery.status in CLOSED_STATUSES:
        if delivery.replied_at is None:
            return None
        return "on_time" if as_local(delivery.replied_at).date() <= delivery.due_on else "late"
    if today > delivery.due_on:
        return "overdue"
    return "due_soon" if delivery.due_on <= soon_until else "open"


def due_soon_condition(today: date, soon_until: date):
    """SQL: open deliveries due today or within the due-soon days."""
    return and_(Delivery.status.in_(OPEN_STATUSES), Delivery.due_on >= today,
                Delivery.due_on <= soon_until)


def overdue_condition(today: date):
    """SQL: open deliveries whose last day has passed."""
    return and_(Delivery.status.in_(OPEN_STATUSES), Delivery.due_on < today)


TABS = ("new", "in_progress", "due_soon", "overdue", "done", "all")


def tab_condition(tab: str, today: date, soon_until: date):
    """SQL: an inbox tab's deliveries. "New" is what waits for the recipient's first answer,
    by the effective state (steps.py): a refused recall of a document not yet acknowledged is
    new."""
    is_open = Delivery.status.in_(OPEN_STATUSES)
    return {
        "new": in_effective_states((Status.RECEIVED, Status.RECALL_REQUESTED)),
        "in_progress": and_(is_open, ~in_effective_states((Status.RECEIVED,
                                                            Status.RECALL_REQUESTED))),
        "due_soon": due_soon_condition(today, soon_until),
        "overdue": overdue_condition(today),
        "done": Delivery.status.in_(CLOSED_STATUSES),
        "all": literal(True),
    }[tab]


def with_states(deliveries, today: date, soon_until: date) -> list[tuple[Delivery, str | None]]:
    """(delivery, deadline state) rows, as the inbox and the tracking pages list them."""
    return [(delivery, deadline_state(delivery, today, soon_until)) for delivery in deliveries]


def explanation(delivery: Delivery, language: str = "vi") -> DueDate | None:
    """How the delivery's deadline counts: the days between receipt and `due_on` that are
    not working days. It explains the stored deadline and never computes another one; a
    closed delivery keeps the deadline it had, so a calendar changed since may count its
    period differently (`counted_then` says so)."""
    if delivery.due_on is None or not delivery.due_working_days:
        return None
    calendar = WorkingCalendar(language=language)
    result = DueDate(start=delivery.received_on, working_days=delivery.due_working_days,
                     due_on=delivery.due_on)
    working, day = 0, delivery.received_on
    while day < delivery.due_on:
        day += timedelta(days=1)
        reason = calendar.non_working_reason(day)
        if reason is None:
            working += 1
        else:
            result.skipped.append(SkippedDay(day, reason))
    result.counted_then = working != delivery.due_working_days
    return result


@working_days_changed.connect
def recompute_working_day_deadlines(calendar: WorkingCalendar, *, actor, cause: str) -> list[int]:
    """Apply a changed calendar to open deliveries whose deadline counts working days
    (a closed delivery keeps the deadline it was answered against); the calendar's signal."""
    deliveries = db.session.scalars(
        select(Delivery).where(Delivery.due_working_days.is_not(None),
                               Delivery.status.in_(OPEN_STATUSES))
    )
    changed = []
    for delivery in deliveries:
        due_on = calendar.add_working_days(delivery.received_on, delivery.due_working_days).due_on
        if due_on != delivery.due_on:
            note = _("Deadline moved from %(old)s to %(new)s (%(cause)s)",
                     old=delivery.due_on.strftime("%d/%m/%Y"),
                     new=due_on.strftime("%d/%m/%Y"), cause=cause)
            delivery.due_on = due_on
            db.session.add(DeliveryEvent(delivery_id=delivery.id, actor_id=actor.id,
                                         action="deadline_changed", note=note))
            changed.append(delivery.id)
    return changed
