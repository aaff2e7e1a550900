"""A reviewer reads the 2019 leaderboard, sorts it; the public sees the same figures."""

import re

import pytest
from playwright.sync_api import expect

from portal.demo.history import load_2019_record
from portal.demo.services import load_organisations
from portal.organisations.services import find_by_code
from tests.browser.helpers import sign_in

pytestmark = pytest.mark.browser


def test_reviewer_opens_the_2019_period_and_sorts_then_the_public_page_agrees(
        page, live_server, make):
    load_organisations()
    reviewer = make.user(find_by_code("BTNMT"), role="reviewer")
    load_2019_record()
    sign_in(page, live_server, reviewer.email, make.PASSWORD)

    page.get_by_role("link", name="Bảng xếp hạng", exact=True).click()
    page.get_by_label("Từ ngày").fill("2019-01-01")
    page.get_by_label("Đến ngày").fill("2019-08-12")
    page.get_by_role("button", name="Hiển thị").click()
    expect(page.locator("#leaderboard")).to_contain_text("Từ ngày 01/01/2019 đến ngày 12/08/2019")
    first_row = page.locator("#leaderboard tbody tr").first
    expect(first_row).to_contain_text("Sở TN&MT TP. Hồ Chí Minh")
    expect(page.locator("#leaderboard tfoot")).to_contain_text("20828")

    page.get_by_role("link", name="Đã tiếp nhận xử lý").click()  # by processed, descending
    expect(first_row).to_contain_text("Sở TN&MT tỉnh Quảng Ninh")  # 541 processed
    expect(page).to_have_url(re.compile(r"sort=interaction_processed"))
    page.get_by_role("link", name="Đã tiếp nhận xử lý ▼").click()  # ascending
    # Đồng Nai and Hà Nội processed none; ties go by name ("tỉnh Đồng Nai" < "TP. Hà Nội").
    expect(first_row).to_contain_text("Sở TN&MT tỉnh Đồng Nai")
    expect(page.locator("#leaderboard tbody tr").nth(1)).to_contain_text("Sở TN&MT TP. Hà Nội")
    assert page.console_errors == []

    public = page.context.browser.new_page()
    public.goto(f"{live_server}/leaderboard?from=2019-01-01&to=2019-08-12")
    expect(public.locator("#leaderboard tbody tr").first).to_contain_text("TP. Hồ Chí Minh")
    expect(public.locator("#leaderboard tfoot")).to_contain_text("3634")
