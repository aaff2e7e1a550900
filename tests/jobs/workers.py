"""Real `flask jobs worker` processes for the tests, and what every fault must leave behind."""

import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import func, select

from portal.deliveries.models import Delivery
from portal.documents.models import Document
from portal.extensions import db
from portal.jobs.models import Job, JobState

FLASK = str(Path(sys.executable).with_name("flask"))
WITHIN_SECONDS = 120  # the bound, with the default settings


def start_worker(app, *args, **settings) -> subprocess.Popen:
    """A worker process with the app's database and queue and the default job settings."""
    env = {**os.environ, "FLASK_APP": "wsgi", "PORTAL_ENV": "development",
           "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
           "REDIS_URL": app.config["REDIS_URL"], "RQ_QUEUE": app.config["RQ_QUEUE"],
           "STORAGE_DIR": app.config["STORAGE_DIR"], "INSTANCE_DIR": app.config["INSTANCE_DIR"],
           "SECRET_KEY": app.config["SECRET_KEY"], **settings}
    for name in [name for name in env if name.startswith("JOB_") and name not in settings]:
        del env[name]
    # A file, not a pipe: a worker that logs a lot must never block on it.
    log = tempfile.TemporaryFile()  # noqa: SIM115 (closed with the worker, in stop)
    worker = subprocess.Popen([FLASK, "jobs", "worker", *args], env=env,
                              start_new_session=True, stdout=log, stderr=subprocess.STDOUT)
    worker.log = log
    return worker


def wait_until_listening(worker: subprocess.Popen, timeout: float = 60) -> None:
    """Until RQ's loop has begun (its signal handlers are set just after it says so): a fixed
    sleep is too short on a loaded machine, and a SIGTERM during start-up kills at once."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert worker.poll() is None, stop(worker)
        worker.log.seek(0)
        if b"Listening on" in worker.log.read():
            time.sleep(0.5)
            return
        time.sleep(0.2)
    raise AssertionError("the worker did not start: " + stop(worker))


def kill(worker: subprocess.Popen) -> None:
    """SIGKILL the worker and any child it has: no goodbye, no cleanup, as a power cut."""
    children = Path(f"/proc/{worker.pid}/task/{worker.pid}/children").read_text().split()
    for victim in [worker.pid, *map(int, children)]:
        os.kill(victim, signal.SIGKILL)
    worker.wait()


def stop(worker: subprocess.Popen) -> str:
    """Stop a worker that is still running; its output, for a failing test to show."""
    if worker.poll() is None:
        kill(worker)
    if worker.log.closed:
        return ""
    worker.log.seek(0)
    output = worker.log.read().decode(errors="replace")[-4000:]
    worker.log.close()
    return output


def jobs_of(documents) -> list[Job]:
    db.session.expire_all()
    return list(db.session.scalars(select(Job).where(
        Job.document_id.in_([d.id for d in documents])).order_by(Job.id)))


def wait_for(condition, *, within: float, what: str, poll: float = 0.2):
    deadline = time.monotonic() + within
    while True:
        db.session.rollback()  # see what other processes committed since
        found = condition()
        if found:
            return found
        assert time.monotonic() < deadline, f"not within {within} s: {what}"
        time.sleep(poll)


def every_job_finished(documents) -> bool:
    jobs = jobs_of(documents)
    # render → sign → dispatch → verify (an uploaded PDF: render → dispatch → verify)
    kinds = {document.id: {j.kind for j in jobs if j.document_id == document.id}
             for document in documents}
    return all("verify" in k for k in kinds.values()) and all(j.finished for j in jobs)


def assert_delivered_exactly_once(documents) -> None:
    """Every job done (none queued, running or failed), every recipient's copy there once,
    every number used once."""
    jobs = jobs_of(documents)
    assert [(j.id, j.kind, j.state, j.error) for j in jobs if j.state != JobState.DONE] == []
    for document in documents:
        document = db.session.get(Document, document.id)
        assert document.dispatched_at is not None and document.pdf_file_id is not None
        recipients = db.session.execute(select(Delivery.recipient_id, func.count()).where(
            Delivery.document_id == document.id).group_by(Delivery.recipient_id)).all()
        assert sorted(r for r, _n in recipients) == sorted(document.recipient_ids)
        assert {n for _r, n in recipients} == {1}
    reused = db.session.execute(
        select(Document.issuer_id, Document.year, Document.number, func.count())
        .where(Document.number.is_not(None))
        .group_by(Document.issuer_id, Document.year, Document.number)
        .having(func.count() > 1)).all()
    assert reused == []


def wait_until_delivered_exactly_once(documents, *, workers=()) -> float:
    """Wait (WITHIN_SECONDS at most) until every document's jobs are finished, then check
    that each was delivered exactly once; the seconds it took."""
    started = time.monotonic()
    try:
        wait_for(lambda: every_job_finished(documents), within=WITHIN_SECONDS,
                 what="every document delivered")
    except AssertionError as error:
        outputs = "\n".join(stop(w) for w in workers)
        jobs = [(j.id, j.document_id, j.kind, j.state, j.attempts, j.error)
                for j in jobs_of(documents)]
        raise AssertionError(f"{error}\n{jobs}\n{outputs}") from None
    assert_delivered_exactly_once(documents)
    return time.monotonic() - started
