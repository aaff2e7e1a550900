import re
from pathlib import Path

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


# The version the Makefile pins (AXE_VERSION) is the one folder `make axe-core` leaves here.
AXE = next((Path(__file__).parent / ".axe-core").glob("*/axe.min.js"), None)
WIDTHS = (1280, 390)  # a desk and a phone


def axe_violations(page) -> list[str]:
    """What axe-core (injected into the page, every rule on) finds wrong, one line each."""
    assert AXE is not None, "axe-core is missing: `make axe-core` (part of `make test`) fetches it"
    page.evaluate(AXE.read_text())  # run as the page's own code, under its CSP's eyes not
    found = page.evaluate("""async () => (await axe.run(document)).violations.map(v =>
        `${v.id} (${v.impact}): ${v.nodes.map(n => n.target.join(' ')).join(', ')}`)""")
    return found


def assert_accessible_at_every_width(page, url):
    """The page at a desk's width and at a phone's: no axe-core violations, no sideways
    scrolling of the page itself."""
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(url)
        violations = axe_violations(page)
        assert violations == [], f"{url} at {width} px: " + "; ".join(violations)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{url} at {width} px scrolls sideways by {overflow} px"
