import re

from tests.factories import second_factor_code

SECOND_STEP = re.compile(r"/login/code$")


def sign_in(page, live_server, email, password):
    """Sign in as a person does: the password, then the app's code where the portal asks."""
    page.goto(f"{live_server}/login")
    page.get_by_label("Thư điện tử").fill(email)
    page.get_by_label("Mật khẩu").fill(password)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_load_state()
    if SECOND_STEP.search(page.url):
        page.get_by_label("Mã xác thực").fill(second_factor_code(email))
        page.get_by_role("button", name="Tiếp tục").click()
        page.wait_for_load_state()


def page_as(browser, live_server, user, password):
    """A browser context of its own, signed in as the user, collecting console errors."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN")
    page = context.new_page()
    page.console_errors = []
    page.on("console", lambda m: m.type == "error" and page.console_errors.append(m.text))
    sign_in(page, live_server, user.email, password)
    return page
