"""Schedule background jobs, follow them, and try again the ones that are stuck.

A feature's tasks module holds a handler per kind (`@runner.handles("render")`), which
portal.tasks registers. A service schedules a job in the action's transaction; once the action
commits, `runner.relay_pending()` runs: with `REDIS_URL` the jobs go to the RQ queue (a worker
runs them); without it they run here, in-process, through the same `runner.run_job`. Handlers
check what is already done, so a job handed over twice or run again after a crash does nothing
twice.
"""

from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import or_, select, update
from sqlalchemy.orm import joinedload

from portal import policy
from portal.audit import services as audit
from portal.clock import as_local, aware_utc, utcnow
from portal.extensions import db
from portal.jobs.models import Job, JobState
from portal.jobs.runner import heartbeat_silent, relay_pending
from portal.rules import PortalError
from portal.transaction import after_commit

TROUBLE_LIMIT = 100  # rows per list on the administrators' page


class JobError(PortalError):
    """A job step that is not possible now; the message is shown to the person."""


def schedule(kind: str, *, document_id: int | None = None, message_id: int | None = None,
             actor=None) -> Job:
    """Add a job in the caller's transaction; it is handed over once the action commits."""
    job = Job(kind=kind, document_id=document_id, message_id=message_id,
              created_by_id=actor.id if actor else None)
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
    mine = select(Job).where(Job.document_id == document.id, Job.message_id.is_(None))
    return (db.session.scalar(mine.where(Job.kind == "render").order_by(Job.id.desc()).limit(1))
            or db.session.scalar(mine.order_by(Job.id).limit(1)))


def following(job: Job) -> Job | None:
    """The job this one led to (render → sign → verify), once it exists (a message's job
    sent to the axis is of no chain)."""
    return db.session.scalar(select(Job).where(Job.document_id == job.document_id,
                                               Job.message_id.is_(None),
                                               Job.id > job.id).order_by(Job.id).limit(1))


def queued_follower(job_id: int) -> int | None:
    """The job that follows this one, when it is still waiting to run."""
    follower = following(db.session.get(Job, job_id))
    return follower.id if follower is not None and follower.state == JobState.QUEUED else None


def _running_too_long():
    started_before = utcnow() - timedelta(seconds=current_app.config["JOB_TIMEOUT_SECONDS"])
    return (Job.state == JobState.RUNNING) & or_(heartbeat_silent(),
                                                 Job.started_at < started_before)


def _waiting_too_long():
    since = utcnow() - timedelta(seconds=current_app.config["JOB_WAITING_ALERT_SECONDS"])
    return (Job.state == JobState.QUEUED) & (Job.queued_at < since)


@dataclass
class Troubles:
    waiting: list[Job]
    running: list[Job]
    failed: list[Job]


def troubles() -> Troubles:
    """The jobs an administrator should look at: waiting or running too long, and failed."""
    def listed(condition, order):
        return list(db.session.scalars(
            select(Job).options(joinedload(Job.document)).where(condition)
            .order_by(order).limit(TROUBLE_LIMIT)))

    return Troubles(waiting=listed(_waiting_too_long(), Job.queued_at),
                    running=listed(_running_too_long(), Job.started_at),
                    failed=listed(Job.state == JobState.FAILED, Job.finished_at.desc()))


def can_retry(job: Job) -> bool:
    return job.state == JobState.FAILED or db.session.scalar(
        select(Job.id).where(Job.id == job.id, _waiting_too_long() | _running_too_long())
    ) is not None


def retry(job: Job, *, actor) -> None:
    """Try a job again now: a failed one, one waiting too long (handed over again), or one
    running too long (put back; its run, if it is still alive, keeps nothing)."""
    if not can_retry(job):
        raise JobError(_("Only a failed job, or one waiting or running too long, can be tried "
                         "again."))
    if job.state != JobState.FAILED and not policy.can_manage_jobs(actor):
        raise JobError(_("Only an administrator can interrupt a job that is still under way."))
    before = job.state
    result = db.session.execute(
        update(Job).where(Job.id == job.id, Job.state == before)
        .values(state=JobState.QUEUED, queued_at=utcnow(), retry_at=None, relayed_at=None,
                progress=0, error=None, step=None,
                attempts_allowed=Job.attempts + current_app.config["JOB_MAX_ATTEMPTS"]))
    if result.rowcount != 1:
        raise JobError(_("The job has just moved on; reload the page."))
    audit.record("job.retried", actor=actor, obj=job, details={"kind": job.kind, "from": before})
    after_commit(relay_pending)


def reason(job: Job) -> str:
    """Why the job is on the administrators' page, in the reader's language."""
    def at(moment):
        return as_local(moment).strftime("%d/%m/%Y %H:%M:%S") if moment else ""

    config = current_app.config
    if job.state == JobState.FAILED:
        return job.error or _("Failed without a message.")
    if job.state == JobState.RUNNING:
        silent = utcnow() - aware_utc(job.heartbeat_at)
        if silent > timedelta(seconds=config["JOB_STALE_SECONDS"]):
            return _("No sign of life since %(at)s: its worker has probably stopped; it is put "
                     "back in the queue by itself.", at=at(job.heartbeat_at))
        return _("Running for longer than %(n)s seconds.", n=config["JOB_TIMEOUT_SECONDS"])
    if job.retry_at is not None and aware_utc(job.retry_at) > utcnow():
        return " ".join([job.error or "", _("Next try at %(at)s.", at=at(job.retry_at))]).strip()
    if job.relayed_at is None:
        return _("Not handed to the queue yet: Redis does not answer, or no worker is running "
                 "to relay it.")
    return _("In the queue since %(at)s, and no worker has taken it: is `flask jobs worker` "
             "running?", at=at(job.relayed_at))
