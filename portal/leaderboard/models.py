"""The leaderboard's pre-aggregated counts, its thresholds, and the assessments of departments.

`DailyTally` holds one organisation's counts for one Vietnamese day, so a year's table sums a
few thousand rows instead of grouping millions of deliveries. Database triggers (migration
c4e2a7f91b3d) write what every inserted, changed or deleted delivery changes into
`TallyChange`; the writing transaction applies those rows before it commits (tallies.py), so
counts never drift from the records, whatever path wrote them.
"""

from enum import StrEnum

from portal.clock import utcnow
from portal.extensions import db

BIG_ID = db.BigInteger().with_variant(db.Integer, "sqlite")


class DailyTally(db.Model):
    __tablename__ = "leaderboard_day"

    day = db.Column(db.Date, primary_key=True)
    # The organisation as recorded; merged ones are counted under their successor when read.
    organisation_id = db.Column(db.Integer, db.ForeignKey("organisation.id"), primary_key=True)
    interaction_received_from_ministry = db.Column(db.Integer, nullable=False, default=0)
    interaction_processed = db.Column(db.Integer, nullable=False, default=0)
    deadline_documents = db.Column(db.Integer, nullable=False, default=0)
    deadline_replied = db.Column(db.Integer, nullable=False, default=0)
    deadline_replied_on_time = db.Column(db.Integer, nullable=False, default=0)
    interaction_sent_to_ministry = db.Column(db.Integer, nullable=False, default=0)
    axis_received_from_ministry = db.Column(db.Integer, nullable=False, default=0)
    axis_sent_to_ministry = db.Column(db.Integer, nullable=False, default=0)
    unsigned_sent = db.Column(db.Integer, nullable=False, default=0)


class TallyChange(db.Model):
    """What one change of deliveries does to one organisation's tally of one day (written by
    triggers): deltas of the received columns, or a mark to recount its sent documents."""

    __tablename__ = "leaderboard_day_change"

    id = db.Column(BIG_ID, primary_key=True)
    organisation_id = db.Column(db.Integer, nullable=False)
    day = db.Column(db.Date, nullable=False)
    recount_sent = db.Column(db.Boolean, nullable=False, default=False)
    interaction_received_from_ministry = db.Column(db.Integer, nullable=False, default=0)
    interaction_processed = db.Column(db.Integer, nullable=False, default=0)
    deadline_documents = db.Column(db.Integer, nullable=False, default=0)
    deadline_replied = db.Column(db.Integer, nullable=False, default=0)
    deadline_replied_on_time = db.Column(db.Integer, nullable=False, default=0)
    axis_received_from_ministry = db.Column(db.Integer, nullable=False, default=0)
    # PostgreSQL: the writing transaction (server default txid_current()), so that a writer
    # takes its own rows only.
    transaction_id = db.Column(db.BigInteger)


class StaleDay(db.Model):
    """A day whose tallies must be recounted whole (bulk loads; duplicates allowed)."""

    __tablename__ = "leaderboard_stale_day"

    id = db.Column(BIG_ID, primary_key=True)
    day = db.Column(db.Date, nullable=False, index=True)


class OversightSettings(db.Model):
    """The thresholds above which a department's rates are flagged (one row, id 1)."""

    id = db.Column(db.Integer, primary_key=True)
    # One province's rule: overdue > 50 % or unsigned > 20 % makes the department head answerable.
    overdue_threshold_percent = db.Column(db.Integer, nullable=False, default=50)
    unsigned_threshold_percent = db.Column(db.Integer, nullable=False, default=20)


class AssessmentKind(StrEnum):
    COMMEND = "commend"  # biểu dương
    CRITICISE = "criticise"  # phê bình


class AssessmentState(StrEnum):
    DRAFT = "draft"  # recorded by a reviewer, seen only by the ministry
    PUBLISHED = "published"  # a leader published it: the department and the public see it
    WITHDRAWN = "withdrawn"  # a leader withdrew it (final)


class Assessment(db.Model):
    """A reviewer's commendation or criticism of a department for a period."""

    id = db.Column(db.Integer, primary_key=True)
    organisation_id = db.Column(db.Integer, db.ForeignKey("organisation.id"), nullable=False,
                                index=True)
    period_first = db.Column(db.Date, nullable=False)
    period_last = db.Column(db.Date, nullable=False)
    kind = db.Column(db.String(10), nullable=False)
    note = db.Column(db.Text, nullable=False)
    # How the row is marked in the oversight letter's appendix: "", "bold" or "italic".
    appendix_style = db.Column(db.String(10), nullable=False, default="")
    # The department's leaderboard row when the assessment was recorded (see
    # assessments.evidence_of): the figures the judgement rests on, kept as they were.
    evidence = db.Column(db.JSON, nullable=False)
    state = db.Column(db.String(10), nullable=False, default=AssessmentState.DRAFT)
    author_id = db.Column(db.Integer, db.ForeignKey("user.id"), nullable=False)
    created_at = db.Column(db.DateTime(timezone=True), nullable=False, default=utcnow)
    decided_by_id = db.Column(db.Integer, db.ForeignKey("user.id"))
    published_at = db.Column(db.DateTime(timezone=True))
    withdrawn_at = db.Column(db.DateTime(timezone=True))
    withdrawal_reason = db.Column(db.String(1000))

    organisation = db.relationship("Organisation")
    author = db.relationship("User", foreign_keys=[author_id])
    decided_by = db.relationship("User", foreign_keys=[decided_by_id])

    __table_args__ = (db.Index("ix_assessment_period", "period_first", "period_last", "state"),)
