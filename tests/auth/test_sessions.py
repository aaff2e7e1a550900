from datetime import timedelta

from sqlalchemy import select

from portal.auth.models import LoginSession
from portal.clock import utcnow
from portal.extensions import db


def _age_session(user, *, started=timedelta(0), idle=timedelta(0)):
    login = db.session.scalar(select(LoginSession).where(LoginSession.user_id == user.id))
    login.started_at = utcnow() - started
    login.last_seen_at = utcnow() - idle
    db.session.commit()


def test_idle_session_expires_and_sends_to_login(client, auth, make, app):
    user = make.user(make.organisation())
    auth.login(user.email)
    assert client.get("/").status_code == 200
    _age_session(user, idle=app.config["SESSION_IDLE_TIMEOUT"] + timedelta(minutes=1))
    response = client.get("/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_active_session_expires_at_the_absolute_limit(client, auth, make, app):
    user = make.user(make.organisation())
    auth.login(user.email)
    _age_session(user, started=app.config["PERMANENT_SESSION_LIFETIME"] + timedelta(minutes=1))
    assert client.get("/").status_code == 302


def test_recent_activity_keeps_the_session_alive(client, auth, make, app):
    user = make.user(make.organisation())
    auth.login(user.email)
    _age_session(user, idle=app.config["SESSION_IDLE_TIMEOUT"] - timedelta(minutes=1))
    assert client.get("/").status_code == 200
    # The visit moved last_seen_at forward, so the session did not idle out.
    db.session.expire_all()
    login = db.session.scalar(select(LoginSession).where(LoginSession.user_id == user.id))
    assert utcnow() - login.last_seen_at.replace(tzinfo=utcnow().tzinfo) < timedelta(minutes=1)


def test_disabling_a_user_ends_their_open_sessions(client, auth, make):
    user = make.user(make.organisation())
    auth.login(user.email)
    user.active = False
    db.session.commit()
    assert client.get("/").status_code == 302


def test_session_cookie_is_httponly_and_samesite_lax(client, auth, make):
    user = make.user(make.organisation())
    response = auth.login(user.email)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_session_cookie_is_secure_outside_development(app_config):
    from portal import create_app

    production = create_app({**app_config, "PORTAL_ENV": "production"})
    assert production.config["SESSION_COOKIE_SECURE"] is True


def test_production_tells_browsers_to_keep_to_https(app_config, client):
    from portal import create_app

    production = create_app({**app_config, "PORTAL_ENV": "production"})
    for path in ("/login", "/static/css/portal.css", "/no-such-page"):
        header = production.test_client().get(path).headers["Strict-Transport-Security"]
        assert header == "max-age=31536000; includeSubDomains"
    assert "Strict-Transport-Security" not in client.get("/login").headers  # development
