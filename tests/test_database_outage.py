"""While the database refuses connections: a short Vietnamese page with 503 and Retry-After,
`/healthz` and the API answer 503 in JSON; a second after it is back, pages work again."""

import os
import time

import pytest
from sqlalchemy import create_engine, text

from portal.extensions import db
from tests.deliveries.conftest import Exchange

pytestmark = pytest.mark.skipif(not os.environ.get("DATABASE_URL"),
                                reason="refusing connections is PostgreSQL's (a server)")


@pytest.fixture
def refused(app):
    """A switch: the portal's database refuses connections, then accepts them again."""
    base = os.environ["DATABASE_URL"].replace("postgresql://", "postgresql+psycopg://", 1)
    admin = create_engine(base, isolation_level="AUTOCOMMIT").connect()
    name = db.engine.url.database

    def refuse():
        db.session.remove()
        admin.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false'))
        admin.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                           "WHERE datname = :name AND pid <> pg_backend_pid()"), {"name": name})

    def accept():
        admin.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true'))

    yield refuse, accept
    accept()
    admin.close()


def test_pages_health_and_api_say_503_and_come_back(client, auth, make, refused):
    refuse, accept = refused
    exchange = Exchange(make)
    _token, secret = make.token(exchange.a_clerk)
    auth.login(exchange.a_clerk.email)
    assert client.get("/inbox/").status_code == 200
    token = auth.csrf_token("/inbox/")
    delivery_id = exchange.delivery.id
    refuse()
    try:
        page = client.get("/inbox/")
        assert page.status_code == 503 and page.headers["Retry-After"] == "30"
        assert "Chưa có gì bị mất" in page.get_data(as_text=True) or \
            "không bị mất" in page.get_data(as_text=True)
        health = client.get("/healthz")
        assert health.status_code == 503 and health.headers["Retry-After"]
        assert health.get_json()["status"] == "unavailable"
        assert "database" in health.get_json()["reason"]
        api = client.get("/api/v1/inbox", headers={"Authorization": f"Bearer {secret}"})
        assert api.status_code == 503 and api.headers["Retry-After"]
        assert api.get_json()["error"]["status"] == 503
        sent = client.post(f"/inbox/{delivery_id}/acknowledge", data={"csrf_token": token})
        assert sent.status_code == 503
        # Error pages of their own need who is signed in: they too say 503, not a bare 500.
        assert client.get("/no-such-page").status_code == 503
        assert client.post(f"/inbox/{delivery_id}/acknowledge",
                           data={"csrf_token": "expired"}).status_code == 503
    finally:
        accept()
    back = time.monotonic()
    while client.get("/healthz").status_code != 200:
        assert time.monotonic() - back < 1.0, "not back within a second"
        time.sleep(0.05)
    assert client.get("/inbox/").status_code == 200
