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

from common import portal_app, print_table, signed_in_client, throwaway_database, timed


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    with throwaway_database(os.environ.get("DATABASE_URL")) as url:
        _run(url, args.requests)


def _run(url, requests):
    app = portal_app(url)

    def new_session():
        client = app.test_client()
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"',
                          client.get("/login").get_data(as_text=True)).group(1)
        return client, token

    def sign_in(client, token):
        # The password step (the administrator is then asked for the second factor).
        response = client.post("/login", data={"email": "admin.btnmt@demo.portal.gov.vn",
                                               "password": "bench-password", "csrf_token": token})
        assert response.status_code == 302

    sessions = iter([new_session() for _ in range(20)])
    rows = [("POST /login (Argon2id t=3, m=64 MiB)", timed(lambda: sign_in(*next(sessions)), 20))]
    client = signed_in_client(app, "admin.btnmt@demo.portal.gov.vn")
    for path in ("/", "/organisations/", "/audit/"):
        def get(path=path):
            assert client.get(path).status_code == 200
        rows.append((f"GET {path}", timed(get, requests)))
    print_table(url, rows)
    with app.app_context():
        from portal.extensions import db

        db.engine.dispose()


if __name__ == "__main__":
    main()
