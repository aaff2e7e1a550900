"""Larger data for benchmarks (`flask demo-data --scale N`): a busy year of exchange.

About N deliveries over the past 365 days (or from a given first day), each day's to the
departments standing that day (a department merged is sent nothing from its merger on),
shaped like the portal's own traffic:
- 90 % are the ministry side's documents, each delivered to every department standing; one in
  six through the national axis; a third with a reply deadline, answered on time or late;
  states spread as a busy year looks (most done, some open, a few refused or recalled);
- 10 % are the departments' documents to the ministry side, one recipient each; one in five
  through the axis, one in ten not signed.

The documents are spread evenly over the year and written in time order, as a real table
fills: a day's deliveries lie together, as today's do. PostgreSQL generates the rows itself
(Python round trips would take many minutes at 10 M); SQLite takes them from Python. Both give
the same shape, not the same rows.
"""

import random
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import insert, select, text

from portal.clock import as_local, utcnow
from portal.deliveries.inbox import rebuild_tallies as rebuild_inbox_tallies
from portal.deliveries.models import Delivery
from portal.documents.models import Document
from portal.extensions import db
from portal.leaderboard.counting import MINISTRY_SIDE
from portal.leaderboard.tallies import rebuild_tallies
from portal.organisations.models import Organisation, OrganisationKind

BATCH = 20_000
FIRST_NUMBER = 100_000  # clear of the numbers the demo's own records take
# A delivery's state, picked by position: 11 in 20 done, 1 refused, 1 recalled, the rest open.
STATES = ["06"] * 11 + ["02", "15"] + ["03"] * 3 + ["04", "05"] + ["01"] * 2
MINISTRY_SHARE = 0.9
SUBJECT = "V/v số liệu tổng hợp {} về đất đai, khoáng sản và môi trường"
REPORT = "Báo cáo {} về tình hình thực hiện nhiệm vụ tài nguyên và môi trường"


def generate_deliveries(total: int, seed: int = 2026, first_day: date | None = None) -> int:
    """Insert about `total` deliveries from first_day (default: 364 days ago) to today; return
    how many. Tallies are rebuilt after."""
    today = as_local(utcnow()).date()
    first_day = first_day or today - timedelta(days=364)
    departments = db.session.execute(select(Organisation.id, Organisation.merged_on).where(
        Organisation.kind == OrganisationKind.DEPARTMENT).order_by(Organisation.id)).all()
    ministry_side = list(db.session.scalars(select(Organisation.id).where(
        Organisation.kind.in_(MINISTRY_SIDE)).order_by(Organisation.id)))
    author_id = db.session.scalar(select(db.func.min(Document.author_id))) or 1
    days = (today - first_day).days + 1
    standing = sum(_standing(departments, first_day + timedelta(days=n))
                   for n in range(days)) / days  # departments on an average day
    ministry_documents = round(total * MINISTRY_SHARE / standing)
    reports = total - round(ministry_documents * standing)
    # Numbers continue after any earlier run's, so the command can be run again.
    first = max(FIRST_NUMBER, (db.session.scalar(select(db.func.max(Document.number))) or 0))
    shape = _Shape([d.id for d in departments], [d.merged_on for d in departments],
                   ministry_side, author_id, ministry_documents, reports, first, days * 24 * 60)
    if db.engine.dialect.name == "postgresql":
        made = _generate_in_postgresql(shape)
    else:
        made = _generate_in_python(shape, random.Random(seed))
    # The bulk inserts bypass the services that keep these; recount them once.
    rebuild_inbox_tallies()
    rebuild_tallies()
    db.session.commit()
    return made


def _standing(departments, day: date) -> int:
    return sum(1 for d in departments if d.merged_on is None or d.merged_on > day)


@dataclass(frozen=True)
class _Shape:
    departments: list[int]
    merged_on: list[date | None]  # each department's merger, if any
    ministry_side: list[int]
    author_id: int
    ministry_documents: int
    reports: int
    first: int  # the documents are numbered first + 1, first + 2, …
    minutes: int  # the span, from its first day's start to now

    def params(self) -> dict:
        return {"departments": self.departments, "merged_on": self.merged_on,
                "ministry_side": self.ministry_side, "author": self.author_id,
                "n": self.ministry_documents, "r": self.reports, "states": STATES,
                "first": self.first, "year": self.minutes}

    def standing_on(self, day: date) -> list[int]:
        return [d for d, merged in zip(self.departments, self.merged_on, strict=True)
                if merged is None or merged > day]


def _document(shape, index, suffix, issuer, at, subject, *, due_on=None, sealed=True) -> dict:
    number = shape.first + index
    notation = f"{number}/SCALE-{suffix}"
    return dict(issuer_id=issuer, authority_id=issuer, author_id=shape.author_id,
                doc_type="cong_van", subject=subject, body="", urgency="normal",
                state="issued", recipient_ids=[], due_on=due_on, number=number, year=at.year,
                notation=notation, issued_at=at, dispatched_at=at,
                sealed_at=at if sealed else None, search_text=f"{notation} {subject}".lower(),
                created_at=at, updated_at=at)


def _moment(shape, now, index: int, count: int, rng: random.Random):
    """The index-th of count moments spread evenly over the span, a little jittered."""
    minutes = shape.minutes * (count - index) // count
    return now - timedelta(minutes=minutes + rng.randrange(0, 10))


def _generate_in_python(shape: _Shape, rng: random.Random) -> int:
    now = utcnow()
    next_id = (db.session.scalar(select(db.func.max(Document.id))) or 0) + 1
    documents, deliveries, made = [], [], 0
    for g in range(1, shape.ministry_documents + 1):
        at = _moment(shape, now, g, shape.ministry_documents, rng)
        day = as_local(at).date()
        due_on = day + timedelta(days=3 + g % 12) if g % 3 == 0 else None
        channel = "axis" if g % 6 == 0 else "portal"
        documents.append(dict(_document(shape, g, "M",
                                        shape.ministry_side[g % len(shape.ministry_side)],
                                        at, SUBJECT.format(g), due_on=due_on), id=next_id))
        for recipient in shape.standing_on(day):
            status = STATES[(next_id * 31 + recipient * 17) % len(STATES)]
            answered = status == "06" and due_on is not None
            deliveries.append(dict(
                document_id=next_id, recipient_id=recipient, channel=channel, status=status,
                received_at=at, received_on=day, due_on=due_on,
                acknowledged_at=at + timedelta(hours=2) if status not in ("01", "02") else None,
                done_at=at + timedelta(days=2) if status == "06" else None,
                replied_at=at + timedelta(days=1 + (next_id + recipient) % 10)
                if answered else None))
        next_id += 1
        if len(deliveries) >= BATCH:
            made += _flush(documents, deliveries)
    for k in range(1, shape.reports + 1):
        at = _moment(shape, now, k, shape.reports, rng)
        standing = shape.standing_on(as_local(at).date())
        documents.append(dict(_document(shape, k, "D", standing[k % len(standing)], at,
                                        REPORT.format(k), sealed=k % 10 != 0), id=next_id))
        deliveries.append(dict(
            document_id=next_id, recipient_id=shape.ministry_side[k % len(shape.ministry_side)],
            channel="axis" if k % 5 == 0 else "portal", status="06", received_at=at,
            received_on=as_local(at).date(), acknowledged_at=at + timedelta(hours=1),
            done_at=at + timedelta(days=1)))
        next_id += 1
        if len(deliveries) >= BATCH:
            made += _flush(documents, deliveries)
    return made + _flush(documents, deliveries)


def _flush(documents, deliveries) -> int:
    count = len(deliveries)
    if documents:
        db.session.execute(insert(Document), documents)
        db.session.execute(insert(Delivery), deliveries)
        db.session.commit()
    documents.clear()
    deliveries.clear()
    return count


def _generate_in_postgresql(shape: _Shape) -> int:
    """The same shape in SQL; documents are told apart by their notation's suffix."""
    params = shape.params()
    db.session.execute(text("""
        INSERT INTO document (issuer_id, authority_id, author_id, doc_type, subject, body,
            urgency, state, recipient_ids, due_on, number, year, notation,
            issued_at, dispatched_at, sealed_at, search_text, created_at, updated_at)
        SELECT o.id, o.id, :author, 'cong_van', s.subject, '', 'normal', 'issued', '[]',
               CASE WHEN g % 3 = 0 THEN t.day + (3 + g % 12) END,
               :first + g, extract(year FROM t.day)::int, (:first + g) || '/SCALE-M', t.at,
               t.at, t.at, lower((:first + g) || '/scale-m ' || s.subject), t.at, t.at
        FROM generate_series(1, :n) AS g
        CROSS JOIN LATERAL (SELECT (CAST(:ministry_side AS int[]))
                            [1 + g % cardinality(CAST(:ministry_side AS int[]))] AS id) AS o
        CROSS JOIN LATERAL (SELECT now() - random() * interval '10 minutes'
                                   - interval '1 minute' * (CAST(:year AS bigint) * (:n - g) / :n)
                                   AS at) AS a
        CROSS JOIN LATERAL (SELECT a.at AS at,
                            (a.at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date AS day) AS t
        CROSS JOIN LATERAL (SELECT 'V/v số liệu tổng hợp ' || g
                            || ' về đất đai, khoáng sản và môi trường' AS subject) AS s
    """), params)
    received = db.session.execute(text("""
        INSERT INTO delivery (document_id, recipient_id, channel, status, received_at,
            received_on, due_on, acknowledged_at, done_at, replied_at)
        SELECT d.id, o, CASE WHEN (d.number - :first) % 6 = 0 THEN 'axis' ELSE 'portal' END,
               x.status,
               d.issued_at, (d.issued_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date, d.due_on,
               CASE WHEN x.status NOT IN ('01', '02') THEN d.issued_at + interval '2 hours' END,
               CASE WHEN x.status = '06' THEN d.issued_at + interval '2 days' END,
               CASE WHEN x.status = '06' AND d.due_on IS NOT NULL
                    THEN d.issued_at + (1 + (d.id + o) % 10) * interval '1 day' END
        FROM document d
        CROSS JOIN unnest(CAST(:departments AS int[]), CAST(:merged_on AS date[]))
                   AS s(o, merged_on)
        CROSS JOIN LATERAL (SELECT (CAST(:states AS text[]))
                            [1 + (d.id * 31 + o * 17) % cardinality(CAST(:states AS text[]))]
                            AS status) AS x
        WHERE d.notation LIKE '%/SCALE-M' AND d.number > :first
          AND (s.merged_on IS NULL
               OR s.merged_on > (d.issued_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date)
        ORDER BY d.id, o
    """), params).rowcount
    db.session.execute(text("""
        INSERT INTO document (issuer_id, authority_id, author_id, doc_type, subject, body,
            urgency, state, recipient_ids, number, year, notation,
            issued_at, dispatched_at, sealed_at, search_text, created_at, updated_at)
        SELECT o.id, o.id, :author, 'cong_van', s.subject, '', 'normal', 'issued', '[]',
               :first + k, extract(year FROM a.at)::int, (:first + k) || '/SCALE-D', a.at,
               a.at, CASE WHEN k % 10 <> 0 THEN a.at END,
               lower((:first + k) || '/scale-d ' || s.subject), a.at, a.at
        FROM generate_series(1, :r) AS k
        CROSS JOIN LATERAL (SELECT now() - random() * interval '10 minutes'
                                   - interval '1 minute' * (CAST(:year AS bigint) * (:r - k) / :r)
                                   AS at) AS a
        CROSS JOIN LATERAL (SELECT array_agg(x.id ORDER BY x.id) AS ids
                            FROM unnest(CAST(:departments AS int[]),
                                        CAST(:merged_on AS date[])) AS x(id, merged_on)
                            WHERE x.merged_on IS NULL OR x.merged_on
                                  > (a.at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date) AS standing
        CROSS JOIN LATERAL (SELECT standing.ids[1 + k % cardinality(standing.ids)] AS id) AS o
        CROSS JOIN LATERAL (SELECT 'Báo cáo ' || k || ' về tình hình thực hiện nhiệm vụ '
                            || 'tài nguyên và môi trường' AS subject) AS s
    """), params)
    sent = db.session.execute(text("""
        INSERT INTO delivery (document_id, recipient_id, channel, status, received_at,
            received_on, acknowledged_at, done_at)
        SELECT d.id, (CAST(:ministry_side AS int[]))
                     [1 + (d.number - :first) % cardinality(CAST(:ministry_side AS int[]))],
               CASE WHEN (d.number - :first) % 5 = 0 THEN 'axis' ELSE 'portal' END, '06',
               d.issued_at, (d.issued_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date,
               d.issued_at + interval '1 hour', d.issued_at + interval '1 day'
        FROM document d WHERE d.notation LIKE '%/SCALE-D' AND d.number > :first
        ORDER BY d.id
    """), params).rowcount
    db.session.commit()
    return received + sent
