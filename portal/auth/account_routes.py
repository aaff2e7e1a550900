"""The signed-in person's own account: the page, the password, two-step sign-in (setting it
up, the new recovery codes, turning it off) and API tokens."""

import json

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from portal import policy
from portal.auth import second_factor, services
from portal.auth.blueprint import (
    ENROLMENT_KEY,
    NEW_CODES_KEY,
    SESSION_KEY,
    bp,
    enrolment_page,
    enrolment_secret,
    hold_new_codes,
    not_stored,
)
from portal.auth.forms import AccountEnrolForm, ConfirmPasswordForm, PasswordForm, TokenForm
from portal.auth.models import ApiToken
from portal.auth.throttle import credential_refused, throttled
from portal.net import safe_next_url
from portal.signing.images import image_of
from portal.web import attempt, take_step


def _own_email() -> str:
    return current_user.email


def _account_page(status=200, token_form=None, new_token=None, off_form=None):
    return render_template(
        "auth/account.html", tokens=services.tokens_of(current_user),
        form=token_form or TokenForm(formdata=None), new_token=new_token,
        off_form=off_form or ConfirmPasswordForm(formdata=None),
        mfa_required=second_factor.required_for(current_user),
        recovery_codes_left=second_factor.recovery_codes_left(current_user),
        signature_image=image_of(user_id=current_user.id)), status


def _with_password(password: str, purpose: str, then):
    """Confirm the person's password, then (only when it is theirs) do `then()`: (confirmed,
    what `then` returned)."""
    confirmed = services.confirm_password(current_user, password, purpose)
    return confirmed, then() if confirmed else None


def _wrong_password(field, page):
    """The page again, saying under the field that the password given is not theirs."""
    credential_refused()
    field.errors.append(_("That is not your current password."))
    return page()


@bp.get("/account")
@login_required
def account():
    """The signed-in person's account: password, two-step sign-in and API tokens."""
    return _account_page()


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
@throttled(_own_email)
def change_password():
    """Change one's password; every other session of the person ends."""
    form = PasswordForm()
    if request.method == "GET":
        return render_template("auth/password.html", form=form)
    outcome = attempt(form, lambda: _with_password(
        form.current_password.data, "password_change",
        lambda: services.change_password(current_user, form.new_password.data,
                                         keep_session=session.get(SESSION_KEY))))
    if not outcome.done:
        outcome.show_refusal_under(form.new_password)
        return render_template("auth/password.html", form=form), 400
    confirmed, _changed = outcome.result
    if not confirmed:
        return _wrong_password(form.current_password,
                               lambda: (render_template("auth/password.html", form=form), 401))
    flash(_("Your password has been changed. You stay signed in here; your other sessions "
            "have ended."), "info")
    return redirect(url_for(".account"))


@bp.route("/account/two-factor", methods=["GET", "POST"])
@login_required
@throttled(_own_email)
def set_up_second_factor():
    """Set up two-step sign-in (or set it up again for a new phone, with new recovery codes)."""
    form = AccountEnrolForm()
    secret = enrolment_secret(current_user)
    if request.method == "GET":
        return enrolment_page(form, current_user, secret)
    outcome = attempt(form, lambda: _with_password(
        form.password.data, "mfa_enrol",
        lambda: second_factor.enrol(current_user, secret, form.one_time_code.data)))
    if not outcome.done:
        outcome.show_refusal_under(form.one_time_code)
        return enrolment_page(form, current_user, secret, 400)
    confirmed, codes = outcome.result
    if not confirmed:
        return _wrong_password(form.password,
                               lambda: enrolment_page(form, current_user, secret, 400))
    session.pop(ENROLMENT_KEY, None)
    hold_new_codes(current_user, codes, url_for(".account"))
    return redirect(url_for(".recovery_codes"))


@bp.get("/account/recovery-codes")
@login_required
def recovery_codes():
    """The new recovery codes, shown this once."""
    held = session.pop(NEW_CODES_KEY, None)
    codes = None
    if isinstance(held, dict) and held.get("user") == current_user.id:
        sealed = second_factor.unseal(held.get("codes", ""))
        codes = json.loads(sealed) if sealed else None
    if not codes:
        return redirect(url_for(".account"))
    page = render_template("auth/recovery_codes.html", codes=codes,
                           then=safe_next_url(held.get("then")) or url_for("home.index"))
    return not_stored(current_app.make_response(page))


@bp.post("/account/two-factor/off")
@login_required
@throttled(_own_email)
def turn_off_second_factor():
    """Turn two-step sign-in off, where the person's role does not require it."""
    form = ConfirmPasswordForm()
    outcome = attempt(form, lambda: _with_password(
        form.password.data, "mfa_off", lambda: second_factor.turn_off(current_user)))
    if not outcome.done:
        if outcome.refusal is not None:
            flash(outcome.error, "error")
        return _account_page(400, off_form=form)
    confirmed, _off = outcome.result
    if not confirmed:
        return _wrong_password(form.password, lambda: _account_page(401, off_form=form))
    flash(_("Two-step sign-in is off."), "info")
    return redirect(url_for(".account"))


@bp.post("/account/tokens")
@login_required
def create_token():
    """Create an API token and show its secret once."""
    form = TokenForm()
    outcome = attempt(form, lambda: services.issue_token(current_user, form.name.data))
    if not outcome.done:
        return _account_page(400, token_form=form)
    _token, secret = outcome.result
    return not_stored(current_app.make_response(_account_page(new_token=secret)))


@bp.post("/account/tokens/<int:token_id>/revoke")
@login_required
def revoke_token(token_id):
    """Revoke one of the signed-in person's API tokens."""
    token = policy.visible_or_404(ApiToken, token_id, policy.owns_token)
    return take_step(
        None, lambda: services.revoke_token(token, current_user), _("Token revoked."),
        back=url_for("auth.account"),
        fragment=(lambda _outcome: render_template("auth/_token_row.html", token=token))
        if request.htmx else None)
