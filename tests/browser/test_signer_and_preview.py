"""In a real browser: a department reads who signed the ministry's letter, with the title the
chain's signer holds; a department's director sees the reply laid out, with their own
signature block, on the page where they approve and send it."""

import pytest
from playwright.sync_api import expect

from portal.deliveries import replies
from portal.deliveries import services as deliveries
from portal.transaction import action
from tests.browser.helpers import page_as
from tests.documents.test_authority import Ministry

pytestmark = pytest.mark.browser


def test_the_department_sees_the_chains_signer_with_title(browser, live_server, make,
                                                          run_jobs):
    ministry = Ministry(make)
    letter = ministry.through_the_chain(ministry.draft(), ministry.deputy_minister, run_jobs)
    delivery = make.delivery(letter, ministry.hanoi)
    page = page_as(browser, live_server, ministry.hanoi_clerk, make.PASSWORD)
    page.get_by_role("link", name="Văn bản đến").click()
    page.get_by_role("link", name=letter.notation).click()
    assert page.url.endswith(f"/inbox/{delivery.id}")
    signer = page.locator("dd.signer")
    expect(signer).to_have_text(
        f"{ministry.deputy_minister.full_name} — KT. BỘ TRƯỞNG / THỨ TRƯỞNG")
    expect(page.locator(".facts")).to_contain_text(
        f"Nơi gửi{ministry.ministry.name} (đơn vị soạn thảo: {ministry.office.name})")
    seal = page.locator(".verification tbody tr").filter(has_text="Chữ ký số của cơ quan")
    expect(seal).to_contain_text(ministry.ministry.name)
    assert page.console_errors == []


def test_the_director_reads_the_reply_laid_out_before_approving_it(browser, live_server, make,
                                                                   run_jobs):
    ministry = Ministry(make)
    letter = make.document(ministry.clerk, [ministry.hanoi], due_working_days=5)
    delivery = make.delivery(letter, ministry.hanoi)
    with action():
        deliveries.acknowledge_delivery(delivery, actor=ministry.hanoi_clerk)
    with action():
        deliveries.assign_delivery(delivery, actor=ministry.hanoi_director,
                                   assignee=ministry.hanoi_specialist)
    with action():
        replies.save_reply(delivery, actor=ministry.hanoi_specialist,
                           body="Sở báo cáo: 100% văn bản đi được ký số.")
    with action():
        replies.submit_reply(delivery, actor=ministry.hanoi_specialist)

    page = page_as(browser, live_server, ministry.hanoi_director, make.PASSWORD)
    page.goto(f"{live_server}/inbox/{delivery.id}")
    preview = page.frame_locator("iframe.reply-preview")
    body = preview.locator("body")
    expect(body).to_contain_text("Sở báo cáo: 100% văn bản đi được ký số.")
    expect(body).to_contain_text("UBND THÀNH PHỐ HÀ NỘI")
    expect(preview.locator("td.signer")).to_contain_text("GIÁM ĐỐC")
    expect(preview.locator("td.signer")).to_contain_text(ministry.hanoi_director.full_name)
    page.get_by_role("button", name="Duyệt và gửi").click()
    run_jobs()
    page.reload()
    expect(page.locator("#reply")).to_contain_text("Đã gửi, số 1/HNI.")
    assert page.console_errors == []
