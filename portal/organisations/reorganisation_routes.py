"""The administrators' page for a reorganisation file: upload it, read the dry run, confirm.

The confirmation carries the previewed file back (base64), sealed with the server's key over
the file's SHA-256 and the plan it gave: a confirmation whose file was changed, or whose plan
the organisations no longer give (someone applied part of it since), is refused, 400.
"""

import base64
import binascii
import hashlib
import hmac

from flask import current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from portal import policy
from portal.organisations import reorganisation
from portal.organisations.forms import (
    MAX_REORGANISATION_BYTES,
    ReorganisationConfirmForm,
    ReorganisationFileForm,
)
from portal.organisations.routes import bp
from portal.rules import PortalError
from portal.web import attempt


class PreviewChanged(PortalError):
    """The confirmation is not of the previewed file and plan."""


@bp.route("/reorganise", methods=["GET", "POST"])
@login_required
@policy.permission_required(policy.can_manage_organisations)
def reorganise():
    """Upload a reorganisation file and see what it would change (nothing changes here)."""
    form = ReorganisationFileForm()
    if not form.validate_on_submit():
        return _page(form=form, status=400 if form.is_submitted() else 200)
    try:
        text = reorganisation.decode(form.file.data.read(MAX_REORGANISATION_BYTES + 1))
        plan = reorganisation.plan_reorganisation(reorganisation.read_events(text))
    except reorganisation.ReorganisationError as error:
        return _page(form=form, refusal=error, status=400)
    digest = hashlib.sha256(text.encode()).hexdigest()
    confirm = ReorganisationConfirmForm(formdata=None, sha256=digest, seal=_seal(digest, plan),
                                        text=base64.b64encode(text.encode()).decode())
    return _page(form=form, plan=plan, confirm=confirm, sha256=digest)


@bp.post("/reorganise/confirm")
@login_required
@policy.permission_required(policy.can_manage_organisations)
def reorganise_confirm():
    """Apply the previewed file, exactly as previewed."""
    form = ReorganisationConfirmForm()
    outcome = attempt(form, lambda: _apply(form))
    if outcome.done:
        flash(_("The reorganisation was applied: %(n)s events.", n=len(outcome.result.to_do)),
              "info")
        return redirect(url_for(".index"))
    return _page(form=ReorganisationFileForm(formdata=None), refusal=outcome.error, status=400)


def _apply(form):
    try:
        text = base64.b64decode(form.text.data, validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError) as error:
        raise PreviewChanged(_("The confirmation does not carry the previewed file: upload "
                               "it again.")) from error
    digest = hashlib.sha256(text.encode()).hexdigest()
    events = reorganisation.read_events(text)
    plan = reorganisation.plan_reorganisation(events)
    if not (hmac.compare_digest(digest, form.sha256.data)
            and hmac.compare_digest(_seal(digest, plan), form.seal.data)):
        raise PreviewChanged(_("What you confirm is not what was previewed (the file, or the "
                               "organisations since): upload the file again and look at the "
                               "dry run."))
    return reorganisation.apply_reorganisation(events, actor=current_user)


def _seal(digest: str, plan) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    message = f"reorganise|{current_user.id}|{digest}|{plan.fingerprint()}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def _page(*, form, status=200, plan=None, **shown):
    rows = [(step, reorganisation.outcome(step)) for step in plan.events] if plan else []
    return render_template("organisations/reorganise.html", form=form, plan=plan, rows=rows,
                           **shown), status
