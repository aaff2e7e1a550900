"""`flask axis token` and the axis token the edXML route takes (and nothing else)."""

from sqlalchemy import func, select

from portal.audit.models import AuditEvent
from portal.extensions import db
from portal.interop.models import AxisToken


def _token(runner, *args) -> tuple[str, list[str]]:
    result = runner.invoke(args=["axis", "token", *args])
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    return lines[-1], lines[:-1]


def _post(client, secret=None, content_type="text/plain"):
    headers = {"Authorization": f"Bearer {secret}"} if secret else {}
    return client.post("/api/v1/edxml", data=b"x", headers=headers, content_type=content_type)


def test_the_last_line_is_the_token_and_only_its_digest_is_kept(runner, client):
    secret, explanation = _token(runner)
    assert explanation and secret not in "\n".join(explanation)
    token = db.session.scalar(select(AxisToken))
    assert token.token_hash != secret and secret not in token.token_hash
    assert secret.startswith(token.prefix)
    assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "axis.token_created")) == 1
    # Past authentication: refused for its content type, not for the token.
    assert _post(client, secret).status_code == 415
    db.session.expire_all()
    assert db.session.scalar(select(AxisToken)).last_used_at is not None


def test_revoke_all_leaves_only_the_new_token_working(runner, client):
    first, _ = _token(runner)
    second, _ = _token(runner)
    assert _post(client, first).status_code == 415
    third, explanation = _token(runner, "--revoke-all")
    assert any("revoked" in line for line in explanation)
    assert _post(client, first).status_code == 401
    assert _post(client, second).status_code == 401
    assert _post(client, third).status_code == 415


def test_no_token_a_wrong_one_or_a_user_token_is_401(client, make):
    ministry = make.ministry()
    _api_token, user_secret = make.token(make.user(ministry, "clerk"))
    for secret in (None, "axis_not-a-token", user_secret):
        response = _post(client, secret, "application/xml")
        assert response.status_code == 401
        assert response.get_json()["error"]["status"] == 401
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
