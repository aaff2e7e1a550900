"""One action, one transaction.

Services add and flush; they never commit. The edge that runs an action (a route, a command,
the job runner) wraps it in `action()`: everything the block changed is committed together
when it ends, or all of it rolled back when it raises, so an action refused halfway (a
`PortalError` after an assignment was written, a database error in the third step) changes
nothing. The jobs the action scheduled are handed over after its commit, never for rows that
were rolled back.
"""

from collections.abc import Iterator
from contextlib import contextmanager

from portal.extensions import db

_RUNNING = "portal.action_running"


@contextmanager
def action() -> Iterator[None]:
    """Commit the block's changes once at its end, or roll them all back if it raises."""
    from portal.jobs.services import forget_scheduled, relay_scheduled

    session = db.session
    if session.info.get(_RUNNING):
        raise RuntimeError("an action is already running: one action, one transaction")
    session.info[_RUNNING] = True
    try:
        yield
        session.commit()
    except BaseException:
        session.rollback()
        forget_scheduled()
        raise
    finally:
        session.info.pop(_RUNNING, None)
    relay_scheduled()
