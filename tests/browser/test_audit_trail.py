"""An administrator reads the audit trail at 1280 px: nothing is cut off at the right."""

import pytest
from playwright.sync_api import expect

from portal.audit import services as audit
from portal.extensions import db
from tests.browser.helpers import page_as

pytestmark = pytest.mark.browser


def test_the_details_wrap_inside_their_cell_at_1280_px(browser, live_server, make, tmp_path):
    ministry = make.ministry()
    admin = make.user(ministry, "admin")
    audit.record("access.refused", actor=admin, details={
        "path": "/documents/12345/attachments/67890/" + "a-very-long-file-name-" * 6 + ".pdf",
        "method": "GET", "status": 404, "reason": "can_read_document",
        "sha256": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08" * 2})
    db.session.commit()

    page = page_as(browser, live_server, admin, make.PASSWORD)
    page.goto(f"{live_server}/audit/")
    expect(page.locator("table.audit-events")).to_contain_text("Từ chối truy cập")
    page.screenshot(path=tmp_path / "audit-trail-1280.png", full_page=True)

    overflowing = page.evaluate("""() => [...document.querySelectorAll('td.details')]
        .filter(cell => cell.scrollWidth > cell.clientWidth).length""")
    assert overflowing == 0
    wrap = page.evaluate("""() => { const box = document.querySelector('#events');
        return [box.scrollWidth, box.clientWidth]; }""")
    assert wrap[0] <= wrap[1]  # the table does not scroll sideways either
    assert page.console_errors == []
