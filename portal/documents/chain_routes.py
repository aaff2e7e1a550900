"""The signature chain (trình ký): submitting a draft for signing, initialling and signing it,
returning it to its author, and what waits for the person's signature."""

from flask import render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from wtforms import SelectChoice

from portal import policy
from portal.documents import bp
from portal.documents.forms import ActionForm, ReturnForm, SigningChainForm
from portal.documents.models import Document, DocumentState
from portal.signing import chain
from portal.web import take_step


def chain_form(document) -> SigningChainForm:
    form = SigningChainForm()
    people = [SelectChoice(u.id, f"{u.full_name} — {u.organisation.name}")
              for u in chain.candidates(document)]
    form.unit_initials.choices = [SelectChoice(0, _("(nobody)")), *people]
    form.office_initials.choices = [SelectChoice(0, _("(nobody)")), *people]
    form.signer.choices = [SelectChoice(0, _("Choose…")), *people]
    return form


def can_submit_for_signing(document) -> bool:
    return (document.state == DocumentState.DRAFT and document.reply_to_id is None
            and policy.can_edit_draft(current_user, document)
            and not any(a.is_main for a in document.attachments))


@bp.post("/<int:document_id>/signing")
@login_required
def submit_for_signing(document_id):
    """Trình ký: send the draft to the people who initial and sign it."""
    document = policy.visible_or_404(Document, document_id, policy.can_track_document)
    form = chain_form(document)
    return take_step(
        form, lambda: chain.submit_for_signing(
            document, actor=current_user, signer_id=form.signer.data,
            unit_initials_id=form.unit_initials.data or None,
            office_initials_id=form.office_initials.data or None),
        _("Submitted for signing: the PDF is being laid out."),
        back=url_for(".show", document_id=document.id, _anchor="signature-chain"))


@bp.post("/<int:document_id>/sign")
@login_required
def sign(document_id):
    """The person whose turn it is initials or signs the document."""
    document = policy.visible_or_404(Document, document_id, policy.can_track_document)
    return take_step(
        ActionForm(), lambda: chain.approve(document, actor=current_user),
        _("Your digital signature is being applied."),
        back=url_for(".show", document_id=document.id, _anchor="signature-chain"),
        invalid=_("The form expired. Reload the page and try again."))


@bp.post("/<int:document_id>/return")
@login_required
def return_to_draft(document_id):
    """Send the document back to its author for changes."""
    document = policy.visible_or_404(Document, document_id, policy.can_track_document)
    form = ReturnForm()
    return take_step(
        form, lambda: chain.return_to_draft(document, actor=current_user,
                                            note=form.note.data or ""),
        _("Returned to its author as a draft."),
        back=url_for(".show", document_id=document.id),
        invalid=_("The form expired. Reload the page and try again."))


@bp.get("/to-sign")
@login_required
@policy.permission_required(policy.can_sign_documents)
def to_sign():
    """Documents waiting for the current person's initials or signature."""
    return render_template("documents/to_sign.html", documents=chain.waiting_for(current_user))
