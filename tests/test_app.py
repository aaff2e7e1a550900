"""The app factory, its configuration and the headers on every response."""

import stat

import pytest

from portal import create_app
from portal.config import load_config


def test_secret_key_is_generated_once_into_instance(tmp_path):
    environ = {"INSTANCE_DIR": str(tmp_path)}
    first = load_config(environ)["SECRET_KEY"]
    second = load_config(environ)["SECRET_KEY"]
    assert first == second
    assert len(first) == 64
    key_file = tmp_path / "secret_key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert load_config({"INSTANCE_DIR": str(tmp_path / "other")})["SECRET_KEY"] != first


def test_production_refuses_to_start_without_secret_key(tmp_path):
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        load_config({"PORTAL_ENV": "production", "INSTANCE_DIR": str(tmp_path)})


def test_default_database_is_sqlite_in_instance(tmp_path):
    config = load_config({"INSTANCE_DIR": str(tmp_path)})
    assert config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'portal.db'}"
    assert config["RATELIMIT_STORAGE_URI"] == "memory://"


def test_postgres_url_uses_psycopg3(tmp_path):
    config = load_config({"INSTANCE_DIR": str(tmp_path),
                          "DATABASE_URL": "postgresql://u@db:5432/portal"})
    assert config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@db:5432/portal"


def test_sqlite_connections_use_wal_foreign_keys_and_busy_timeout(tmp_path):
    from sqlalchemy import text

    from portal.extensions import db

    app = create_app({"INSTANCE_DIR": str(tmp_path), "SECRET_KEY": "x",
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'p.db'}"})
    with app.app_context():
        assert db.session.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert db.session.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert db.session.execute(text("PRAGMA busy_timeout")).scalar() == 5000


def test_security_headers_on_every_response(client):
    for path in ("/login", "/static/css/portal.css", "/no-such-page"):
        headers = client.get(path).headers
        csp = headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp
        assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
        assert "frame-ancestors 'none'" in csp
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "same-origin"
        assert "HX-Request" in headers["Vary"]


def test_pages_have_no_inline_script_or_style(client):
    page = client.get("/login").get_data(as_text=True)
    assert "<script>" not in page and "<style" not in page and " style=" not in page
    assert '"allowEval": false' in page


def test_htmx_is_served_from_static_with_its_licence(client):
    assert client.get("/static/vendor/htmx-2.0.11/htmx.min.js").status_code == 200
    assert "MIT" in client.get("/static/vendor/htmx-2.0.11/LICENSE").get_data(as_text=True) or \
        "BSD" in client.get("/static/vendor/htmx-2.0.11/LICENSE").get_data(as_text=True)


def test_health_check_answers(client):
    assert client.get("/healthz").get_json() == {"status": "ok"}
