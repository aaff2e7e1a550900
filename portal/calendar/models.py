"""Administrator overrides of the working-day calendar (a day off decided, a day worked)."""

from enum import StrEnum

from portal.clock import utcnow
from portal.extensions import db


class OverrideKind(StrEnum):
    DAY_OFF = "day_off"  # ngày nghỉ bổ sung
    WORKING_DAY = "working_day"  # ngày làm việc bù


class CalendarOverride(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    day = db.Column(db.Date, nullable=False, unique=True)
    kind = db.Column(db.String(20), nullable=False)
    reason = db.Column(db.String(255), nullable=False)
    created_by_id = db.Column(db.Integer, db.ForeignKey("user.id"))
    created_at = db.Column(db.DateTime(timezone=True), nullable=False, default=utcnow)

    created_by = db.relationship("User")
