"""Every page a person uses, at a desk's width and a phone's: axe-core finds nothing wrong.

One test per page; each builds only what its page shows and visits it at both widths.
"""

from datetime import date

import pytest
from playwright.sync_api import expect

from portal.deliveries import services as deliveries
from portal.demo.history import load_2019_record
from portal.demo.services import load_organisations
from portal.jobs.runner import run_queued_here
from portal.leaderboard import assessments
from portal.leaderboard.services import Period
from portal.signing import chain
from portal.signing.keys import init_development_pki
from portal.transaction import action
from tests.browser.helpers import assert_accessible_at_every_width, page_as

pytestmark = pytest.mark.browser


class World:
    """The organisations, people and documents a page needs, built on first use."""

    def __init__(self, make):
        self.make = make
        self.ministry = make.ministry()
        self.office = make.organisation(kind="ministry_unit", code="VP",
                                        name="Văn phòng Bộ", parent=self.ministry)
        self.department = make.organisation(code="HNI", name="Sở TN&MT TP. Hà Nội")
        self.clerk = make.user(self.office, "clerk")
        self._document = None

    def document(self):
        if self._document is None:
            with action():
                init_development_pki()  # sealed: its page shows the signature table
            self._document = self.make.document(
                self.clerk, [self.department], due_working_days=5,
                subject="V/v báo cáo tình hình quản lý, sử dụng đất đai và tài nguyên nước "
                        "năm 2026 trên địa bàn tỉnh")
        return self._document

    def drafting_specialist(self):
        """A department's specialist with a received document assigned to them."""
        specialist = self.make.user(self.department, "specialist")
        leader = self.make.user(self.department, "leader")
        delivery = self.make.delivery(self.document(), self.department)
        with action():
            deliveries.acknowledge_delivery(delivery, actor=leader)
            deliveries.assign_delivery(delivery, actor=leader, assignee=specialist)
        return specialist, delivery


def _sign_in(browser, live_server, world, role, organisation=None):
    person = world.make.user(organisation or world.ministry, role)
    return page_as(browser, live_server, person, world.make.PASSWORD), person


def _as(role, path, organisation="ministry"):
    def visit(browser, live_server, world):
        page, _ = _sign_in(browser, live_server, world, role, getattr(world, organisation))
        return page, path
    return visit


def _public(path):
    def visit(browser, live_server, world):
        return browser.new_page(), path
    return visit


def _delivery_with_reply_form(browser, live_server, world):
    specialist, delivery = world.drafting_specialist()
    return page_as(browser, live_server, specialist, world.make.PASSWORD), (
        f"/inbox/{delivery.id}")


def _inbox(browser, live_server, world):
    world.document()
    return _as("clerk", "/inbox/", "department")(browser, live_server, world)


def _tracking(browser, live_server, world):
    document = world.document()
    return page_as(browser, live_server, world.clerk, world.make.PASSWORD), (
        f"/documents/{document.id}")


def _to_sign(browser, live_server, world):
    page, leader = _sign_in(browser, live_server, world, "leader", world.office)
    world.document()
    draft = world.make.document(world.clerk, [world.department], issue=False)
    with action():
        chain.submit_for_signing(draft, actor=world.clerk, signer_id=leader.id)
    run_queued_here()
    return page, "/documents/to-sign"


def _assessments(browser, live_server, world):
    page, reviewer = _sign_in(browser, live_server, world, "reviewer")
    world.document()
    with action():
        assessments.record_assessment(
            world.department, Period(date(2026, 1, 1), date(2026, 12, 31)), kind="commend",
            note="Xử lý đúng hạn.", appendix_style="bold", actor=reviewer)
    return page, "/oversight/assessments/"


def _with_2019_record(role, path):
    """The leaderboard as reviewers read it: 63 departments' 2019 figures, table and chart."""
    def visit(browser, live_server, world):
        with action():
            load_organisations()
            load_2019_record()
        if role is None:
            return browser.new_page(), path
        return _sign_in(browser, live_server, world, role)[0], path
    return visit


PERIOD_2019 = "from=2019-01-01&to=2019-08-12"

PAGES = {
    "sign-in": _public("/login"),
    "public leaderboard": _with_2019_record(None, f"/leaderboard?{PERIOD_2019}"),
    "home": _as("specialist", "/", "department"),
    "inbox": _inbox,
    "delivery with reply form": _delivery_with_reply_form,
    "compose": lambda b, s, w: (page_as(b, s, w.clerk, w.make.PASSWORD), "/documents/new"),
    "documents": lambda b, s, w: (page_as(b, s, w.clerk, w.make.PASSWORD), "/documents/"),
    "tracking": _tracking,
    "to sign": _to_sign,
    "leaderboard": _with_2019_record("reviewer", f"/oversight/?{PERIOD_2019}"),
    "assessments": _assessments,
    "organisations": _as("admin", "/organisations/"),
    "reorganisation upload": _as("admin", "/organisations/reorganise"),
    "calendar": _as("admin", "/calendar/"),
    "audit": _as("admin", "/audit/"),
    "jobs": _as("admin", "/jobs/"),
    "account": _as("specialist", "/account", "department"),
}


@pytest.mark.parametrize("name", PAGES)
def test_page_has_no_accessibility_violations_at_desk_and_phone_width(
        name, browser, live_server, make):
    page, path = PAGES[name](browser, live_server, World(make))
    assert_accessible_at_every_width(page, live_server + path)


def test_the_inbox_on_a_phone_folds_its_filters_and_shows_each_row_as_a_card(
        browser, live_server, make):
    world = World(make)
    world.document()
    page, _ = _sign_in(browser, live_server, world, "clerk", world.department)
    page.set_viewport_size({"width": 390, "height": 800})
    page.goto(f"{live_server}/inbox/?tab=all")
    filters = page.locator("details.filters-disclosure")
    expect(filters).not_to_have_attribute("open", "")  # the first screen shows the documents
    expect(page.get_by_label("Số, ký hiệu hoặc trích yếu")).to_be_hidden()
    row = page.locator("table.inbox tbody tr").first
    expect(page.locator("table.inbox thead")).not_to_be_in_viewport()
    received = row.locator("td").nth(3)
    expect(received).to_have_attribute("data-label", "Ngày đến")  # each value says what it is
    assert received.evaluate("td => getComputedStyle(td, '::before').content") != "none"
    wrap = page.locator("#inbox .table-wrap")
    assert wrap.evaluate("e => e.scrollWidth <= e.clientWidth"), "the table scrolls sideways"
    box = row.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390
    filters.locator("summary").click()
    expect(page.get_by_label("Số, ký hiệu hoặc trích yếu")).to_be_visible()

    page.set_viewport_size({"width": 1280, "height": 800})
    page.reload()
    expect(filters).to_have_attribute("open", "")
    expect(page.locator("table.inbox thead")).to_be_visible()
