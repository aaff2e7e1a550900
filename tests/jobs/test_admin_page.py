"""The administrators' page of jobs: waiting too long, running too long, failed; each with
its reason and a button that tries it again."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from portal.audit.models import AuditEvent
from portal.clock import utcnow
from portal.extensions import db
from portal.jobs.models import Job, JobState
from tests.deliveries.conftest import Exchange


def _job_of(document, **values) -> Job:
    job = db.session.scalar(select(Job).where(Job.document_id == document.id)
                            .order_by(Job.id).limit(1))
    db.session.execute(update(Job).where(Job.id == job.id).values(**values))
    db.session.commit()
    return job


def _troubled(make):
    exchange = Exchange(make)
    ago = utcnow() - timedelta(minutes=10)
    docs = [make.document(exchange.ministry_clerk, [exchange.a], subject=f"V/v số {n}")
            for n in range(4)]
    return exchange, {
        "waiting": _job_of(docs[0], state=JobState.QUEUED, queued_at=ago, relayed_at=None),
        "running": _job_of(docs[1], state=JobState.RUNNING, started_at=ago, heartbeat_at=ago),
        "failed": _job_of(docs[2], state=JobState.FAILED, finished_at=ago,
                          error="Máy in hết giấy"),
        "healthy": _job_of(docs[3], state=JobState.RUNNING, started_at=utcnow(),
                           heartbeat_at=utcnow()),
    }


def _row(page: str, job: Job) -> str | None:
    found = re.search(rf'<tr id="trouble-{job.id}">(.*?)</tr>', page, re.S)
    return found.group(1) if found else None


def test_an_administrator_sees_each_stuck_job_with_its_reason(make, client, auth):
    exchange, jobs = _troubled(make)
    auth.login(make.user(exchange.ministry, "admin").email)
    page = client.get("/jobs/").get_data(as_text=True)
    assert "Chưa chuyển được vào hàng đợi" in _row(page, jobs["waiting"])
    assert "Không có tín hiệu từ" in _row(page, jobs["running"])
    assert "Máy in hết giấy" in _row(page, jobs["failed"])
    assert _row(page, jobs["healthy"]) is None  # alive and recent: nothing to look at


@pytest.mark.parametrize("kind", ["waiting", "running", "failed"])
def test_a_stuck_job_is_tried_again_from_the_page(make, client, auth, kind):
    exchange, jobs = _troubled(make)
    admin = make.user(exchange.ministry, "admin")
    auth.login(admin.email)
    response = client.post(f"/jobs/{jobs[kind].id}/retry",
                           data={"csrf_token": auth.csrf_token("/jobs/"), "next": "/jobs/"})
    assert response.status_code == 302 and response.location == "/jobs/"
    [event] = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "job.retried"))
    assert (event.actor_id, event.details["from"]) == (admin.id, kind.replace(
        "waiting", "queued"))
    db.session.expire_all()
    # Handed over again (with no Redis, run at once after the click): off the page.
    assert db.session.get(Job, jobs[kind].id).state in (JobState.QUEUED, JobState.DONE)
    assert _row(client.get("/jobs/").get_data(as_text=True), jobs[kind]) is None


def test_a_job_that_is_fine_is_not_tried_again(make, client, auth):
    exchange, jobs = _troubled(make)
    auth.login(make.user(exchange.ministry, "admin").email)
    token = auth.csrf_token("/jobs/")
    response = client.post(f"/jobs/{jobs['healthy'].id}/retry",
                           data={"csrf_token": token, "next": "/jobs/"}, follow_redirects=True)
    assert "Chỉ chạy lại được" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Job, jobs["healthy"].id).state == JobState.RUNNING


def test_only_administrators_see_the_page(make, client, auth):
    exchange, _jobs = _troubled(make)
    auth.login(exchange.a_leader.email)
    assert client.get("/jobs/").status_code == 403
    auth.logout()
    auth.login(exchange.ministry_clerk.email)  # tracks its documents, not every job
    assert client.get("/jobs/").status_code == 403


def test_only_an_administrator_interrupts_a_job_still_under_way(make, client, auth):
    exchange, jobs = _troubled(make)
    auth.login(exchange.ministry_clerk.email)  # follows the document's jobs
    token = auth.csrf_token(f"/documents/{jobs['running'].document_id}")
    refused = client.post(f"/jobs/{jobs['running'].id}/retry", data={"csrf_token": token})
    assert refused.status_code == 302
    db.session.expire_all()
    assert db.session.get(Job, jobs["running"].id).state == JobState.RUNNING
    assert client.post(f"/jobs/{jobs['failed'].id}/retry",
                       data={"csrf_token": token}).status_code == 302
    db.session.expire_all()
    assert db.session.get(Job, jobs["failed"].id).state != JobState.FAILED


def test_a_retry_gives_a_job_that_used_its_runs_as_many_again(make, client, auth):
    exchange, jobs = _troubled(make)
    db.session.execute(update(Job).where(Job.id == jobs["failed"].id).values(attempts=10))
    db.session.commit()
    auth.login(make.user(exchange.ministry, "admin").email)
    client.post(f"/jobs/{jobs['failed'].id}/retry",
                data={"csrf_token": auth.csrf_token("/jobs/"), "next": "/jobs/"})
    db.session.expire_all()
    assert db.session.get(Job, jobs["failed"].id).attempts_allowed == 20
