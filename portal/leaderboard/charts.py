"""The leaderboard's two charts, drawn on the server as SVG (no script, nothing to load):

- `rates_chart(board)`: every department's processed rate and on-time rate, in the table's order;
- `trend_chart(board, organisation)`: one department's two rates month by month in the period.

This module computes the geometry; templates/leaderboard/_charts.html draws it. Both rates are
the leaderboard's own (`Row.processed_rate`, `Row.on_time_rate`), so a chart never disagrees
with the table.
"""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select

from portal.extensions import db
from portal.leaderboard.counting import COLUMNS
from portal.leaderboard.models import DailyTally
from portal.leaderboard.services import Leaderboard, Row, short_name
from portal.organisations.models import Organisation

# The rates chart, in SVG user units (the picture scales to the page's width).
LABEL_WIDTH = 150
PLOT_WIDTH = 540
ROW_HEIGHT = 18
TOP = 28  # room for the axis labels
TICKS = (0, 25, 50, 75, 100)
# The trend chart.
TREND_WIDTH = 640
TREND_HEIGHT = 220
TREND_LEFT, TREND_BOTTOM = 40, 30
MAX_MONTHS = 24


@dataclass(frozen=True)
class Bar:
    label: str
    processed: float | None  # percent, 0–100
    on_time: float | None
    y: float

    def width(self, percent: float | None) -> float:
        return 0 if percent is None else round(PLOT_WIDTH * percent / 100, 1)


@dataclass(frozen=True)
class RatesChart:
    bars: list[Bar]
    height: float
    label_width: int = LABEL_WIDTH
    top: int = TOP

    @property
    def width(self) -> int:
        return LABEL_WIDTH + PLOT_WIDTH + 20

    @property
    def ticks(self) -> list[tuple[int, float]]:
        return [(t, LABEL_WIDTH + PLOT_WIDTH * t / 100) for t in TICKS]


def _percent(rate: float | None) -> float | None:
    return None if rate is None else round(rate * 100, 1)


def rates_chart(board: Leaderboard) -> RatesChart:
    bars = [Bar(short_name(row.name), _percent(row.processed_rate),
                _percent(row.on_time_rate), TOP + index * ROW_HEIGHT)
            for index, row in enumerate(board.rows)]
    return RatesChart(bars, TOP + len(bars) * ROW_HEIGHT + 4)


@dataclass(frozen=True)
class Month:
    first: date
    row: Row  # the month's counts; its rates are the points

    @property
    def label(self) -> str:
        return self.first.strftime("%m/%Y")


@dataclass(frozen=True)
class TrendChart:
    months: list[Month]
    width: int = TREND_WIDTH
    height: int = TREND_HEIGHT
    left: int = TREND_LEFT
    bottom: int = TREND_BOTTOM

    def x(self, index: int) -> float:
        span = self.width - self.left - 40
        if len(self.months) == 1:
            return self.left + span / 2
        return round(self.left + span * index / (len(self.months) - 1), 1)

    def y(self, percent: float) -> float:
        return round(10 + (self.height - self.bottom - 10) * (100 - percent) / 100, 1)

    def points(self, rate: str) -> list[tuple[float, float, float]]:
        """(x, y, percent) of each month that has the rate (a month with nothing to rate has
        no point, and the line joins its neighbours)."""
        found = []
        for index, month in enumerate(self.months):
            percent = _percent(getattr(month.row, rate))
            if percent is not None:
                found.append((self.x(index), self.y(percent), percent))
        return found

    @property
    def ticks(self) -> list[tuple[int, float]]:
        return [(t, self.y(t)) for t in TICKS]

    @property
    def label_every(self) -> int:
        """Label every month up to 12, then every second or third (so labels never overlap)."""
        return -(-len(self.months) // 12)


def month_starts(first: date, last: date) -> list[date]:
    """The first day of every month the period touches, at most the last MAX_MONTHS."""
    months, current = [], first.replace(day=1)
    while current <= last:
        months.append(current)
        current = (current.replace(year=current.year + 1, month=1) if current.month == 12
                   else current.replace(month=current.month + 1))
    return months[-MAX_MONTHS:]


def trend_chart(board: Leaderboard, organisation: Organisation) -> TrendChart:
    """The department's counts month by month (merged departments included), from the daily
    tallies (which computing the board brought up to date); the months are those of the
    board's period (cut to the period's own days)."""
    starts = month_starts(board.period.first, board.period.last)
    months = {start: Row(organisation) for start in starts}
    first = max(board.period.first, starts[0])
    rows = db.session.execute(
        select(DailyTally.day, *(func.sum(getattr(DailyTally, c)).label(c) for c in COLUMNS))
        .where(DailyTally.organisation_id.in_(board.ids_counted_as(organisation)),
               DailyTally.day.between(first, board.period.last))
        .group_by(DailyTally.day))
    for row in rows:
        counts = months[row.day.replace(day=1)].counts
        for column in COLUMNS:
            counts[column] += int(getattr(row, column))
    return TrendChart([Month(start, row) for start, row in months.items()])
