"""The heart of the portal in a real browser: issue, receive, assign, reply, track."""

import re

import pytest
from playwright.sync_api import expect

from portal.demo.services import load_organisations
from portal.organisations.services import find_by_code
from portal.transaction import action
from tests.browser.helpers import page_as
from tests.pdfs import blank_pdf

pytestmark = pytest.mark.browser

PDF = blank_pdf()


def test_ministry_issues_to_all_departments_and_one_replies_on_time(browser, live_server, make,
                                                                   run_jobs):
    with action():
        load_organisations()
    office, hcm = find_by_code("VP"), find_by_code("HCM")
    ministry_clerk = make.user(office, "clerk")
    hcm_clerk, hcm_leader = make.user(hcm, "clerk"), make.user(hcm, "leader")
    hcm_specialist = make.user(hcm, "specialist")

    # The ministry's clerk composes and issues with a 3-working-day deadline.
    page = page_as(browser, live_server, ministry_clerk, make.PASSWORD)
    page.get_by_role("link", name="Văn bản đi").click()
    page.get_by_role("link", name="Soạn văn bản").click()
    page.get_by_label("Trích yếu").fill("V/v báo cáo tình hình gửi, nhận văn bản điện tử")
    page.get_by_label("Nội dung").fill("Đề nghị các Sở báo cáo trước thời hạn.")
    page.get_by_label("Tất cả các Sở").check()
    page.get_by_label("Số ngày làm việc", exact=True).fill("3")
    expect(page.get_by_label("Trong số ngày làm việc")).to_be_checked()
    expect(page.locator("#deadline-explanation")).to_contain_text("Hạn trả lời: hết ngày")
    page.get_by_role("button", name="Lưu và phát hành").click()
    expect(page.locator(".messages")).to_contain_text("tới 63 nơi nhận")
    notation = page.get_by_role("heading", level=1).inner_text().split()[-1]
    assert re.fullmatch(r"\d+/BTNMT-VP", notation)
    tracking_url = page.url
    assert page.console_errors == []
    run_jobs()  # with Redis, a worker renders and delivers it now

    # The department's clerk finds it among the new documents and acknowledges it.
    clerk = page_as(browser, live_server, hcm_clerk, make.PASSWORD)
    clerk.get_by_role("link", name="Văn bản đến").click()
    expect(clerk.locator(".tab.current")).to_contain_text("Mới đến")
    clerk.get_by_role("link", name=notation).click()
    clerk.get_by_role("button", name="Tiếp nhận").click()
    expect(clerk.locator(".messages")).to_contain_text("Đã tiếp nhận văn bản")
    assert clerk.console_errors == []

    # A leader assigns it to the specialist.
    leader = page_as(browser, live_server, hcm_leader, make.PASSWORD)
    leader.goto(f"{live_server}/inbox/?tab=in_progress")
    leader.get_by_role("link", name=notation).click()
    leader.get_by_label("Giao cho").select_option(label=f"{hcm_specialist.full_name} "
                                                        "(Chuyên viên)")
    leader.get_by_role("button", name="Phân công").click()
    expect(leader.locator(".messages")).to_contain_text("Đã phân công")

    # The specialist drafts (saved as they type), attaches a PDF and submits.
    specialist = page_as(browser, live_server, hcm_specialist, make.PASSWORD)
    specialist.goto(f"{live_server}/inbox/?tab=in_progress")
    specialist.get_by_role("link", name=notation).click()
    specialist.get_by_label("Trả lời").fill("Sở TN&MT TP. Hồ Chí Minh báo cáo như sau.")
    expect(specialist.locator("#reply-status")).to_contain_text("Đã lưu dự thảo lúc")
    specialist.get_by_label("Tệp PDF", exact=True).set_input_files(
        files=[{"name": "bao-cao.pdf", "mimeType": "application/pdf", "buffer": PDF}])
    specialist.get_by_role("button", name="Đính kèm PDF").click()
    expect(specialist.locator(".messages")).to_contain_text("Đã đính kèm PDF")
    expect(specialist.get_by_label("Trả lời")).to_have_value(
        "Sở TN&MT TP. Hồ Chí Minh báo cáo như sau.")
    specialist.get_by_role("button", name="Trình lãnh đạo").click()
    expect(specialist.locator(".messages")).to_contain_text("Đã trình lãnh đạo")
    assert specialist.console_errors == []

    # The leader approves and sends.
    leader.reload()
    leader.get_by_role("button", name="Duyệt và gửi").click()
    expect(leader.locator(".messages")).to_contain_text("Đã gửi văn bản trả lời 1/HCM")
    expect(leader.locator(".status")).to_contain_text("Hoàn thành")
    assert leader.console_errors == []

    # The ministry's tracking page: this department on time, the other 62 not yet.
    page.goto(tracking_url)
    row = page.locator('tr[data-recipient="HCM"]')
    expect(row).to_contain_text("Trả lời đúng hạn")
    expect(row).to_contain_text("1/HCM")
    expect(page.locator(".summary")).to_contain_text("63 nơi nhận")
    expect(page.locator(".summary")).to_contain_text("1 đã trả lời (1 đúng hạn)")
    page.get_by_label("Hiển thị").select_option(label="Chưa trả lời")
    expect(page.locator("table.tracking tbody tr")).to_have_count(62)
    expect(page.locator('tr[data-recipient="HCM"]')).to_have_count(0)
    assert page.console_errors == []
