"""People, their sign-in sessions and API tokens."""

from enum import StrEnum

from flask_babel import lazy_gettext as _l
from flask_login import UserMixin

from portal.clock import utcnow
from portal.extensions import db


class SignsAs(StrEnum):
    """How a person signs for the head of their organisation (signing/titles.py)."""

    HEAD = "head"  # người đứng đầu
    DEPUTY = "deputy"  # cấp phó: ký thay (KT.)
    AUTHORISED = "authorised"  # heads a unit, authorised by the head above (TUQ.)


SIGNS_AS_LABELS = {
    SignsAs.HEAD: _l("Head (in the name of the organisation above: TL., by order)"),
    SignsAs.DEPUTY: _l("Deputy: signs for the head (KT.)"),
    SignsAs.AUTHORISED: _l("Head of a unit, authorised by the head above (TUQ.)"),
}


class User(UserMixin, db.Model):
    id = db.Column(db.Integer, primary_key=True)
    email = db.Column(db.String(254), nullable=False, unique=True)
    full_name = db.Column(db.String(200), nullable=False)
    # One of policy.Role: clerk (văn thư), specialist (chuyên viên), leader (lãnh đạo),
    # reviewer, admin.
    role = db.Column(db.String(20), nullable=False)
    organisation_id = db.Column(
        db.Integer, db.ForeignKey("organisation.id"), nullable=False, index=True
    )
    # Chức vụ, printed above the name when the person signs: "Thứ trưởng", "Giám đốc".
    title = db.Column(db.String(100), nullable=False, default="", server_default="")
    # How the person signs for the head (SignsAs): as the head, as a deputy (KT.), or,
    # heading a unit, by authorisation (TUQ.) rather than by order (TL.) when signing in
    # the name of the organisation above.
    signs_as = db.Column(db.String(20), nullable=False, default=SignsAs.HEAD,
                         server_default=SignsAs.HEAD.value)
    password_hash = db.Column(db.String(255), nullable=False)
    active = db.Column(db.Boolean, nullable=False, default=True)
    created_at = db.Column(db.DateTime(timezone=True), nullable=False, default=utcnow)
    # The second factor (TOTP, RFC 6238): the secret encrypted with a key derived from
    # SECRET_KEY (auth.second_factor), when it was set up, and the last time-step a code was
    # accepted for, so that no code is accepted twice.
    totp_secret = db.Column(db.String(255))
    totp_enabled_at = db.Column(db.DateTime(timezone=True))
    totp_last_step = db.Column(db.Integer)

    organisation = db.relationship("Organisation")

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def has_second_factor(self) -> bool:
        return self.totp_secret is not None

    def __repr__(self):
        return f"<User {self.email}>"


class LoginSession(db.Model):
    """A signed-in browser session, held server-side so that logout and timeouts end it."""

    id = db.Column(db.Integer, primary_key=True)
    # SHA-256 of the random session id kept in the signed cookie.
    token_hash = db.Column(db.String(64), nullable=False, unique=True)
    user_id = db.Column(db.Integer, db.ForeignKey("user.id"), nullable=False, index=True)
    started_at = db.Column(db.DateTime(timezone=True), nullable=False, default=utcnow)
    last_seen_at = db.Column(db.DateTime(timezone=True), nullable=False, default=utcnow)
    ended_at = db.Column(db.DateTime(timezone=True))
    ip_address = db.Column(db.String(64))
    user_agent = db.Column(db.String(255))

    user = db.relationship("User")


class ApiToken(db.Model):
    """A bearer token for the JSON API; only its SHA-256 is stored."""

    id = db.Column(db.Integer, primary_key=True)
    user_id = db.Column(db.Integer, db.ForeignKey("user.id"), nullable=False, index=True)
    name = db.Column(db.String(100), nullable=False)
    token_hash = db.Column(db.String(64), nullable=False, unique=True)
    # The token's first characters, shown so a person can tell tokens apart.
    prefix = db.Column(db.String(12), nullable=False)
    created_at = db.Column(db.DateTime(timezone=True), nullable=False, default=utcnow)
    last_used_at = db.Column(db.DateTime(timezone=True))
    revoked_at = db.Column(db.DateTime(timezone=True))

    user = db.relationship("User")


class RecoveryCode(db.Model):
    """A one-time code that stands in for the second factor; only its keyed hash is stored."""

    id = db.Column(db.Integer, primary_key=True)
    user_id = db.Column(db.Integer, db.ForeignKey("user.id"), nullable=False, index=True)
    code_hash = db.Column(db.String(64), nullable=False)
    created_at = db.Column(db.DateTime(timezone=True), nullable=False, default=utcnow)
    used_at = db.Column(db.DateTime(timezone=True))
