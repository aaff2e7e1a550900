"""Working days and deadlines, counted as the Civil Code counts them.

Vietnam's public holidays, Tết with its substituted days off and the Saturdays worked in
exchange come from the `holidays` package; administrators add what the government decides later
(CalendarOverride). A period of N working days starts the day after the day of receipt and ends
at the end of its N-th working day (Bộ luật Dân sự 2015, art. 147–148).
"""

from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache

import holidays
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from portal.audit import services as audit
from portal.calendar.models import CalendarOverride, OverrideKind
from portal.extensions import db
from portal.rules import PortalError
from portal.signals import working_days_changed

MAX_WORKING_DAYS = 365
WEEKDAY_NAMES = {5: _l("Saturday"), 6: _l("Sunday")}
HOLIDAY_LANGUAGES = {"vi": "vi", "en": "en_US"}


class CalendarError(PortalError):
    """A bad date, count or override; the message is shown to the person."""


@dataclass(frozen=True)
class SkippedDay:
    day: date
    reason: str


@dataclass
class DueDate:
    start: date
    working_days: int
    due_on: date
    skipped: list[SkippedDay] = field(default_factory=list)
    # Explaining a kept deadline: the calendar has changed since it was counted.
    counted_then: bool = False


@lru_cache(maxsize=8)
def _national_holidays(language: str) -> holidays.HolidayBase:
    return holidays.country_holidays("VN", language=language)


class WorkingCalendar:
    """Vietnam's working days with the administrators' overrides applied."""

    def __init__(self, overrides: dict[date, CalendarOverride] | None = None,
                 language: str = "vi"):
        self.overrides = overrides if overrides is not None else _load_overrides()
        self.national = _national_holidays(HOLIDAY_LANGUAGES.get(language, "vi"))

    def non_working_reason(self, day: date) -> str | None:
        """Why the day is not a working day, or None when it is one."""
        override = self.overrides.get(day)
        if override is not None:
            return None if override.kind == OverrideKind.WORKING_DAY else override.reason
        if self.national.is_working_day(day):
            return None
        return self.national.get(day) or str(WEEKDAY_NAMES[day.weekday()])

    def add_working_days(self, start: date, working_days: int) -> DueDate:
        """The last day of a period of N working days received on `start`."""
        if not 1 <= working_days <= MAX_WORKING_DAYS:
            raise CalendarError(_("The number of working days must be between 1 and "
                                  "%(most)s.", most=MAX_WORKING_DAYS))
        result = DueDate(start=start, working_days=working_days, due_on=start)
        counted, day = 0, start
        while counted < working_days:
            day += timedelta(days=1)
            reason = self.non_working_reason(day)
            if reason is None:
                counted += 1
            else:
                result.skipped.append(SkippedDay(day, reason))
        result.due_on = day
        return result


def _load_overrides() -> dict[date, CalendarOverride]:
    return {o.day: o for o in db.session.scalars(select(CalendarOverride))}


def due_date(start: date, working_days: int, language: str = "vi") -> DueDate:
    return WorkingCalendar(language=language).add_working_days(start, working_days)


def list_overrides() -> list[CalendarOverride]:
    return list(db.session.scalars(select(CalendarOverride).order_by(CalendarOverride.day.desc())))


def add_override(*, day: date, kind: str, reason: str, actor) -> CalendarOverride:
    """Declare a day off or a worked day; open working-day deadlines are recomputed."""
    if kind not in OverrideKind.__members__.values():
        raise CalendarError(_("Unknown kind of day."))
    reason = reason.strip()
    if not reason:
        raise CalendarError(_("Give the reason (the decision that fixed this day)."))
    if db.session.scalar(select(CalendarOverride).where(CalendarOverride.day == day)):
        raise CalendarError(_("%(day)s already has an override; remove it first.",
                              day=day.strftime("%d/%m/%Y")))
    override = CalendarOverride(day=day, kind=kind, reason=reason[:255], created_by=actor)
    db.session.add(override)
    db.session.flush()
    audit.record("calendar.override_added", actor=actor, obj=override,
                 details={"day": day.isoformat(), "kind": kind, "reason": reason})
    _recompute_deadlines(actor, f"{day.isoformat()}: {reason}")
    db.session.flush()
    return override


def remove_override(override: CalendarOverride, *, actor) -> None:
    """Withdraw an override; open working-day deadlines are recomputed."""
    details = {"day": override.day.isoformat(), "kind": override.kind, "reason": override.reason}
    audit.record("calendar.override_removed", actor=actor, obj=override, details=details)
    db.session.delete(override)
    db.session.flush()
    _recompute_deadlines(actor, _("override of %(day)s withdrawn", day=details["day"]))
    db.session.flush()


def _recompute_deadlines(actor, cause: str) -> None:
    """Tell who counts in working days (the deliveries' deadlines) that the days changed."""
    calendar = WorkingCalendar(overrides=_load_overrides())
    changed = [delivery_id for _receiver, moved in
               working_days_changed.send(calendar, actor=actor, cause=cause)
               for delivery_id in moved]
    if changed:
        audit.record("calendar.deadlines_recomputed", actor=actor,
                     details={"deliveries": changed, "cause": cause})


def coming_days_off(calendar: WorkingCalendar, today: date, days: int = 120) -> list[SkippedDay]:
    """Holidays and added days off in the coming months (weekends left out)."""
    coming = []
    for offset in range(days):
        day = today + timedelta(days=offset)
        reason = calendar.non_working_reason(day)
        if reason is not None and (day.weekday() < 5 or day in calendar.overrides):
            coming.append(SkippedDay(day, reason))
    return coming
