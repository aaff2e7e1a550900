"""The operator pulls the plug: real worker processes, the real Redis and PostgreSQL.

Each test breaks something on the production shape (empties Redis's queue, makes the
database refuse connections, SIGKILLs workers in the middle of a render, a signature and a
delivery, restarts Redis), then waits with the default settings: every document must be
delivered exactly once, every number used once, no job left queued, running or failed,
within 2 minutes, with nobody doing anything.
"""

import hashlib
import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest
from redis import Redis
from sqlalchemy import create_engine, select, text

from portal.documents import services as documents
from portal.documents.models import Document
from portal.extensions import db
from portal.jobs import queue
from portal.jobs.models import Job, JobState
from portal.signing import keys
from portal.storage.models import StoredFile
from portal.transaction import action
from tests.deliveries.conftest import Exchange
from tests.jobs.workers import (
    jobs_of,
    kill,
    start_worker,
    stop,
    wait_for,
    wait_until_delivered_exactly_once,
)
from tests.pdfs import blank_pdf

pytestmark = pytest.mark.skipif(
    not (os.environ.get("REDIS_URL") and os.environ.get("DATABASE_URL")),
    reason="the production shape: worker processes need Redis, the faults need PostgreSQL")

WORKER_APPLICATION = "portal-worker"  # how the tests find the workers' connections


@pytest.fixture
def workers(app):
    """Start workers (their connections named, to be found); stop and disconnect them after."""
    started = []
    named = f"{app.config['SQLALCHEMY_DATABASE_URI']}?application_name={WORKER_APPLICATION}"

    def start():
        worker = start_worker(app, DATABASE_URL=named)
        started.append(worker)
        return worker

    yield start
    for worker in started:
        stop(worker)
    with _admin() as admin:  # a killed worker's backend may still wait on a lock
        admin.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                           "WHERE application_name = :name"), {"name": WORKER_APPLICATION})


def _admin():
    """A connection to the server's own database (not the portal's), outside transactions."""
    base = os.environ["DATABASE_URL"].replace("postgresql://", "postgresql+psycopg://", 1)
    return create_engine(base, isolation_level="AUTOCOMMIT").connect()


def _issued(exchange, make, count, *, uploaded=False) -> list[Document]:
    """Documents the ministry's clerk issues to two departments (handed to the queue)."""
    issued = []
    for n in range(count):
        draft = make.document(exchange.ministry_clerk, [exchange.a, exchange.b], issue=False,
                              subject=f"V/v kiểm tra sự cố số {n + 1}")
        if uploaded:
            with action():
                documents.add_attachment(draft, actor=exchange.ministry_clerk,
                                         filename="van-ban.pdf", data=blank_pdf(), main=True)
        with action():
            documents.issue_document(draft, actor=exchange.ministry_clerk)
        issued.append(draft)
    return issued


def _job(document, kind) -> Job | None:
    return next((j for j in jobs_of([document]) if j.kind == kind), None)


def test_jobs_lost_when_redis_empties_its_queue_are_handed_over_again(app, make, workers):
    exchange = Exchange(make)
    issued = _issued(exchange, make, 4)
    waiting = {j.id for j in jobs_of(issued)}
    assert len(waiting) == 4 and waiting <= queue.held_by_redis()  # handed over
    redis = Redis.from_url(app.config["REDIS_URL"])
    redis.flushdb()  # as a restart of a Redis that keeps nothing on disk
    redis.set("portal-test-claim", "1")  # the test run's Redis database stays claimed
    worker = workers()
    took = wait_until_delivered_exactly_once(issued, workers=[worker])
    print(f"delivered {took:.1f} s after the queue was emptied")


def test_the_database_refusing_connections_mid_job_loses_nothing(app, make, workers):
    exchange = Exchange(make)
    issued = _issued(exchange, make, 5)
    worker = workers()
    wait_for(lambda: any(j.state == JobState.RUNNING for j in jobs_of(issued)), within=60,
             what="a job started")
    name = db.engine.url.database
    db.session.remove()
    db.engine.dispose()  # this test's own connections are not the point
    with _admin() as admin:
        admin.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false'))
        admin.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                           "WHERE datname = :name AND pid <> pg_backend_pid()"), {"name": name})
        time.sleep(12)
        admin.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true'))
    took = wait_until_delivered_exactly_once(issued, workers=[worker])
    print(f"delivered {took:.1f} s after the database came back")
    assert worker.poll() is None  # the worker lived through it


def test_workers_killed_during_render_sign_and_dispatch_lose_nothing(app, make, workers):
    """Three workers, each held by a lock in a different step, are SIGKILLed there."""
    exchange = Exchange(make)
    with action():
        keys.init_development_pki()  # so the seal goes on, and reads the seal's image
    rendered, signed = _issued(exchange, make, 2)
    [uploaded] = _issued(exchange, make, 1, uploaded=True)  # its render leads to the dispatch
    engine = create_engine(app.config["SQLALCHEMY_DATABASE_URI"])
    locks = [engine.connect() for _ in range(3)]
    for connection, statement in zip(locks, [
            "SELECT id FROM document WHERE id = :id FOR UPDATE",  # the render's last write
            # the seal reads its image (the render reads the keys too, to lay out the fields)
            "LOCK TABLE stamp_image IN ACCESS EXCLUSIVE MODE",
            "LOCK TABLE inbox_tally IN EXCLUSIVE MODE"], strict=True):  # dispatch counts
        connection.begin()
        connection.execute(text(statement), {"id": rendered.id})
    try:
        killed = [workers(), workers(), workers()]
        wait_for(_held_in_their_steps(rendered, signed, uploaded), within=90,
                 what="each worker held in its step")
        for worker in killed:
            kill(worker)
    finally:  # a failure must not leave the locks held: the next test's clean-up waits on them
        for connection in locks:
            connection.rollback()
            connection.close()
        engine.dispose()
    survivor = workers()
    took = wait_until_delivered_exactly_once([rendered, signed, uploaded], workers=[survivor])
    print(f"delivered {took:.1f} s after the kills")
    assert {(j.kind, j.attempts) for j in jobs_of([rendered, signed, uploaded])
            if j.attempts > 1} == {("render", 2), ("sign", 2), ("dispatch", 2)}
    storage = Path(app.config["STORAGE_DIR"])
    for stored in db.session.scalars(select(StoredFile)):  # no half-written file of record
        path = storage / stored.sha256[:2] / stored.sha256[2:4] / stored.sha256
        assert hashlib.sha256(path.read_bytes()).hexdigest() == stored.sha256


def _held_in_their_steps(rendered, signed, uploaded):
    def held():
        running = {(j.document_id, j.kind) for j in jobs_of([rendered, signed, uploaded])
                   if j.state == JobState.RUNNING}
        return running == {(rendered.id, "render"), (signed.id, "sign"),
                           (uploaded.id, "dispatch")} and _waiting_on_locks() == 3
    return held


def _waiting_on_locks() -> int:
    return db.session.scalar(text(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
        "AND wait_event_type = 'Lock' AND application_name = :name"),
        {"name": WORKER_APPLICATION})


@pytest.fixture
def own_redis(tmp_path):
    """A Redis server of this test's own, which it may stop and start again."""
    binary = shutil.which("redis-server")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
               "--appendonly", "no", "--dir", str(tmp_path)]
    server = {"process": None}

    def start():
        server["process"] = subprocess.Popen(command, stdout=subprocess.DEVNULL)
        client = Redis(port=port)
        wait_for(lambda: _answers(client), within=10, what="Redis started", poll=0.05)

    def crash():
        server["process"].kill()
        server["process"].wait()

    start()
    yield {"url": f"redis://127.0.0.1:{port}/0", "start": start, "crash": crash}
    crash()


def _answers(client) -> bool:
    try:
        return client.ping()
    except Exception:
        return False


def test_restarting_redis_loses_nothing(app, make, workers, own_redis, monkeypatch):
    monkeypatch.setitem(app.config, "REDIS_URL", own_redis["url"])
    from flask import current_app

    monkeypatch.setitem(current_app.config, "REDIS_URL", own_redis["url"])
    exchange = Exchange(make)
    handed_over = _issued(exchange, make, 3)  # in Redis, with no worker yet
    own_redis["crash"]()
    waiting = _issued(exchange, make, 3)  # Redis is down: issuing works, the rows wait
    assert all(j.relayed_at is None for j in jobs_of(waiting))
    worker = workers()  # starts while Redis is down, and waits for it
    time.sleep(3)
    assert worker.poll() is None
    own_redis["start"]()  # back, empty
    took = wait_until_delivered_exactly_once(handed_over + waiting, workers=[worker])
    print(f"delivered {took:.1f} s after Redis came back")
