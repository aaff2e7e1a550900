"""Demo history: the document-level records the leaderboard counts.

`load_2019_record` writes, for 2019-01-01 to 2019-08-12, documents, deliveries (with their
states and timestamps), replies and axis traffic such that the leaderboard for that period
reproduces the ministry's 2019 appendix (appendix-2019.csv, a copy of the checked data) for
every department and every column. `load_recent_activity` writes 1 January 2024 up to a week
ago in the same way, with figures drawn at random, applying the 2025 reorganisation as its days
come, so that today's views are alive and a period spanning the mergers has something to fold.

The records themselves are written by `portal.demo.records`.
"""

import csv
import random
from dataclasses import astuple
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import select

from portal.clock import local_today
from portal.demo.records import Figures, RecordWriter
from portal.documents.models import Document, DocumentState
from portal.extensions import db
from portal.leaderboard import assessments
from portal.leaderboard.models import Assessment
from portal.leaderboard.services import APPENDIX_COLUMNS, Period
from portal.organisations import reorganisation
from portal.organisations.models import Organisation, OrganisationKind, final_successor

APPENDIX_2019 = Path(__file__).with_name("appendix-2019.csv")
# A department without a row in the 2019 appendix (one added since) starts from these.
DEFAULT_FIGURES = Figures(300, 200, 5, 5, 5, 50, 50, 10)
PERIOD_2019 = (date(2019, 1, 1), date(2019, 8, 12))
# The appendix's figures before its two totals, in the order of Figures' fields.
COUNTED = APPENDIX_COLUMNS[:8]


def read_appendix_2019() -> dict[str, Figures]:
    """Department name → its 2019 figures."""
    with APPENDIX_2019.open(encoding="utf-8") as f:
        return {row["department"]: Figures(*(int(row[c]) for c in COUNTED))
                for row in csv.DictReader(f)}


def load_2019_record() -> bool:
    """Write the 2019 records once; False when they are there already."""
    if db.session.scalar(select(Document.id).where(Document.year == 2019).limit(1)):
        return False
    by_name = {o.name_on(PERIOD_2019[1]): o for o in _departments()}
    figures = {by_name[name]: f for name, f in read_appendix_2019().items()}
    RecordWriter(*PERIOD_2019, random.Random(2019)).write(figures)
    return True


# The departments the 2019 letter names as doing well (commended, their rows not marked).
COMMENDED_2019 = ("Sở TN&MT TP. Hồ Chí Minh", "Sở TN&MT tỉnh Ninh Bình", "Sở TN&MT tỉnh Thái Bình",
                  "Sở TN&MT tỉnh Bình Thuận", "Sở TN&MT tỉnh Quảng Ninh")


def load_2019_assessments(reviewer, leader) -> int:
    """The 2019 letter's judgements as published assessments: the five it commends, and the
    17 rows its appendix marks bold or italic as criticised; once. Returns how many."""
    period = Period(*PERIOD_2019)
    if db.session.scalar(select(Assessment.id).where(
            Assessment.period_first == period.first).limit(1)):
        return 0
    by_name = {o.name_on(PERIOD_2019[1]): o for o in _departments()}
    with APPENDIX_2019.open(encoding="utf-8") as f:
        marks = {row["department"]: (row["appendix_style"], row) for row in csv.DictReader(f)}
    judged = [(name, "commend", "", "Thực hiện tốt việc gửi, nhận, xử lý văn bản điện tử: đã "
               f"xử lý {row['interaction_processed']}/{row['interaction_received_from_ministry']} "
               f"văn bản của Bộ, đã gửi đến Bộ {row['total_sent']} văn bản.")
              for name in COMMENDED_2019 for row in [marks[name][1]]]
    judged += [(name, "criticise", style, "Chưa thực hiện hoặc thực hiện chưa nghiêm túc việc "
                f"gửi văn bản điện tử đến Bộ: {row['total_sent']} văn bản trong kỳ.")
               for name, (style, row) in marks.items() if style]
    for name, kind, style, note in judged:
        assessment = assessments.record_assessment(by_name[name], period, kind=kind, note=note,
                                                   appendix_style=style, actor=reviewer)
        assessments.publish_assessment(assessment, actor=leader)
    return len(judged)


ACTIVITY_SINCE = date(2024, 1, 1)


def load_recent_activity(today: date | None = None) -> bool:
    """From 1 January 2024 until a week ago, with figures drawn at random, once; the 2025
    reorganisation is applied as its days come, so each stretch is written for the
    departments standing then, under their names then, and the merges pass on what is open."""
    today = today or local_today()
    last = today - timedelta(days=7)
    if last <= ACTIVITY_SINCE or db.session.scalar(select(Document.id).where(
            Document.year == ACTIVITY_SINCE.year, Document.state == DocumentState.ISSUED,
            Document.pdf_file_id.is_(None)).limit(1)):
        return False  # written already (the demo letters have PDFs, these records none)
    events = reorganisation.read_events(
        reorganisation.REORGANISATION_2025.read_text(encoding="utf-8"))
    rng = random.Random(today.year)
    previous = read_appendix_2019()
    for first, end in _stretches(ACTIVITY_SINCE, last, {e.effective_on for e in events}):
        reorganisation.apply_reorganisation([e for e in events if e.effective_on <= first])
        share = (end - first).days / (PERIOD_2019[1] - PERIOD_2019[0]).days
        departments = _departments()
        figures = {d: _drawn(_base(d, first, departments, previous), share, rng)
                   for d in departments if not d.is_merged(first)}
        RecordWriter(first, end, rng).write(figures)
    reorganisation.apply_reorganisation(events)
    return True


def _stretches(first: date, last: date, cuts: set[date]) -> list[tuple[date, date]]:
    """[first, last] cut at every 1 January (numbers run per year) and every event's day."""
    starts = sorted({first} | {d for d in cuts if first < d <= last}
                    | {date(y, 1, 1) for y in range(first.year + 1, last.year + 1)})
    ends = [s - timedelta(days=1) for s in starts[1:]] + [last]
    return list(zip(starts, ends, strict=True))


def _base(department: Organisation, day: date, departments: list[Organisation],
          previous: dict[str, Figures]) -> Figures:
    """The 2019 figures of the department and of those merged into it by the day, summed."""
    folded = [o for o in departments if final_successor(o, on=day).id == department.id]
    figures = [previous.get(o.name_on(PERIOD_2019[1])) or DEFAULT_FIGURES for o in folded]
    return Figures(*(sum(values) for values in zip(*(astuple(f) for f in figures), strict=True)))


def _drawn(base: Figures, share: float, rng: random.Random) -> Figures:
    def scaled(value):
        return int(value * share * rng.uniform(0.6, 1.4))

    received = max(scaled(base.received), 20)
    replied = min(scaled(base.replied + 4), received // 4)
    not_replied = min(scaled(base.not_replied), received // 4)
    return Figures(received=received,
                   processed=max(replied, int(received * rng.uniform(0.3, 1.0))),
                   replied=replied, on_time=int(replied * rng.uniform(0.5, 1.0)),
                   not_replied=not_replied, sent=replied + scaled(base.sent - base.replied),
                   axis_received=scaled(base.axis_received), axis_sent=scaled(base.axis_sent))


def _departments() -> list[Organisation]:
    return list(db.session.scalars(select(Organisation).where(
        Organisation.kind == OrganisationKind.DEPARTMENT).order_by(Organisation.id)))
