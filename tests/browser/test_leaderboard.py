"""A reviewer reads the 2019 leaderboard, sorts it; the public sees the same figures."""

import re
from datetime import date

import pytest
from playwright.sync_api import expect

from portal.demo.history import load_2019_record
from portal.demo.services import load_organisations
from portal.leaderboard.letter import SUBJECT
from portal.leaderboard.services import Period, leaderboard, short_name
from portal.organisations.services import find_by_code
from portal.signing.keys import init_development_pki
from portal.transaction import action
from tests.browser.helpers import page_as, sign_in
from tests.leaderboard.reorganisation import apply_reorganisation

pytestmark = pytest.mark.browser


def test_reviewer_opens_the_2019_period_and_sorts_then_the_public_page_agrees(
        page, live_server, make):
    with action():
        load_organisations()
    reviewer = make.user(find_by_code("BTNMT"), role="reviewer")
    with action():
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

    # The chart follows the table's order; its own link sorts by the processed rate.
    bars = page.locator("#leaderboard svg .bar-row .label")
    expect(bars).to_have_count(63)
    expect(bars.first).to_have_text("Đồng Nai")
    page.get_by_role("link", name="tỷ lệ xử lý", exact=True).click()
    expect(page).to_have_url(re.compile(r"sort=processed_rate"))
    best = leaderboard(Period(date(2019, 1, 1), date(2019, 8, 12)), sort="processed_rate").rows[0]
    expect(bars.first).to_have_text(short_name(best.name))
    expect(first_row).to_contain_text(best.organisation.name)
    assert page.console_errors == []

    public = page.context.browser.new_page()
    public.goto(f"{live_server}/leaderboard?from=2019-01-01&to=2019-08-12")
    expect(public.locator("#leaderboard tbody tr").first).to_contain_text("TP. Hồ Chí Minh")
    expect(public.locator("#leaderboard tfoot")).to_contain_text("3634")


def test_reviewer_criticises_a_department_and_the_oversight_letter_reaches_it(
        browser, page, live_server, make, run_jobs):
    with action():
        load_organisations()
    ministry = find_by_code("BTNMT")
    reviewer, leader = make.user(ministry, "reviewer"), make.user(ministry, "leader")
    clerk = make.user(ministry, "clerk")
    soc_trang = make.user(find_by_code("ST"), "clerk")
    with action():
        init_development_pki()
    with action():
        load_2019_record()
    period = "from=2019-01-01&to=2019-08-12"

    # The reviewer drills into Sóc Trăng's row and criticises it.
    sign_in(page, live_server, reviewer.email, make.PASSWORD)
    page.goto(f"{live_server}/oversight/?{period}")
    page.get_by_role("link", name="Sở TN&MT tỉnh Sóc Trăng", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sở TN&MT tỉnh Sóc Trăng")
    expect(page.locator("#received-heading")).to_have_text("Đã nhận từ Bộ (412)")
    # January to August: eight processed-rate points; two months had deadline documents.
    expect(page.locator("#trend svg circle.processed")).to_have_count(8)
    expect(page.locator("#trend svg circle.on-time")).to_have_count(2)
    page.get_by_label("Phê bình").check()
    page.get_by_label("Nội dung (số liệu cho thấy gì, cần khắc phục gì)").fill(
        "Chỉ tiếp nhận 26/271 văn bản của Bộ.")
    page.get_by_label("Đánh dấu dòng trong phụ lục của văn bản").select_option("bold")
    page.get_by_role("button", name="Ghi nhận đánh giá").click()
    expect(page.locator(".messages")).to_contain_text("Đã ghi nhận đánh giá")
    department_page = page.url

    # A ministry leader publishes it.
    boss = page_as(browser, live_server, leader, make.PASSWORD)
    boss.goto(department_page)
    boss.get_by_role("button", name="Công bố").click()
    expect(boss.locator(".messages")).to_contain_text("Đã công bố")

    # The reviewer drafts the letter: the row is marked, the text names the department.
    page.goto(f"{live_server}/oversight/?{period}")
    expect(page.locator("#leaderboard tr.bold")).to_contain_text("Sóc Trăng")
    page.get_by_role("button", name="Dự thảo văn bản đôn đốc cho kỳ này").click()
    expect(page.get_by_label("Nội dung")).to_contain_text("chưa nghiêm túc: Sóc Trăng.")
    page.get_by_role("link", name="Trình ký…").click()
    page.get_by_label("Người ký").select_option(str(leader.id))
    page.get_by_role("button", name="Trình ký").click()
    expect(page.locator(".messages")).to_contain_text("Đã trình ký")
    run_jobs()
    assert page.console_errors == []

    # The leader signs; the ministry's clerk issues it to every department and unit.
    boss.get_by_role("link", name="Chờ ký").click()
    boss.get_by_role("link", name=SUBJECT).click()
    boss.get_by_role("button", name="Ký", exact=True).click()
    run_jobs()
    issuer = page_as(browser, live_server, clerk, make.PASSWORD)
    issuer.get_by_role("link", name="Văn bản đi").click()
    issuer.get_by_role("link", name="Đã ký, chờ phát hành").click()
    issuer.get_by_role("button", name="Phát hành: số, ngày và chữ ký số của cơ quan").click()
    expect(issuer.locator(".messages")).to_contain_text("tới 69 nơi nhận")  # 63 + 6 units
    notation = issuer.get_by_role("heading", level=1).inner_text().split()[-1]
    run_jobs()

    # Sóc Trăng finds it in its inbox; the public page shows the published criticism.
    department = page_as(browser, live_server, soc_trang, make.PASSWORD)
    department.get_by_role("link", name="Văn bản đến").click()
    expect(department.get_by_role("link", name=notation, exact=True)).to_be_visible()
    public = browser.new_page()
    public.goto(f"{live_server}/leaderboard?{period}")
    expect(public.locator(".published-assessments")).to_contain_text(
        "Phê bình — Sở TN&MT tỉnh Sóc Trăng")
    expect(public.locator(".published-assessments")).to_contain_text("Chỉ tiếp nhận 26/271")
    for person in (boss, issuer, department):
        assert person.console_errors == []


def test_a_successor_s_row_says_what_it_includes_and_leads_to_the_predecessor_s_record(
        page, live_server, make):
    with action():
        load_organisations()
    apply_reorganisation()
    reviewer = make.user(find_by_code("BTNMT"), role="reviewer")
    sign_in(page, live_server, reviewer.email, make.PASSWORD)

    page.goto(f"{live_server}/oversight/?from=2025-01-01&to=2025-12-31&sort=name&dir=asc")
    expect(page.locator("#leaderboard tbody tr")).to_have_count(34)
    row = page.locator("#leaderboard tbody tr", has_text="tỉnh Tuyên Quang")
    expect(row.locator(".row-note")).to_have_text(
        "gồm cả Sở Nông nghiệp và Môi trường tỉnh Hà Giang (sáp nhập từ 01/07/2025)")
    row.get_by_role("link").click()
    page.get_by_role("link", name="Sở Nông nghiệp và Môi trường tỉnh Hà Giang").click()
    expect(page.locator("h1")).to_have_text("Sở Nông nghiệp và Môi trường tỉnh Hà Giang")
    expect(page.locator(".lead")).to_contain_text("Từ 01/01/2025 đến 30/06/2025: xếp thứ 26/63")
    assert page.console_errors == []
