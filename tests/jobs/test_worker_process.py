"""A real `flask jobs worker` process against Redis renders and delivers what was issued.

Runs only with REDIS_URL (the embedded default has no worker: jobs run in the portal). What
the worker does when things break is in test_faults.py.
"""

import os
import signal

import pytest

from portal.documents import services as documents
from portal.documents.models import Document
from portal.jobs.models import JobState
from portal.transaction import action
from tests.deliveries.conftest import Exchange
from tests.jobs.workers import (
    assert_delivered_exactly_once,
    jobs_of,
    start_worker,
    stop,
    wait_until_listening,
)

pytestmark = pytest.mark.skipif(not os.environ.get("REDIS_URL"),
                                reason="a worker process needs Redis")


def test_a_worker_process_renders_and_delivers_the_issued_document(app, make):
    exchange = Exchange(make)
    draft = make.document(exchange.ministry_clerk, [exchange.a], issue=False)
    with action():
        document = documents.issue_document(draft, actor=exchange.ministry_clerk)
    assert [j.state for j in jobs_of([document])] == [JobState.QUEUED]
    worker = start_worker(app, "--burst")
    assert worker.wait(timeout=120) == 0, stop(worker)
    assert_delivered_exactly_once([document])
    assert [j.kind for j in jobs_of([document])] == ["render", "sign", "dispatch", "verify"]
    assert isinstance(document, Document)


def test_an_idle_worker_stops_when_asked(app):
    worker = start_worker(app)
    wait_until_listening(worker)
    worker.send_signal(signal.SIGTERM)  # systemctl stop
    assert worker.wait(timeout=15) == 0, stop(worker)
