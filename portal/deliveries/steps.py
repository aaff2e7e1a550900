"""Which step a delivery allows from which state, and for whom: the one table.

The services refuse what it does not allow, the delivery page offers only the buttons it
allows, and the API lists the steps it allows for the person asking. Every one of them reads
the delivery's *effective* state: a refused recall (16) resumes where the delivery was before
the sender asked for it back, so a document still "01 · received" then is acknowledged next.
"""

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import and_, func, or_

from portal import policy
from portal.deliveries.models import Delivery, Status

OPEN_WORK = frozenset({Status.ACKNOWLEDGED, Status.ASSIGNED, Status.IN_PROGRESS})


def _always(_delivery) -> bool:
    return True


@dataclass(frozen=True)
class Step:
    name: str
    event: str  # what the history calls it (DeliveryEvent.action, audit "delivery.<event>")
    from_states: frozenset
    to_state: str | None
    who: Callable  # (person, delivery) -> bool, from portal.policy
    when: Callable = _always  # what else the delivery must be (no deadline, no one assigned)


def _no_deadline(delivery) -> bool:
    return delivery.due_on is None


def _nobody_assigned(delivery) -> bool:
    return delivery.assignee_id is None


_TABLE = (
    Step("acknowledge", "acknowledged", frozenset({Status.RECEIVED}), Status.ACKNOWLEDGED,
         policy.can_receive),
    Step("refuse", "refused", frozenset({Status.RECEIVED}), Status.REFUSED, policy.can_receive),
    Step("assign", "assigned", frozenset({Status.ACKNOWLEDGED, Status.ASSIGNED}),
         Status.ASSIGNED, policy.can_assign),
    Step("claim", "claimed", frozenset({Status.ASSIGNED}), Status.ASSIGNED, policy.can_claim,
         _nobody_assigned),
    Step("draft_reply", "started", frozenset({Status.ASSIGNED, Status.IN_PROGRESS}),
         Status.IN_PROGRESS, policy.can_draft_reply),
    # A leader answers in one step (the API's reply): from acknowledged it assigns themself.
    Step("reply", "replied", OPEN_WORK, Status.DONE, policy.can_approve_reply),
    Step("close", "closed", OPEN_WORK, Status.DONE, policy.can_assign, _no_deadline),
    Step("request_recall", "recall_requested", frozenset({Status.RECEIVED, Status.ACKNOWLEDGED}),
         Status.RECALL_REQUESTED, policy.can_recall),
    Step("agree_recall", "recall_agreed", frozenset({Status.RECALL_REQUESTED}),
         Status.RECALL_AGREED, policy.can_receive),
    Step("refuse_recall", "recall_refused", frozenset({Status.RECALL_REQUESTED}),
         Status.RECALL_REFUSED, policy.can_receive),
)
STEPS: dict[str, Step] = {step.name: step for step in _TABLE}
EVENTS: dict[str, str] = {step.name: step.event for step in _TABLE}


def effective_status(delivery: Delivery) -> str:
    """The state that decides the next step (a refused recall resumes where it was)."""
    if delivery.status == Status.RECALL_REFUSED:
        return delivery.status_before_recall or Status.RECEIVED
    return delivery.status


def in_effective_states(states):
    """SQL: the deliveries whose effective state is one of states."""
    states = tuple(states)
    resumed = func.coalesce(Delivery.status_before_recall, Status.RECEIVED.value)
    return or_(Delivery.status.in_(states),
               and_(Delivery.status == Status.RECALL_REFUSED, resumed.in_(states)))


def state_allows(name: str, delivery: Delivery) -> bool:
    """Whether the delivery, as it is now, allows the step (whoever asks)."""
    step = STEPS[name]
    return effective_status(delivery) in step.from_states and step.when(delivery)


def role_allows(name: str, person, delivery: Delivery) -> bool:
    """Whether the person's role and organisation allow the step on this delivery."""
    return STEPS[name].who(person, delivery)


def allows(name: str, person, delivery: Delivery) -> bool:
    return state_allows(name, delivery) and role_allows(name, person, delivery)


def allowed_steps(person, delivery: Delivery) -> list[str]:
    """The steps the person may take on the delivery now, in the table's order."""
    return [name for name in STEPS if allows(name, person, delivery)]
