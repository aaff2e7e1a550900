import pytest
from sqlalchemy import select

from portal.audit.models import AuditEvent
from portal.auth.models import LoginSession, User
from portal.extensions import db


def test_login_page_is_vietnamese_by_default(client):
    page = client.get("/login").get_data(as_text=True)
    assert "Đăng nhập" in page
    assert 'lang="vi"' in page


def test_user_signs_in_and_sees_their_organisation_and_role(client, auth, make):
    department = make.organisation(name="Sở TN&MT tỉnh Ninh Bình")
    user = make.user(department, role="clerk")
    response = auth.login(user.email)
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    page = client.get("/").get_data(as_text=True)
    assert "Sở TN&amp;MT tỉnh Ninh Bình" in page
    assert "Văn thư" in page


def test_wrong_password_answers_401_with_message_and_is_audited(client, auth, make):
    user = make.user(make.organisation())
    response = auth.login(user.email, "wrong password")
    assert response.status_code == 401
    assert "Sai thư điện tử hoặc mật khẩu" in response.get_data(as_text=True)
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "auth.login_failed"))
    assert event.details["email"] == user.email
    assert event.ip_address == "127.0.0.1"
    assert "wrong password" not in str(event.details)


def test_unknown_email_gets_the_same_answer_as_a_wrong_password(client, auth):
    response = auth.login("nobody@example.gov.vn", "whatever")
    assert response.status_code == 401
    assert "Sai thư điện tử hoặc mật khẩu" in response.get_data(as_text=True)


def test_disabled_user_cannot_sign_in(client, auth, make):
    user = make.user(make.organisation())
    user.active = False
    db.session.commit()
    assert auth.login(user.email).status_code == 401


@pytest.mark.parametrize("form", [
    {},
    {"email": "", "password": ""},
    {"email": "not-an-email", "password": "x"},
    {"email": "a" * 5000 + "@example.gov.vn", "password": "x"},
    {"email": "user@example.gov.vn", "password": "p" * 10000},
    {"email": ["a@example.gov.vn", "b@example.gov.vn"], "password": ["x", "y"]},
])
def test_bad_sign_in_input_answers_4xx_with_a_message(client, auth, form):
    response = client.post("/login", data={**form, "csrf_token": auth.csrf_token()})
    assert 400 <= response.status_code < 500
    assert 'class="errors"' in response.get_data(as_text=True) or response.status_code == 401


@pytest.mark.parametrize("body", [
    {"email": 12345, "password": None},
    {"email": {"nested": True}, "password": [1, 2]},
    [1, 2, 3],
    "just a string",
])
def test_json_of_wrong_types_at_sign_in_answers_400(client, auth, body):
    token = auth.csrf_token()
    response = client.post("/login", json=body, headers={"X-CSRFToken": token})
    assert response.status_code == 400


def test_login_creates_a_new_session_no_fixation(client, auth, make):
    user = make.user(make.organisation())
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
    auth.login(user.email)
    with client.session_transaction() as session:
        assert "planted" not in session
        assert session["sid"]


def test_logout_ends_the_session_server_side(client, auth, make, app):
    user = make.user(make.organisation())
    auth.login(user.email)
    with client.session_transaction() as session:
        stolen_cookie_session = dict(session)
    assert auth.logout().status_code == 302
    # Replaying the old cookie's contents no longer signs anyone in.
    with client.session_transaction() as session:
        session.update(stolen_cookie_session)
    assert client.get("/").status_code == 302
    login = db.session.scalar(select(LoginSession).where(LoginSession.user_id == user.id))
    assert login.ended_at is not None


@pytest.mark.parametrize("target, expected", [
    ("/organisations/", "/organisations/"),
    ("https://evil.example/", "/"),
    ("//evil.example/", "/"),
    ("/\\evil.example", "/"),
    ("javascript:alert(1)", "/"),
])
def test_next_redirects_only_within_the_site(client, auth, make, target, expected):
    user = make.user(make.organisation())
    token = auth.csrf_token()
    response = client.post("/login", query_string={"next": target},
                           data={"email": user.email, "password": make.PASSWORD,
                                 "csrf_token": token})
    assert response.headers["Location"] == expected


def test_anonymous_visitor_is_sent_to_login_with_next(client):
    response = client.get("/organisations/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


def test_passwords_are_hashed_with_argon2id(make):
    user = make.user(make.organisation())
    stored = db.session.get(User, user.id).password_hash
    assert stored.startswith("$argon2id$")
    assert make.PASSWORD not in stored
