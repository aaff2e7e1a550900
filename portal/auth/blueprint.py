"""The auth blueprint and what its pages share: the server-side session a sign-in starts, the
second factor being set up (the same secret until it is confirmed), and the new recovery codes
held for the one page that shows them."""

import json

from flask import Blueprint, current_app, redirect, render_template, request, session
from flask_login import login_user

from portal.auth import second_factor, services
from portal.auth.models import User
from portal.auth.throttle import remember_device
from portal.extensions import login_manager
from portal.net import client_address
from portal.transaction import action

bp = Blueprint("auth", __name__)

SESSION_KEY = "sid"
# Between the password and the second factor: who, since when, where to go afterwards.
PENDING_KEY = "sign_in"
# A secret being set up (encrypted), kept until the person confirms it with a code.
ENROLMENT_KEY = "enrolling"
# New recovery codes (encrypted), held for the one page that shows them.
NEW_CODES_KEY = "new_recovery_codes"


@login_manager.user_loader
def load_user(_user_id):
    """Resolve the signed-in user from the server-side session, not from the cookie alone."""
    return services.user_for_session(session.get(SESSION_KEY))


def fresh_session() -> None:
    """Empty the session, keeping only the chosen language."""
    language = session.get("lang")
    session.clear()
    if language:
        session["lang"] = language


def signed_in(user: User, target: str):
    """Complete a sign-in: a new server-side session; this browser becomes a known device."""
    fresh_session()  # a new session at sign-in: no fixation
    session.permanent = True
    with action():
        session[SESSION_KEY] = services.start_session(
            user, request.headers.get("User-Agent"), client_address())
    login_user(user)
    response = redirect(target)
    remember_device(response, user.email)
    return response


def not_stored(response):
    """Pages showing a secret are kept out of the browser's cache."""
    response.headers["Cache-Control"] = "no-store"
    return response


def enrolment_secret(user: User) -> str:
    """The secret this person is setting up: the same one until confirmed, so reloading the
    page after scanning the code does not change it."""
    held = session.get(ENROLMENT_KEY)
    if isinstance(held, dict) and held.get("user") == user.id:
        secret = second_factor.unseal(held.get("secret", ""))
        if secret:
            return secret
    secret = second_factor.new_secret()
    session[ENROLMENT_KEY] = {"user": user.id, "secret": second_factor.seal(secret)}
    return secret


def enrolment_page(form, user: User, secret: str, status: int = 200):
    uri = second_factor.provisioning_uri(user, secret)
    page = render_template("auth/enrol.html", form=form, qr_code=second_factor.qr_code(uri),
                           secret=second_factor.grouped(secret),
                           required=second_factor.required_for(user))
    return not_stored(current_app.make_response((page, status)))


def hold_new_codes(user: User, codes: list[str], then: str) -> None:
    session[NEW_CODES_KEY] = {"user": user.id, "codes": second_factor.seal(json.dumps(codes)),
                              "then": then}
