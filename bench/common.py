"""What every benchmark shares: a throwaway database and a timer."""

import contextlib
import re
import secrets
import statistics
import tempfile
import time

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url


@contextlib.contextmanager
def throwaway_database(url: str | None):
    """A SQLite file, or a PostgreSQL database created for the run and dropped after it."""
    if not url:
        yield f"sqlite:///{tempfile.mkdtemp()}/bench.db"
        return
    url = "postgresql+psycopg://" + url.split("://", 1)[1]
    name = f"portal_bench_{secrets.token_hex(4)}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def timed(function, n):
    """(median, p95) in milliseconds over n calls."""
    samples = []
    for _ in range(n):
        start = time.perf_counter()
        function()
        samples.append((time.perf_counter() - start) * 1000)
    return summary(samples)


def summary(samples):
    """(median, p95) of samples in milliseconds."""
    samples = sorted(samples)
    return statistics.median(samples), samples[max(int(len(samples) * 0.95) - 1, 0)]


def portal_app(url, **overrides):
    """The portal on the given database, migrated, with the demo organisations and people."""
    from flask_migrate import upgrade

    from portal import create_app
    from portal.demo.services import load_demo_data

    # With REDIS_URL in the environment, jobs go to a queue of the benchmark's own.
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench",
                      "INSTANCE_DIR": tempfile.mkdtemp(), "RATELIMIT_ENABLED": False,
                      "RQ_QUEUE": "portal-bench", **overrides})
    with app.app_context():
        upgrade()
        load_demo_data("bench-password")
    return app


def print_table(url, rows):
    print(f"database: {make_url(url).get_backend_name()}")
    print("| measure | median ms | p95 ms |\n|---|---|---|")
    for name, (median, p95) in rows:
        print(f"| {name} | {median:.1f} | {p95:.1f} |")


CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def signed_in_client(app, email):
    """A test client signed in as one of the demo people. Administrators, leaders and
    reviewers set up two-step sign-in on the way, as at their first sign-in (once each per
    run: the demo data is fresh)."""
    import pyotp

    client = app.test_client()
    token = CSRF.search(client.get("/login").get_data(as_text=True)).group(1)
    response = client.post("/login", data={"email": email, "password": "bench-password",
                                           "csrf_token": token})
    assert response.status_code == 302
    if response.location == "/login/enrol":
        page = client.get("/login/enrol").get_data(as_text=True)
        secret = re.search(r'id="totp-secret">([^<]+)<', page).group(1).replace(" ", "")
        response = client.post("/login/enrol", data={"one_time_code": pyotp.TOTP(secret).now(),
                                                     "csrf_token": CSRF.search(page).group(1)})
        assert response.status_code == 302
    return client


def apply_reorganisation_2025() -> tuple[int, int]:
    """The 2025 reorganisation applied as `flask organisations reorganise` applies it (the
    file: portal/organisations/data/reorganisation-2025.csv); return (renames, merges)."""
    from portal.extensions import db
    from portal.organisations import reorganisation

    events = reorganisation.read_events(
        reorganisation.REORGANISATION_2025.read_text(encoding="utf-8"))
    applied = [step.event.kind for step in reorganisation.apply_reorganisation(events).to_do]
    db.session.commit()
    return applied.count("rename"), applied.count("merge")
