"""An administrator applies the 2025 reorganisation from the organisations page: the file,
the dry run (accessible at a desk and on a phone), the confirmation, 34 departments."""

import pytest
from playwright.sync_api import expect

from portal.demo.services import load_organisations
from portal.extensions import db
from portal.organisations import services
from portal.transaction import action
from tests.browser.helpers import WIDTHS, axe_violations, page_as
from tests.organisations.test_reorganisation import DATA

pytestmark = pytest.mark.browser


def test_an_administrator_uploads_reads_the_dry_run_and_confirms(browser, live_server, make):
    with action():
        load_organisations()
    admin = make.user(services.find_by_code("BTNMT"), "admin")
    page = page_as(browser, live_server, admin, make.PASSWORD)
    page.goto(f"{live_server}/organisations/")
    page.get_by_role("link", name="Áp dụng sắp xếp tổ chức").click()
    page.get_by_label("Tệp sắp xếp tổ chức (CSV)").set_input_files(str(DATA))
    page.get_by_role("button", name="Xem trước những gì sẽ thay đổi").click()
    expect(page.locator("table.plan tbody tr")).to_have_count(94)
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        assert axe_violations(page) == [], width
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"the dry run at {width} px scrolls sideways by {overflow} px"
    page.set_viewport_size({"width": 1280, "height": 900})
    page.get_by_role("button", name="Áp dụng 94 sự kiện này").click()
    expect(page.locator(".message")).to_contain_text("Đã áp dụng sắp xếp tổ chức: 94 sự kiện.")
    db.session.expire_all()
    assert len(services.list_organisations("department", include_merged=False)) == 34
    assert page.console_errors == []
