"""The second step of sign-in: a time-based code (TOTP, RFC 6238) or a one-time recovery code.

The TOTP secret is stored encrypted (Fernet, with a key derived from SECRET_KEY, as the signing
keys are), so the database alone does not give it away; recovery codes are stored as keyed
hashes. Each accepted code's time-step is remembered and only a later step is accepted next,
so a code seen over someone's shoulder cannot be used again.

Services here add and flush; the route or command around them commits (portal.transaction).
"""

import base64
import hashlib
import hmac
import re
import secrets
import time

import pyotp
import segno
from cryptography.fernet import Fernet, InvalidToken
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import delete, func, or_, select, update

from portal.audit import services as audit
from portal.auth import services
from portal.auth.models import RecoveryCode, User
from portal.clock import utcnow
from portal.extensions import db
from portal.rules import PortalError

ISSUER = "BTNMT"  # the name authenticator apps show beside the account
RECOVERY_CODE_COUNT = 10
# Letters and digits no one confuses when copying from paper (no 0/o, 1/l/i).
RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
TOTP_CODE = re.compile(r"\d{6}")
# A code is accepted one time-step (30 s) either side of now: phones' clocks drift.
CLOCK_DRIFT_STEPS = 1


class SecondFactorError(PortalError):
    """A second-factor step the rules refuse (a wrong code at set-up, turning it off where the
    role requires it)."""


def _derived_key(label: bytes) -> bytes:
    return hmac.new(current_app.config["SECRET_KEY"].encode(), label, hashlib.sha256).digest()


def _fernet() -> Fernet:
    return Fernet(base64.urlsafe_b64encode(_derived_key(b"portal totp secret")))


def seal(text: str) -> str:
    """Encrypt a TOTP secret (or anything as secret) for storage."""
    return _fernet().encrypt(text.encode()).decode()


def unseal(token: str) -> str | None:
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken:
        return None


def required_for(user: User) -> bool:
    """Whether the person's role must sign in with a second factor (MFA_REQUIRED_ROLES)."""
    return user.role in current_app.config["MFA_REQUIRED_ROLES"]


def new_secret() -> str:
    return pyotp.random_base32()


def grouped(secret: str) -> str:
    """The secret in groups of four, for typing into an app by hand."""
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))


def provisioning_uri(user: User, secret: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=ISSUER)


def qr_code(uri: str) -> str:
    """The otpauth URI as a QR code, an SVG data URI (the CSP allows data: images)."""
    return segno.make(uri, error="m").svg_data_uri(scale=5, border=2)


def _matching_step(secret: str, code: str) -> int | None:
    totp = pyotp.TOTP(secret)
    now = totp.timecode(time.time())
    for step in range(now - CLOCK_DRIFT_STEPS, now + CLOCK_DRIFT_STEPS + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def _claim_step(user: User, step: int) -> bool:
    """Record step as used, unless it or a later one was: one conditional UPDATE, so two
    requests racing with the same code cannot both pass."""
    claimed = db.session.execute(
        update(User).where(User.id == user.id,
                           or_(User.totp_last_step.is_(None), User.totp_last_step < step))
        .values(totp_last_step=step))
    return claimed.rowcount == 1


def _recovery_hash(code: str) -> str:
    return hmac.new(_derived_key(b"portal recovery code"), code.encode(),
                    hashlib.sha256).hexdigest()


def _normalise_recovery_code(code: str) -> str:
    return re.sub(r"[\s-]", "", code).lower()


def _new_recovery_codes(user: User) -> list[str]:
    """Replace the person's recovery codes with fresh ones; return them (shown once)."""
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = []
    for _n in range(RECOVERY_CODE_COUNT):
        raw = "".join(secrets.choice(RECOVERY_ALPHABET) for _c in range(10))
        db.session.add(RecoveryCode(user_id=user.id, code_hash=_recovery_hash(raw)))
        codes.append(f"{raw[:5]}-{raw[5:]}")
    return codes


def enrol(user: User, secret: str, code: str) -> list[str]:
    """Turn on the second factor with secret, once the person shows a code from their app;
    return their new recovery codes. Setting up again replaces the old secret and codes."""
    step = _matching_step(secret, code.strip())
    if step is None:
        raise SecondFactorError(_("That code does not match. Check that the phone's time is "
                                  "set automatically, and type the code the app shows now."))
    user.totp_secret = seal(secret)
    user.totp_enabled_at = utcnow()
    user.totp_last_step = step
    codes = _new_recovery_codes(user)
    audit.record("auth.mfa_enrolled", actor=user, obj=user)
    db.session.flush()
    return codes


def _spend_recovery_code(user: User, code: str) -> bool:
    spent = db.session.execute(
        update(RecoveryCode).where(RecoveryCode.user_id == user.id,
                                   RecoveryCode.code_hash == _recovery_hash(code),
                                   RecoveryCode.used_at.is_(None))
        .values(used_at=utcnow()))
    return spent.rowcount == 1


def recovery_codes_left(user: User) -> int:
    return db.session.scalar(select(func.count()).select_from(RecoveryCode).where(
        RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None)))


def verify(user: User, code: str) -> str | None:
    """Check code against the person's app ("app") or their unused recovery codes
    ("recovery": that code is spent); None when it is neither. Every outcome is audited."""
    code = code.strip()
    secret = unseal(user.totp_secret) if user.totp_secret else None
    if secret is None:
        reason = "no second factor"
    elif TOTP_CODE.fullmatch(code):
        step = _matching_step(secret, code)
        if step is not None and _claim_step(user, step):
            return "app"
        reason = "wrong code" if step is None else "code used before"
    elif _spend_recovery_code(user, _normalise_recovery_code(code)):
        audit.record("auth.recovery_code_used", actor=user, obj=user,
                     details={"left": recovery_codes_left(user)})
        db.session.flush()
        return "recovery"
    else:
        reason = "wrong recovery code"
    audit.record("auth.mfa_failed", actor=user, obj=user, details={"reason": reason})
    db.session.flush()
    return None


def _clear(user: User) -> None:
    user.totp_secret = None
    user.totp_enabled_at = None
    user.totp_last_step = None
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))


def turn_off(user: User) -> None:
    """The person turns their own second factor off, where their role does not require it."""
    if required_for(user):
        raise SecondFactorError(_("Your role requires two-step sign-in; it cannot be turned off."))
    _clear(user)
    audit.record("auth.mfa_disabled", actor=user, obj=user)
    db.session.flush()


def reset(user: User, actor: User | None) -> None:
    """An administrator clears a person's second factor (a lost phone): their sessions end, and
    they set it up again at their next sign-in (if their role requires it)."""
    _clear(user)
    services.end_sessions_of(user)
    audit.record("auth.mfa_reset", actor=actor, organisation=user.organisation, obj=user,
                 details={"email": user.email})
    db.session.flush()
