"""Sign-in throttling that an attacker cannot turn against the people it protects.

Only wrong credentials count (a wrong password, a wrong or replayed code). Four limits, each a
setting, apply to every step that checks one (password, second factor, the current password on
the account page):

- per account and address (LOGIN_PAIR_LIMIT, 5 a minute): stops one client guessing one
  account; it never touches the account's owner elsewhere, nor colleagues on that address;
- per address (LOGIN_ADDRESS_LIMIT, 50 in 10 minutes): stops one client trying password after
  password across many accounts, yet is generous enough for an office behind one NAT address;
- per account (LOGIN_ACCOUNT_LIMIT, 20 an hour): stops guessing spread over many addresses;
- per known device (LOGIN_DEVICE_LIMIT, 5 a minute and 20 an hour: a computer shared in an
  office is a known device of everyone who used it, and must not become a place to guess
  a colleague's password at leisure).

A known device is a browser that completed a sign-in to the account before: it holds a signed
cookie naming the account (OWASP's "device cookie"). Its attempts skip the first three limits
and meet only the fourth, which is its own. So an attacker hammering an account from anywhere
locks out only clients the account has never used; its owner, on their usual computer, still
signs in with the right password.
"""

import hashlib
import hmac
import math
import secrets
import time
from collections.abc import Callable
from functools import partial

from flask import current_app, g, request
from itsdangerous import BadSignature, URLSafeTimedSerializer

from portal.extensions import limiter
from portal.net import client_address

DEVICE_COOKIE = "portal_device"
ACCOUNTS_PER_DEVICE = 20  # a shared office computer remembers this many accounts


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="portal known device")


def _account_tag(account: str) -> str:
    """The account as the cookie names it: a keyed hash, so the cookie does not list e-mails."""
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, b"known device:" + account.encode(), hashlib.sha256).hexdigest()[:16]


def _device_cookie() -> dict | None:
    raw = request.cookies.get(DEVICE_COOKIE)
    if not raw:
        return None
    try:
        data = _serializer().loads(raw, max_age=current_app.config["KNOWN_DEVICE_DAYS"] * 86400)
    except BadSignature:
        return None
    if (not isinstance(data, dict) or not isinstance(data.get("d"), str)
            or not isinstance(data.get("a"), list)):
        return None
    return data


def known_device(account: str) -> str | None:
    """The id of this browser if it signed in to account before, else None."""
    data = _device_cookie()
    if data is None or _account_tag(account) not in data["a"]:
        return None
    return data["d"]


def remember_device(response, account: str) -> None:
    """After a complete sign-in, mark this browser as a known device of account."""
    data = _device_cookie() or {"d": secrets.token_urlsafe(16), "a": []}
    tag = _account_tag(account)
    accounts = [tag] + [other for other in data["a"] if other != tag][:ACCOUNTS_PER_DEVICE - 1]
    days = current_app.config["KNOWN_DEVICE_DAYS"]
    response.set_cookie(DEVICE_COOKIE, _serializer().dumps({"d": data["d"], "a": accounts}),
                        max_age=days * 86400, httponly=True, samesite="Lax",
                        secure=current_app.config["SESSION_COOKIE_SECURE"])


def credential_refused() -> None:
    """Mark this request as a wrong credential: the limits count it."""
    g.credential_refused = True


def _counts(_response) -> bool:
    return g.get("credential_refused", False)


def _setting(name: str) -> str:
    return current_app.config[name]


def throttled(account: Callable[[], str]):
    """Throttle the POSTs of a view that checks a credential of the account `account()` names
    (a normalised e-mail)."""

    def on_known_device() -> bool:
        return known_device(account()) is not None

    limits = [
        ("LOGIN_PAIR_LIMIT", lambda: f"{account()}|{client_address()}", on_known_device),
        ("LOGIN_ADDRESS_LIMIT", client_address, on_known_device),
        ("LOGIN_ACCOUNT_LIMIT", account, on_known_device),
        ("LOGIN_DEVICE_LIMIT", lambda: f"{account()}|{known_device(account())}",
         lambda: not on_known_device()),
    ]

    def decorate(view):
        for setting, key, exempt in limits:
            view = limiter.limit(partial(_setting, setting), key_func=key, exempt_when=exempt,
                                 deduct_when=_counts, methods=["POST"],
                                 scope=f"{view.__name__}:{setting.lower()}")(view)
        return view

    return decorate


def retry_after() -> int:
    """Seconds until every limit this request broke allows another try (at least 1)."""
    now = time.time()
    try:
        moments = [limit.reset_at for limit in limiter.current_limits if limit.breached]
    except Exception:  # noqa: BLE001 (the limiter's storage went away: a minute is a fair guess)
        moments = []
    return max(1, math.ceil(max(moments, default=now + 60) - now))
