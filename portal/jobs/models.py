"""Background jobs as rows: what to do, for which document, how far it got, what went wrong.

The row is written in the same transaction as the change that needs it; `relayed_at` stays
empty until the row has been handed to the queue (the outbox), so a job can never be queued
for a row that was rolled back, and a job whose hand-over failed (Redis down) is handed over
later. The row, not Redis, says what is still to do: a job lost from the queue, or whose
worker died, is handed over again from it (portal/jobs/services.py).
"""

from enum import StrEnum

from flask_babel import lazy_gettext as _l

from portal.clock import utcnow
from portal.extensions import db


class JobState(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


JOB_STATE_LABELS = {
    JobState.QUEUED: _l("Waiting"),
    JobState.RUNNING: _l("Running"),
    JobState.DONE: _l("Done"),
    JobState.FAILED: _l("Failed"),
}


# What a running job is doing: stored as a code, shown in the reader's language.
JOB_STEP_LABELS = {
    "laying_out": _l("Laying out the document"),
    "initialling": _l("Applying the initials"),
    "signing": _l("Applying the signer's digital signature"),
    "sealing": _l("Applying the organisation's digital signature"),
    "no_key": _l("The organisation has no signing key: sent unsigned"),
}

# The step a job of this kind starts with, written when the job is claimed (a commit less).
FIRST_STEPS = {"render": "laying_out"}

JOB_KIND_LABELS = {"render": _l("Laying out the PDF"), "sign": _l("Digital signature"),
                   "dispatch": _l("Delivering to the recipients"),
                   "verify": _l("Verifying the signatures"),
                   "axis_send": _l("Sending to the national axis")}


class Job(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    kind = db.Column(db.String(30), nullable=False)  # a JOB_KIND_LABELS key
    document_id = db.Column(db.Integer, db.ForeignKey("document.id"), index=True)
    # The axis message an "axis_send" job sends (portal.interop).
    message_id = db.Column(db.Integer, db.ForeignKey("axis_message.id"), index=True)
    state = db.Column(db.String(10), nullable=False, default=JobState.QUEUED)
    progress = db.Column(db.Integer, nullable=False, default=0)  # percent
    step = db.Column(db.String(200))  # a JOB_STEP_LABELS code, while running
    error = db.Column(db.String(1000))
    # Each run's claim counts one; a run acts on the row only while the count is still its own
    # (a run put back as dead and claimed again cannot finish over the new one).
    attempts = db.Column(db.Integer, nullable=False, default=0)
    # Runs it may have before it fails for good; empty: JOB_MAX_ATTEMPTS. A person's retry
    # gives it as many again.
    attempts_allowed = db.Column(db.Integer)
    created_by_id = db.Column(db.Integer, db.ForeignKey("user.id"))
    created_at = db.Column(db.DateTime(timezone=True), nullable=False, default=utcnow)
    # Since when it has been waiting (scheduled, retried, or put back after a failed run).
    queued_at = db.Column(db.DateTime(timezone=True), nullable=False, default=utcnow)
    # Put back after a database error: not handed over before this moment (backoff).
    retry_at = db.Column(db.DateTime(timezone=True))
    relayed_at = db.Column(db.DateTime(timezone=True))
    started_at = db.Column(db.DateTime(timezone=True))
    heartbeat_at = db.Column(db.DateTime(timezone=True))
    finished_at = db.Column(db.DateTime(timezone=True))

    document = db.relationship("Document")

    __table_args__ = (
        # The relay's question: which queued jobs have not been handed to the queue yet?
        db.Index("ix_job_state_relayed", "state", "relayed_at"),
    )

    @property
    def finished(self) -> bool:
        return self.state in (JobState.DONE, JobState.FAILED)
