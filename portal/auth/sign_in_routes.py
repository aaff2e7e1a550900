"""Signing in (the password, then the second factor: its code, or setting it up where the
person's role requires it) and signing out."""

import time

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, logout_user

from portal.auth import second_factor, services
from portal.auth.blueprint import (
    PENDING_KEY,
    SESSION_KEY,
    bp,
    enrolment_page,
    enrolment_secret,
    fresh_session,
    hold_new_codes,
    signed_in,
)
from portal.auth.forms import CodeForm, EnrolForm, LoginForm
from portal.auth.models import User
from portal.auth.throttle import credential_refused, throttled
from portal.extensions import db
from portal.net import safe_next_url
from portal.transaction import action
from portal.web import attempt


def _typed_email() -> str:
    return services.normalise_email(request.form.get("email", ""))[:254] or "-"


def _pending_email() -> str:
    pending = session.get(PENDING_KEY)
    return pending.get("email", "-") if isinstance(pending, dict) else "-"


def _pending() -> tuple[User, str | None] | None:
    """The person who gave the right password a moment ago, and where they were going."""
    pending = session.get(PENDING_KEY)
    if not isinstance(pending, dict):
        return None
    if time.time() - pending.get("since", 0) > current_app.config["SIGN_IN_STEP_MINUTES"] * 60:
        session.pop(PENDING_KEY)
        return None
    user = db.session.get(User, pending.get("user"))
    if user is None or not user.active:
        return None
    return user, pending.get("next")


def _sign_in_again():
    flash(_("Please sign in again."), "info")
    return redirect(url_for(".login"))


@bp.route("/login", methods=["GET", "POST"])
@throttled(_typed_email)
def login():
    """Sign in with e-mail and password (then the second factor, where there is one)."""
    next_url = safe_next_url(request.args.get("next"))
    if current_user.is_authenticated:
        return redirect(next_url or url_for("home.index"))
    form = LoginForm()
    if request.method == "GET":
        return render_template("auth/login.html", form=form)
    outcome = attempt(form, lambda: services.authenticate(form.email.data, form.password.data))
    if not outcome.done:
        return render_template("auth/login.html", form=form), 400
    user = outcome.result
    if user is None:
        credential_refused()
        flash(_("Wrong e-mail or password."), "error")
        return render_template("auth/login.html", form=form), 401
    if user.has_second_factor or second_factor.required_for(user):
        fresh_session()
        session[PENDING_KEY] = {"user": user.id, "email": user.email, "since": time.time(),
                                "next": next_url}
        step = ".login_code" if user.has_second_factor else ".login_enrol"
        return redirect(url_for(step))
    return signed_in(user, next_url or url_for("home.index"))


def _between_the_steps():
    """(person, next page, None) for someone past the password, or (None, None, where to send
    them): home when signed in already, back to the password when nothing is pending."""
    if current_user.is_authenticated:
        return None, None, redirect(url_for("home.index"))
    pending = _pending()
    if pending is None:
        return None, None, _sign_in_again()
    return *pending, None


@bp.route("/login/code", methods=["GET", "POST"])
@throttled(_pending_email)
def login_code():
    """The second step: the code the authenticator app shows, or a recovery code."""
    user, next_url, elsewhere = _between_the_steps()
    if elsewhere:
        return elsewhere
    if not user.has_second_factor:
        return redirect(url_for(".login_enrol"))
    form = CodeForm()
    if request.method == "GET":
        return render_template("auth/code.html", form=form)

    def verify():
        kind = second_factor.verify(user, form.one_time_code.data)
        return kind, second_factor.recovery_codes_left(user)
    outcome = attempt(form, verify)
    if not outcome.done:
        return render_template("auth/code.html", form=form), 400
    kind, left = outcome.result
    if kind is None:
        credential_refused()
        form.one_time_code.errors.append(_("That code is not right, or it was used already. "
                                           "Wait for the app's next code and try again."))
        return render_template("auth/code.html", form=form), 401
    response = signed_in(user, next_url or url_for("home.index"))
    if kind == "recovery":
        flash(_("You used a recovery code; %(left)s remain. Set up two-step sign-in again on "
                "your account page to get new ones.", left=left), "info")
    return response


@bp.route("/login/enrol", methods=["GET", "POST"])
def login_enrol():
    """Set up the second factor during sign-in, where the person's role requires it."""
    user, next_url, elsewhere = _between_the_steps()
    if elsewhere:
        return elsewhere
    if user.has_second_factor:
        return redirect(url_for(".login_code"))
    if not second_factor.required_for(user):  # reset meanwhile, and optional for their role
        return signed_in(user, next_url or url_for("home.index"))
    form = EnrolForm()
    secret = enrolment_secret(user)
    if request.method == "GET":
        return enrolment_page(form, user, secret)
    outcome = attempt(form, lambda: second_factor.enrol(user, secret, form.one_time_code.data))
    if outcome.done:
        response = signed_in(user, url_for(".recovery_codes"))
        hold_new_codes(user, outcome.result, next_url or url_for("home.index"))
        return response
    outcome.show_refusal_under(form.one_time_code)
    return enrolment_page(form, user, secret, 400)


@bp.post("/logout")
@login_required
def logout():
    """Sign out and end the session on the server."""
    with action():
        services.end_session(session.get(SESSION_KEY), current_user)
    logout_user()
    fresh_session()
    flash(_("You have signed out."), "info")
    return redirect(url_for("auth.login"))
