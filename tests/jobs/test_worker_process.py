"""A real `flask jobs worker` process against Redis: it renders, and a SIGKILL loses nothing.

Runs only with REDIS_URL (the embedded default has no worker: jobs run in the portal).
"""

import hashlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from portal.deliveries.models import Delivery
from portal.documents import services as documents
from portal.documents.models import Document
from portal.extensions import db
from portal.jobs.models import Job, JobState
from portal.storage.models import StoredFile
from portal.transaction import action
from tests.deliveries.conftest import Exchange

pytestmark = pytest.mark.skipif(not os.environ.get("REDIS_URL"),
                                reason="a worker process needs Redis")
FLASK = str(Path(sys.executable).with_name("flask"))


def _worker(app, *args, stale_seconds=300):
    env = {**os.environ, "FLASK_APP": "wsgi", "PORTAL_ENV": "development",
           "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
           "REDIS_URL": app.config["REDIS_URL"], "RQ_QUEUE": app.config["RQ_QUEUE"],
           "STORAGE_DIR": app.config["STORAGE_DIR"], "INSTANCE_DIR": app.config["INSTANCE_DIR"],
           "SECRET_KEY": app.config["SECRET_KEY"], "JOB_STALE_SECONDS": str(stale_seconds)}
    return subprocess.Popen([FLASK, "jobs", "worker", *args], env=env, start_new_session=True,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)


def _kill_with_children(pid: int) -> None:
    """SIGKILL a process and any children it has (the worker runs jobs itself; a worker of
    RQ's forking kind would have a work-horse in a session of its own)."""
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    for victim in [pid, *map(int, children)]:
        os.kill(victim, signal.SIGKILL)


def _issued_for_the_worker(make, **fields) -> Document:
    """Issue a document and leave its jobs on the queue (the factory would run them here)."""
    exchange = Exchange(make)
    draft = make.document(exchange.ministry_clerk, [exchange.a], issue=False, **fields)
    with action():
        return documents.issue_document(draft, actor=exchange.ministry_clerk)


def _job_of(document) -> Job:
    db.session.expire_all()
    return db.session.scalar(select(Job).where(Job.document_id == document.id))


def test_a_worker_process_renders_and_delivers_the_issued_document(app, make):
    document = _issued_for_the_worker(make)
    assert _job_of(document).state == JobState.QUEUED
    worker = _worker(app, "--burst")
    output = worker.communicate(timeout=120)[0].decode()
    assert worker.returncode == 0, output
    assert _job_of(document).state == JobState.DONE
    document = db.session.get(Document, document.id)
    assert document.pdf_file_id is not None and document.dispatched_at is not None
    assert db.session.scalar(select(func.count(Delivery.id))
                             .where(Delivery.document_id == document.id)) == 1


def test_killing_the_worker_mid_job_loses_nothing_and_doubles_nothing(app, make):
    long_body = "\n".join(f"Đoạn {n}: nội dung báo cáo chi tiết về tình hình gửi, nhận văn "
                          f"bản điện tử của các Sở Tài nguyên và Môi trường." * 3
                          for n in range(250))
    document = _issued_for_the_worker(make, body=long_body)
    notation = document.notation
    worker = _worker(app)
    deadline = time.monotonic() + 60
    while _job_of(document).state != JobState.RUNNING:  # the render has started
        assert time.monotonic() < deadline, "the worker never started the job"
        time.sleep(0.02)
    _kill_with_children(worker.pid)  # mid-render
    worker.wait()
    assert _job_of(document).state == JobState.RUNNING  # killed mid-job: no one finished it
    time.sleep(1.2)
    again = _worker(app, "--burst", stale_seconds=1)  # puts the dead job back, then runs it
    output = again.communicate(timeout=180)[0].decode()
    assert again.returncode == 0, output
    job = _job_of(document)
    assert (job.state, job.attempts) == (JobState.DONE, 2), (job.error, output[-3000:])
    document = db.session.get(Document, document.id)
    assert document.notation == notation and document.pdf_file_id is not None
    kept = db.session.scalars(select(StoredFile)).all()
    assert db.session.scalar(select(func.count(Document.id)).where(
        Document.pdf_file_id == document.pdf_file_id)) == 1
    storage = Path(app.config["STORAGE_DIR"])
    for stored in kept:  # every file of record is whole: its bytes hash to its name
        path = storage / stored.sha256[:2] / stored.sha256[2:4] / stored.sha256
        assert hashlib.sha256(path.read_bytes()).hexdigest() == stored.sha256
