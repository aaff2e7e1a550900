"""A request sent twice acts once: a form's one-time key, the API's `Idempotency-Key`.

The key is recorded in the same transaction as the action it guards, so either both are kept
or neither is. A second request with the same key (a double click, two tabs, a client that
sends again after a timeout) does not act again: it gets the first request's answer. When the
two arrive at the same moment the database's unique key makes one of them wait for the
other and fail, and that one then answers what the first did. An action that was refused
keeps no key, so the corrected form can be sent again.
"""

import hashlib
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from flask import request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from wtforms import HiddenField
from wtforms.validators import ValidationError

from portal.clock import utcnow
from portal.extensions import db
from portal.rules import PortalError
from portal.transaction import action

KEY_PATTERN = re.compile(r"[A-Za-z0-9_\-]{8,100}")
KEPT_FOR = timedelta(days=7)


class Submission(db.Model):
    """A key used by a person for one kind of action, and the answer that action gave."""

    id = db.Column(db.Integer, primary_key=True)
    user_id = db.Column(db.Integer, db.ForeignKey("user.id"), nullable=False)
    scope = db.Column(db.String(100), nullable=False)  # what the key is for, e.g. "compose"
    key = db.Column(db.String(100), nullable=False)
    fingerprint = db.Column(db.String(64))  # the API request's digest: one key, one request
    status = db.Column(db.Integer)
    location = db.Column(db.String(500))
    body = db.Column(db.Text)
    created_at = db.Column(db.DateTime(timezone=True), nullable=False, default=utcnow,
                           index=True)

    __table_args__ = (db.UniqueConstraint("user_id", "scope", "key",
                                          name="uq_submission_user_scope_key"),)


class MalformedKeyError(PortalError):
    """A key that is not one (400)."""


class KeyReusedError(PortalError):
    """The same key sent with a different request (422); `first` is the first one's answer."""

    def __init__(self, message: str, first: "Answer"):
        super().__init__(message)
        self.first = first


@dataclass(frozen=True)
class Answer:
    status: int
    location: str | None = None
    body: str | None = None
    repeated: bool = False  # the first request's answer, given again


def new_key() -> str:
    return secrets.token_urlsafe(18)


def fingerprint(*parts: bytes | str) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part.encode() if isinstance(part, str) else part)
        digest.update(b"\0")
    return digest.hexdigest()


def form_fingerprint() -> str:
    """The submitted form's values (not its CSRF token or key): one key, one form as sent."""
    values = sorted((name, value) for name, value in request.form.items(multi=True)
                    if name not in ("csrf_token", "once"))
    return fingerprint(*(f"{name}={value}" for name, value in values))


def check_key(key: str) -> str:
    if not isinstance(key, str) or not KEY_PATTERN.fullmatch(key):
        raise MalformedKeyError(_("An idempotency key is 8 to 100 letters, digits, '-' or "
                                  "'_'."))
    return key


def once(user, scope: str, key: str, perform: Callable[[], Answer], *,
         request_fingerprint: str | None = None) -> Answer:
    """Run perform in one action, unless this person used this key for this scope already:
    then answer as the first time, without acting."""
    check_key(key)
    first = _first(user, scope, key, request_fingerprint)
    if first is not None:
        return first
    try:
        with action():
            _forget_old(user)
            submission = Submission(user_id=user.id, scope=scope, key=key,
                                    fingerprint=request_fingerprint)
            db.session.add(submission)
            db.session.flush()  # two at once: the second waits here, then fails
            answer = perform()
            submission.status, submission.location, submission.body = (
                answer.status, answer.location, answer.body)
    except IntegrityError:
        first = _first(user, scope, key, request_fingerprint)
        if first is None:
            raise  # another table's constraint: not a second sending
        return first
    return answer


def _first(user, scope, key, request_fingerprint) -> Answer | None:
    found = db.session.scalar(select(Submission).where(
        Submission.user_id == user.id, Submission.scope == scope, Submission.key == key))
    if found is None:
        return None
    first = Answer(found.status, found.location, found.body, repeated=True)
    if found.fingerprint != request_fingerprint:
        raise KeyReusedError(_("This idempotency key was used for another request."), first)
    return first


def _forget_old(user) -> None:
    """This person's keys older than KEPT_FOR (theirs only: no lock on other people's)."""
    db.session.execute(delete(Submission).where(Submission.user_id == user.id,
                                                Submission.created_at < utcnow() - KEPT_FOR))


class OnceField(HiddenField):
    """A form's one-time key: new on a fresh form, kept when the form comes back with errors."""

    def __init__(self, label=None, validators=None, **kwargs):
        super().__init__(label, validators, default=new_key, **kwargs)

    def pre_validate(self, form):
        if not KEY_PATTERN.fullmatch(self.data or ""):
            raise ValidationError(_l("The form expired. Reload the page and try again."))
