"""CSRF on every form and every htmx request; an expired token loses nothing typed."""

from sqlalchemy import select

from portal.extensions import db
from portal.organisations.models import Organisation


def _as_admin(client, auth, make):
    ministry = make.ministry()
    admin = make.user(ministry, role="admin")
    auth.login(admin.email)
    return admin


def test_form_post_without_token_is_refused_and_saves_nothing(client, auth, make):
    _as_admin(client, auth, make)
    response = client.post("/organisations/new", data={
        "code": "NEW", "name": "Sở TN&MT tỉnh Mới", "kind": "department", "parent_id": "0"})
    assert response.status_code == 400
    assert db.session.scalar(select(Organisation).where(Organisation.code == "NEW")) is None


def test_expired_form_keeps_what_was_typed_and_can_be_sent_again(client, auth, make):
    _as_admin(client, auth, make)
    typed = {"code": "NEW", "name": "Sở TN&MT tỉnh Mới", "kind": "department", "parent_id": "0"}
    response = client.post("/organisations/new", data={**typed, "csrf_token": "expired"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Biểu mẫu đã hết hạn" in page
    assert 'value="Sở TN&amp;MT tỉnh Mới"' in page
    # The page carries a fresh token: sending it again creates the organisation.
    from tests.conftest import csrf_token_from

    again = client.post("/organisations/new", data={**typed, "csrf_token": csrf_token_from(page)})
    assert again.status_code == 302
    assert db.session.scalar(select(Organisation).where(Organisation.code == "NEW")) is not None


def test_expired_login_form_never_echoes_the_password(client):
    response = client.post("/login", data={"email": "a@example.gov.vn", "password": "s3cret!",
                                           "csrf_token": "stale"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "a@example.gov.vn" in page
    assert "s3cret!" not in page


def test_expired_password_and_code_forms_never_echo_what_was_typed(client, auth, make):
    user = make.user(make.organisation())
    auth.login(user.email)
    secrets = {"current_password": "my old secret", "new_password": "my new secret 1",
               "new_password_again": "my new secret 1"}
    page = client.post("/account/password", data={**secrets, "csrf_token": "stale"})
    assert page.status_code == 400
    assert not any(value in page.get_data(as_text=True) for value in secrets.values())
    code = client.post("/login/code", data={"one_time_code": "493817", "csrf_token": "stale"})
    assert "493817" not in code.get_data(as_text=True)


def test_htmx_request_needs_the_header_token(client, auth, make):
    user = make.user(make.organisation())
    auth.login(user.email)
    token, _secret = make.token(user, "ci")
    url = f"/account/tokens/{token.id}/revoke"
    refused = client.post(url, headers={"HX-Request": "true"})
    assert refused.status_code == 400
    assert refused.headers["HX-Reswap"] == "none"
    assert "Biểu mẫu đã hết hạn" in refused.get_data(as_text=True)
    accepted = client.post(url, headers={"HX-Request": "true",
                                         "X-CSRFToken": auth.csrf_token("/account")})
    assert accepted.status_code == 200
    assert "Đã thu hồi" in accepted.get_data(as_text=True)


def test_every_page_sends_the_token_to_htmx(client, auth, make):
    user = make.user(make.organisation())
    auth.login(user.email)
    page = client.get("/").get_data(as_text=True)
    assert "hx-headers='{\"X-CSRFToken\": \"" in page
