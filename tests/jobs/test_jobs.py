"""Jobs: rows first, then the queue; each runs once; Redis down loses nothing; retry."""

import pytest
from flask import current_app
from sqlalchemy import func, select

from portal.deliveries.models import Delivery
from portal.documents import services as documents
from portal.documents.models import Document
from portal.extensions import db
from portal.jobs import runner
from portal.jobs import services as jobs
from portal.jobs.models import Job, JobState
from portal.storage.models import StoredFile
from portal.transaction import action
from tests.deliveries.conftest import Exchange


def _render_job(document) -> Job:
    return db.session.scalar(select(Job).where(Job.document_id == document.id,
                                               Job.kind == "render"))


def test_issuing_renders_the_pdf_of_record_through_a_job(make, run_jobs):
    exchange = Exchange(make)
    run_jobs()
    job = _render_job(exchange.document)
    assert (job.state, job.progress, job.attempts) == (JobState.DONE, 100, 1)
    document = db.session.get(Document, exchange.document.id)
    assert document.pdf_file is not None
    assert document.pdf_file.size > 10_000


def test_a_job_run_twice_does_its_work_once(make, run_jobs):
    exchange = Exchange(make)
    run_jobs()
    job = _render_job(exchange.document)
    files = db.session.scalar(select(func.count(StoredFile.id)))
    runner.run_job(job.id)  # handed over again (a relay retried): already done, left alone
    db.session.execute(Job.__table__.update().where(Job.id == job.id)
                       .values(state=JobState.QUEUED))
    db.session.commit()
    runner.run_job(job.id)  # even when it runs again, the PDF is not made twice
    db.session.refresh(job)
    assert job.state == JobState.DONE and job.attempts == 2
    assert db.session.scalar(select(func.count(StoredFile.id))) == files


def test_with_redis_down_issuing_succeeds_and_the_job_waits(make, run_jobs, monkeypatch):
    exchange = Exchange(make)
    draft = make.document(exchange.ministry_clerk, [exchange.a], issue=False)
    monkeypatch.setitem(current_app.config, "REDIS_URL", "redis://127.0.0.1:1/0")
    with action():
        documents.issue_document(draft, actor=exchange.ministry_clerk)  # cannot hand the job over
    job = _render_job(draft)
    assert draft.notation is not None
    assert (job.state, job.relayed_at) == (JobState.QUEUED, None)
    assert _deliveries_of(draft) == 0  # no PDF of record yet: not delivered yet
    monkeypatch.undo()  # Redis is back (or, without REDIS_URL, the portal runs jobs itself)
    run_jobs()
    db.session.refresh(job)
    assert job.state == JobState.DONE
    assert _deliveries_of(draft) == 1


def test_a_failed_job_shows_its_error_and_can_be_retried(make, run_jobs, client, auth,
                                                         monkeypatch):
    from portal.rendering import tasks as render_tasks

    def broken(values, **_kwargs):
        raise RuntimeError("the renderer ran out of paper")

    monkeypatch.setattr("portal.rendering.pdf.render_pdf", broken)
    exchange = Exchange(make)
    run_jobs()
    job = _render_job(exchange.document)
    assert job.state == JobState.FAILED and "out of paper" in job.error
    assert job.step == "laying_out"  # the step it was claimed for, where it failed
    auth.login(exchange.ministry_clerk.email)
    fragment = client.get(f"/jobs/{job.id}", headers={"HX-Request": "true"})
    html = fragment.get_data(as_text=True)
    assert "out of paper" in html and "hx-trigger" not in html  # finished: polling stops
    monkeypatch.undo()
    assert render_tasks.render_document  # the real renderer again
    token = auth.csrf_token(f"/documents/{exchange.document.id}")
    retried = client.post(f"/jobs/{job.id}/retry", headers={"HX-Request": "true",
                                                            "X-CSRFToken": token})
    assert retried.status_code == 200
    run_jobs()
    db.session.refresh(job)
    assert job.state == JobState.DONE and job.attempts == 2
    again = client.post(f"/jobs/{job.id}/retry", headers={"HX-Request": "true",
                                                          "X-CSRFToken": token})
    assert again.status_code == 409  # only a failed job can be retried


def test_a_running_job_polls_and_a_dead_workers_job_is_put_back(make, client, auth):
    exchange = Exchange(make)
    job = _render_job(exchange.document)
    db.session.execute(Job.__table__.update().where(Job.id == job.id).values(
        state=JobState.RUNNING, progress=40, heartbeat_at=func.now()))
    db.session.commit()
    auth.login(exchange.ministry_clerk.email)
    html = client.get(f"/jobs/{job.id}").get_data(as_text=True)
    assert 'hx-trigger="every 1s"' in html and 'value="40"' in html
    assert runner.requeue_stale() == 0  # alive: left alone
    current_app.config["JOB_STALE_SECONDS"] = -1
    try:
        assert runner.requeue_stale() == 1
    finally:
        current_app.config["JOB_STALE_SECONDS"] = 360
    db.session.refresh(job)
    assert (job.state, job.relayed_at) == (JobState.QUEUED, None)


@pytest.mark.parametrize("viewer", ["a_clerk", "b_leader"])
def test_only_the_documents_issuer_follows_its_jobs(make, client, auth, viewer):
    exchange = Exchange(make)
    job = _render_job(exchange.document)
    auth.login(getattr(exchange, viewer).email)
    assert client.get(f"/jobs/{job.id}").status_code == 404


def test_a_chain_job_run_again_does_not_schedule_its_follower_twice(make, run_jobs):
    exchange = Exchange(make)
    run_jobs()
    sign = db.session.scalar(select(Job).where(Job.document_id == exchange.document.id,
                                               Job.kind == "sign"))
    db.session.execute(Job.__table__.update().where(Job.id == sign.id)
                       .values(state=JobState.QUEUED))
    db.session.commit()
    runner.run_job(sign.id)  # e.g. put back after its worker died right after committing
    kinds = db.session.scalars(select(Job.kind).where(Job.document_id == exchange.document.id)
                               .order_by(Job.id)).all()
    assert kinds == ["render", "sign", "dispatch", "verify"]


def _deliveries_of(document) -> int:
    return db.session.scalar(select(func.count(Delivery.id))
                             .where(Delivery.document_id == document.id))


def test_recipients_receive_the_document_once_it_is_sealed_and_only_once(make, run_jobs):
    exchange = Exchange(make)
    run_jobs()
    document = db.session.get(Document, exchange.document.id)
    assert _deliveries_of(document) == 2
    delivery = exchange.delivery
    assert document.issued_at < document.dispatched_at == delivery.received_at
    dispatch = db.session.scalar(select(Job).where(Job.document_id == document.id,
                                                   Job.kind == "dispatch"))
    db.session.execute(Job.__table__.update().where(Job.id == dispatch.id)
                       .values(state=JobState.QUEUED))
    db.session.commit()
    runner.run_job(dispatch.id)  # run again: nobody receives it twice
    assert _deliveries_of(document) == 2
    assert db.session.scalar(select(func.count(Job.id)).where(
        Job.document_id == document.id, Job.kind == "verify")) == 1


def test_a_document_whose_pdf_failed_reaches_nobody_until_the_retry(make, run_jobs, client,
                                                                    auth, monkeypatch):
    def broken(values, **_kwargs):
        raise RuntimeError("the renderer ran out of paper")

    monkeypatch.setattr("portal.rendering.pdf.render_pdf", broken)
    exchange = Exchange(make)
    run_jobs()
    assert _deliveries_of(exchange.document) == 0
    auth.login(exchange.a_clerk.email)
    assert exchange.document.notation not in client.get("/inbox/").get_data(as_text=True)
    auth.logout()
    auth.login(exchange.ministry_clerk.email)
    page = client.get(f"/documents/{exchange.document.id}").get_data(as_text=True)
    assert 'id="not-yet-delivered"' in page and 'hx-trigger="every 2s"' in page
    monkeypatch.undo()
    with action():
        jobs.retry(_render_job(exchange.document), actor=exchange.ministry_clerk)
    run_jobs()
    assert _deliveries_of(exchange.document) == 2
    page = client.get(f"/documents/{exchange.document.id}").get_data(as_text=True)
    assert 'id="not-yet-delivered"' not in page
