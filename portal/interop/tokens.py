"""The axis's bearer tokens: `flask axis token` makes one, `axis_token_required` checks it.

Only a token's SHA-256 is kept (and its first characters, to tell tokens apart); the token
itself is printed once. A user's API token is not an axis token: the edXML route takes only
these.
"""

import hashlib
import hmac
import secrets
from datetime import timedelta
from functools import wraps

from flask import g, request
from sqlalchemy import select, update

from portal.api.auth import api_error
from portal.audit import services as audit
from portal.clock import aware_utc, utcnow
from portal.extensions import db
from portal.interop.models import AxisToken

TOKEN_PREFIX = "axis_"  # noqa: S105  (a label before the secret, not a secret)
# last_used_at is written at most this often, so a busy axis does not write on every POST.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def issue_axis_token(*, revoke_all: bool = False) -> tuple[AxisToken, str]:
    """A new axis token (and, with revoke_all, every earlier one revoked); caller commits."""
    if revoke_all:
        revoke_axis_tokens()
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = AxisToken(token_hash=_digest(secret), prefix=secret[:12])
    db.session.add(token)
    db.session.flush()
    audit.record("axis.token_created", obj=token, details={"prefix": token.prefix})
    return token, secret


def revoke_axis_tokens() -> int:
    """Revoke every live axis token; how many were."""
    now = utcnow()
    revoked = db.session.scalars(
        update(AxisToken).where(AxisToken.revoked_at.is_(None)).values(revoked_at=now)
        .returning(AxisToken.prefix)).all()
    if revoked:
        audit.record("axis.tokens_revoked", details={"prefixes": sorted(revoked)})
    return len(revoked)


def axis_token_for(secret: str) -> AxisToken | None:
    """The live axis token this secret is, or None. Hashes are compared in constant time."""
    digest = _digest(secret)
    for token in db.session.scalars(select(AxisToken).where(AxisToken.revoked_at.is_(None))):
        if hmac.compare_digest(token.token_hash, digest):
            return token
    return None


def _mark_used(token: AxisToken) -> None:
    now = utcnow()
    if token.last_used_at is None or now - aware_utc(token.last_used_at) > LAST_USED_RESOLUTION:
        token.last_used_at = now
        db.session.commit()  # before the action: a refused message still used the token


def axis_token_required(view):
    """Let in only a request bearing a live axis token (401 otherwise, the API's shape)."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        scheme, _, secret = request.headers.get("Authorization", "").partition(" ")
        token = axis_token_for(secret.strip()) if scheme.lower() == "bearer" and secret \
            else None
        if token is None:
            return api_error(401, "a valid axis token is required")
        _mark_used(token)
        g.axis_token = token
        return view(*args, **kwargs)

    return wrapped
