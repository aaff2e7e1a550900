"""One action, one transaction.

Services add and flush; they never commit. The edge that runs an action (a route, a command)
wraps it in `action()`: everything the block changed is committed together when it ends, or
all of it rolled back when it raises, so an action refused halfway (a `PortalError` after an
assignment was written, a database error in the third step) changes nothing. What must
happen only once the change is kept (handing its jobs to the queue, forgetting cached
pages) is registered with `after_commit` and runs after the commit, never after a rollback.

The job runner is an edge of its own (portal/jobs/runner.py): it commits a job's claim, its
progress reports and its result.
"""

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError, SQLAlchemyError

from portal.extensions import db

log = logging.getLogger(__name__)

_RUNNING = "portal.action_running"
_AFTER_COMMIT = "portal.after_commit"


@contextmanager
def action() -> Iterator[None]:
    """Commit the block's changes once at its end, or roll them all back if it raises."""
    session = db.session
    if session.info.get(_RUNNING):
        raise RuntimeError("an action is already running: one action, one transaction")
    session.info[_RUNNING] = True
    try:
        yield
        session.commit()
    except BaseException:
        session.info.pop(_AFTER_COMMIT, None)
        session.rollback()
        raise
    finally:
        session.info.pop(_RUNNING, None)
    for callback in session.info.pop(_AFTER_COMMIT, []):
        try:
            callback()
        except Exception:  # the action is kept whatever a follow-up does (jobs wait as rows)
            log.exception("after the commit, %s failed", getattr(callback, "__name__", callback))
            roll_back_quietly()


def after_commit(callback: Callable[[], object]) -> None:
    """Run the callback (once) after the running action commits; dropped if it rolls back.

    Outside an action (the job runner, whose jobs schedule the next ones) nothing is kept:
    the runner hands over what its jobs scheduled itself.
    """
    if not db.session.info.get(_RUNNING):
        return
    callbacks = db.session.info.setdefault(_AFTER_COMMIT, [])
    if callback not in callbacks:
        callbacks.append(callback)


def keep_read_side_work() -> None:
    """Keep what a read computed for later reads (the leaderboard's recount of a day).

    Inside an action it is committed with the action (or rolled back with it); a page that
    only reads commits it at once.
    """
    if not db.session.info.get(_RUNNING):
        db.session.commit()


# SQLite's passing errors; its other OperationalErrors (no such table, a syntax error) are
# the code's or the schema's, and would fail again.
_SQLITE_PASSING = ("SQLITE_BUSY", "SQLITE_LOCKED", "SQLITE_IOERR", "SQLITE_CANTOPEN",
                   "SQLITE_FULL", "SQLITE_PROTOCOL")


def database_unavailable(error: BaseException) -> bool:
    """The database is away or refused the statement for a passing reason (a lost
    connection, a refused login, a lock timeout): the same work will succeed later."""
    if isinstance(error, DBAPIError) and error.connection_invalidated:
        return True
    if not isinstance(error, (OperationalError, InterfaceError)):
        return False
    name = getattr(getattr(error, "orig", None), "sqlite_errorname", None)
    return name is None or name.startswith(_SQLITE_PASSING)


def roll_back_quietly() -> None:
    try:
        db.session.rollback()
    except SQLAlchemyError:  # the connection is gone: the session starts afresh next time
        db.session.close()
