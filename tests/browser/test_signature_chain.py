"""In a real browser: a letter drafted, previewed, initialled, signed, issued with the seal,
and verified as valid by the department that receives it; a tampered upload is not valid."""

import pytest
from playwright.sync_api import expect

from portal.documents import services as documents
from portal.signing import keys
from portal.storage.services import read_bytes
from portal.transaction import action
from tests.browser.helpers import page_as
from tests.signing.test_chain import Chain

pytestmark = pytest.mark.browser


def _sign_when_it_is_my_turn(browser, live_server, person, password, subject, button,
                             run_jobs):
    page = page_as(browser, live_server, person, password)
    page.get_by_role("link", name="Chờ ký").click()
    page.get_by_role("link", name=subject).click()
    page.get_by_role("button", name=button, exact=True).click()
    expect(page.locator(".messages")).to_contain_text("đang được đặt lên văn bản")
    run_jobs()
    page.reload()
    signed = page.locator("#signature-chain .step.signed")
    expect(signed.filter(has_text=person.full_name)).to_be_visible()
    assert page.console_errors == []
    page.context.close()


def test_a_letter_goes_through_the_whole_chain_and_arrives_valid(browser, live_server, make,
                                                                 run_jobs):
    chain = Chain(make)
    subject = "V/v báo cáo ứng dụng chữ ký số"

    # The specialist drafts, previews, and submits it for signing.
    author = page_as(browser, live_server, chain.author, make.PASSWORD)
    author.get_by_role("link", name="Văn bản đi").click()
    author.get_by_role("link", name="Soạn văn bản").click()
    author.get_by_label("Trích yếu").fill(subject)
    author.get_by_label("Nội dung").fill("Đề nghị Sở báo cáo tình hình ký số văn bản đi.")
    author.get_by_text("Chọn từng nơi nhận").click()
    author.get_by_label(chain.a.name).check()
    author.get_by_role("button", name="Lưu dự thảo").click()
    author.get_by_role("link", name="Xem trước").click()
    expect(author.locator("body")).to_contain_text("Độc lập - Tự do - Hạnh phúc")
    expect(author.locator("body")).to_contain_text("Dự thảo")
    author.go_back()
    author.get_by_role("link", name="Trình ký…").click()
    author.get_by_label("Ký nháy: lãnh đạo đơn vị soạn thảo").select_option(
        str(chain.unit_leader.id))
    author.get_by_label("Người ký").select_option(str(chain.minister.id))
    author.get_by_role("button", name="Trình ký").click()
    expect(author.locator(".messages")).to_contain_text("Đã trình ký")
    run_jobs()  # with Redis a worker lays it out now; the progress bar follows it
    render = author.locator('[data-job="render"]')
    expect(render).to_contain_text("Hoàn thành", timeout=10_000)
    expect(render.locator("progress")).to_have_attribute("value", "100")
    assert author.console_errors == []

    # The unit's leader initials it, then the ministry's leader signs it.
    _sign_when_it_is_my_turn(browser, live_server, chain.unit_leader, make.PASSWORD, subject,
                             "Ký nháy", run_jobs)
    _sign_when_it_is_my_turn(browser, live_server, chain.minister, make.PASSWORD, subject,
                             "Ký", run_jobs)

    # The clerk issues it: number, date and the organisation's signature.
    clerk = page_as(browser, live_server, chain.clerk, make.PASSWORD)
    clerk.get_by_role("link", name="Văn bản đi").click()
    clerk.get_by_role("link", name="Đã ký, chờ phát hành").click()
    clerk.get_by_role("button", name="Phát hành: số, ngày và chữ ký số của cơ quan").click()
    expect(clerk.locator(".messages")).to_contain_text("tới 1 nơi nhận")
    notation = clerk.get_by_role("heading", level=1).inner_text().split()[-1]
    run_jobs()
    expect(clerk.locator('[data-job="verify"]')).to_contain_text("Hoàn thành", timeout=10_000)
    assert clerk.console_errors == []

    # The department opens it and sees every signature valid.
    department = page_as(browser, live_server, chain.a_clerk, make.PASSWORD)
    department.get_by_role("link", name="Văn bản đến").click()
    department.get_by_role("link", name=notation).click()
    report = department.locator(".verification")
    expect(report.locator(".verdict")).to_have_text("Hợp lệ")
    # The letter is in the ministry's name: the ministry's seal.
    for name in (chain.unit_leader.full_name, chain.minister.full_name, chain.ministry.name):
        expect(report).to_contain_text(name)
    expect(report.locator("tbody tr")).to_have_count(3)
    assert department.console_errors == []


def test_a_tampered_upload_is_shown_not_valid(browser, live_server, make, run_jobs):
    chain = Chain(make)
    with action():
        signed = documents.save_draft(documents.DraftFields(
            doc_type="bao_cao", subject="Báo cáo đã ký", body="Nội dung.",
            recipient_ids=(chain.office.id,)), actor=chain.a_clerk)
    with action():
        documents.issue_document(signed, actor=chain.a_clerk)
    run_jobs()
    data = read_bytes(documents.db.session.get(type(signed), signed.id).pdf_file)
    assert keys.organisation_identity(chain.a.id) is not None
    position = data.index(b"/Type /Page") + 1  # inside the signed revision
    tampered = data[:position] + b"X" + data[position + 1:]

    page = page_as(browser, live_server, chain.a_clerk, make.PASSWORD)
    page.get_by_role("link", name="Văn bản đi").click()
    page.get_by_role("link", name="Soạn văn bản").click()
    page.get_by_label("Trích yếu").fill("Báo cáo gửi lại")
    page.get_by_text("Chọn từng nơi nhận").click()
    page.get_by_label(chain.office.name).check()
    page.get_by_role("button", name="Lưu dự thảo").click()
    page.get_by_label("Tệp PDF", exact=True).set_input_files(files=[{
        "name": "bao-cao.pdf", "mimeType": "application/pdf", "buffer": tampered}])
    page.get_by_label("Tệp PDF này là chính văn bản").check()
    page.get_by_role("button", name="Đính kèm PDF").click()
    expect(page.locator(".messages")).to_contain_text("Đã đính kèm")
    page.get_by_role("button", name="Lưu và phát hành").click()
    run_jobs()
    expect(page.locator(".verification .verdict")).to_have_text("Không hợp lệ", timeout=10_000)
    expect(page.locator(".verification")).to_contain_text(
        "Nội dung đã ký bị thay đổi sau khi ký")
