"""The runner's promises, in-process on both databases: dead runs are put back after the
default silence, a run given up for dead keeps nothing, a running job beats, a database
error puts the job back with a wait instead of failing it."""

import time
from datetime import timedelta

import pytest
from flask import current_app
from sqlalchemy import create_engine, func, select, text, update

from portal.audit import services as audit
from portal.audit.models import AuditEvent
from portal.clock import utcnow
from portal.extensions import db
from portal.jobs import runner
from portal.jobs.models import Job, JobState


@pytest.fixture
def probe(app, monkeypatch):
    """A job kind whose work the test chooses (the runner does not know it is a test)."""
    work = {"do": lambda job: None}
    monkeypatch.setitem(runner.HANDLERS, "probe", lambda job: work["do"](job))

    def queued(do):
        work["do"] = do
        job = Job(kind="probe")
        db.session.add(job)
        db.session.commit()
        return job.id
    return queued


def _job(job_id) -> Job:
    db.session.expire_all()
    return db.session.get(Job, job_id)


def _silent_for(job_id, seconds, attempts=1):
    db.session.execute(update(Job).where(Job.id == job_id).values(
        state=JobState.RUNNING, attempts=attempts,
        heartbeat_at=utcnow() - timedelta(seconds=seconds)))
    db.session.commit()


def test_a_dead_run_is_put_back_after_the_default_silence_and_fails_after_ten(probe):
    assert current_app.config["JOB_STALE_SECONDS"] == 30  # the default, well under a minute
    quiet, dead, hopeless = probe(print), probe(print), probe(print)
    _silent_for(quiet, 20)
    _silent_for(dead, 31)
    _silent_for(hopeless, 31, attempts=10)
    assert runner.requeue_stale() == 2
    assert _job(quiet).state == JobState.RUNNING
    assert (_job(dead).state, _job(dead).relayed_at) == (JobState.QUEUED, None)
    assert _job(hopeless).state == JobState.FAILED and "10" in _job(hopeless).error


def test_a_run_taken_over_keeps_nothing(probe):
    """Given up for dead (say the machine froze) and claimed by another run, the old run
    comes back: its work is rolled back and the new run's row is left as it is."""
    def frozen_then_back(job):
        with create_engine(current_app.config["SQLALCHEMY_DATABASE_URI"]).begin() as other:
            other.execute(update(Job).where(Job.id == job.id).values(
                attempts=Job.attempts + 1))  # put back and claimed again meanwhile
        audit.record("probe.worked", obj=job)

    job_id = probe(frozen_then_back)
    runner.run_job(job_id)
    job = _job(job_id)
    assert (job.state, job.attempts) == (JobState.RUNNING, 2)  # the new run's, untouched
    assert db.session.scalar(select(func.count(AuditEvent.id)).where(
        AuditEvent.action == "probe.worked")) == 0


def test_a_running_job_beats_while_it_works(probe, monkeypatch):
    monkeypatch.setitem(current_app.config, "JOB_HEARTBEAT_SECONDS", 0.2)
    seen = []

    def long_render(job):
        started = db.session.scalar(select(Job.heartbeat_at).where(Job.id == job.id))
        time.sleep(1)
        with create_engine(current_app.config["SQLALCHEMY_DATABASE_URI"]).connect() as other:
            seen.append(other.scalar(select(Job.heartbeat_at).where(Job.id == job.id)) -
                        started)

    runner.run_job(probe(long_render))
    assert seen[0] >= timedelta(seconds=0.6)


def test_a_database_error_puts_the_job_back_with_a_wait(app, probe):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("the database ends this job's connection: PostgreSQL's pg_terminate_backend")

    def connection_cut(job):
        db.session.execute(text("SELECT pg_terminate_backend(pg_backend_pid())"))

    job_id = probe(connection_cut)
    runner.run_job(job_id)
    job = _job(job_id)
    assert (job.state, job.relayed_at, job.attempts) == (JobState.QUEUED, None, 1)
    assert "tries again" in job.error or "tự thử lại" in job.error
    wait = job.retry_at - utcnow()
    assert timedelta(seconds=3) < wait <= timedelta(seconds=5)  # JOB_RETRY_SECONDS, doubling
    assert runner.run_queued_here() == 0  # not before its time
    db.session.execute(update(Job).where(Job.id == job_id).values(retry_at=utcnow()))
    db.session.commit()
    runner.run_queued_here()
    job = _job(job_id)
    assert job.state == JobState.QUEUED and job.attempts == 2  # cut again: waits twice as long
    assert job.retry_at - utcnow() > timedelta(seconds=8)
