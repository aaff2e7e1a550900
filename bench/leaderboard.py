"""Benchmark: the leaderboard for a year over millions of deliveries, beside the raw GROUP BY
over the same rows, and the public page under `wrk`.

    PYTHONPATH=. .venv/bin/python bench/leaderboard.py --deliveries 1000000
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/test PYTHONPATH=. \\
        .venv/bin/python bench/leaderboard.py --deliveries 10000000

Builds a throwaway database with the demo data, adds a year of exchange
(`portal/demo/scale.py`, as `flask demo-data --scale N` does), then measures in one run:
- `leaderboard(year)`, the one function every page and export uses (daily tallies, today's
  open deadlines, marks, thresholds);
- the same counts straight from the deliveries (`tallies.raw_counts`, the columns' definition
  as one GROUP BY with its joins), and a bare `GROUP BY recipient_id` over the year's rows;
- the leaderboard just after a new delivery (the first read recounts its day);
- the reviewers' page, the public page and a department's page through Flask's test client;
- with `wrk` installed, the public page served by gunicorn (3 workers, as deployed).
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import timedelta

from common import portal_app, print_table, signed_in_client, summary, throwaway_database, timed
from sqlalchemy import text

from portal.demo.scale import generate_deliveries


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--deliveries", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--wrk-seconds", type=int, default=20)
    args = parser.parse_args()
    with throwaway_database(os.environ.get("DATABASE_URL")) as url:
        _run(url, args)


def _run(url, args):
    app = portal_app(url)
    with app.app_context():
        from portal.clock import local_today
        from portal.extensions import db
        from portal.leaderboard.services import Period, leaderboard
        from portal.leaderboard.tallies import raw_counts

        started = time.perf_counter()
        made = generate_deliveries(args.deliveries)
        _vacuum(db)
        print(f"generated {made:,} deliveries in {time.perf_counter() - started:.0f} s")
        today = local_today()
        year = Period(today - timedelta(days=364), today)
        leaderboard(year)  # warm the caches once
        n = args.requests
        rows = [
            ("leaderboard(year): tallies + today's open deadlines + marks",
             timed(lambda: leaderboard(year), n)),
            ("raw_counts(year): the columns' definition straight from the deliveries",
             timed(lambda: raw_counts(year.first, year.last), max(3, n // 10))),
            ("bare SQL: count(*) GROUP BY recipient_id over the year's deliveries",
             timed(lambda: _bare_group_by(db, year), max(3, n // 10))),
            ("leaderboard(year) after a new delivery (recounts its day)",
             _after_a_new_delivery(db, year, n)),
        ]
        board = leaderboard(year)
        print(f"year {year.first} – {year.last}: total received "
              f"{board.total.total_received:,}, total sent {board.total.total_sent:,}")
        rows += _pages(app, year, n)
    print(f"deliveries: {made:,}")
    print_table(url, rows)
    _wrk(url, year, args.wrk_seconds)


def _vacuum(db):
    """What autovacuum does after a bulk load (PostgreSQL 13+ vacuums after inserts too):
    statistics, and the visibility map that lets a covering index answer alone."""
    db.session.commit()
    postgresql = db.engine.dialect.name == "postgresql"
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("VACUUM ANALYZE" if postgresql else "ANALYZE"))


def _bare_group_by(db, year):
    return db.session.execute(text(
        "SELECT recipient_id, count(*) FROM delivery WHERE received_on BETWEEN :a AND :b "
        "GROUP BY recipient_id"), {"a": year.first, "b": year.last}).all()


def _after_a_new_delivery(db, year, n):
    """Each sample first delivers one more document today (not timed), then reads the table:
    the read recounts that day from the deliveries before summing."""
    from portal.clock import utcnow
    from portal.deliveries.models import Delivery
    from portal.documents.models import Document
    from portal.leaderboard.services import leaderboard
    from portal.organisations.services import find_by_code

    office, department = find_by_code("VP"), find_by_code("HCM")
    author = db.session.scalar(text('SELECT min(id) FROM "user"'))
    samples = []
    for number in range(900_000_000, 900_000_000 + n):
        now = utcnow()
        document = Document(issuer_id=office.id, authority_id=office.id, author_id=author,
                            doc_type="cong_van",
                            subject="V/v đo thời gian", state="issued", number=number,
                            year=now.year, notation=f"{number}/BENCH", issued_at=now,
                            dispatched_at=now, sealed_at=now, recipient_ids=[])
        db.session.add(document)
        db.session.flush()
        db.session.add(Delivery(document_id=document.id, recipient_id=department.id,
                                channel="portal", status="01", received_at=now,
                                received_on=year.last))
        db.session.commit()
        started = time.perf_counter()
        leaderboard(year)
        samples.append((time.perf_counter() - started) * 1000)
    return summary(samples)


def _pages(app, year, n):
    from portal.organisations.services import find_by_code

    period = f"from={year.first.isoformat()}&to={year.last.isoformat()}"
    client = signed_in_client(app, "reviewer.btnmt@demo.portal.gov.vn")
    public = app.test_client()
    with app.app_context():
        department = find_by_code("HCM").id

    def get(c, path):
        return lambda: c.get(path).status_code == 200 or _fail(path)

    return [
        ("GET /oversight/?year (reviewer: table and chart)",
         timed(get(client, f"/oversight/?{period}"), n)),
        ("GET /leaderboard?year (public page)", timed(get(public, f"/leaderboard?{period}"), n)),
        ("GET /oversight/departments/<HCM>?year (its row, trend, first pages)",
         timed(get(client, f"/oversight/departments/{department}?{period}"), max(3, n // 3))),
    ]


def _wrk(url, year, seconds):
    """The public page served by gunicorn, 3 workers, under wrk (2 threads, 16 connections)."""
    gunicorn = os.path.join(os.path.dirname(sys.executable), "gunicorn")
    if not shutil.which("wrk"):
        print("wrk is not installed (apt-get install wrk): no load test")
        return
    env = dict(os.environ, DATABASE_URL=url, SECRET_KEY="bench", PORTAL_ENV="production",
               INSTANCE_DIR=tempfile.mkdtemp(), SESSION_COOKIE_SECURE="0")
    env.pop("REDIS_URL", None)
    server = subprocess.Popen([gunicorn, "--workers", "3", "--bind", "127.0.0.1:8091",
                               "--log-level", "warning", "wsgi:app"], env=env)
    try:
        page = (f"http://127.0.0.1:8091/leaderboard?from={year.first.isoformat()}"
                f"&to={year.last.isoformat()}")
        _wait_for(page)
        result = subprocess.run(["wrk", "-t2", "-c16", f"-d{seconds}s", "--latency", page],
                                capture_output=True, text=True, check=True)
        print(f"wrk on {page}\n{result.stdout}")
    finally:
        server.terminate()
        server.wait()


def _wait_for(page):
    import urllib.request

    for _ in range(100):
        try:
            with urllib.request.urlopen(page) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("gunicorn did not answer")


def _fail(path):
    raise AssertionError(f"{path} did not answer 200")


if __name__ == "__main__":
    main()
