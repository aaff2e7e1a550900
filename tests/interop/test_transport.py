"""The axis_send job against a real HTTP server on 127.0.0.1: 2xx sends, a refusal or a 5xx
or a timeout or a closed port puts the job back with a doubling wait and the reason, the
last attempt fails it for a person to retry, and a message sent is never POSTed again."""

import os
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from flask import current_app
from sqlalchemy import select

from portal.extensions import db
from portal.interop.models import AxisMessage
from portal.jobs import services as jobs
from portal.jobs.models import Job
from portal.transaction import action
from tests.jobs.workers import start_worker, stop, wait_for


class Axis:
    """A stand-in for the axis: answers each POST with the next of `answers` (a status, or
    "hang" to answer nothing for longer than the portal waits), the last one from then on."""

    def __init__(self, *answers):
        self.answers = list(answers)
        self.received = []  # (headers, body) of every POST
        axis = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (http.server's name)
                body = self.rfile.read(int(self.headers["Content-Length"]))
                axis.received.append((dict(self.headers), body))
                answer = axis.answers.pop(0) if len(axis.answers) > 1 else axis.answers[0]
                if answer == "hang":
                    time.sleep(3)
                    return
                self.send_response(answer)
                self.send_header("Content-Type", "text/plain; charset=utf-8")
                text = "OK" if answer < 300 else "Hệ thống đang bảo trì"
                self.send_header("Content-Length", str(len(text.encode())))
                self.end_headers()
                self.wfile.write(text.encode())

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/edxml"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def axis_at(app):
    started = []

    def start(*answers, retry_seconds=0, attempts=10):
        axis = Axis(*answers)
        started.append(axis)
        for config in (app.config, current_app.config):  # the requests' app and the test's
            config.update(AXIS_URL=axis.url, AXIS_TOKEN="axis-secret",
                          AXIS_TIMEOUT_SECONDS=1, JOB_RETRY_SECONDS=retry_seconds,
                          JOB_MAX_ATTEMPTS=attempts)
        return axis
    yield start
    for axis in started:
        axis.close()


def _issue(world):
    return world.make.document(world.ministry_clerk, [world.on_axis])


def _message(document) -> AxisMessage:
    db.session.expire_all()
    return db.session.scalar(select(AxisMessage).where(AxisMessage.document_id == document.id))


def _job(message) -> Job:
    return db.session.scalar(select(Job).where(Job.message_id == message.id))


def test_a_2xx_answer_sends_the_stored_xml_once_with_the_token(world, axis_at, run_jobs):
    axis = axis_at(201)
    document = _issue(world)
    run_jobs()
    message = _message(document)
    assert (message.state, message.http_status, message.attempts) == ("sent", 201, 1)
    assert message.sent_at is not None and message.error is None
    [(headers, body)] = axis.received
    assert headers["Content-Type"] == "application/xml"
    assert headers["Authorization"] == "Bearer axis-secret"
    from portal.storage.services import read_bytes

    assert body == read_bytes(message.file)  # what is sent is what was recorded
    job = _job(message)
    assert job.state == "done"
    # A run again (a retry, a job handed over twice) POSTs nothing more.
    from portal.interop.tasks import send_message

    send_message(job)
    db.session.commit()
    assert len(axis.received) == 1


def test_a_5xx_is_tried_again_and_then_sent(world, axis_at, run_jobs):
    axis = axis_at(500, 503, 202)
    document = _issue(world)
    run_jobs()
    message = _message(document)
    assert (message.state, message.http_status, message.attempts) == ("sent", 202, 3)
    assert len(axis.received) == 3


@pytest.mark.parametrize("answer, reason", [(500, "500"), (403, "403"),
                                            ("hang", "1")])
def test_a_failure_waits_with_its_reason_and_a_doubling_wait(world, axis_at, run_jobs,
                                                             answer, reason):
    axis_at(answer, retry_seconds=60)
    document = _issue(world)
    run_jobs()
    message = _message(document)
    job = _job(message)
    assert message.state == "pending" and message.attempts == 1
    assert reason in message.error
    assert job.state == "queued" and reason in job.error
    assert job.retry_at is not None
    waited = (job.retry_at - job.queued_at).total_seconds()
    assert 59 <= waited <= 61
    if answer == 500:
        assert "bảo trì" in message.error  # the axis's own words, shown


def _point_at(app, url):
    app.config["AXIS_URL"] = current_app.config["AXIS_URL"] = url


def test_a_closed_port_fails_after_its_attempts_and_a_person_retries(app, world, axis_at,
                                                                     run_jobs):
    axis = axis_at(201, attempts=3)
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]
    _point_at(app, f"http://127.0.0.1:{closed}/edxml")
    document = _issue(world)
    run_jobs()
    message = _message(document)
    job = _job(message)
    assert (message.state, message.attempts, job.state) == ("failed", 3, "failed")
    assert "Connection refused" in message.error and "3" in job.error
    _point_at(app, axis.url)
    with action():
        jobs.retry(job, actor=world.ministry_clerk)
    run_jobs()
    message = _message(document)
    assert (message.state, message.http_status) == ("sent", 201)
    assert len(axis.received) == 1


def test_the_tracking_page_shows_the_reason_and_the_retry(world, axis_at, run_jobs, client,
                                                          auth):
    axis_at(500, attempts=1)
    document = _issue(world)
    run_jobs()
    auth.login(world.ministry_clerk.email)
    page = client.get(f"/documents/{document.id}").get_data(as_text=True)
    message = _message(document)
    assert f'data-message="{message.id}"' in page
    assert "axis-failed" in page and "500" in page
    assert f"/jobs/{_job(message).id}/retry" in page
    assert world.on_axis.organ_id in page


@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="a worker process needs Redis")
def test_a_worker_process_sends_through_the_axis(app, world, axis_at):
    axis = axis_at(500, 201)
    document = _issue(world)
    worker = start_worker(app, "--burst", AXIS_URL=axis.url, AXIS_TOKEN="axis-secret",
                          AXIS_TIMEOUT_SECONDS="2", JOB_RETRY_SECONDS="0")
    try:
        wait_for(lambda: _message(document).state == "sent", within=120,
                 what="the message sent by the worker")
    finally:
        output = stop(worker)
    message = _message(document)
    assert (message.http_status, message.attempts) == (201, 2), output
    assert len(axis.received) == 2
