"""Benchmark: the cost of signing in and of the pages every person opens.

    make bench
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/test make bench

Builds a throwaway database (SQLite file, or a PostgreSQL database it creates and drops),
loads the demo data, then times requests through Flask's test client (no network), so the
figures are the portal's own work per request. Production Argon2 cost is used for sign-in.
"""

import argparse
import os
import re
import secrets
import statistics
import tempfile
import time

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url


def _database(url):
    if not url:
        return f"sqlite:///{tempfile.mkdtemp()}/bench.db", None
    url = "postgresql+psycopg://" + url.split("://", 1)[1]
    name = f"portal_bench_{secrets.token_hex(4)}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    return make_url(url).set(database=name).render_as_string(hide_password=False), (admin, name)


def _timed(function, n):
    samples = []
    for _ in range(n):
        start = time.perf_counter()
        function()
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.95) - 1]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    url, cleanup = _database(os.environ.get("DATABASE_URL"))

    try:
        _run(url, args.requests)
    finally:
        if cleanup:
            admin, name = cleanup
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def _run(url, requests):
    from flask_migrate import upgrade

    from portal import create_app
    from portal.demo.services import load_demo_data

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench",
                      "INSTANCE_DIR": tempfile.mkdtemp(), "RATELIMIT_ENABLED": False})
    with app.app_context():
        upgrade()
        load_demo_data("bench-password")
    def new_session():
        client = app.test_client()
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"',
                          client.get("/login").get_data(as_text=True)).group(1)
        return client, token

    def sign_in(client, token):
        response = client.post("/login", data={"email": "admin.btnmt@demo.portal.gov.vn",
                                               "password": "bench-password", "csrf_token": token})
        assert response.status_code == 302

    sessions = iter([new_session() for _ in range(20)])
    rows = [("POST /login (Argon2id t=3, m=64 MiB)", _timed(lambda: sign_in(*next(sessions)), 20))]
    client, token = new_session()
    sign_in(client, token)
    for path in ("/", "/organisations/", "/audit/"):
        def get(path=path):
            assert client.get(path).status_code == 200
        rows.append((f"GET {path}", _timed(get, requests)))
    dialect = make_url(url).get_backend_name()
    print(f"database: {dialect}")
    print("| request | median ms | p95 ms |\n|---|---|---|")
    for name, (median, p95) in rows:
        print(f"| {name} | {median:.1f} | {p95:.1f} |")
    with app.app_context():
        from portal.extensions import db

        db.engine.dispose()


if __name__ == "__main__":
    main()
