"""A person signs in, sees the landing page for their role, switches language, signs out."""

import re

import pyotp
import pytest
from playwright.sync_api import expect

from tests.browser.helpers import sign_in
from tests.factories import remember_second_factor

pytestmark = pytest.mark.browser


def test_clerk_signs_in_switches_language_and_signs_out(page, live_server, make):
    department = make.organisation(name="Sở TN&MT tỉnh Ninh Bình")
    clerk = make.user(department, role="clerk")
    sign_in(page, live_server, clerk.email, make.PASSWORD)

    expect(page.get_by_role("heading", level=1)).to_contain_text("Xin chào")
    expect(page.locator(".who")).to_have_text("Sở TN&MT tỉnh Ninh Bình · Văn thư")
    expect(page.get_by_text("Tiếp nhận văn bản gửi đến cơ quan")).to_be_visible()
    expect(page.get_by_role("link", name="Nhật ký hệ thống", exact=True)).to_have_count(0)

    page.get_by_role("link", name="EN").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welcome")
    expect(page.locator(".who")).to_contain_text("Clerk")

    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"/login$"))
    expect(page.get_by_text("You have signed out.")).to_be_visible()
    page.goto(f"{live_server}/")
    expect(page).to_have_url(re.compile(r"/login\?next="))
    assert page.console_errors == []


def test_admin_filters_organisations_with_htmx_under_the_csp(page, live_server, make):
    ministry = make.ministry()
    make.organisation(kind="ministry_unit", code="VP", name="Văn phòng Bộ", parent=ministry)
    make.organisation(code="NB", name="Sở TN&MT tỉnh Ninh Bình")
    admin = make.user(ministry, role="admin")
    sign_in(page, live_server, admin.email, make.PASSWORD)
    expect(page.get_by_role("link", name="Nhật ký hệ thống", exact=True)).to_be_visible()

    page.get_by_role("link", name="Cơ quan, đơn vị", exact=True).click()
    expect(page.locator("#organisations")).to_contain_text("Sở TN&MT tỉnh Ninh Bình")
    page.get_by_label("Loại").select_option("ministry_unit")
    expect(page.locator("#organisations")).not_to_contain_text("Ninh Bình")
    expect(page.locator("#organisations")).to_contain_text("Văn phòng Bộ")
    expect(page).to_have_url(re.compile(r"kind=ministry_unit"))
    assert page.console_errors == []


def test_wrong_password_shows_a_message_and_keeps_the_email(page, live_server, make):
    user = make.user(make.organisation())
    sign_in(page, live_server, user.email, "not the password")
    expect(page.get_by_text("Sai thư điện tử hoặc mật khẩu.")).to_be_visible()
    expect(page.get_by_label("Thư điện tử")).to_have_value(user.email)


def test_layout_fits_a_phone(browser, live_server, make):
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    user = make.user(make.organisation())
    sign_in(page, live_server, user.email, make.PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= 390
    page.get_by_text("Danh mục").click()
    expect(page.get_by_role("button", name="Đăng xuất")).to_be_visible()
    context.close()


def _set_up_the_app(page):
    """Do what the person does with their phone: take the key, type the app's code."""
    qr_code = page.get_by_role("img", name="Mã QR để quét bằng ứng dụng xác thực")
    expect(qr_code).to_be_visible()
    assert qr_code.evaluate("img => img.complete && img.naturalWidth > 0")  # drawn under the CSP
    secret = page.locator("#totp-secret").inner_text().replace(" ", "")
    page.get_by_label("Mã trên ứng dụng").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Xác nhận").click()
    return secret


def test_leader_sets_up_two_step_sign_in_and_signs_in_with_it(page, live_server, make):
    leader = make.user(make.organisation(), role="leader", second_factor_on=False)
    sign_in(page, live_server, leader.email, make.PASSWORD)
    expect(page).to_have_url(re.compile(r"/login/enrol$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Thiết lập xác thực hai bước")
    secret = _set_up_the_app(page)

    expect(page).to_have_url(re.compile(r"/account/recovery-codes$"))
    codes = page.locator(".recovery-codes code").all_inner_texts()
    assert len(set(codes)) == 10
    remember_second_factor(leader.email, secret, codes)
    page.get_by_role("link", name="Tôi đã lưu, tiếp tục").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Xin chào")

    page.get_by_role("button", name="Đăng xuất").click()
    sign_in(page, live_server, leader.email, make.PASSWORD)  # the code page, with the app's code
    expect(page.get_by_role("heading", level=1)).to_contain_text("Xin chào")
    page.goto(f"{live_server}/account")
    expect(page.locator("#two-step")).to_contain_text("Số mã khôi phục còn lại: 10")
    assert page.console_errors == []


def test_setting_up_two_step_sign_in_fits_a_phone(browser, live_server, make):
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="vi-VN")
    page = context.new_page()
    reviewer = make.user(make.ministry(), role="reviewer", second_factor_on=False)
    sign_in(page, live_server, reviewer.email, make.PASSWORD)
    expect(page.locator("#totp-secret")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    _set_up_the_app(page)
    expect(page.locator(".recovery-codes code")).to_have_count(10)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    context.close()
