"""Run jobs and keep them moving, whatever happens to Redis, the worker or the database.

The job's row is the truth; Redis only carries the news that a row waits. So:

- `relay_pending` hands waiting rows to the queue (or, with no Redis, runs them here);
- `rehand_lost` hands over again a row Redis no longer holds (Redis emptied or restarted,
  a run that failed before it could claim the row);
- a running job writes a heartbeat every JOB_HEARTBEAT_SECONDS from a thread of its own;
  `requeue_stale` puts back a job silent for JOB_STALE_SECONDS (its worker died), and fails
  it for good once it has had JOB_MAX_ATTEMPTS runs;
- a run that meets a database error, or whose handler says `TryAgainLater` (the national
  axis did not take a message), puts its job back with a wait that doubles at each attempt,
  instead of failing it: something outside is away, not the job wrong (after
  JOB_MAX_ATTEMPTS runs it fails, with the reason, and waits for a person).

A run claims the row by a conditional UPDATE that counts the attempt; from then on it acts
on the row only while that count is still its own, so a run given up for dead cannot finish
over the run that replaced it. The handler's work commits together with the job's end
(`_finish`), and each progress report commits what was done so far.
"""

import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import case, func, or_, select, update
from sqlalchemy.exc import SQLAlchemyError

from portal.clock import utcnow
from portal.extensions import db
from portal.jobs import queue
from portal.jobs.models import FIRST_STEPS, Job, JobState
from portal.transaction import database_unavailable, roll_back_quietly

log = logging.getLogger(__name__)

# What does the work of each kind of job: the handlers portal.tasks registers.
HANDLERS: dict[str, Callable[[Job], None]] = {}
MAX_RETRY_WAIT_SECONDS = 300

# The run this context is doing: (job id, attempt), for its reports and its end.
_current_run: ContextVar[tuple[int, int] | None] = ContextVar("current_job_run", default=None)


class RunTakenOver(Exception):
    """The job was put back and claimed by another run: this one stops and keeps nothing."""


class TryAgainLater(Exception):
    """A handler's word that something outside the portal is away (the axis answered 500, or
    nothing): the job goes back with a doubling wait, as after a database error. Its text is
    the reason the page shows. What the handler committed before raising it is kept."""


def handles(kind: str):
    """Mark the function that does the work of jobs of this kind (`register` gives it to the
    runner)."""
    def mark(function):
        function.job_kind = kind
        return function
    return mark


def register(*handlers: Callable[[Job], None]) -> None:
    """Run jobs of each handler's kind (its `handles` mark) with it."""
    for handler in handlers:
        HANDLERS[handler.job_kind] = handler


def run_job(job_id: int) -> None:
    """Run one job to done, failed or back to the queue; one taken or finished is left alone."""
    attempt = _claim(job_id)
    if attempt is None:
        return
    job = db.session.get(Job, job_id)
    token = _current_run.set((job_id, attempt))
    try:
        with _heartbeat(job_id, attempt):
            HANDLERS[job.kind](job)
    except RunTakenOver:
        _keep_nothing(job_id)
    except Exception as error:
        _after_error(job_id, attempt, error)
    else:
        _finish(job_id, attempt, JobState.DONE)
    finally:
        _current_run.reset(token)


def _after_error(job_id: int, attempt: int, error: Exception) -> None:
    roll_back_quietly()
    if isinstance(error, TryAgainLater):
        log.warning("job %s: %s; trying again later", job_id, error)
        _put_back(job_id, attempt, waiting=str(error)[:1000], failed=_(
            "Tried %(n)s times without success; the last time: %(reason)s", n=attempt,
            reason=str(error))[:1000])
    elif database_unavailable(error):
        log.warning("job %s: database unavailable (%s); trying again later", job_id, error)
        reason = type(getattr(error, "orig", None) or error).__name__
        _put_back(job_id, attempt, waiting=_(
            "The database did not answer (%(reason)s); the portal tries again by itself.",
            reason=reason), failed=_("The database failed this job %(n)s times (%(reason)s).",
                                     n=attempt, reason=reason))
    else:  # the job's own failure, shown to the person with a retry button
        log.exception("job %s failed", job_id)
        _finish(job_id, attempt, JobState.FAILED,
                error=str(error)[:1000] or type(error).__name__)


def _claim(job_id: int) -> int | None:
    """Take a queued job for this run: its attempt number, or None when another run has it,
    it is finished, or its wait after a database error is not over."""
    now = utcnow()
    attempt = db.session.scalar(
        update(Job).where(Job.id == job_id, Job.state == JobState.QUEUED, _may_run_now())
        .values(state=JobState.RUNNING, attempts=Job.attempts + 1, started_at=now,
                heartbeat_at=now, error=None, retry_at=None,
                step=case(FIRST_STEPS, value=Job.kind))
        .returning(Job.attempts))
    db.session.commit()
    return attempt


def _mine(job_id: int, attempt: int):
    return Job.id == job_id, Job.state == JobState.RUNNING, Job.attempts == attempt


def _keep_nothing(job_id: int) -> None:
    db.session.rollback()
    log.warning("job %s: put back and taken by another run; this run keeps nothing", job_id)


def _finish(job_id: int, attempt: int, state: JobState, error: str | None = None) -> None:
    """End the run: the handler's work and the job's state are committed together."""
    values = {"state": state, "finished_at": utcnow(), "error": error}
    if state == JobState.DONE:
        values.update(progress=100, step=None)
    ended = db.session.execute(update(Job).where(*_mine(job_id, attempt)).values(**values))
    if ended.rowcount != 1:
        _keep_nothing(job_id)
        return
    db.session.commit()


def last_attempt(job: Job) -> bool:
    """Whether the run under way is the job's last before it fails for good."""
    return job.attempts >= (job.attempts_allowed or current_app.config["JOB_MAX_ATTEMPTS"])


def _put_back(job_id: int, attempt: int, *, waiting: str, failed: str) -> None:
    """Queue the job again after a wait that doubles at each attempt (saying `waiting`), or,
    after its last allowed run, fail it (saying `failed`)."""
    try:
        if attempt >= db.session.scalar(select(_allowed()).where(Job.id == job_id)):
            _finish(job_id, attempt, JobState.FAILED, error=failed)
            return
        wait = min(current_app.config["JOB_RETRY_SECONDS"] * 2 ** (attempt - 1),
                   MAX_RETRY_WAIT_SECONDS)
        now = utcnow()
        db.session.execute(update(Job).where(*_mine(job_id, attempt)).values(
            state=JobState.QUEUED, queued_at=now, retry_at=now + timedelta(seconds=wait),
            relayed_at=None, progress=0, step=None, error=waiting))
        db.session.commit()
    except SQLAlchemyError:  # still away: the silent heartbeat puts the job back (requeue_stale)
        roll_back_quietly()
        log.warning("job %s: could not put it back yet; it will be found stale", job_id)


def report(progress: int, step: str) -> None:
    """Record how far the running job got (a JOB_STEP_LABELS code), committed at once with
    what it did so far, so that the page sees it; stops the run if it was taken over."""
    job_id, attempt = _current_run.get()
    reported = db.session.execute(update(Job).where(*_mine(job_id, attempt)).values(
        progress=progress, step=step, heartbeat_at=utcnow()))
    if reported.rowcount != 1:
        raise RunTakenOver(job_id)
    db.session.commit()


@contextmanager
def _heartbeat(job_id: int, attempt: int) -> Iterator[None]:
    """While the block runs, a thread tells the row every JOB_HEARTBEAT_SECONDS that the run
    is alive (a long render reports nothing else for a while)."""
    app = current_app._get_current_object()
    stop = threading.Event()

    def beat():
        while not stop.wait(app.config["JOB_HEARTBEAT_SECONDS"]):
            try:
                with app.app_context():
                    db.session.execute(update(Job).where(*_mine(job_id, attempt))
                                       .values(heartbeat_at=utcnow()))
                    db.session.commit()
            except SQLAlchemyError as error:  # the next beat tries again
                log.warning("job %s: heartbeat not written (%s)", job_id, error)

    threading.Thread(target=beat, name=f"job-{job_id}-heartbeat", daemon=True).start()
    try:
        yield
    finally:
        # Not joined: a beat in progress may wait for this thread's own write lock (SQLite);
        # a beat after the end changes nothing, the job being no longer running.
        stop.set()


def relay_pending() -> int:
    """Hand waiting jobs to the queue, or run them here when there is no Redis."""
    if not current_app.config["REDIS_URL"]:
        return run_queued_here()  # with no queue, every waiting job is one nobody handed over
    relayed = 0
    for job_id in _waiting_for_hand_over():
        # Taken first, so that two relays (the page's, a worker's) hand it over once; a crash
        # between the two steps leaves it missing from Redis, and rehand_lost sees to it.
        taken = db.session.execute(update(Job).where(
            Job.id == job_id, Job.state == JobState.QUEUED, Job.relayed_at.is_(None))
            .values(relayed_at=utcnow()))
        db.session.commit()
        if taken.rowcount != 1:
            continue
        if not queue.enqueue(job_id):  # Redis is down: the row waits for the next relay
            db.session.execute(update(Job).where(Job.id == job_id).values(relayed_at=None))
            db.session.commit()
            break
        relayed += 1
    return relayed


def run_queued_here() -> int:
    """Run every job that may run now in this process, handed to Redis or not: the embedded
    default's relay, and set-up commands that need each job's result before their next step
    (a worker later finds those done). Jobs a job schedules run in the same call; a job put
    back after a database error waits for its moment."""
    requeue_stale()
    ran = 0
    while ready := list(db.session.scalars(
            select(Job.id).where(Job.state == JobState.QUEUED, _may_run_now())
            .order_by(Job.id))):
        for job_id in ready:
            run_job(job_id)
        ran += len(ready)
    return ran


def heartbeat_silent():
    """No heartbeat for JOB_STALE_SECONDS: the run's worker is taken for dead."""
    return Job.heartbeat_at < utcnow() - timedelta(
        seconds=current_app.config["JOB_STALE_SECONDS"])


def _allowed():
    """How many runs a job may have (a person's retry gives it more)."""
    return func.coalesce(Job.attempts_allowed, current_app.config["JOB_MAX_ATTEMPTS"])


def _may_run_now():
    return or_(Job.retry_at.is_(None), Job.retry_at <= utcnow())


def _waiting_for_hand_over() -> list[int]:
    return list(db.session.scalars(
        select(Job.id).where(Job.state == JobState.QUEUED, Job.relayed_at.is_(None),
                             _may_run_now())
        .order_by(Job.id)))


def requeue_stale() -> int:
    """Put back running jobs whose worker died (no heartbeat for JOB_STALE_SECONDS); a job
    that has had JOB_MAX_ATTEMPTS runs fails, with the reason, rather than kill worker after
    worker."""
    config = current_app.config
    now = utcnow()
    silent = (Job.state == JobState.RUNNING, heartbeat_silent())
    failed = db.session.execute(
        update(Job).where(*silent, Job.attempts >= _allowed())
        .values(state=JobState.FAILED, finished_at=now, error=_(
            "Its worker stopped during the run, and the job has had all the runs it may "
            "have (%(n)s): it is not tried again by itself.", n=config["JOB_MAX_ATTEMPTS"]))
        .execution_options(synchronize_session=False))
    requeued = db.session.execute(
        update(Job).where(*silent)
        .values(state=JobState.QUEUED, queued_at=now, relayed_at=None, step=None)
        .execution_options(synchronize_session=False))  # committed next: rows reload
    db.session.commit()
    return requeued.rowcount + failed.rowcount


def rehand_lost() -> int:
    """Hand over again the jobs handed to Redis more than JOB_REHAND_SECONDS ago that Redis
    no longer holds (emptied, restarted without its data, or the run failed before it could
    claim the row). A job found between two of Redis's lists may be handed over twice; the
    second run finds it taken and does nothing."""
    before = utcnow() - timedelta(seconds=current_app.config["JOB_REHAND_SECONDS"])
    candidates = set(db.session.scalars(select(Job.id).where(
        Job.state == JobState.QUEUED, Job.relayed_at < before)))
    if not candidates:
        return 0
    lost = candidates - queue.held_by_redis()
    if lost:
        db.session.execute(update(Job).where(Job.id.in_(lost), Job.state == JobState.QUEUED,
                                             Job.relayed_at < before)
                           .values(relayed_at=None)
                           .execution_options(synchronize_session=False))
        db.session.commit()
    return len(lost)
