"""Benchmark: the leaderboard over millions of deliveries, beside the raw GROUP BY over the
same rows; what keeping its tallies costs a writer; the public page under `wrk`.

    PYTHONPATH=. .venv/bin/python bench/leaderboard.py --deliveries 1000000
    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/test PYTHONPATH=. \\
        .venv/bin/python bench/leaderboard.py --deliveries 10000000

Builds a throwaway database with the demo data, applies the 2025 reorganisation (63
departments until 1 July 2025, 34 after), adds the exchange from 2025-01-01 to today, each
day's to the departments standing that day (`portal/demo/scale.py`, as `flask demo-data
--scale N` does), then measures in one run:
- `leaderboard(period)`, the one function every page and export uses (daily tallies, today's
  open deadlines, marks, thresholds), for the last year, for a half year spanning the 1 July
  2025 mergers (predecessors folded into their successors' rows) and for a half year as long
  without them;
- the same counts straight from the deliveries (`counting.raw_counts`, the columns' definition
  as one GROUP BY with its joins), and a bare `GROUP BY recipient_id` over the year's rows;
- the leaderboard just after a new delivery and just after a status change (the first read:
  the writing transaction brought the tallies up to date);
- the writer: an issue to 63 departments and a status change, committed, with the tallies
  kept and with the triggers off (the same write without tallies);
- the reviewers' page, the public page and a department's page (first and next page) through
  Flask's test client;
- with `wrk` installed, the public page served by gunicorn (3 workers, as deployed).
"""

import argparse
import functools
import os
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta

from common import (
    apply_reorganisation_2025,
    portal_app,
    print_table,
    signed_in_client,
    summary,
    throwaway_database,
    timed,
)
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


FIRST_DAY = date(2025, 1, 1)
# Half a year spanning the mergers of 1 July 2025, and one as long after them.
SPANNING = (date(2025, 4, 1), date(2025, 9, 30))
WITHOUT = (date(2025, 10, 1), date(2026, 3, 31))


def _run(url, args):
    app = portal_app(url)
    with app.app_context():
        from portal.clock import local_today
        from portal.extensions import db
        from portal.leaderboard.counting import raw_counts
        from portal.leaderboard.services import Period, leaderboard

        renames, merges = apply_reorganisation_2025()
        print(f"reorganisation 2025: {renames} renames, {merges} merges")
        started = time.perf_counter()
        made = generate_deliveries(args.deliveries, first_day=FIRST_DAY)
        _vacuum(db)
        print(f"generated {made:,} deliveries in {time.perf_counter() - started:.0f} s")
        today = local_today()
        year = Period(today - timedelta(days=364), today)
        spanning, without = Period(*SPANNING), Period(*WITHOUT)
        for period in (year, spanning, without):
            leaderboard(period)  # warm the caches once
        n = args.requests
        rows = [
            ("leaderboard(year): tallies + today's open deadlines + marks",
             timed(lambda: leaderboard(year), n)),
            *_side_by_side(n, (
                (f"leaderboard({spanning.first} – {spanning.last}): spanning the 1 July 2025 "
                 "mergers", lambda: leaderboard(spanning)),
                (f"leaderboard({without.first} – {without.last}): as long, no merger",
                 lambda: leaderboard(without)))),
            ("raw_counts(year): the columns' definition straight from the deliveries",
             timed(lambda: raw_counts(year.first, year.last), max(3, n // 10))),
            ("bare SQL: count(*) GROUP BY recipient_id over the year's deliveries",
             timed(lambda: _bare_group_by(db, year), max(3, n // 10))),
        ]
        rows += _first_read_after(db, year, n, _new_delivery, "a new delivery")
        rows += _first_read_after(db, year, n, _status_change, "a status change")
        rows += _writer(db, n)
        for name, period in (("year", year), ("spanning", spanning), ("without", without)):
            board = leaderboard(period)
            tallies = db.session.scalar(text(
                "SELECT count(*) FROM leaderboard_day WHERE day BETWEEN :a AND :b"),
                {"a": period.first, "b": period.last})
            print(f"{name} {period.first} – {period.last}: {len(board.rows)} rows, total "
                  f"received {board.total.total_received:,}, sent {board.total.total_sent:,}, "
                  f"{tallies:,} daily tallies summed")
        db.session.remove()
    # Requests push app contexts of their own (an outer one would share its `g` with them).
    rows += _pages(app, year, n)
    print(f"deliveries: {made:,}")
    print_table(url, rows)
    _wrk(url, year, args.wrk_seconds)


def _side_by_side(n, measures):
    """Each measure n times, taken in turn (one sample of each, then again), so that what
    else the machine does weighs on them alike."""
    samples = {name: [] for name, _ in measures}
    for _ in range(n):
        for name, function in measures:
            started = time.perf_counter()
            function()
            samples[name].append((time.perf_counter() - started) * 1000)
    return [(name, summary(taken)) for name, taken in samples.items()]


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


_numbers = iter(range(900_000_000, 2_000_000_000))


@functools.cache
def _people(db):
    """The ids the writes use: (the office, Hồ Chí Minh City, every department, an author)."""
    from portal.organisations.services import find_by_code

    departments = db.session.scalars(text(
        "SELECT id FROM organisation WHERE kind = 'department' ORDER BY id")).all()
    author = db.session.scalar(text('SELECT min(id) FROM "user"'))
    return find_by_code("VP").id, find_by_code("HCM").id, departments, author


def _issue(db, recipients, flush_only=False):
    """One document from the ministry's office delivered to these organisations, today."""
    from portal.clock import as_local, utcnow
    from portal.deliveries.models import Delivery
    from portal.documents.models import Document

    office, _hcm, _departments, author = _people(db)
    number, now = next(_numbers), utcnow()
    document = Document(issuer_id=office, authority_id=office, author_id=author,
                        doc_type="cong_van", subject="V/v đo thời gian", state="issued",
                        number=number, year=now.year, notation=f"{number}/BENCH",
                        issued_at=now, dispatched_at=now, sealed_at=now, recipient_ids=[])
    db.session.add(document)
    db.session.flush()
    deliveries = [Delivery(document_id=document.id, recipient_id=r, channel="portal",
                           status="01", received_at=now, received_on=as_local(now).date())
                  for r in recipients]
    db.session.add_all(deliveries)
    return deliveries


def _new_delivery(db):
    _issue(db, [_people(db)[1]])
    db.session.commit()


def _status_change(db):
    from portal.clock import utcnow

    delivery = _issue(db, [_people(db)[1]])[0]
    db.session.commit()
    delivery.status, delivery.acknowledged_at = "03", utcnow()
    db.session.commit()


def _first_read_after(db, year, n, change, what):
    """Each sample first makes the change (committed, not timed), then reads the table twice:
    the first read after the change, and the next (any read, in the same conditions)."""
    from portal.leaderboard.services import leaderboard

    first, then = [], []
    for _ in range(n):
        change(db)
        for samples in (first, then):
            started = time.perf_counter()
            leaderboard(year)
            samples.append((time.perf_counter() - started) * 1000)
    return [(f"leaderboard(year), the first read after {what}", summary(first)),
            ("leaderboard(year), the read after that one (any read)", summary(then))]


def _writer(db, n):
    """The writing transaction with the tallies kept, and the same with the triggers off."""
    from portal.clock import utcnow

    departments = _people(db)[2][:63]

    def issue():
        _issue(db, departments)
        db.session.commit()

    def acknowledge(deliveries):
        def change():
            delivery = deliveries.pop()
            delivery.status, delivery.acknowledged_at = "03", utcnow()
            db.session.commit()
        return change

    rows = []
    for label, triggers_on in (("tallies kept", True), ("triggers off: no tallies", False)):
        with _triggers(db, on=triggers_on):
            waiting = [d for _ in range(n) for d in _issue(db, [departments[0]])]
            db.session.commit()
            rows += [(f"writer: issue to {len(departments)} departments, committed ({label})",
                      timed(issue, n)),
                     (f"writer: one status change, committed ({label})",
                      timed(acknowledge(waiting), n))]
            if not triggers_on:  # what was written unseen goes, unseen
                db.session.execute(text("DELETE FROM delivery WHERE document_id IN (SELECT id "
                                        "FROM document WHERE notation LIKE '%/BENCH' AND "
                                        "created_at >= :t)"), {"t": _triggers.since})
                db.session.commit()
    return rows


class _triggers:
    """The leaderboard's triggers on (as they are) or off for the block."""

    since = None

    def __init__(self, db, on):
        self.db, self.on, self.kept = db, on, []

    def __enter__(self):
        from portal.clock import utcnow

        type(self).since = utcnow()
        if self.on:
            return self
        if self.db.engine.dialect.name == "postgresql":
            for table in ("delivery", "document"):
                self.db.session.execute(text(f"ALTER TABLE {table} DISABLE TRIGGER USER"))
        else:
            self.kept = self.db.session.execute(text(
                "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' "
                "AND name LIKE '%_tally'")).all()
            for name, _sql in self.kept:
                self.db.session.execute(text(f"DROP TRIGGER {name}"))
        self.db.session.commit()
        return self

    def __exit__(self, *exc):
        if self.on:
            return
        if self.db.engine.dialect.name == "postgresql":
            for table in ("delivery", "document"):
                self.db.session.execute(text(f"ALTER TABLE {table} ENABLE TRIGGER USER"))
        else:
            for _name, sql in self.kept:
                self.db.session.execute(text(sql))
        self.db.session.commit()


def _pages(app, year, n):
    import re

    from portal.organisations.services import find_by_code

    period = f"from={year.first.isoformat()}&to={year.last.isoformat()}"
    client = signed_in_client(app, "reviewer.btnmt@demo.portal.gov.vn")
    public = app.test_client()
    with app.app_context():
        department = find_by_code("HCM").id
    page = f"/oversight/departments/{department}?{period}"
    first = client.get(page).get_data(as_text=True)
    cursors = "&".join(re.search(name + r"=\d+", first).group(0)
                       for name in ("received_after", "sent_after"))

    def get(c, path):
        return lambda: c.get(path).status_code == 200 or _fail(path)

    return [
        ("GET /oversight/?year (reviewer: table and chart)",
         timed(get(client, f"/oversight/?{period}"), n)),
        ("GET /leaderboard?year (public page)", timed(get(public, f"/leaderboard?{period}"), n)),
        ("GET /oversight/departments/<HCM>?year (its row, trend, first pages)",
         timed(get(client, page), n)),
        ("GET /oversight/departments/<HCM>?year&received_after=…&sent_after=… (next pages)",
         timed(get(client, f"{page}&{cursors}"), n)),
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
