"""The axis simulator's page in Chromium: what it holds, how each forward went, the XML as
received, in Vietnamese first, accessible at a desk's width and a phone's."""

import pytest
from playwright.sync_api import expect

from portal.interop.simulator import Route, Settings
from tests.browser.helpers import assert_accessible_at_every_width
from tests.interop.simulated_axis import (
    SENDER_TOKEN,
    Receiver,
    RunningSimulator,
    document_xml,
    post,
    status_xml,
    wait_for,
)

pytestmark = pytest.mark.browser

DEPARTMENT, MINISTRY, NOWHERE = "000.00.36.H63", "000.00.00.G22", "000.00.99.H99"


@pytest.fixture
def axis_with_messages(tmp_path):
    portal = Receiver(answers=[(201, {}), (400, {"error": "Chữ ký số không hợp lệ"})])
    axis = RunningSimulator(tmp_path / "axis", Settings(
        tokens={SENDER_TOKEN}, retry_seconds=0.1,
        routes={DEPARTMENT: Route(portal.url, "t"), MINISTRY: Route(portal.url, "t")}))
    post(axis.url + "/", document_xml(subject="V/v <b>kế hoạch</b>"))
    post(axis.url + "/", status_xml(code="02"))
    post(axis.url + "/", document_xml(recipients=(NOWHERE,), document_id="a1b2-uuid"))
    wait_for(lambda: all(f["state"] != "waiting" for m in axis.store.messages()
                         for f in m["forwards"]))
    yield axis
    axis.stop()
    portal.stop()


def test_the_simulators_page_lists_each_message_and_how_its_forward_went(page,
                                                                          axis_with_messages):
    axis = axis_with_messages
    page.goto(axis.url + "/")

    expect(page.get_by_role("heading", level=1)).to_have_text("Thông điệp trục đang giữ (3)")
    rows = page.locator("tbody tr")
    expect(rows).to_have_count(3)
    newest, status, first = rows.nth(0), rows.nth(1), rows.nth(2)
    expect(first).to_contain_text(f"{MINISTRY} → {DEPARTMENT}")
    expect(first).to_contain_text("Văn bản mới")
    expect(first).to_contain_text("đã chuyển (HTTP 201)")
    expect(status).to_contain_text("Trạng thái 02")
    expect(status).to_contain_text("bị cổng từ chối (HTTP 400): Chữ ký số không hợp lệ")
    expect(newest).to_contain_text("a1b2-uuid")
    expect(newest).to_contain_text(f"{NOWHERE}: chưa đăng ký cổng nào cho mã định danh này")
    assert page.console_errors == []

    with page.expect_response(lambda r: r.url.endswith(".xml")) as xml:
        first.get_by_role("link").click()
    assert xml.value.status == 200
    assert xml.value.body() == document_xml(subject="V/v <b>kế hoạch</b>")


def test_the_simulators_page_in_english_and_accessible(page, axis_with_messages):
    page.goto(axis_with_messages.url + "/?lang=en")
    expect(page.get_by_role("heading", level=1)).to_have_text("Messages the axis holds (3)")
    assert_accessible_at_every_width(page, axis_with_messages.url + "/")
