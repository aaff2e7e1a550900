"""Time in the portal: stored in UTC, shown and reasoned about in Vietnam's time zone."""

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

LOCAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def utcnow() -> datetime:
    return datetime.now(UTC)


def local_today() -> date:
    return datetime.now(LOCAL_TZ).date()


def start_of_local_day(day: date) -> datetime:
    """The UTC instant at which the given Vietnamese calendar day begins."""
    return datetime.combine(day, time.min, tzinfo=LOCAL_TZ).astimezone(UTC)


def aware_utc(moment: datetime) -> datetime:
    """A stored instant as an aware datetime (SQLite gives back naive UTC values)."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def as_local(moment: datetime | None) -> datetime | None:
    """A stored instant in Vietnam's time, for display."""
    return None if moment is None else aware_utc(moment).astimezone(LOCAL_TZ)
