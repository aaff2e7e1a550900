"""Sign-in, sessions, people, passwords and API tokens: the rules, without HTTP.

Services add and flush; the route or command that runs the action commits it once
(`with action():`, portal/transaction.py). The exception: `user_for_session` and
`user_for_token` write `last_seen_at` / `last_used_at` (at most once a minute) and an idle
session's end, and commit those themselves. They run while the request is being
authenticated, before any action has begun, so they never commit half of one.
"""

import hashlib
import secrets
from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.orm import joinedload

from portal import policy
from portal.audit import services as audit
from portal.auth.models import ApiToken, LoginSession, SignsAs, User
from portal.auth.passwords import hash_password, verify_against_nothing, verify_password
from portal.clock import aware_utc, utcnow
from portal.collation import by_name
from portal.documents.text import nfc
from portal.extensions import db
from portal.rules import PortalError

# last_seen_at is written at most this often, so browsing does not write on every request.
LAST_SEEN_RESOLUTION = timedelta(seconds=60)
TOKEN_PREFIX = "ptl_"  # noqa: S105 (a marker, not a secret)
# NIST SP 800-63B asks for at least 8; a passphrase of 12 is easy to remember and far stronger.
MIN_PASSWORD_LENGTH = 12


class UserError(PortalError):
    """A request about people or their credentials that breaks a rule."""


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


def check_new_password(password: str) -> None:
    """Refuse a password too short to keep."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise UserError(_("A password must have at least %(count)s characters.",
                          count=MIN_PASSWORD_LENGTH))


def authenticate(email: str, password: str) -> User | None:
    """Return the active user with these credentials, or None; failures are audited."""
    user = find_user_by_email(email)
    if user is None:
        verify_against_nothing(password)
    elif user.active and verify_password(user.password_hash, password):
        return user
    audit.record(
        "auth.login_failed",
        organisation=user.organisation if user else None,
        details={"email": normalise_email(email)[:254]},
    )
    db.session.flush()
    return None


def confirm_password(user: User, password: str, purpose: str) -> bool:
    """Whether password is the signed-in person's own, asked again before purpose (changing
    the password, the second factor); a wrong one is audited."""
    if verify_password(user.password_hash, password):
        return True
    audit.record("auth.password_check_failed", actor=user, obj=user, details={"for": purpose})
    db.session.flush()
    return False


def change_password(user: User, new_password: str, *, keep_session: str | None) -> None:
    """Give the person a new password (Argon2id) and end every other session of theirs."""
    check_new_password(new_password)
    user.password_hash = hash_password(new_password)
    ended = end_sessions_of(user, keep=keep_session)
    audit.record("auth.password_changed", actor=user, obj=user,
                 details={"sessions_ended": ended})
    db.session.flush()


def start_session(user: User, user_agent: str | None, origin: str | None) -> str:
    """Open a server-side session for user and return its secret id for the cookie."""
    secret = secrets.token_urlsafe(32)
    db.session.add(
        LoginSession(
            token_hash=_digest(secret),
            user=user,
            ip_address=origin,
            user_agent=(user_agent or "")[:255],
        )
    )
    audit.record("auth.login", actor=user)
    db.session.flush()
    return secret


def _login_session(secret: str) -> LoginSession | None:
    # The user and their organisation come in the same query: every page shows both.
    return db.session.scalar(
        select(LoginSession).where(LoginSession.token_hash == _digest(secret))
        .options(joinedload(LoginSession.user).joinedload(User.organisation)))


def user_for_session(secret: str | None) -> User | None:
    """The user of a live session, or None when it ended, idled out or grew too old.

    Commits its own writes: see the module's docstring.
    """
    if not secret:
        return None
    login = _login_session(secret)
    if login is None or login.ended_at is not None or not login.user.active:
        return None
    now = utcnow()
    idle_limit = current_app.config["SESSION_IDLE_TIMEOUT"]
    absolute_limit = current_app.config["PERMANENT_SESSION_LIFETIME"]
    idle = now - aware_utc(login.last_seen_at)
    if idle > idle_limit or now - aware_utc(login.started_at) > absolute_limit:
        login.ended_at = now
        audit.record("auth.session_expired", actor=login.user)
        db.session.commit()
        return None
    if idle > LAST_SEEN_RESOLUTION:
        login.last_seen_at = now
        db.session.commit()
    return login.user


def end_session(secret: str | None, user: User) -> None:
    """End a session server-side (logout): its cookie no longer signs anyone in."""
    if secret:
        login = _login_session(secret)
        if login is not None and login.ended_at is None:
            login.ended_at = utcnow()
    audit.record("auth.logout", actor=user)
    db.session.flush()


def end_sessions_of(user: User, keep: str | None = None) -> int:
    """End every open session of user but the one whose secret is keep; return how many."""
    query = update(LoginSession).where(LoginSession.user_id == user.id,
                                       LoginSession.ended_at.is_(None))
    if keep:
        query = query.where(LoginSession.token_hash != _digest(keep))
    return db.session.execute(query.values(ended_at=utcnow())).rowcount


def create_user(*, email, full_name, organisation, role, password, actor=None, title="",
                signs_as=SignsAs.HEAD) -> User:
    """Create a person in an organisation with one role (and, for a signer, a title)."""
    email = normalise_email(email)
    if role not in policy.Role.__members__.values():
        raise UserError(_("Unknown role %(role)s", role=role))
    if not policy.role_fits_organisation(role, organisation):
        raise UserError(_("Role %(role)s belongs to the ministry, not to %(code)s",
                          role=role, code=organisation.code))
    if find_user_by_email(email) is not None:
        raise UserError(_("%(email)s already exists", email=email))
    check_new_password(password)
    user = User(
        email=email,
        full_name=full_name,
        organisation=organisation,
        role=role,
        password_hash=hash_password(password),
        title=_clean_title(title), signs_as=_checked_signs_as(signs_as),
    )
    db.session.add(user)
    db.session.flush()
    audit.record("user.created", actor=actor, organisation=organisation, obj=user,
                 details={"email": email, "role": role})
    db.session.flush()
    return user


def _clean_title(title: str) -> str:
    return " ".join(nfc(title or "").split())[:100]


def _checked_signs_as(signs_as: str) -> str:
    if signs_as not in SignsAs.__members__.values():
        raise UserError(_("Unknown way of signing."))
    return signs_as


def set_title(person: User, *, title: str, signs_as: str, actor) -> None:
    """A person's title (chức vụ) and how they sign for the head, as printed when they sign."""
    before = {"title": person.title, "signs_as": person.signs_as}
    person.title, person.signs_as = _clean_title(title), _checked_signs_as(signs_as)
    audit.record("user.title_set", actor=actor, organisation=person.organisation, obj=person,
                 details={"from": before,
                          "to": {"title": person.title, "signs_as": person.signs_as}})
    db.session.flush()


def issue_token(user: User, name: str, actor: User | None = None) -> tuple[ApiToken, str]:
    """Create an API token for user; the secret is returned once and stored only hashed."""
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user=user, name=name.strip()[:100] or "API", token_hash=_digest(secret),
                     prefix=secret[:12])
    db.session.add(token)
    db.session.flush()
    audit.record("token.created", actor=actor or user, obj=token, details={"name": token.name})
    db.session.flush()
    return token, secret


def revoke_token(token: ApiToken, actor: User) -> None:
    """Revoke an API token; it stops working at once."""
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        audit.record("token.revoked", actor=actor, obj=token, details={"name": token.name})
        db.session.flush()


def user_for_token(secret: str) -> User | None:
    """The active user owning a live API token, or None.

    Commits its own write: see the module's docstring.
    """
    token = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == _digest(secret)))
    if token is None or token.revoked_at is not None or not token.user.active:
        return None
    now = utcnow()
    if token.last_used_at is None or now - aware_utc(token.last_used_at) > LAST_SEEN_RESOLUTION:
        token.last_used_at = now
        db.session.commit()
    return token.user


def tokens_of(user: User) -> list[ApiToken]:
    return list(
        db.session.scalars(
            select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id.desc())
        )
    )


def people_of(organisation) -> list[User]:
    return list(
        db.session.scalars(
            select(User)
            .where(User.organisation_id == organisation.id)
            .order_by(User.role, by_name(User.full_name), User.id)
        )
    )
