"""Issuing a document and recalling it from the recipients who have not started on it."""

from flask import redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from portal import policy
from portal.documents import bp, services
from portal.documents.forms import ActionForm
from portal.documents.models import Document, DocumentState
from portal.web import take_step


@bp.post("/<int:document_id>/issue")
@login_required
def issue(document_id):
    """Number and issue a draft or a signed document (the clerk)."""
    document = policy.visible_or_404(Document, document_id, policy.can_track_document)
    was_draft = document.state == DocumentState.DRAFT

    def back(outcome):  # a draft refused goes back to where it is changed
        if not outcome.done and was_draft and policy.can_edit_draft(current_user, document):
            return url_for(".edit", document_id=document.id)
        return url_for(".show", document_id=document.id)

    return take_step(
        ActionForm(), lambda: services.issue_document(document, actor=current_user),
        lambda issued: _("Document %(notation)s issued to %(n)s recipients.",
                         notation=issued.notation, n=len(issued.recipient_ids)),
        back=back)


@bp.get("/<int:document_id>/recall")
@login_required
def recall_confirmation(document_id):
    """Before a recall: to whom it goes (the recipients who have not started on it)."""
    document = policy.visible_or_404(Document, document_id, policy.can_track_document)
    return render_template("documents/recall.html", document=document, form=ActionForm(),
                           deliveries=services.recallable_deliveries(document))


@bp.post("/<int:document_id>/recall")
@login_required
def recall(document_id):
    """Ask the recipients who have not started on it to give the document back; only the
    confirmation page's form recalls (any other POST is sent to that page)."""
    document = policy.visible_or_404(Document, document_id, policy.can_track_document)
    form = ActionForm()
    if not form.validate_on_submit() or request.form.get("confirmed") != "yes":
        return redirect(url_for(".recall_confirmation", document_id=document.id))
    return take_step(form, lambda: services.recall_document(document, actor=current_user),
                     lambda count: _("Recall requested from %(n)s recipients.", n=count),
                     back=url_for(".show", document_id=document.id))
