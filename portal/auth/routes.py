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
from portal.auth import services
from portal.auth.forms import LoginForm, TokenForm
from portal.auth.models import ApiToken
from portal.extensions import limiter, login_manager
from portal.net import client_address, safe_next_url

bp = Blueprint("auth", __name__)

SESSION_KEY = "sid"


@login_manager.user_loader
def load_user(_user_id):
    """Resolve the signed-in user from the server-side session, not from the cookie alone."""
    return services.user_for_session(session.get(SESSION_KEY))


def _login_attempts() -> str:
    return f"{current_app.config['LOGIN_ATTEMPTS_PER_MINUTE']} per minute"


def _attempted_account() -> str:
    email = request.form.get("email", "")
    return "account:" + services.normalise_email(email)[:254]


def _failed(response) -> bool:
    return response.status_code == 401


def _fresh_session() -> None:
    """Empty the session, keeping only the chosen language."""
    language = session.get("lang")
    session.clear()
    if language:
        session["lang"] = language


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_attempts, methods=["POST"], deduct_when=_failed, scope="login-ip")
@limiter.limit(_login_attempts, methods=["POST"], key_func=_attempted_account,
               deduct_when=_failed, scope="login-account")
def login():
    """Sign in with e-mail and password."""
    next_url = safe_next_url(request.args.get("next"))
    if current_user.is_authenticated:
        return redirect(next_url or url_for("home.index"))
    form = LoginForm()
    if request.method == "GET":
        return render_template("auth/login.html", form=form)
    if not form.validate():
        return render_template("auth/login.html", form=form), 400
    user = services.authenticate(form.email.data, form.password.data)
    if user is None:
        flash(_("Wrong e-mail or password."), "error")
        return render_template("auth/login.html", form=form), 401
    _fresh_session()  # a new session at sign-in: no fixation
    session.permanent = True
    session[SESSION_KEY] = services.start_session(
        user, request.headers.get("User-Agent"), client_address()
    )
    login_user(user)
    return redirect(next_url or url_for("home.index"))


@bp.post("/logout")
@login_required
def logout():
    """Sign out and end the session on the server."""
    services.end_session(session.get(SESSION_KEY), current_user)
    logout_user()
    _fresh_session()
    flash(_("You have signed out."), "info")
    return redirect(url_for("auth.login"))


@bp.get("/account")
@login_required
def account():
    """The signed-in person's account and API tokens."""
    return render_template("auth/account.html", tokens=services.tokens_of(current_user),
                           form=TokenForm(), new_token=None)


@bp.post("/account/tokens")
@login_required
def create_token():
    """Create an API token and show its secret once."""
    form = TokenForm()
    if not form.validate():
        return render_template("auth/account.html", tokens=services.tokens_of(current_user),
                               form=form, new_token=None), 400
    _token, secret = services.issue_token(current_user, form.name.data)
    return render_template("auth/account.html", tokens=services.tokens_of(current_user),
                           form=TokenForm(formdata=None), new_token=secret)


@bp.post("/account/tokens/<int:token_id>/revoke")
@login_required
def revoke_token(token_id):
    """Revoke one of the signed-in person's API tokens."""
    token = policy.visible_or_404(ApiToken, token_id, policy.owns_token)
    services.revoke_token(token, current_user)
    if request.htmx:
        return render_template("auth/_token_row.html", token=token)
    flash(_("Token revoked."), "info")
    return redirect(url_for("auth.account"))
