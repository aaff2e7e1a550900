"""An administrator finds a failed job on the jobs page, reads why, and tries it again."""

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from portal.deliveries.models import Delivery
from portal.documents import services as documents
from portal.documents.models import Document
from portal.extensions import db
from portal.jobs.models import Job, JobState
from portal.transaction import action
from tests.browser.helpers import page_as
from tests.deliveries.conftest import Exchange

pytestmark = pytest.mark.browser


def test_an_administrator_retries_a_failed_job_from_the_jobs_page(browser, live_server, make,
                                                                  run_jobs, monkeypatch):
    exchange = Exchange(make)
    draft = make.document(exchange.ministry_clerk, [exchange.a], issue=False,
                          subject="V/v báo cáo tình hình quý IV")

    def out_of_memory(values, **_kwargs):
        raise MemoryError("Hết bộ nhớ khi dàn trang")

    monkeypatch.setattr("portal.rendering.pdf.render_pdf", out_of_memory)
    with action():
        documents.issue_document(draft, actor=exchange.ministry_clerk)
    run_jobs()
    render = db.session.scalar(select(Job).where(Job.document_id == draft.id))
    assert render.state == JobState.FAILED
    monkeypatch.undo()  # the machine has memory again

    page = page_as(browser, live_server, make.user(exchange.ministry, "admin"), make.PASSWORD)
    page.get_by_role("link", name="Công việc nền").click()
    row = page.locator(f"#trouble-{render.id}")
    expect(row).to_contain_text("Hết bộ nhớ khi dàn trang")
    expect(row).to_contain_text("V/v báo cáo tình hình quý IV")
    row.get_by_role("button", name="Thử lại").click()
    expect(page.locator(".message")).to_contain_text("chạy lại")
    expect(page.locator(f"#trouble-{render.id}")).to_have_count(0)
    run_jobs()
    assert db.session.get(Document, draft.id).dispatched_at is not None
    assert db.session.scalar(select(Delivery.id).where(Delivery.document_id == draft.id))

    page.set_viewport_size({"width": 390, "height": 844})  # a phone: the page still fits
    page.reload()
    assert page.evaluate("document.documentElement.scrollWidth") <= 391
    assert page.console_errors == []
