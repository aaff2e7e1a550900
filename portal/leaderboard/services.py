"""The leaderboard: the 2019 appendix's table, per department, for any period, from records.

`leaderboard(period)` is the one way to get it. Counts come from the daily tallies
(tallies.py defines each column); what depends on today (overdue) is added from the few
deadline deliveries still open. The rows are the departments as they stood on the period's
last day (standing.py): a department merged by then is counted in its successor's row.
"""

from dataclasses import dataclass, field
from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from portal.audit import services as audit
from portal.clock import local_today
from portal.collation import sort_key
from portal.deliveries.models import Channel, Delivery, Status
from portal.documents.models import Document
from portal.extensions import cache, db
from portal.leaderboard.counting import COLUMNS, MINISTRY_SIDE, unindexed_date
from portal.leaderboard.models import Assessment, AssessmentState, OversightSettings
from portal.leaderboard.standing import Predecessor, Standing, standing_on
from portal.leaderboard.tallies import tallied_counts
from portal.organisations.models import Organisation
from portal.transaction import after_commit

# The 2019 appendix's figures in its order, named as in its checked CSV.
APPENDIX_COLUMNS = ("interaction_received_from_ministry", "interaction_processed",
                    "deadline_replied", "deadline_replied_on_time", "deadline_not_replied",
                    "interaction_sent_to_ministry", "axis_received_from_ministry",
                    "axis_sent_to_ministry", "total_received", "total_sent")
SORTABLE = ("name", *APPENDIX_COLUMNS, "overdue_rate", "unsigned_rate", "processed_rate",
            "on_time_rate")
DEFAULT_SORT = "total_sent"

PRESETS = {
    "month": _l("This month"),
    "quarter": _l("This quarter"),
    "year": _l("This year"),
}


@dataclass(frozen=True)
class Period:
    first: date
    last: date

    @classmethod
    def preset(cls, name: str, today: date | None = None) -> "Period":
        today = today or local_today()
        if name == "month":
            return cls(today.replace(day=1), today)
        if name == "quarter":
            return cls(today.replace(month=(today.month - 1) // 3 * 3 + 1, day=1), today)
        return cls(today.replace(month=1, day=1), today)


@dataclass
class Row:
    """One department's line of the table."""

    organisation: Organisation
    counts: dict = field(default_factory=lambda: dict.fromkeys(COLUMNS, 0))
    # Its name on the period's last day (the organisation's current name when not given).
    shown_name: str = ""
    # The departments merged into it by the period's last day, whose figures the row holds.
    predecessors: list[Predecessor] = field(default_factory=list)
    # Deadline documents not answered and not yet due (they are not overdue today).
    not_yet_due: int = 0
    # The mark a reviewer gave the row in the period's appendix: "", "bold", "italic".
    style: str = ""
    overdue_flag: bool = False
    unsigned_flag: bool = False

    def __getitem__(self, column: str):
        if column in self.counts:
            return self.counts[column]
        return getattr(self, column)

    @property
    def name(self) -> str:
        return self.shown_name or self.organisation.name

    @property
    def note(self) -> str:
        """What the row includes besides the department itself ("" when nothing)."""
        if not self.predecessors:
            return ""
        each = [_("%(name)s (merged from %(day)s)", name=p.name,
                  day=p.merged_on.strftime("%d/%m/%Y")) for p in self.predecessors]
        return _("includes %(departments)s", departments=", ".join(each))

    @property
    def deadline_not_replied(self) -> int:
        return self.counts["deadline_documents"] - self.counts["deadline_replied"]

    @property
    def total_received(self) -> int:
        return (self.counts["interaction_received_from_ministry"]
                + self.counts["axis_received_from_ministry"])

    @property
    def total_sent(self) -> int:
        return self.counts["interaction_sent_to_ministry"] + self.counts["axis_sent_to_ministry"]

    @property
    def overdue(self) -> int:
        """Deadline documents answered late, or not answered and past their due date."""
        return (self.counts["deadline_documents"] - self.counts["deadline_replied_on_time"]
                - self.not_yet_due)

    @property
    def overdue_rate(self) -> float | None:
        return _rate(self.overdue, self.counts["deadline_documents"])

    @property
    def unsigned_rate(self) -> float | None:
        return _rate(self.counts["unsigned_sent"], self.total_sent)

    @property
    def processed_rate(self) -> float | None:
        return _rate(self.counts["interaction_processed"],
                     self.counts["interaction_received_from_ministry"])

    @property
    def on_time_rate(self) -> float | None:
        return _rate(self.counts["deadline_replied_on_time"], self.counts["deadline_documents"])


def _rate(part: int, whole: int) -> float | None:
    return part / whole if whole else None


@dataclass
class Leaderboard:
    period: Period
    rows: list[Row]
    total: Row
    settings: OversightSettings
    sort: str
    descending: bool
    # The departments as they stood on the period's last day (the rows, names, folding).
    standing: Standing

    @property
    def counted_as(self) -> dict[int, int]:
        """Organisation id → the standing department its counts go to (itself, or the one
        it was merged into by the period's last day)."""
        return self.standing.counted_as

    def ids_counted_as(self, organisation: Organisation) -> list[int]:
        """The department's id and those of the departments folded into its row."""
        return [i for i, counted in self.counted_as.items() if counted == organisation.id]


DEPARTMENT_PREFIXES = ("Sở Tài nguyên và Môi trường ", "Sở TN&MT ",
                       "Sở Nông nghiệp và Môi trường ", "Sở NN&MT ")


def short_name(name: str) -> str:
    """"Sở TN&MT tỉnh Ninh Bình" → "Ninh Bình", as the 2019 letter lists departments; the
    same for a Sở Nông nghiệp và Môi trường and a city ("thành phố Huế" → "Huế")."""
    for prefix in DEPARTMENT_PREFIXES:
        name = name.removeprefix(prefix)
    for prefix in ("tỉnh ", "thành phố "):
        name = name.removeprefix(prefix)
    return name.strip()


def settings() -> OversightSettings:
    """The thresholds (the defaults until an administrator changes them)."""
    found = db.session.get(OversightSettings, 1)
    return found or OversightSettings(id=1, overdue_threshold_percent=50,
                                      unsigned_threshold_percent=20)


def forget_public_pages() -> None:
    """After a change the public page shows (a published or withdrawn assessment, new
    thresholds): this worker drops its kept public pages and files."""
    cache.clear()


def change_thresholds(*, overdue: int, unsigned: int, actor) -> OversightSettings:
    """An administrator's new thresholds (percent, 0–100), audited."""
    current = db.session.merge(settings())
    before = [current.overdue_threshold_percent, current.unsigned_threshold_percent]
    current.overdue_threshold_percent, current.unsigned_threshold_percent = overdue, unsigned
    audit.record("oversight.thresholds_changed", actor=actor, obj=current,
                 details={"before": before, "after": [overdue, unsigned]})
    after_commit(forget_public_pages)
    return current


def leaderboard(period: Period, *, sort: str = DEFAULT_SORT, descending: bool = True,
                today: date | None = None) -> Leaderboard:
    """The row of every department as it stood on the period's last day, sorted, with the
    total row; a department merged by then is counted in its successor's row.

    Ties are broken by the department's name (A to Z, ignoring diacritics), whatever the order.
    """
    today = today or local_today()
    standing = standing_on(period.last)
    rows = {o.id: Row(o, shown_name=standing.names[o.id],
                      predecessors=standing.predecessors.get(o.id, []))
            for o in standing.departments}
    counted_as = standing.counted_as
    for organisation_id, counts in tallied_counts(period.first, period.last).items():
        row = rows.get(counted_as.get(organisation_id))
        if row is not None:
            for column, value in counts.items():
                row.counts[column] += value
    for recipient_id, open_count in _not_yet_due(period, today).items():
        row = rows.get(counted_as.get(recipient_id))
        if row is not None:
            row.not_yet_due += open_count
    for organisation_id, assessment in latest_published(period).items():
        if organisation_id in rows:
            rows[organisation_id].style = assessment.appendix_style
    thresholds = settings()
    for row in rows.values():
        _flag(row, thresholds)
    ordered = sort_rows(list(rows.values()), sort, descending)
    return Leaderboard(period, ordered, _total(ordered, thresholds), thresholds, sort, descending,
                       standing)


def row_of(board: Leaderboard, organisation: Organisation) -> tuple[int, Row] | None:
    """The department's place (from 1) and row in the table; None when it has no row (it
    was merged by the period's last day: its figures are in its successor's row)."""
    return next(((n, r) for n, r in enumerate(board.rows, start=1)
                 if r.organisation.id == organisation.id), None)


def _not_yet_due(period: Period, today: date) -> dict[int, int]:
    """Per department as addressed (as the tallies count: a delivery a merge passed on stays
    with the department it was sent to), the open deadlines not yet due."""
    issuer = db.aliased(Organisation)
    addressed_to = db.func.coalesce(Delivery.addressed_to_id, Delivery.recipient_id)
    rows = db.session.execute(
        select(addressed_to, db.func.count())
        .join(Document, Document.id == Delivery.document_id)
        .join(issuer, issuer.id == Document.issuer_id)
        .where(Delivery.due_on >= today, Delivery.replied_at.is_(None),
               Delivery.due_on.is_not(None),
               unindexed_date(Delivery.received_on).between(period.first, period.last),
               Delivery.channel == Channel.PORTAL,
               Delivery.status.not_in((Status.REFUSED, Status.RECALL_AGREED)),
               issuer.kind.in_(MINISTRY_SIDE))
        .group_by(addressed_to))
    return dict(rows.all())


def latest_published(period: Period) -> dict[int, Assessment]:
    """Department id → its latest published assessment for exactly this period: it gives the
    row's mark in the period's appendix and names the department in the oversight letter."""
    found = db.session.scalars(
        select(Assessment)
        .where(Assessment.period_first == period.first, Assessment.period_last == period.last,
               Assessment.state == AssessmentState.PUBLISHED)
        .order_by(Assessment.published_at, Assessment.id))
    return {assessment.organisation_id: assessment for assessment in found}


def _flag(row: Row, thresholds: OversightSettings) -> None:
    overdue, unsigned = row.overdue_rate, row.unsigned_rate
    row.overdue_flag = overdue is not None and overdue * 100 > thresholds.overdue_threshold_percent
    row.unsigned_flag = (unsigned is not None
                         and unsigned * 100 > thresholds.unsigned_threshold_percent)


def sort_rows(rows: list[Row], sort: str, descending: bool) -> list[Row]:
    if sort not in SORTABLE:
        sort, descending = DEFAULT_SORT, True
    rows = sorted(rows, key=lambda r: sort_key(r.name))
    if sort == "name":
        return rows[::-1] if descending else rows
    # A stable sort keeps the name order among equal values; no rate sorts last either way.
    with_value = [r for r in rows if r[sort] is not None]
    without = [r for r in rows if r[sort] is None]
    return sorted(with_value, key=lambda r: r[sort], reverse=descending) + without


def _total(rows: list[Row], thresholds: OversightSettings) -> Row:
    total = Row(Organisation(name=str(_l("Total"))))
    for row in rows:
        for column in COLUMNS:
            total.counts[column] += row.counts[column]
        total.not_yet_due += row.not_yet_due
    _flag(total, thresholds)
    return total
