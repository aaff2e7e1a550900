from sqlalchemy import func, select

from portal.audit.models import AuditEvent
from portal.extensions import db


def _attempt(client, auth, email, password="wrong", address="10.0.0.1"):  # noqa: S107
    token = auth.csrf_token()
    return client.post("/login", data={"email": email, "password": password, "csrf_token": token},
                       environ_base={"REMOTE_ADDR": address})


def test_sixth_wrong_password_in_a_minute_answers_429_in_vietnamese(client, auth, make):
    user = make.user(make.organisation())
    statuses = [_attempt(client, auth, user.email).status_code for _ in range(5)]
    assert statuses == [401] * 5
    sixth = _attempt(client, auth, user.email)
    assert sixth.status_code == 429
    assert "Bạn đã thử quá nhiều lần" in sixth.get_data(as_text=True)
    # Even the right password is refused for now.
    assert _attempt(client, auth, user.email, make.PASSWORD).status_code == 429


def test_account_is_throttled_across_addresses(client, auth, make):
    user = make.user(make.organisation())
    for n in range(5):
        assert _attempt(client, auth, user.email, address=f"10.0.1.{n}").status_code == 401
    assert _attempt(client, auth, user.email, address="10.0.1.99").status_code == 429


def test_address_is_throttled_across_accounts(client, auth, make):
    organisation = make.organisation()
    users = [make.user(organisation) for _ in range(6)]
    for user in users[:5]:
        assert _attempt(client, auth, user.email, address="10.0.2.1").status_code == 401
    assert _attempt(client, auth, users[5].email, address="10.0.2.1").status_code == 429
    # Another address can still sign in to that account.
    assert _attempt(client, auth, users[5].email, make.PASSWORD, "10.0.2.2").status_code == 302


def test_successful_sign_ins_do_not_count_as_failures(client, auth, make):
    user = make.user(make.organisation())
    for _ in range(7):
        assert _attempt(client, auth, user.email, make.PASSWORD).status_code == 302
        client.post("/logout", data={"csrf_token": auth.csrf_token("/account")})
    assert db.session.scalar(
        select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "auth.login")
    ) == 7


def test_sign_in_still_works_when_redis_is_down(app, app_config, make):
    from portal import create_app
    from portal.extensions import limiter
    from tests.conftest import AuthActions

    user = make.user(make.organisation())
    # Nothing listens on port 1: the limiter's storage is unreachable.
    down = create_app({**app_config, "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:1/0"})
    try:
        response = AuthActions(down.test_client()).login(user.email)
    finally:
        limiter.init_app(app)  # the limiter is one object: give it back its working storage
    assert response.status_code == 302
