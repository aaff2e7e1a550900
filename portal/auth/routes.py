"""Sign-in (password, then the second factor), sign-out, and the person's own account."""

import json
import time

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from portal import policy
from portal.auth import second_factor, services
from portal.auth.forms import (
    AccountEnrolForm,
    CodeForm,
    ConfirmPasswordForm,
    EnrolForm,
    LoginForm,
    PasswordForm,
    TokenForm,
)
from portal.auth.models import ApiToken, User
from portal.auth.throttle import credential_refused, remember_device, throttled
from portal.extensions import db, login_manager
from portal.net import client_address, safe_next_url
from portal.rules import PortalError
from portal.signing.images import image_of
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


def _fresh_session() -> None:
    """Empty the session, keeping only the chosen language."""
    language = session.get("lang")
    session.clear()
    if language:
        session["lang"] = language


def _typed_email() -> str:
    return services.normalise_email(request.form.get("email", ""))[:254] or "-"


def _pending_email() -> str:
    pending = session.get(PENDING_KEY)
    return pending.get("email", "-") if isinstance(pending, dict) else "-"


def _own_email() -> str:
    return current_user.email


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


def _signed_in(user: User, target: str):
    """Complete a sign-in: a new server-side session; this browser becomes a known device."""
    _fresh_session()  # a new session at sign-in: no fixation
    session.permanent = True
    with action():
        session[SESSION_KEY] = services.start_session(
            user, request.headers.get("User-Agent"), client_address())
    login_user(user)
    response = redirect(target)
    remember_device(response, user.email)
    return response


def _not_stored(response):
    """Pages showing a secret are kept out of the browser's cache."""
    response.headers["Cache-Control"] = "no-store"
    return response


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
    if not form.validate():
        return render_template("auth/login.html", form=form), 400
    with action():
        user = services.authenticate(form.email.data, form.password.data)
    if user is None:
        credential_refused()
        flash(_("Wrong e-mail or password."), "error")
        return render_template("auth/login.html", form=form), 401
    if user.has_second_factor or second_factor.required_for(user):
        _fresh_session()
        session[PENDING_KEY] = {"user": user.id, "email": user.email, "since": time.time(),
                                "next": next_url}
        step = ".login_code" if user.has_second_factor else ".login_enrol"
        return redirect(url_for(step))
    return _signed_in(user, next_url or url_for("home.index"))


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
    if not form.validate():
        return render_template("auth/code.html", form=form), 400
    with action():
        kind = second_factor.verify(user, form.one_time_code.data)
        left = second_factor.recovery_codes_left(user)
    if kind is None:
        credential_refused()
        form.one_time_code.errors.append(_("That code is not right, or it was used already. "
                                           "Wait for the app's next code and try again."))
        return render_template("auth/code.html", form=form), 401
    response = _signed_in(user, next_url or url_for("home.index"))
    if kind == "recovery":
        flash(_("You used a recovery code; %(left)s remain. Set up two-step sign-in again on "
                "your account page to get new ones.", left=left), "info")
    return response


def _enrolment_secret(user: User) -> str:
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


def _enrolment_page(form, user: User, secret: str, status: int = 200):
    uri = second_factor.provisioning_uri(user, secret)
    page = render_template("auth/enrol.html", form=form, qr_code=second_factor.qr_code(uri),
                           secret=second_factor.grouped(secret),
                           required=second_factor.required_for(user))
    return _not_stored(current_app.make_response((page, status)))


def _hold_new_codes(user: User, codes: list[str], then: str) -> None:
    session[NEW_CODES_KEY] = {"user": user.id, "codes": second_factor.seal(json.dumps(codes)),
                              "then": then}


@bp.route("/login/enrol", methods=["GET", "POST"])
def login_enrol():
    """Set up the second factor during sign-in, where the person's role requires it."""
    user, next_url, elsewhere = _between_the_steps()
    if elsewhere:
        return elsewhere
    if user.has_second_factor:
        return redirect(url_for(".login_code"))
    if not second_factor.required_for(user):  # reset meanwhile, and optional for their role
        return _signed_in(user, next_url or url_for("home.index"))
    form = EnrolForm()
    secret = _enrolment_secret(user)
    if request.method == "GET":
        return _enrolment_page(form, user, secret)
    if form.validate():
        try:
            with action():
                codes = second_factor.enrol(user, secret, form.one_time_code.data)
        except PortalError as error:
            form.one_time_code.errors.append(str(error))
        else:
            response = _signed_in(user, url_for(".recovery_codes"))
            _hold_new_codes(user, codes, next_url or url_for("home.index"))
            return response
    return _enrolment_page(form, user, secret, 400)


@bp.post("/logout")
@login_required
def logout():
    """Sign out and end the session on the server."""
    with action():
        services.end_session(session.get(SESSION_KEY), current_user)
    logout_user()
    _fresh_session()
    flash(_("You have signed out."), "info")
    return redirect(url_for("auth.login"))


def _account_page(status=200, token_form=None, new_token=None, off_form=None):
    return render_template(
        "auth/account.html", tokens=services.tokens_of(current_user),
        form=token_form or TokenForm(formdata=None), new_token=new_token,
        off_form=off_form or ConfirmPasswordForm(formdata=None),
        mfa_required=second_factor.required_for(current_user),
        recovery_codes_left=second_factor.recovery_codes_left(current_user),
        signature_image=image_of(user_id=current_user.id)), status


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
    if not form.validate():
        return render_template("auth/password.html", form=form), 400
    try:
        with action():
            confirmed = services.confirm_password(current_user, form.current_password.data,
                                                  "password_change")
            if confirmed:
                services.change_password(current_user, form.new_password.data,
                                         keep_session=session.get(SESSION_KEY))
    except PortalError as error:
        form.new_password.errors.append(str(error))
        return render_template("auth/password.html", form=form), 400
    if not confirmed:
        credential_refused()
        form.current_password.errors.append(_("That is not your current password."))
        return render_template("auth/password.html", form=form), 401
    flash(_("Your password has been changed. You stay signed in here; your other sessions "
            "have ended."), "info")
    return redirect(url_for(".account"))


@bp.route("/account/two-factor", methods=["GET", "POST"])
@login_required
@throttled(_own_email)
def set_up_second_factor():
    """Set up two-step sign-in (or set it up again for a new phone, with new recovery codes)."""
    form = AccountEnrolForm()
    secret = _enrolment_secret(current_user)
    if request.method == "GET":
        return _enrolment_page(form, current_user, secret)
    if form.validate():
        try:
            with action():
                confirmed = services.confirm_password(current_user, form.password.data,
                                                      "mfa_enrol")
                codes = second_factor.enrol(current_user, secret, form.one_time_code.data) \
                    if confirmed else None
        except PortalError as error:
            form.one_time_code.errors.append(str(error))
        else:
            if codes is not None:
                session.pop(ENROLMENT_KEY, None)
                _hold_new_codes(current_user, codes, url_for(".account"))
                return redirect(url_for(".recovery_codes"))
            credential_refused()
            form.password.errors.append(_("That is not your current password."))
    return _enrolment_page(form, current_user, secret, 400)


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
    return _not_stored(current_app.make_response(page))


@bp.post("/account/two-factor/off")
@login_required
@throttled(_own_email)
def turn_off_second_factor():
    """Turn two-step sign-in off, where the person's role does not require it."""
    form = ConfirmPasswordForm()
    if not form.validate():
        return _account_page(400, off_form=form)
    try:
        with action():
            confirmed = services.confirm_password(current_user, form.password.data, "mfa_off")
            if confirmed:
                second_factor.turn_off(current_user)
    except PortalError as error:
        flash(str(error), "error")
        return _account_page(400, off_form=form)
    if not confirmed:
        credential_refused()
        form.password.errors.append(_("That is not your current password."))
        return _account_page(401, off_form=form)
    flash(_("Two-step sign-in is off."), "info")
    return redirect(url_for(".account"))


@bp.post("/people/<int:user_id>/two-factor/reset")
@login_required
@policy.permission_required(policy.can_reset_second_factor)
def reset_second_factor(user_id):
    """An administrator resets a person's second factor (a lost phone); it is audited."""
    person = db.get_or_404(User, user_id)
    with action():
        second_factor.reset(person, current_user)
    flash(_("Two-step sign-in of %(name)s was reset; they set it up again when they next sign "
            "in.", name=person.full_name), "info")
    return redirect(url_for("organisations.show", organisation_id=person.organisation_id))


@bp.post("/account/tokens")
@login_required
def create_token():
    """Create an API token and show its secret once."""
    form = TokenForm()
    if not form.validate():
        return _account_page(400, token_form=form)
    with action():
        _token, secret = services.issue_token(current_user, form.name.data)
    return _not_stored(current_app.make_response(_account_page(new_token=secret)))


@bp.post("/account/tokens/<int:token_id>/revoke")
@login_required
def revoke_token(token_id):
    """Revoke one of the signed-in person's API tokens."""
    token = policy.visible_or_404(ApiToken, token_id, policy.owns_token)
    with action():
        services.revoke_token(token, current_user)
    if request.htmx:
        return render_template("auth/_token_row.html", token=token)
    flash(_("Token revoked."), "info")
    return redirect(url_for("auth.account"))
