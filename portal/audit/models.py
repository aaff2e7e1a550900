"""The audit trail: who did what, to which object, when and from where."""

from portal.clock import utcnow
from portal.extensions import db


class AuditEvent(db.Model):
    id = db.Column(db.BigInteger().with_variant(db.Integer, "sqlite"), primary_key=True)
    occurred_at = db.Column(
        db.DateTime(timezone=True),
        nullable=False,
        default=utcnow,
        index=True,
    )
    actor_id = db.Column(db.Integer, db.ForeignKey("user.id"), index=True)
    organisation_id = db.Column(db.Integer, db.ForeignKey("organisation.id"), index=True)
    action = db.Column(db.String(64), nullable=False, index=True)
    object_type = db.Column(db.String(64))
    object_id = db.Column(db.String(64))
    ip_address = db.Column(db.String(64))
    details = db.Column(db.JSON, nullable=False, default=dict)

    actor = db.relationship("User")
    organisation = db.relationship("Organisation")
