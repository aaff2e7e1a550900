"""Drafting a document: composing and changing a draft, its attachments (the documents
blueprint's drafting pages)."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from wtforms import SelectChoice

from portal import policy
from portal.documents import bp, services
from portal.documents.authority import authority_choices
from portal.documents.forms import AttachmentForm, ComposeForm
from portal.documents.models import Document, DocumentAttachment, DocumentState
from portal.extensions import db
from portal.once import Answer, KeyReusedError, form_fingerprint, once
from portal.organisations.models import Organisation, OrganisationKind
from portal.organisations.services import list_organisations
from portal.rules import PortalError
from portal.signing.verification import verified_attachments
from portal.transaction import action
from portal.web import take_step


def _recipient_choices(form: ComposeForm) -> dict[str, list[Organisation]]:
    organisations = [o for o in list_organisations(include_merged=False)
                     if o.id != current_user.organisation_id]
    form.recipients.choices = [SelectChoice(o.id, o.name) for o in organisations]
    return {
        "ministry": [o for o in organisations if o.kind in policy.MINISTRY_SIDE],
        "departments": [o for o in organisations if o.kind == OrganisationKind.DEPARTMENT],
    }


def _fields(form: ComposeForm, groups) -> services.DraftFields:
    recipient_ids = set(form.recipients.data or [])
    if form.all_departments.data:
        recipient_ids |= {o.id for o in groups["departments"]}
    kind = form.deadline_kind.data
    return services.DraftFields(
        doc_type=form.doc_type.data, subject=form.subject.data, body=form.body.data or "",
        urgency=form.urgency.data, confidentiality=form.confidentiality.data,
        authority_id=form.authority_id.data,
        recipient_ids=tuple(sorted(recipient_ids)),
        due_working_days=form.due_working_days.data if kind == "working_days" else None,
        due_on=form.due_on.data if kind == "date" else None,
    )


def _compose(document: Document | None):
    form = ComposeForm(obj=document if request.method == "GET" else None)
    groups = _recipient_choices(form)
    form.authority_id.choices = [SelectChoice(o.id, o.name)
                                 for o in authority_choices(current_user.organisation)]
    if request.method == "GET" and document is not None:
        form.recipients.data = document.recipient_ids
        form.all_departments.data = bool(groups["departments"]) and {
            o.id for o in groups["departments"]} <= set(document.recipient_ids)
        form.deadline_kind.data = ("working_days" if document.due_working_days
                                   else "date" if document.due_on else "none")
    chosen = request.form.get("action")
    if chosen == "attach" and request.method == "POST" and not form.attachment.data:
        form.form_errors.append(_("Choose a PDF file to attach."))
    elif form.validate_on_submit():
        issue = chosen == "issue"

        def save_and_maybe_issue() -> Answer:
            saved = services.save_draft(_fields(form, groups), actor=current_user,
                                        document=document)
            if chosen == "attach":  # one action: the draft as typed, and its PDF
                upload = form.attachment.data
                services.add_attachment(saved, actor=current_user, filename=upload.filename,
                                        data=upload.read(), main=form.attachment_is_main.data)
                return Answer(302, url_for(".edit", document_id=saved.id),
                              _("Attached %(name)s.", name=upload.filename))
            if not issue:
                return Answer(302, url_for(".edit", document_id=saved.id), _("Draft saved."))
            services.issue_document(saved, actor=current_user)
            return Answer(302, url_for(".show", document_id=saved.id), _(
                "Document %(notation)s issued to %(n)s recipients.", notation=saved.notation,
                n=len(saved.recipient_ids)))

        try:
            # Sent twice (a double click, the back button): acts once, answers as the first.
            answer = once(current_user, "documents.compose", form.once.data,
                          save_and_maybe_issue, request_fingerprint=form_fingerprint())
        except KeyReusedError as reused:  # sent before with other values (back, changed)
            flash(_("This form had been sent before with other values; this sending changed "
                    "nothing. Here is what the first one did: make your changes here."),
                  "error")
            return redirect(reused.first.location)
        except PortalError as error:
            form.form_errors.append(str(error))
        else:
            flash(_("This form had already been sent; here is what it did.")
                  if answer.repeated else answer.body, "info")
            return redirect(answer.location)
    status = 400 if request.method == "POST" else 200
    return render_template("documents/compose.html", form=form, groups=groups, document=document,
                           attachments=verified_attachments(document),
                           can_issue=current_user.role == policy.Role.CLERK), status


@bp.route("/new", methods=["GET", "POST"])
@login_required
@policy.permission_required(policy.can_compose)
def create():
    """Draft a new document (a clerk may issue it at once)."""
    return _compose(None)


def _draft_or_404(document_id) -> Document:
    document = policy.visible_or_404(Document, document_id, policy.can_track_document)
    if document.state != DocumentState.DRAFT or not policy.can_edit_draft(current_user, document):
        flash(_("This document can no longer be changed."), "error")
        abort(redirect(url_for(".show", document_id=document.id)))
    return document


@bp.route("/<int:document_id>/edit", methods=["GET", "POST"])
@login_required
def edit(document_id):
    """Change a draft, attach PDFs, issue it."""
    return _compose(_draft_or_404(document_id))


@bp.post("/<int:document_id>/attachments")
@login_required
def add_attachment(document_id):
    """Attach a PDF to a draft."""
    document = _draft_or_404(document_id)
    form = AttachmentForm()
    return take_step(
        form, lambda: services.add_attachment(document, actor=current_user,
                                              filename=form.file.data.filename,
                                              data=form.file.data.read(), main=form.main.data),
        lambda _attachment: _("Attached %(name)s.", name=form.file.data.filename),
        back=url_for(".edit", document_id=document.id), invalid=_("Choose a PDF file to attach."))


@bp.post("/<int:document_id>/attachments/<int:attachment_id>/delete")
@login_required
def remove_attachment(document_id, attachment_id):
    """Remove an attachment from a draft."""
    document = _draft_or_404(document_id)
    attachment = db.session.get(DocumentAttachment, attachment_id)
    if attachment is None or attachment.document_id != document.id:
        abort(404)
    with action():
        services.remove_attachment(attachment, actor=current_user)
    return redirect(url_for(".edit", document_id=document.id))
