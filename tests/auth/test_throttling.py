"""Throttling that stops guessing without letting an attacker lock people out (auth.throttle)."""

import pytest
from sqlalchemy import func, select

from portal.audit.models import AuditEvent
from portal.extensions import db
from tests.conftest import AuthActions

OFFICE = "10.0.2.1"  # one NAT address for a whole department


def _attempt(client, email, password="wrong", address="10.0.0.1"):  # noqa: S107
    token = AuthActions(client).csrf_token()
    return client.post("/login", data={"email": email, "password": password, "csrf_token": token},
                       environ_base={"REMOTE_ADDR": address})


def _retry_after(response) -> int:
    return int(response.headers["Retry-After"])


def test_the_sixth_wrong_password_from_one_address_answers_429_with_retry_after(client, make):
    user = make.user(make.organisation())
    statuses = [_attempt(client, user.email).status_code for _ in range(5)]
    assert statuses == [401] * 5
    sixth = _attempt(client, user.email)
    assert sixth.status_code == 429
    assert "Bạn đã thử quá nhiều lần" in sixth.get_data(as_text=True)
    assert 50 <= _retry_after(sixth) <= 61  # the oldest of the five leaves the minute's window
    # From that address and browser, even the right password waits: it may be a guess.
    assert _attempt(client, user.email, make.PASSWORD).status_code == 429


def test_the_owner_elsewhere_is_not_locked_out_by_a_guesser_on_one_address(client, app, make):
    user = make.user(make.organisation())
    for _ in range(6):
        _attempt(client, user.email, address="10.0.1.1")
    elsewhere = app.test_client()
    assert _attempt(elsewhere, user.email, make.PASSWORD, "10.0.1.2").status_code == 302


def test_colleagues_behind_one_address_do_not_lock_each_other_out(app, make):
    organisation = make.organisation()
    colleagues = [make.user(organisation) for _ in range(12)]
    browsers = [app.test_client() for _ in colleagues]
    for browser, colleague in zip(browsers, colleagues, strict=True):
        assert _attempt(browser, colleague.email, "typo", OFFICE).status_code == 401
        assert _attempt(browser, colleague.email, "typo again", OFFICE).status_code == 401
    for browser, colleague in zip(browsers, colleagues, strict=True):
        assert _attempt(browser, colleague.email, make.PASSWORD, OFFICE).status_code == 302


def test_one_address_trying_many_accounts_is_stopped(client, app):
    limit = int(app.config["LOGIN_ADDRESS_LIMIT"].split()[0])
    for n in range(limit):
        assert _attempt(client, f"guess{n}@example.gov.vn", address=OFFICE).status_code == 401
    refused = _attempt(client, "one-more@example.gov.vn", address=OFFICE)
    assert refused.status_code == 429
    assert 500 <= _retry_after(refused) <= 601  # the window is 10 minutes


def _hammer_from_many_addresses(app, email, attempts):
    attacker = app.test_client()
    return [_attempt(attacker, email, f"guess {n}", f"203.0.113.{n}").status_code
            for n in range(attempts)]


def test_an_attacker_on_many_addresses_cannot_stop_the_owner_on_a_known_device(app, make):
    owner_user = make.user(make.organisation())
    owner = app.test_client()
    assert _attempt(owner, owner_user.email, make.PASSWORD, "10.0.3.1").status_code == 302
    AuthActions(owner).logout()

    limit = int(app.config["LOGIN_ACCOUNT_LIMIT"].split()[0])
    assert _hammer_from_many_addresses(app, owner_user.email, limit) == [401] * limit
    # The account is now closed to browsers it has never used, the right password included...
    stranger = app.test_client()
    refused = _attempt(stranger, owner_user.email, make.PASSWORD, "198.51.100.7")
    assert refused.status_code == 429
    assert 3000 <= _retry_after(refused) <= 3601
    # ...but not to its owner's computer, from any address.
    assert _attempt(owner, owner_user.email, make.PASSWORD, "10.0.3.1").status_code == 302
    AuthActions(owner).logout()
    assert _attempt(owner, owner_user.email, make.PASSWORD, "192.0.2.50").status_code == 302


def test_a_known_device_has_a_limit_of_its_own(app, make):
    user = make.user(make.organisation())
    device = app.test_client()
    assert _attempt(device, user.email, make.PASSWORD).status_code == 302
    AuthActions(device).logout()
    assert [_attempt(device, user.email).status_code for _ in range(5)] == [401] * 5
    assert _attempt(device, user.email).status_code == 429


def test_a_forged_or_borrowed_device_cookie_is_not_a_known_device(app, make):
    organisation = make.organisation()
    victim, other = make.user(organisation), make.user(organisation)
    browser = app.test_client()
    assert _attempt(browser, other.email, make.PASSWORD).status_code == 302  # known for other
    AuthActions(browser).logout()
    for _ in range(5):
        _attempt(browser, victim.email)
    assert _attempt(browser, victim.email).status_code == 429

    forged = app.test_client()
    forged.set_cookie("portal_device", "eyJkIjoieCIsImEiOltdfQ.forged.signature")
    for _ in range(5):
        _attempt(forged, victim.email, address="10.0.4.1")
    assert _attempt(forged, victim.email, address="10.0.4.1").status_code == 429


def test_the_second_factor_step_is_throttled_too(client, auth, make):
    leader = make.user(make.organisation(), role="leader")
    response = client.post("/login", data={"email": leader.email, "password": make.PASSWORD,
                                           "csrf_token": auth.csrf_token()})
    assert response.location == "/login/code"
    statuses = [auth.enter_code(leader.email, "000000").status_code for _ in range(6)]
    assert statuses == [401] * 5 + [429]
    assert auth.enter_code(leader.email).status_code == 429  # the right code waits too
    failures = db.session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "auth.mfa_failed"))
    assert failures == 5


def test_successful_sign_ins_do_not_count_as_failures(client, auth, make):
    user = make.user(make.organisation())
    for _ in range(7):
        assert _attempt(client, user.email, make.PASSWORD).status_code == 302
        auth.logout()
    assert db.session.scalar(
        select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "auth.login")
    ) == 7


def test_the_api_answers_429_in_json_with_retry_after(app):
    from portal.errors import handle_rate_limit

    with app.test_request_context("/api/v1/inbox"):
        response = handle_rate_limit(None)
    assert response.status_code == 429
    assert response.get_json()["error"]["status"] == 429
    assert 1 <= _retry_after(response) <= 60


@pytest.fixture(params=["memory", "redis"])
def storage_uri(request, redis_url):
    if request.param == "redis":
        if not redis_url:
            pytest.skip("REDIS_URL is not set")
        return redis_url
    return "memory://"


def test_limits_hold_with_each_storage(app, app_config, make, storage_uri):
    from portal import create_app
    from portal.extensions import limiter

    user = make.user(make.organisation())
    portal = create_app({**app_config, "RATELIMIT_STORAGE_URI": storage_uri})
    try:
        limiter.reset()
        browser = portal.test_client()
        assert [_attempt(browser, user.email).status_code for _ in range(6)] == [401] * 5 + [429]
        assert _attempt(portal.test_client(), user.email, make.PASSWORD,
                        "10.0.5.5").status_code == 302
    finally:
        limiter.reset()
        limiter.init_app(app)  # the limiter is one object: give it back the suite's storage


def test_sign_in_still_works_when_redis_is_down(app, app_config, make):
    from portal import create_app
    from portal.extensions import limiter

    user = make.user(make.organisation())
    # Nothing listens on port 1: the limiter's storage is unreachable.
    down = create_app({**app_config, "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:1/0"})
    try:
        response = AuthActions(down.test_client()).login(user.email)
    finally:
        limiter.init_app(app)  # the limiter is one object: give it back its working storage
    assert response.status_code == 302

