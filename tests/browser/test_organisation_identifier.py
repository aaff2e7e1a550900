"""An administrator gives a department its national identifier and puts it on the axis from
its page: a wrong shape is said under the field, a taken one names its holder, the page
passes axe at a desk and on a phone."""

import pytest
from playwright.sync_api import expect

from portal.extensions import db
from portal.organisations.models import Organisation
from portal.organisations.services import set_axis_details
from portal.transaction import action
from tests.browser.helpers import WIDTHS, axe_violations, page_as

pytestmark = pytest.mark.browser


def test_an_administrator_sets_a_departments_identifier_and_channel(browser, live_server, make):
    admin = make.user(make.ministry(), "admin")
    department = make.organisation(code="LCH", name="Sở Nông nghiệp và Môi trường tỉnh Lai Châu")
    holder = make.organisation(code="DB", name="Sở Nông nghiệp và Môi trường tỉnh Điện Biên")
    with action():
        set_axis_details(holder, organ_id="000.00.12.H11", channel="portal")
    page = page_as(browser, live_server, admin, make.PASSWORD)
    page.goto(f"{live_server}/organisations/{department.id}")
    page.get_by_role("link", name="Trục liên thông").click()
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        assert axe_violations(page) == [], width
    page.set_viewport_size({"width": 1280, "height": 900})

    identifier = page.get_by_label("Mã định danh")
    identifier.fill("H34")
    page.get_by_role("button", name="Lưu").click()
    expect(page.locator("main form")).to_contain_text("H34 không phải mã định danh")

    page.get_by_label("Mã định danh").fill("000.00.12.h11")
    page.get_by_role("button", name="Lưu").click()
    expect(page.locator("main form")).to_contain_text("Sở Nông nghiệp và Môi trường tỉnh Điện Biên")

    page.get_by_label("Mã định danh").fill("000.00.12.h34")
    page.get_by_label("Kênh").select_option("axis")
    page.get_by_role("button", name="Lưu").click()
    expect(page.locator(".message")).to_contain_text("Đã lưu mã định danh")
    expect(page.locator("dl.facts")).to_contain_text("000.00.12.H34")
    db.session.expire_all()
    kept = db.session.get(Organisation, department.id)
    assert (kept.organ_id, kept.channel) == ("000.00.12.H34", "axis")
    # Only the two refusals' own answers (400, as a form shown again with its errors).
    assert [e for e in page.console_errors if "400 (BAD REQUEST)" not in e] == []
    assert len(page.console_errors) == 2
