"""Uploading the images stamps draw: an organisation's seal (its administrators' page) and a
person's signature (their account page, or an administrator on the organisation's page)."""

from flask import url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from portal import policy
from portal.auth.models import User
from portal.extensions import db
from portal.organisations.models import Organisation
from portal.signing import images
from portal.signing.forms import PersonImageForm, StampImageForm
from portal.signing.routes import bp
from portal.web import take_step


def _keep_image(form, keep, done, back: str):
    """Keep the uploaded image with `keep(data)`, then back to the page it was given on."""
    return take_step(form, lambda: keep(form.file.data.read(images.MAX_IMAGE_BYTES + 1)), done,
                     back=back, invalid=_("Choose a PNG file to upload."))


@bp.post("/organisations/<int:organisation_id>/seal-image")
@login_required
@policy.permission_required(policy.can_manage_organisations)
def upload_seal_image(organisation_id):
    """Give the organisation its seal image (red, transparent PNG)."""
    organisation = db.get_or_404(Organisation, organisation_id)
    return _keep_image(
        StampImageForm(),
        lambda data: images.set_seal_image(organisation, actor=current_user, data=data),
        _("Seal image kept; it is drawn in the seal of documents issued from now on."),
        back=url_for("organisations.show", organisation_id=organisation.id))


@bp.post("/organisations/<int:organisation_id>/signature-image")
@login_required
@policy.permission_required(policy.can_manage_organisations)
def upload_person_image(organisation_id):
    """An administrator gives one of the organisation's people a signature image."""
    organisation = db.get_or_404(Organisation, organisation_id)
    form = PersonImageForm()
    form.user_id.choices = [(p.id, p.full_name) for p in db.session.scalars(
        db.select(User).where(User.organisation_id == organisation.id))]

    def keep(data):
        person = db.session.get(User, form.user_id.data)
        images.set_signature_image(person, actor=current_user, data=data)
        return person
    return _keep_image(
        form, keep, lambda person: _("Signature image kept for %(name)s.", name=person.full_name),
        back=url_for("organisations.show", organisation_id=organisation.id))


@bp.post("/account/signature-image")
@login_required
def upload_own_image():
    """Give one's own signature image, drawn in one's signature stamp."""
    return _keep_image(
        StampImageForm(),
        lambda data: images.set_signature_image(current_user, actor=current_user, data=data),
        _("Signature image kept; it is drawn in your signatures from now on."),
        back=url_for("auth.account"))
