"""In a real browser: the document page follows its render job, then opens the PDF and the
preview."""

import pytest
from playwright.sync_api import expect

from tests.browser.helpers import sign_in
from tests.deliveries.conftest import Exchange

pytestmark = pytest.mark.browser


def test_the_sender_watches_the_pdf_being_made_and_opens_it(page, live_server, make, run_jobs):
    exchange = Exchange(make)
    sign_in(page, live_server, exchange.ministry_clerk.email, make.PASSWORD)
    page.goto(f"{live_server}/documents/{exchange.document.id}")
    run_jobs()  # with Redis a worker runs now, and the page's polling shows it
    render = page.locator('[data-job="render"]')
    expect(render).to_contain_text("Hoàn thành", timeout=10_000)
    expect(render.locator("progress")).to_have_attribute("value", "100")
    # The seal and the verification follow the render, each appearing as it starts.
    expect(page.locator('[data-job="verify"]')).to_contain_text("Hoàn thành", timeout=10_000)
    expect(page.locator(".verification")).to_contain_text("Chưa ký số")  # no key in this test
    href = page.get_by_role("link", name="Mở tệp PDF").get_attribute("href")
    pdf = page.request.get(f"{live_server}{href}")
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.body().startswith(b"%PDF-")
    page.get_by_role("link", name="Xem trước trên trình duyệt").click()
    expect(page.locator("body")).to_contain_text("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")
    expect(page.locator("body")).to_contain_text(f"Số: {exchange.document.notation}")
    assert page.console_errors == []  # the preview's stylesheet and fonts pass the CSP
