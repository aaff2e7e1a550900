"""The demo's 2019 records reproduce the ministry's 2019 appendix, every department, every cell."""

import csv
import filecmp
import io
import time
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from portal.auth.services import find_user_by_email
from portal.clock import local_today
from portal.deliveries.models import OPEN_STATUSES, Delivery
from portal.demo.history import (
    APPENDIX_2019,
    PERIOD_2019,
    load_2019_assessments,
    load_2019_record,
    load_recent_activity,
)
from portal.demo.services import demo_email, load_organisations, load_people
from portal.documents.models import Document
from portal.extensions import db
from portal.leaderboard.counting import raw_counts
from portal.leaderboard.services import APPENDIX_COLUMNS, Period, leaderboard
from portal.organisations.models import Organisation
from portal.transaction import action
from tests.leaderboard.reorganisation import apply_reorganisation
from tests.worlds import Snapshot

SHARED_APPENDIX = (Path(__file__).resolve().parents[2].parent
                   / "shared/data/appendix-2019-01-01_2019-08-12.csv")


@pytest.fixture(scope="module")
def app(module_app):
    """One app for the module: the history is written once (`demo`)."""
    return module_app


@pytest.fixture(scope="module")
def written_once(app):
    with action():
        load_organisations()
        load_people("demo password 2019")
    started = time.perf_counter()
    with action():
        assert load_2019_record() and load_recent_activity()
    print(f"history written in {time.perf_counter() - started:.1f} s")
    assert not load_2019_record()  # once only
    reviewer, leader = (find_user_by_email(demo_email("BTNMT", role))
                        for role in ("reviewer", "leader"))
    with action():
        assert load_2019_assessments(reviewer, leader) == 5 + 17
    assert load_2019_assessments(reviewer, leader) == 0  # once only
    return Snapshot(app)


@pytest.fixture
def demo(written_once):
    """The organisations and the history records (not the PDFs of the demo letters), as they
    were written, put back before each test (tests.worlds)."""
    written_once.restore()


def _appendix():
    with APPENDIX_2019.open(encoding="utf-8") as f:
        return {row["department"]: row for row in csv.DictReader(f)}


def test_the_copy_in_the_repository_is_the_checked_data():
    if SHARED_APPENDIX.exists():  # beside the repository, as on CI
        assert filecmp.cmp(APPENDIX_2019, SHARED_APPENDIX, shallow=False)


def test_the_2019_leaderboard_is_the_2019_appendix_cell_by_cell(demo):
    _assert_is_the_2019_appendix(leaderboard(Period(*PERIOD_2019), today=date(2019, 8, 12)))


def test_the_2019_appendix_is_still_reproduced_after_the_2025_reorganisation(demo, client):
    assert apply_reorganisation() == 0  # the demo applied it, each event on its day

    _assert_is_the_2019_appendix(leaderboard(Period(*PERIOD_2019), today=date(2019, 8, 12)))
    exported = client.get("/leaderboard.csv?from=2019-01-01&to=2019-08-12").data
    rows = list(csv.DictReader(io.StringIO(exported.decode("utf-8-sig"))))
    expected = _appendix()
    assert len(rows) == 63
    for row in rows:  # the 630 cells, and each row's mark
        assert {c: row[c] for c in (*APPENDIX_COLUMNS, "appendix_style")} == {
            c: expected[row["department"]][c] for c in (*APPENDIX_COLUMNS, "appendix_style")}
    today = local_today()
    this_year = Period(date(today.year, 1, 1), today)
    board = leaderboard(this_year)
    assert len(board.rows) == 34
    assert all(r.name.startswith("Sở Nông nghiệp và Môi trường ") for r in board.rows)
    unfolded = raw_counts(this_year.first, this_year.last)
    assert board.total["interaction_processed"] == sum(
        c["interaction_processed"] for c in unfolded.values())


def _assert_is_the_2019_appendix(board):
    expected = _appendix()
    assert len(board.rows) == 63
    assert {r.name for r in board.rows} == set(expected)
    for row in board.rows:
        for column in APPENDIX_COLUMNS:
            assert row[column] == int(expected[row.name][column]), (row.name, column)
        assert row.style == expected[row.name]["appendix_style"], row.name
    assert board.total["deadline_replied"] == 228  # the rows' sum, not the printed 234
    assert board.total["interaction_received_from_ministry"] == 20828
    assert board.total["interaction_processed"] == 13373
    sent = [int(expected[r.name]["total_sent"]) for r in board.rows]
    assert sent == sorted(sent, reverse=True)
    assert board.rows[0].name == "Sở TN&MT TP. Hồ Chí Minh"
    assert sum(1 for r in board.rows if r.style == "bold") == 3
    assert sum(1 for r in board.rows if r.style == "italic") == 14


def test_the_records_are_documents_and_deliveries_and_this_year_is_alive_too(demo):
    start, end = PERIOD_2019
    deliveries = db.session.scalar(select(func.count()).select_from(Delivery).where(
        Delivery.received_on.between(start, end)))
    assert deliveries >= 20828 + 6415 + 2748 + 886
    replies = db.session.scalar(select(func.count()).select_from(Document).where(
        Document.year == 2019, Document.reply_to_id.is_not(None)))
    assert replies == 228
    answered = db.session.scalar(select(func.count()).select_from(Delivery).where(
        Delivery.reply_document_id.is_not(None), Delivery.received_on.between(start, end)))
    assert answered == 228
    # And the tallies the table was read from agree with a count from the deliveries.
    assert sum(c["interaction_processed"] for c in raw_counts(start, end).values()) == 13373

    today = local_today()
    board = leaderboard(Period(date(today.year, 1, 1), today))
    assert len(board.rows) == 34
    assert board.total.total_received > 1000
    assert board.total["deadline_replied"] > 0
    assert all(r.total_sent > 0 for r in board.rows)


def test_the_activity_since_2024_crosses_the_reorganisation_and_folds_into_34_rows(demo):
    for stretch in (Period(date(2024, 1, 1), date(2024, 12, 31)),
                    Period(date(2025, 3, 1), date(2025, 6, 30)),
                    Period(date(2025, 7, 1), date(2025, 12, 31))):
        received = db.session.scalar(select(func.count()).select_from(Delivery).where(
            Delivery.received_on.between(stretch.first, stretch.last)))
        assert received > 1000, stretch
    spanning = Period(date(2025, 1, 1), date(2025, 12, 31))
    board = leaderboard(spanning)
    assert len(board.rows) == 34
    folded = [r for r in board.rows if r.predecessors]
    assert len(folded) == 23 and sum(len(r.predecessors) for r in folded) == 29
    # Nothing lost in the folding: the rows add up to every department's own count.
    unfolded = raw_counts(spanning.first, spanning.last)
    for column in ("interaction_received_from_ministry", "deadline_replied"):
        assert board.total[column] == sum(c[column] for c in unfolded.values()) > 0
    # The open deliveries of the merged departments passed to their successors on 1 July,
    # except copies of documents the successor had received itself (one delivery each).
    merged = list(db.session.scalars(select(Organisation).where(
        Organisation.merged_on == date(2025, 7, 1))))
    assert len(merged) == 29
    for organisation in merged:
        held = select(Delivery.document_id).where(
            Delivery.recipient_id == organisation.successor_id)
        assert not db.session.scalar(select(func.count()).select_from(Delivery).where(
            Delivery.recipient_id == organisation.id, Delivery.status.in_(OPEN_STATUSES),
            Delivery.document_id.not_in(held))), organisation.name
    assert db.session.scalar(select(func.count()).select_from(Delivery).where(
        Delivery.addressed_to_id.in_([o.id for o in merged]))) > 0
