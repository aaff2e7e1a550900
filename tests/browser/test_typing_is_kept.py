"""What a person types is kept: attaching, leaving the page, a failed save, a reopened draft."""

import pytest
from playwright.sync_api import expect

from portal.deliveries import replies
from portal.deliveries import services as deliveries
from portal.demo.services import load_organisations
from portal.extensions import db
from portal.organisations.services import find_by_code
from portal.transaction import action
from tests.browser.helpers import page_as
from tests.deliveries.conftest import Exchange
from tests.pdfs import blank_pdf

pytestmark = pytest.mark.browser

PDF = {"name": "bao-cao.pdf", "mimeType": "application/pdf", "buffer": blank_pdf()}
TEXT = "Sở Tài nguyên và Môi trường An Giang báo cáo: đã hoàn thành 12/12 chỉ tiêu."


def _kept(delivery) -> str:
    """The reply's text as the database holds it now (not as this session last read it)."""
    db.session.expire_all()
    return replies.reply_of(delivery).body


@pytest.fixture
def drafting(browser, live_server, make):
    """A department's specialist on the page of a document assigned to them."""
    exchange = Exchange(make)
    with action():
        deliveries.acknowledge_delivery(exchange.delivery, actor=exchange.a_clerk)
        deliveries.assign_delivery(exchange.delivery, actor=exchange.a_leader,
                                   assignee=exchange.a_specialist)
    page = page_as(browser, live_server, exchange.a_specialist, make.PASSWORD)
    page.goto(f"{live_server}/inbox/{exchange.delivery.id}")
    return exchange, page


def test_text_typed_just_before_attaching_is_all_there_after_the_reload(drafting):
    exchange, page = drafting
    page.get_by_label("Trả lời").fill(TEXT)
    page.get_by_label("Tệp PDF", exact=True).set_input_files(files=[PDF])
    page.get_by_role("button", name="Đính kèm PDF").click()  # within the autosave's delay
    expect(page.locator(".messages")).to_contain_text("Đã đính kèm PDF")
    expect(page.get_by_label("Trả lời")).to_have_value(TEXT)
    expect(page.locator(".attachments")).to_contain_text("bao-cao.pdf")
    assert _kept(exchange.delivery) == TEXT
    assert page.console_errors == []


def test_text_typed_just_before_removing_an_attachment_is_saved_first(drafting):
    exchange, page = drafting
    page.get_by_label("Tệp PDF", exact=True).set_input_files(files=[PDF])
    page.get_by_role("button", name="Đính kèm PDF").click()
    expect(page.locator(".messages")).to_contain_text("Đã đính kèm PDF")
    page.get_by_label("Trả lời").fill(TEXT)
    page.get_by_role("button", name="Gỡ", exact=True).click()
    expect(page.locator(".messages")).to_contain_text("Đã gỡ tệp đính kèm")
    expect(page.get_by_label("Trả lời")).to_have_value(TEXT)


def test_leaving_right_after_typing_asks_first_and_the_text_is_there_on_return(drafting):
    exchange, page = drafting
    asked = []

    def leave_anyway(dialog):
        asked.append(dialog.type)
        dialog.accept()

    page.on("dialog", leave_anyway)
    delivery_url = page.url
    page.get_by_label("Trả lời").press_sequentially("Đã nhận, ")
    page.get_by_label("Trả lời").press_sequentially("đang xử lý.")
    page.get_by_role("link", name="Văn bản đến").click()
    expect(page).to_have_url(f"{delivery_url.split('/inbox/')[0]}/inbox/")
    assert asked == ["beforeunload"]
    page.goto(delivery_url)  # from the server, not the browser's cache
    expect(page.get_by_label("Trả lời")).to_have_value("Đã nhận, đang xử lý.")
    expect(page.locator(".messages")).not_to_contain_text("Đã lưu")  # no stray message
    assert _kept(exchange.delivery) == "Đã nhận, đang xử lý."


def test_the_status_says_saved_only_for_the_text_the_server_kept(drafting):
    exchange, page = drafting
    status = page.locator("#reply-status")
    page.get_by_label("Trả lời").fill("Bản thứ nhất")
    expect(status).to_contain_text("Đã lưu dự thảo lúc")
    page.get_by_label("Trả lời").press_sequentially(", thêm ý")
    expect(status).to_have_text("Thay đổi chưa được lưu")  # not "saved" for text not sent
    expect(status).to_contain_text("Đã lưu dự thảo lúc")
    assert _kept(exchange.delivery) == "Bản thứ nhất, thêm ý"

    page.context.clear_cookies()  # signed out meanwhile: the save is refused
    page.get_by_label("Trả lời").press_sequentially(" nữa")
    expect(status).to_contain_text("Chưa lưu được")
    expect(status).not_to_contain_text("Đã lưu")
    assert _kept(exchange.delivery) == "Bản thứ nhất, thêm ý"


def test_a_new_draft_takes_a_pdf_and_reopens_with_exactly_the_recipients_chosen(
        browser, live_server, make):
    with action():
        load_organisations()
    clerk = make.user(find_by_code("VP"), "clerk")
    page = page_as(browser, live_server, clerk, make.PASSWORD)
    page.goto(f"{live_server}/documents/new")
    page.get_by_label("Trích yếu").fill("V/v báo cáo tình hình sử dụng đất")
    page.get_by_label("Nội dung").fill("Đề nghị các Sở báo cáo.")
    every = page.get_by_label("Tất cả các Sở")
    every.check()
    page.get_by_label("Tệp PDF", exact=True).set_input_files(files=[PDF])
    page.get_by_role("button", name="Đính kèm PDF").click()  # a draft never saved before
    expect(page.locator(".messages")).to_contain_text("Đã đính kèm bao-cao.pdf")
    expect(page.get_by_label("Trích yếu")).to_have_value("V/v báo cáo tình hình sử dụng đất")
    expect(page.get_by_label("Nội dung")).to_have_value("Đề nghị các Sở báo cáo.")
    expect(page.locator(".attachments")).to_contain_text("bao-cao.pdf")
    expect(every).to_be_checked()
    departments = page.locator('input[data-recipient-group="departments"]')
    expect(departments).to_have_count(63)
    expect(page.locator('input[data-recipient-group="departments"]:checked')).to_have_count(63)

    expect(page.locator(".recipients details")).to_have_attribute("open", "")  # the chosen, shown
    page.get_by_label("Sở TN&MT tỉnh Bạc Liêu").uncheck()
    expect(every).not_to_be_checked()
    assert every.evaluate("box => box.indeterminate")
    page.get_by_role("button", name="Lưu dự thảo").click()
    expect(page.locator(".messages")).to_contain_text("Đã lưu dự thảo")
    page.reload()
    expect(every).not_to_be_checked()
    assert every.evaluate("box => box.indeterminate")
    expect(page.locator('input[data-recipient-group="departments"]:checked')).to_have_count(62)
    expect(page.get_by_label("Sở TN&MT tỉnh Bạc Liêu")).not_to_be_checked()
    every.check()
    expect(page.get_by_label("Sở TN&MT tỉnh Bạc Liêu")).to_be_checked()
    assert not every.evaluate("box => box.indeterminate")
    assert page.console_errors == []


def test_leaving_the_compose_form_with_changes_not_sent_asks_first(browser, live_server, make):
    office = make.organisation(kind="ministry_unit", code="VP", parent=make.ministry())
    page = page_as(browser, live_server, make.user(office, "clerk"), make.PASSWORD)
    page.goto(f"{live_server}/documents/new")
    asked = []

    def stay(dialog):
        asked.append(dialog.type)
        dialog.dismiss()

    page.on("dialog", stay)
    page.get_by_label("Trích yếu").press_sequentially("V/v kế hoạch năm 2027")
    page.get_by_role("link", name="Văn bản đến").click()
    expect(page.get_by_label("Trích yếu")).to_have_value("V/v kế hoạch năm 2027")
    assert asked == ["beforeunload"] and page.url.endswith("/documents/new")
