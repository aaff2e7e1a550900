"""Schedule, hand over, run and retry background jobs; the same path with or without Redis.

A feature registers a handler per kind (`@handles("render")`). A service schedules a job in
the action's transaction; once the action commits, `relay_pending()` runs: with `REDIS_URL` the
jobs go to the RQ queue (a worker runs them); without it they run here, in-process, through
the same `run_job`. A job may be handed over twice (a relay retried, a dead worker's job put
back by `requeue_stale`): `run_job` claims the row by a conditional UPDATE, and handlers check
what is already done, so nothing happens twice.
"""

import logging
from collections.abc import Callable
from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import case, select, update

from portal.audit import services as audit
from portal.clock import utcnow
from portal.extensions import db
from portal.jobs.models import FIRST_STEPS, Job, JobState
from portal.rules import PortalError
from portal.transaction import after_commit

log = logging.getLogger(__name__)

_HANDLERS: dict[str, Callable[[Job], None]] = {}


class JobError(PortalError):
    """A job step that is not possible now; the message is shown to the person."""


def handles(kind: str):
    """Register the function that does the work of jobs of this kind."""
    def register(function):
        _HANDLERS[kind] = function
        return function
    return register


def schedule(kind: str, *, document_id: int | None = None, actor=None) -> Job:
    """Add a job in the caller's transaction; it is handed over once the action commits."""
    job = Job(kind=kind, document_id=document_id, created_by_id=actor.id if actor else None)
    db.session.add(job)
    after_commit(relay_pending)
    return job


def schedule_next(job: Job, kind: str) -> None:
    """Add the job that follows this one in its chain, unless a run before already did."""
    if following(job) is None:
        schedule(kind, document_id=job.document_id)


def first_job_of(document) -> Job | None:
    """The first job of the document's latest run (its last render, which a document returned
    for changes runs again); its fragment shows the ones after it."""
    mine = select(Job).where(Job.document_id == document.id)
    return (db.session.scalar(mine.where(Job.kind == "render").order_by(Job.id.desc()).limit(1))
            or db.session.scalar(mine.order_by(Job.id).limit(1)))


def following(job: Job) -> Job | None:
    """The job this one led to (render → sign → verify), once it exists."""
    return db.session.scalar(select(Job).where(Job.document_id == job.document_id,
                                               Job.id > job.id).order_by(Job.id).limit(1))


def queued_follower(job_id: int) -> int | None:
    """The job that follows this one, when it is still waiting to run."""
    follower = following(db.session.get(Job, job_id))
    return follower.id if follower is not None and follower.state == JobState.QUEUED else None


def report(job: Job, progress: int, step: str) -> None:
    """Record how far a running job got, a JOB_STEP_LABELS code (committed at once, so the
    page sees it)."""
    job.progress, job.step, job.heartbeat_at = progress, step, utcnow()
    db.session.commit()


def relay_pending() -> int:
    """Hand committed jobs to the queue, or run them here when there is no Redis."""
    if not current_app.config["REDIS_URL"]:
        return run_queued_here()  # with no queue, every waiting job is one nobody handed over
    from portal.jobs import queue

    pending = _pending()
    relayed = 0
    for job_id in pending:
        if not queue.enqueue(job_id):
            break  # Redis is down: the rows wait, and the next relay hands them over
        db.session.execute(update(Job).where(Job.id == job_id, Job.relayed_at.is_(None))
                           .values(relayed_at=utcnow()))
        db.session.commit()
        relayed += 1
    return relayed


def run_queued_here() -> int:
    """Run every queued job in this process now, handed to Redis or not: the embedded
    default's relay, and set-up commands that need each job's result before their next step
    (a worker later finds those done). Jobs a job schedules run in the same call."""
    ran = 0
    while queued := list(db.session.scalars(
            select(Job.id).where(Job.state == JobState.QUEUED).order_by(Job.id))):
        for job_id in queued:
            run_job(job_id)
        ran += len(queued)
    return ran


def _pending() -> list[int]:
    return list(db.session.scalars(
        select(Job.id).where(Job.state == JobState.QUEUED, Job.relayed_at.is_(None))
        .order_by(Job.id)))


def _claim(job_id: int) -> bool:
    """Take a queued job for this run; False when another run has it or it is finished."""
    now = utcnow()
    result = db.session.execute(
        update(Job).where(Job.id == job_id, Job.state == JobState.QUEUED)
        .values(state=JobState.RUNNING, attempts=Job.attempts + 1, started_at=now,
                heartbeat_at=now, error=None, step=case(FIRST_STEPS, value=Job.kind)))
    db.session.commit()
    return result.rowcount == 1


def run_job(job_id: int) -> None:
    """Run one job to done or failed; a job already taken or finished is left alone."""
    if not _claim(job_id):
        return
    job = db.session.get(Job, job_id)
    try:
        _HANDLERS[job.kind](job)
    except Exception as error:  # any failure is the job's, shown to the person with a retry
        log.exception("job %s (%s) failed", job.id, job.kind)
        db.session.rollback()
        _finish(job_id, JobState.FAILED, error=str(error)[:1000] or type(error).__name__)
    else:
        _finish(job_id, JobState.DONE)


def _finish(job_id: int, state: JobState, error: str | None = None) -> None:
    values = {"state": state, "finished_at": utcnow(), "error": error}
    if state == JobState.DONE:
        values.update(progress=100, step=None)
    db.session.execute(update(Job).where(Job.id == job_id).values(**values))
    db.session.commit()


def retry(job: Job, *, actor) -> None:
    """Queue a failed job again (the retry button)."""
    result = db.session.execute(
        update(Job).where(Job.id == job.id, Job.state == JobState.FAILED)
        .values(state=JobState.QUEUED, relayed_at=None, progress=0, error=None, step=None))
    if result.rowcount != 1:
        raise JobError(_("Only a failed job can be tried again."))
    audit.record("job.retried", actor=actor, obj=job, details={"kind": job.kind})
    after_commit(relay_pending)


def requeue_stale() -> int:
    """Put back jobs whose worker died mid-run (no heartbeat for JOB_STALE_SECONDS)."""
    stale = utcnow() - timedelta(seconds=current_app.config["JOB_STALE_SECONDS"])
    result = db.session.execute(
        update(Job).where(Job.state == JobState.RUNNING, Job.heartbeat_at < stale)
        .values(state=JobState.QUEUED, relayed_at=None)
        .execution_options(synchronize_session=False))  # committed next: rows reload
    db.session.commit()
    return result.rowcount
