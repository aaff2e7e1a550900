"""What a person sees agrees with itself (issue 16, items 9 and 13), in a real browser."""

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from portal.calendar.services import WorkingCalendar
from portal.deliveries import replies
from portal.deliveries import services as deliveries
from portal.jobs.runner import run_queued_here
from portal.transaction import action
from tests.browser.helpers import page_as

pytestmark = pytest.mark.browser

DEADLINE = re.compile(r"hết ngày (\d\d/\d\d/\d{4})")


class World:
    def __init__(self, make):
        self.ministry = make.ministry()
        self.office = make.organisation(kind="ministry_unit", code="VP", name="Văn phòng Bộ",
                                        parent=self.ministry)
        self.hg = make.organisation(code="HAG", name="Sở Tài nguyên và Môi trường Hà Giang")
        self.tq = make.organisation(code="TQU", name="Sở Tài nguyên và Môi trường Tuyên Quang")
        self.admin = make.user(self.ministry, "admin")
        self.clerk = make.user(self.office, "clerk")
        self.hg_clerk, self.hg_leader = make.user(self.hg, "clerk"), make.user(self.hg, "leader")
        self.tq_clerk = make.user(self.tq, "clerk")
        self.document = make.document(self.clerk, [self.hg, self.tq], due_working_days=5)
        self.hg_delivery = make.delivery(self.document, self.hg)
        self.tq_delivery = make.delivery(self.document, self.tq)


def _first_working_day_after(day):
    calendar, day = WorkingCalendar(), day + timedelta(days=1)
    while calendar.non_working_reason(day):
        day += timedelta(days=1)
    return day


def test_after_a_day_off_the_delivery_page_shows_one_deadline(browser, live_server, make,
                                                              tmp_path):
    world = World(make)
    with action():
        deliveries.acknowledge_delivery(world.hg_delivery, actor=world.hg_clerk)
    with action():
        replies.answer_delivery(world.hg_delivery, actor=world.hg_leader, body="Báo cáo.")
    run_queued_here()
    day_off = _first_working_day_after(world.hg_delivery.received_on)

    admin = page_as(browser, live_server, world.admin, make.PASSWORD)
    admin.goto(f"{live_server}/calendar/")
    admin.get_by_label("Ngày", exact=True).fill(day_off.isoformat())
    admin.get_by_label("Loại").select_option(value="day_off")
    admin.get_by_label("Lý do (văn bản quyết định)").fill("Quyết định nghỉ bù của Chính phủ")
    admin.get_by_role("button", name="Thêm").click()
    expect(admin.locator("table")).to_contain_text("Quyết định nghỉ bù của Chính phủ")
    assert admin.console_errors == []

    for person, delivery in ((world.hg_clerk, world.hg_delivery),
                             (world.tq_clerk, world.tq_delivery)):
        page = page_as(browser, live_server, person, make.PASSWORD)
        page.goto(f"{live_server}/inbox/{delivery.id}")
        page.locator("#deadline-explanation summary").click()
        text = page.locator("main").inner_text()
        dates = DEADLINE.findall(text)
        assert len(dates) >= 2 and len(set(dates)) == 1, dates
        if delivery is world.tq_delivery:  # still open: it moved past the day off
            assert day_off.strftime("%d/%m/%Y") in page.locator(
                "#deadline-explanation").inner_text()
        page.screenshot(path=tmp_path / f"deadline-{delivery.id}.png", full_page=True)
        assert page.console_errors == []
        page.context.close()


def test_recall_and_merge_are_confirmed_and_a_mistaken_merge_is_undone(browser, live_server,
                                                                        make, tmp_path):
    world = World(make)
    only_hg = make.delivery(make.document(world.clerk, [world.hg]), world.hg)
    other = make.document(world.clerk, [world.tq, make.organisation()])
    clerk = page_as(browser, live_server, world.clerk, make.PASSWORD)
    clerk.goto(f"{live_server}/documents/{other.id}")
    clerk.get_by_role("link", name="Lấy lại từ những nơi chưa xử lý (2)").click()
    expect(clerk.get_by_role("heading", level=1)).to_contain_text(other.notation)
    expect(clerk.locator("main")).to_contain_text("2 nơi nhận chưa xử lý")
    clerk.screenshot(path=tmp_path / "recall-confirm.png", full_page=True)
    clerk.get_by_role("button", name="Lấy lại từ 2 nơi nhận").click()
    expect(clerk.locator(".messages")).to_contain_text("Đã đề nghị 2 nơi nhận trả lại văn bản")
    assert clerk.console_errors == []

    admin = page_as(browser, live_server, world.admin, make.PASSWORD)
    admin.goto(f"{live_server}/organisations/{world.hg.id}")
    admin.get_by_role("link", name="Sáp nhập", exact=True).click()
    admin.get_by_label("Sáp nhập vào").select_option(
        label=f"{world.tq.name} ({world.tq.code})")
    admin.get_by_role("button", name="Tiếp tục").click()
    expect(admin.locator("main")).to_contain_text(
        f"1 văn bản đang xử lý chuyển sang {world.tq.name} ngay")
    admin.screenshot(path=tmp_path / "merge-confirm.png", full_page=True)
    admin.get_by_role("button", name=f"Sáp nhập {world.hg.name}").click()
    expect(admin.locator(".messages")).to_contain_text("Đã sáp nhập")
    expect(admin.locator("main")).to_contain_text(world.tq.name)

    tq = page_as(browser, live_server, world.tq_clerk, make.PASSWORD)
    tq.goto(f"{live_server}/inbox/{only_hg.id}")
    expect(tq.locator(".history")).to_contain_text("Chuyển theo sáp nhập")
    expect(tq.get_by_role("button", name="Tiếp nhận")).to_be_visible()
    assert tq.console_errors == []

    admin.get_by_role("link", name="Hủy sáp nhập").click()
    expect(admin.locator("main")).to_contain_text("1 văn bản đã chuyển sang")
    admin.get_by_role("button", name="Hủy sáp nhập").click()
    expect(admin.locator(".messages")).to_contain_text("Đã hủy sáp nhập")
    assert tq.reload().status == 404  # Hà Giang's again
    assert admin.console_errors == []
