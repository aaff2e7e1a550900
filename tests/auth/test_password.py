"""A person changes their own password; new passwords are at least 12 characters."""

import pytest
from sqlalchemy import select

from portal.audit.models import AuditEvent
from portal.auth import services
from portal.auth.models import User
from portal.extensions import db
from portal.transaction import action
from tests.conftest import AuthActions
from tests.factories import Factory

NEW_PASSWORD = "a brand new passphrase"


def _change(client, current=Factory.PASSWORD, new=NEW_PASSWORD, repeat=None):
    token = AuthActions(client).csrf_token("/account/password")
    return client.post("/account/password", data={
        "current_password": current, "new_password": new, "new_password_again": repeat or new,
        "csrf_token": token})


def _hash_of(user) -> str:
    return db.session.scalar(select(User.password_hash).where(User.id == user.id))


def test_changing_the_password_ends_every_other_session(app, make):
    user = make.user(make.organisation(), role="leader")
    here, elsewhere = app.test_client(), app.test_client()
    AuthActions(here).login(user.email)
    AuthActions(elsewhere).login(user.email)
    old_hash = _hash_of(user)

    response = _change(here)
    assert response.status_code == 302 and response.location == "/account"
    assert "Đã đổi mật khẩu" in here.get("/account").get_data(as_text=True)
    assert elsewhere.get("/").status_code == 302  # signed out there
    new_hash = _hash_of(user)
    assert new_hash != old_hash and new_hash.startswith("$argon2id$")
    [event] = db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "auth.password_changed"))
    assert event.details == {"sessions_ended": 1}

    AuthActions(here).logout()
    assert AuthActions(here).login(user.email).status_code == 401
    assert AuthActions(here).login(user.email, NEW_PASSWORD).status_code == 302


def test_a_wrong_current_password_changes_nothing_and_is_audited(app, client, auth, make):
    user = make.user(make.organisation())
    auth.login(user.email)
    other = app.test_client()
    AuthActions(other).login(user.email)
    old_hash = _hash_of(user)
    response = _change(client, current="not my password")
    assert response.status_code == 401
    assert "không phải mật khẩu hiện tại" in response.get_data(as_text=True)
    assert _hash_of(user) == old_hash
    assert other.get("/").status_code == 200
    assert db.session.scalar(select(AuditEvent.details).where(
        AuditEvent.action == "auth.password_check_failed")) == {"for": "password_change"}


@pytest.mark.parametrize("new, repeat, message", [
    ("elevenchars", None, "ít nhất 12 ký tự"),
    (NEW_PASSWORD, "something else entirely", "không khớp"),
])
def test_a_short_or_mistyped_new_password_is_refused(client, auth, make, new, repeat, message):
    user = make.user(make.organisation())
    auth.login(user.email)
    old_hash = _hash_of(user)
    response = _change(client, new=new, repeat=repeat)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert _hash_of(user) == old_hash


def test_guessing_the_current_password_is_throttled(client, auth, make):
    user = make.user(make.organisation())
    auth.login(user.email)
    statuses = [_change(client, current=f"guess {n}").status_code for n in range(6)]
    assert statuses == [401] * 5 + [429]


def test_the_service_refuses_a_short_password_and_the_action_changes_nothing(make):
    user = make.user(make.organisation())
    old_hash = _hash_of(user)
    with pytest.raises(services.UserError), action():
        services.change_password(user, "short", keep_session=None)
    db.session.expire_all()
    assert _hash_of(user) == old_hash
    assert db.session.scalar(select(AuditEvent).where(
        AuditEvent.action == "auth.password_changed")) is None


def test_people_are_created_only_with_a_long_enough_password(make):
    organisation = make.organisation()
    with pytest.raises(services.UserError, match="12"), action():
        services.create_user(email="short@example.gov.vn", full_name="A", role="clerk",
                             organisation=organisation, password="x" * 11)
    assert services.find_user_by_email("short@example.gov.vn") is None
