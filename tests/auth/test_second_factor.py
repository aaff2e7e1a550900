"""Two-step sign-in: setting up the app, codes at sign-in, recovery codes, reset."""

import time

import pyotp
import pytest
from sqlalchemy import func, select

from portal.audit.models import AuditEvent
from portal.auth import second_factor
from portal.auth.models import LoginSession, RecoveryCode, User
from portal.extensions import db
from portal.transaction import action
from tests.conftest import (
    RECOVERY_CODE_PATTERN,
    TOTP_SECRET_PATTERN,
    AuthActions,
    csrf_token_from,
)
from tests.factories import RECOVERY_CODES, TOTP_SECRETS, Factory

PASSWORD = Factory.PASSWORD


def _password(client, auth, user):
    """The first step alone: the right password."""
    return client.post("/login", data={"email": user.email, "password": PASSWORD,
                                       "csrf_token": auth.csrf_token()})


def _events(action):
    return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def _fresh(user) -> User:
    db.session.expire_all()
    return db.session.get(User, user.id)


def _next_code(secret, after_step=None):
    """The app's code for a time-step the portal has not accepted yet."""
    totp = pyotp.TOTP(secret)
    step = totp.timecode(time.time())
    if after_step is not None and step <= after_step:
        step = after_step + 1
    return totp.generate_otp(step)


@pytest.fixture
def new_leader(make):
    """A leader who has never signed in: no second factor yet."""
    return make.user(make.organisation(), role="leader", second_factor_on=False)


def test_a_leader_without_it_is_taken_to_set_up_and_can_do_nothing_else(client, auth,
                                                                       new_leader):
    response = _password(client, auth, new_leader)
    assert response.status_code == 302 and response.location == "/login/enrol"
    page = client.get("/login/enrol")
    html = page.get_data(as_text=True)
    assert page.headers["Cache-Control"] == "no-store"
    assert 'src="data:image/svg+xml' in html  # the QR code, drawn on the server
    assert TOTP_SECRET_PATTERN.search(html)
    # Not signed in meanwhile: every page still sends to sign-in.
    for path in ("/", "/account", "/inbox/", "/account/password"):
        assert client.get(path).status_code == 302
        assert client.get(path).location.startswith("/login")
    assert db.session.scalar(select(func.count()).select_from(LoginSession)) == 0


def test_setting_up_shows_the_secret_then_ten_recovery_codes_once(client, auth, new_leader):
    _password(client, auth, new_leader)
    html = client.get("/login/enrol").get_data(as_text=True)
    secret = TOTP_SECRET_PATTERN.search(html).group(1).replace(" ", "")
    assert client.get("/login/enrol").get_data(as_text=True).count(
        TOTP_SECRET_PATTERN.search(html).group(1)) == 1  # reloading keeps the same secret
    response = client.post("/login/enrol", data={"one_time_code": pyotp.TOTP(secret).now(),
                                                 "csrf_token": csrf_token_from(html)})
    assert response.status_code == 302 and response.location == "/account/recovery-codes"
    shown = client.get("/account/recovery-codes")
    codes = RECOVERY_CODE_PATTERN.findall(shown.get_data(as_text=True))
    assert len(set(codes)) == 10
    assert shown.headers["Cache-Control"] == "no-store"
    assert client.get("/account/recovery-codes").location == "/account"  # never again
    assert client.get("/").status_code == 200  # signed in now

    user = _fresh(new_leader)
    assert user.has_second_factor and secret not in user.totp_secret
    assert second_factor.unseal(user.totp_secret) == secret
    stored = set(db.session.scalars(select(RecoveryCode.code_hash)))
    assert len(stored) == 10 and not stored & {c.replace("-", "") for c in codes}
    assert len(_events("auth.mfa_enrolled")) == 1 and len(_events("auth.login")) == 1


def test_a_wrong_code_at_set_up_is_refused_and_changes_nothing(client, auth, new_leader):
    _password(client, auth, new_leader)
    html = client.get("/login/enrol").get_data(as_text=True)
    response = client.post("/login/enrol", data={"one_time_code": "123456",
                                                 "csrf_token": csrf_token_from(html)})
    assert response.status_code == 400
    assert "Mã không khớp" in response.get_data(as_text=True)
    assert not _fresh(new_leader).has_second_factor
    assert db.session.scalar(select(func.count()).select_from(RecoveryCode)) == 0
    assert client.get("/").status_code == 302


def test_the_secret_is_encrypted_with_a_key_from_secret_key(app, app_config, make):
    from portal import create_app

    leader = make.user(make.organisation(), role="leader")
    stored = _fresh(leader).totp_secret
    assert TOTP_SECRETS[leader.email] not in stored
    other = create_app({**app_config, "SECRET_KEY": "another key"})
    with other.app_context():
        assert second_factor.unseal(stored) is None


def test_sign_in_asks_for_the_code_and_never_accepts_one_twice(client, auth, make):
    leader = make.user(make.organisation(), role="leader")
    secret = TOTP_SECRETS[leader.email]
    assert _password(client, auth, leader).location == "/login/code"
    assert client.get("/").status_code == 302  # the password alone signs in nobody
    code = _next_code(secret, _fresh(leader).totp_last_step)
    response = auth.enter_code(leader.email, code)
    assert response.status_code == 302 and response.location == "/"
    auth.logout()

    _password(client, auth, leader)
    replayed = auth.enter_code(leader.email, code)
    assert replayed.status_code == 401
    assert "đã được dùng" in replayed.get_data(as_text=True)
    assert [e.details["reason"] for e in _events("auth.mfa_failed")] == ["code used before"]


def test_the_code_keeps_where_the_person_was_going(client, auth, make):
    leader = make.user(make.organisation(), role="leader")
    client.post("/login?next=/organisations/", data={
        "email": leader.email, "password": PASSWORD, "csrf_token": auth.csrf_token()})
    assert auth.enter_code(leader.email).location == "/organisations/"


def test_a_recovery_code_signs_in_once(client, auth, make):
    leader = make.user(make.organisation(), role="leader")
    code = RECOVERY_CODES[leader.email][0]
    _password(client, auth, leader)
    response = auth.enter_code(leader.email, f"  {code.upper().replace('-', ' ')} ")
    assert response.status_code == 302
    assert "còn lại 9 mã" in client.get("/").get_data(as_text=True)
    assert [e.details["left"] for e in _events("auth.recovery_code_used")] == [9]
    auth.logout()
    _password(client, auth, leader)
    assert auth.enter_code(leader.email, code).status_code == 401


def test_the_step_between_password_and_code_expires(client, auth, make, app):
    leader = make.user(make.organisation(), role="leader")
    _password(client, auth, leader)
    with client.session_transaction() as session:
        session["sign_in"] = {**session["sign_in"],
                              "since": time.time() - app.config["SIGN_IN_STEP_MINUTES"] * 60 - 1}
    response = client.get("/login/code")
    assert response.status_code == 302 and response.location == "/login"


def test_a_reset_between_password_and_code_leaves_an_optional_role_signed_in(client, auth,
                                                                           make):
    specialist = make.user(make.organisation(), second_factor_on=True)
    assert _password(client, auth, specialist).location == "/login/code"
    with action():
        second_factor.reset(specialist, actor=None)
    response = client.get("/login/code", follow_redirects=True)
    assert response.request.path == "/" and response.status_code == 200


def test_the_code_step_without_a_password_sends_to_sign_in(client):
    assert client.get("/login/code").location == "/login"
    assert client.get("/login/enrol").location == "/login"


def test_a_specialist_signs_in_with_the_password_alone(client, auth, make):
    specialist = make.user(make.organisation())
    assert _password(client, auth, specialist).location == "/"


def _set_up_on_account_page(auth, user, password=None):
    return auth.set_up_second_factor(user.email, "/account/two-factor",
                                     password=password or PASSWORD)


def test_a_specialist_may_turn_it_on_and_off(client, auth, make):
    specialist = make.user(make.organisation())
    auth.login(specialist.email)
    assert _set_up_on_account_page(auth, specialist).location == "/account/recovery-codes"
    auth.logout()
    assert _password(client, auth, specialist).location == "/login/code"
    assert auth.enter_code(specialist.email).status_code == 302

    off = {"csrf_token": auth.csrf_token("/account")}
    assert client.post("/account/two-factor/off", data={**off, "password": "wrong"}
                       ).status_code == 401
    assert _fresh(specialist).has_second_factor
    response = client.post("/account/two-factor/off", data={**off, "password": PASSWORD})
    assert response.status_code == 302
    assert not _fresh(specialist).has_second_factor
    assert db.session.scalar(select(func.count()).select_from(RecoveryCode)) == 0
    auth.logout()
    assert _password(client, auth, specialist).location == "/"
    assert len(_events("auth.mfa_disabled")) == 1


def test_a_leader_cannot_turn_it_off(client, auth, make):
    leader = make.user(make.organisation(), role="leader")
    auth.login(leader.email)
    response = client.post("/account/two-factor/off", data={
        "password": PASSWORD, "csrf_token": auth.csrf_token("/account")})
    assert response.status_code == 400
    assert "bắt buộc" in response.get_data(as_text=True)
    assert _fresh(leader).has_second_factor


def test_setting_up_again_on_the_account_page_asks_for_the_password(client, auth, make):
    leader = make.user(make.organisation(), role="leader")
    old_secret = TOTP_SECRETS[leader.email]
    auth.login(leader.email)
    refused = _set_up_on_account_page(auth, leader, password="not my password")
    assert refused.status_code == 400
    assert second_factor.unseal(_fresh(leader).totp_secret) == old_secret
    assert [e.details["for"] for e in _events("auth.password_check_failed")] == ["mfa_enrol"]

    assert _set_up_on_account_page(auth, leader).status_code == 302
    assert second_factor.unseal(_fresh(leader).totp_secret) != old_secret


def test_an_administrator_resets_a_persons_second_factor(app, make):
    ministry = make.ministry()
    admin, leader = make.user(ministry, role="admin"), make.user(ministry, role="leader")
    leader_browser = app.test_client()
    AuthActions(leader_browser).login(leader.email)
    assert leader_browser.get("/").status_code == 200

    admin_browser = app.test_client()
    admin_auth = AuthActions(admin_browser)
    admin_auth.login(admin.email)
    page = admin_browser.get(f"/organisations/{ministry.id}").get_data(as_text=True)
    assert f"/people/{leader.id}/two-factor/reset" in page
    response = admin_browser.post(f"/people/{leader.id}/two-factor/reset",
                                  data={"csrf_token": csrf_token_from(page)})
    assert response.status_code == 302

    assert not _fresh(leader).has_second_factor
    assert db.session.scalar(select(func.count()).select_from(RecoveryCode).where(
        RecoveryCode.user_id == leader.id)) == 0
    assert leader_browser.get("/").status_code == 302  # their sessions ended
    [event] = _events("auth.mfa_reset")
    assert event.actor_id == admin.id and event.object_id == str(leader.id)
    again = app.test_client()
    assert _password(again, AuthActions(again), leader).location == "/login/enrol"


def test_the_required_roles_are_a_setting(app, app_config, make, client, auth):
    from portal import create_app
    from portal.config import load_config

    with pytest.raises(RuntimeError, match="admins"):
        load_config({"MFA_REQUIRED_ROLES": "admins,leader"})
    assert load_config({"MFA_REQUIRED_ROLES": "clerk"})["MFA_REQUIRED_ROLES"] == {"clerk"}

    clerks_too = create_app({**app_config, "MFA_REQUIRED_ROLES": frozenset({"clerk"})})
    clerk = make.user(make.organisation(), role="clerk")
    browser = clerks_too.test_client()
    response = browser.post("/login", data={"email": clerk.email, "password": PASSWORD,
                                            "csrf_token": AuthActions(browser).csrf_token()})
    assert response.location == "/login/enrol"


def test_a_leaders_api_token_needs_no_code(client, make):
    leader = make.user(make.organisation(), role="leader")
    _token, secret = make.token(leader)
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"}
                      ).status_code == 200
