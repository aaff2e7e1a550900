import re

from openapi_spec_validator import validate

from portal.auth.services import revoke_token
from portal.transaction import action


def _bearer(secret):
    return {"Authorization": f"Bearer {secret}"}


def test_me_answers_the_token_owner(client, make):
    department = make.organisation(code="HCM", name="Sở TN&MT TP. Hồ Chí Minh")
    user = make.user(department, role="clerk")
    _token, secret = make.token(user, "e-office")
    body = client.get("/api/v1/me", headers=_bearer(secret)).get_json()
    assert body["email"] == user.email
    assert body["role"] == "clerk"
    assert body["organisation"]["code"] == "HCM"


def test_missing_or_wrong_token_answers_json_401(client):
    for headers in ({}, {"Authorization": "Bearer nope"}, {"Authorization": "Basic abc"}):
        response = client.get("/api/v1/me", headers=headers)
        assert response.status_code == 401
        assert response.get_json()["error"]["status"] == 401
        assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_revoked_token_stops_working_at_once(client, make):
    user = make.user(make.organisation())
    token, secret = make.token(user, "x")
    assert client.get("/api/v1/me", headers=_bearer(secret)).status_code == 200
    with action():
        revoke_token(token, user)
    assert client.get("/api/v1/me", headers=_bearer(secret)).status_code == 401


def test_tokens_are_stored_hashed(make):
    user = make.user(make.organisation())
    token, secret = make.token(user, "x")
    assert secret not in (token.token_hash, token.prefix)
    assert secret.startswith(token.prefix)


def test_organisations_lists_merged_ones_with_their_successor(client, make):
    from datetime import date

    from portal.organisations.services import merge_organisation

    old, new = make.organisation(code="OLD"), make.organisation(code="NEW")
    with action():
        merge_organisation(old, new, effective_on=date(2025, 7, 1))
    _token, secret = make.token(make.user(new), "x")
    body = client.get("/api/v1/organisations", headers=_bearer(secret)).get_json()
    rows = {o["code"]: o for o in body["organisations"]}
    assert rows["OLD"]["successor_id"] == new.id and rows["OLD"]["merged_on"] == "2025-07-01"
    assert rows["NEW"]["successor_id"] is None


def test_unknown_api_path_answers_json_404(client):
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.get_json()["error"]["status"] == 404


def test_openapi_document_is_valid_and_lists_every_api_route(client, app):
    document = client.get("/api/v1/openapi.json").get_json()
    validate(document)
    api_paths = {re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule.removeprefix("/api/v1"))
                 for rule in app.url_map.iter_rules() if rule.rule.startswith("/api/v1")}
    assert api_paths == set(document["paths"])


def test_account_page_creates_a_token_shown_once(client, auth, make):
    user = make.user(make.organisation())
    auth.login(user.email)
    page = client.post("/account/tokens", data={"name": "Hệ thống QLVB",
                                                "csrf_token": auth.csrf_token("/account")})
    html = page.get_data(as_text=True)
    secret = html.split('<code class="secret">')[1].split("</code>")[0]
    assert client.get("/api/v1/me", headers=_bearer(secret)).status_code == 200
    assert secret not in client.get("/account").get_data(as_text=True)
