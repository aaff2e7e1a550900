from flask import Blueprint, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from wtforms import SelectChoice

from portal import policy
from portal.auth.models import User
from portal.collation import by_name
from portal.documents.forms import ActionForm
from portal.extensions import db
from portal.organisations.models import Organisation
from portal.organisations.services import list_organisations
from portal.signing import keys
from portal.signing.forms import ImportKeyForm, TokenKeyForm, TrustRootForm
from portal.signing.models import SigningIdentity, TrustedRoot
from portal.web import step_on_page, take_step

bp = Blueprint("signing", __name__, url_prefix="/signing")
MAX_KEY_FILE = 64 * 1024  # a PKCS#12 or certificate is a few kilobytes


def _page(import_form=None, root_form=None, token_form=None):
    identities = db.session.scalars(
        select(SigningIdentity)
        .outerjoin(Organisation, SigningIdentity.organisation_id == Organisation.id)
        .outerjoin(User, SigningIdentity.user_id == User.id)
        .order_by(by_name(Organisation.name).nulls_last(),
                  by_name(User.full_name).nulls_last(), SigningIdentity.id.desc())).all()
    roots = db.session.scalars(select(TrustedRoot).order_by(TrustedRoot.name)).all()
    return render_template("signing/index.html", identities=identities, roots=roots,
                           import_form=import_form or _with_organisations(ImportKeyForm()),
                           token_form=token_form or _with_organisations(TokenKeyForm()),
                           root_form=root_form or TrustRootForm(),
                           action_form=ActionForm())


def _read(upload) -> bytes:
    data = upload.read(MAX_KEY_FILE + 1)
    if len(data) > MAX_KEY_FILE:
        raise keys.SigningKeyError(_("A key or certificate file is a few kilobytes; this one "
                                     "is too large."))
    return data


def _with_organisations(form):
    form.organisation_id.choices = [SelectChoice(o.id, o.name)
                                    for o in list_organisations(include_merged=False)]
    return form


@bp.get("/")
@login_required
@policy.permission_required(policy.can_manage_keys)
def index():
    """Signing keys (development and imported) and the roots trusted for verification."""
    return _page()


def _step_on_index(form, perform, done, *, refused_at, **forms):
    """A form of the keys' page: kept, back to the page; otherwise the page with the form's
    errors (400)."""
    return step_on_page(form, perform, done, back=url_for(".index"),
                        page=lambda: _page(**forms), refused_at=refused_at)


def _key_of_organisation(form, add, done, *, refused_at, **forms):
    """A key for the organisation the form names: `add(organisation)`, then `done(its name)`."""
    def perform():
        organisation = db.get_or_404(Organisation, form.organisation_id.data)
        add(organisation)
        return organisation
    return _step_on_index(form, perform, lambda organisation: done(organisation.name),
                          refused_at=refused_at, **forms)


@bp.post("/keys")
@login_required
@policy.permission_required(policy.can_manage_keys)
def import_key():
    """Import an organisation's PKCS#12; its password is used once and kept nowhere."""
    form = _with_organisations(ImportKeyForm())
    return _key_of_organisation(
        form, lambda organisation: keys.import_pkcs12(
            _read(form.file.data), form.password.data or "", organisation, actor=current_user),
        lambda name: _("Key imported for %(name)s.", name=name),
        refused_at=form.file, import_form=form)


@bp.post("/token-keys")
@login_required
@policy.permission_required(policy.can_manage_keys)
def register_token_key():
    """Seal an organisation's documents with a key that stays on a PKCS#11 token."""
    form = _with_organisations(TokenKeyForm())
    return _key_of_organisation(
        form, lambda organisation: keys.register_token_key(
            form.token_label.data.strip(), form.key_label.data.strip(), organisation,
            actor=current_user),
        lambda name: _("Token key registered for %(name)s.", name=name),
        refused_at=form.key_label, token_form=form)


@bp.post("/roots")
@login_required
@policy.permission_required(policy.can_manage_keys)
def trust_root():
    """Trust a root certificate when verifying signatures."""
    form = TrustRootForm()
    return _step_on_index(form, lambda: keys.add_trusted_root(_read(form.file.data),
                                                              actor=current_user),
                          _("Root certificate trusted."), refused_at=form.file, root_form=form)


@bp.post("/roots/<int:root_id>/delete")
@login_required
@policy.permission_required(policy.can_manage_keys)
def remove_root(root_id):
    """Stop trusting a root certificate."""
    root = db.get_or_404(TrustedRoot, root_id)
    return take_step(ActionForm(), lambda: keys.remove_trusted_root(root, actor=current_user),
                     _("Root certificate no longer trusted."), back=url_for(".index"))
