"""The leaderboard's pre-aggregated counts and its thresholds.

`DailyTally` holds one organisation's counts for one Vietnamese day, so a year's table sums a
few thousand rows instead of grouping millions of deliveries. Database triggers (migration
7b0f945a4b78) write the day of every inserted, changed or deleted delivery into `StaleDay`;
`tallies.refresh_tallies` recounts those days from the deliveries before the table is read.
Counts therefore never drift from the records, whatever path wrote them.
"""

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


class StaleDay(db.Model):
    """A day whose tallies must be recounted (written by triggers; duplicates allowed)."""

    __tablename__ = "leaderboard_stale_day"

    id = db.Column(BIG_ID, primary_key=True)
    day = db.Column(db.Date, nullable=False, index=True)


class OversightSettings(db.Model):
    """The thresholds above which a department's rates are flagged (one row, id 1)."""

    id = db.Column(db.Integer, primary_key=True)
    # One province's rule: overdue > 50 % or unsigned > 20 % makes the department head answerable.
    overdue_threshold_percent = db.Column(db.Integer, nullable=False, default=50)
    unsigned_threshold_percent = db.Column(db.Integer, nullable=False, default=20)
