from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from wtforms import SelectChoice

from portal import policy
from portal.clock import local_today
from portal.deliveries import inbox
from portal.deliveries.deadlines import due_soon_until
from portal.documents import services, tracking
from portal.documents.authority import authority_choices
from portal.documents.forms import (
    ActionForm,
    AttachmentForm,
    ComposeForm,
    ReturnForm,
    SigningChainForm,
    TrackingFilterForm,
)
from portal.documents.models import (
    Document,
    DocumentAttachment,
    DocumentState,
)
from portal.extensions import db
from portal.headers import CONTENT_SECURITY_POLICY
from portal.jobs.progress import latest_run
from portal.once import Answer, KeyReusedError, form_fingerprint, once
from portal.organisations.models import Organisation, OrganisationKind
from portal.organisations.services import list_organisations
from portal.rendering.html import render_html
from portal.rendering.values import document_values
from portal.rules import PortalError
from portal.signing import chain
from portal.signing.titles import printed_signer
from portal.signing.verification import verification_after, verified_attachments
from portal.spreadsheets import headings_wanted
from portal.storage.names import display_name
from portal.storage.serving import disposition, send_pdf
from portal.transaction import action

bp = Blueprint("documents", __name__, url_prefix="/documents")
SAME_ORIGIN_FRAMES = CONTENT_SECURITY_POLICY.replace("frame-ancestors 'none'",
                                                     "frame-ancestors 'self'")


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


@bp.get("/")
@login_required
def index():
    """The organisation's outgoing documents (văn bản đi), replies included: drafts and
    issued, newest first."""
    documents = db.session.scalars(
        select(Document).where(Document.issuer_id == current_user.organisation_id)
        .order_by(Document.created_at.desc(), Document.id.desc()).limit(200))
    return render_template("documents/index.html", documents=list(documents))


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
    if not form.validate_on_submit():
        flash(_("Choose a PDF file to attach."), "error")
    else:
        upload = form.file.data
        try:
            with action():
                services.add_attachment(document, actor=current_user, filename=upload.filename,
                                        data=upload.read(), main=form.main.data)
        except PortalError as error:
            flash(str(error), "error")
        else:
            flash(_("Attached %(name)s.", name=upload.filename), "info")
    return redirect(url_for(".edit", document_id=document.id))


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


@bp.get("/<int:document_id>/attachments/<int:attachment_id>")
@login_required
def download_attachment(document_id, attachment_id):
    """Download an attachment (for those who may read the document), under its clean name
    (rows kept before names were cleaned are cleaned here)."""
    document = policy.visible_or_404(Document, document_id, policy.can_read_document)
    attachment = db.session.get(DocumentAttachment, attachment_id)
    if attachment is None or attachment.document_id != document.id:
        abort(404)
    return send_pdf(attachment.file, display_name(attachment.filename))


@bp.get("/<int:document_id>/pdf")
@login_required
def pdf(document_id):
    """The document's PDF of record, once rendered."""
    document = policy.visible_or_404(Document, document_id, policy.can_read_document)
    if document.pdf_file is None:
        abort(404)
    name = (document.notation or f"document-{document.id}").replace("/", "-")
    return send_pdf(document.pdf_file, display_name(name), inline=True)


@bp.get("/<int:document_id>/preview")
@login_required
def preview(document_id):
    """The document as its PDF will lay it out, in the browser (drafts too). A reply not yet
    sent shows the leader looking at it as its signer: approving it signs it. The delivery
    page frames it where the leader approves (same origin only)."""
    document = policy.visible_or_404(Document, document_id, policy.can_read_document)
    signer = None
    if (document.reply_to is not None and document.state != DocumentState.ISSUED
            and policy.can_approve_reply(current_user, document.reply_to)):
        signer = current_user
    response = Response(render_html(document_values(document, signer=signer),
                                    assets=url_for("static", filename="", _external=False)))
    response.headers["Content-Security-Policy"] = SAME_ORIGIN_FRAMES
    response.headers["X-Frame-Options"] = "SAMEORIGIN"
    return response


@bp.post("/<int:document_id>/issue")
@login_required
def issue(document_id):
    """Number and issue a draft or a signed document (the clerk)."""
    document = policy.visible_or_404(Document, document_id, policy.can_track_document)
    was_draft = document.state == DocumentState.DRAFT
    try:
        with action():
            services.issue_document(document, actor=current_user)
    except PortalError as error:
        flash(str(error), "error")
        if was_draft and policy.can_edit_draft(current_user, document):
            return redirect(url_for(".edit", document_id=document.id))
        return redirect(url_for(".show", document_id=document.id))
    flash(_("Document %(notation)s issued to %(n)s recipients.", notation=document.notation,
            n=len(document.recipient_ids)), "info")
    return redirect(url_for(".show", document_id=document.id))


def _chain_form(document) -> SigningChainForm:
    form = SigningChainForm()
    people = [SelectChoice(u.id, f"{u.full_name} — {u.organisation.name}")
              for u in chain.candidates(document)]
    form.unit_initials.choices = [SelectChoice(0, _("(nobody)")), *people]
    form.office_initials.choices = [SelectChoice(0, _("(nobody)")), *people]
    form.signer.choices = [SelectChoice(0, _("Choose…")), *people]
    return form


def _can_submit_for_signing(document) -> bool:
    return (document.state == DocumentState.DRAFT and document.reply_to_id is None
            and policy.can_edit_draft(current_user, document)
            and not any(a.is_main for a in document.attachments))


@bp.post("/<int:document_id>/signing")
@login_required
def submit_for_signing(document_id):
    """Trình ký: send the draft to the people who initial and sign it."""
    document = policy.visible_or_404(Document, document_id, policy.can_track_document)
    form = _chain_form(document)
    if not form.validate_on_submit():
        flash(" ".join(str(e) for errors in form.errors.values() for e in errors), "error")
    else:
        try:
            with action():
                chain.submit_for_signing(document, actor=current_user,
                                         signer_id=form.signer.data,
                                         unit_initials_id=form.unit_initials.data or None,
                                         office_initials_id=form.office_initials.data or None)
        except PortalError as error:
            flash(str(error), "error")
        else:
            flash(_("Submitted for signing: the PDF is being laid out."), "info")
    return redirect(url_for(".show", document_id=document.id, _anchor="signature-chain"))


@bp.post("/<int:document_id>/sign")
@login_required
def sign(document_id):
    """The person whose turn it is initials or signs the document."""
    document = policy.visible_or_404(Document, document_id, policy.can_track_document)
    if not ActionForm().validate_on_submit():
        flash(_("The form expired. Reload the page and try again."), "error")
    else:
        try:
            with action():
                chain.approve(document, actor=current_user)
        except PortalError as error:
            flash(str(error), "error")
        else:
            flash(_("Your digital signature is being applied."), "info")
    return redirect(url_for(".show", document_id=document.id, _anchor="signature-chain"))


@bp.post("/<int:document_id>/return")
@login_required
def return_to_draft(document_id):
    """Send the document back to its author for changes."""
    document = policy.visible_or_404(Document, document_id, policy.can_track_document)
    form = ReturnForm()
    if not form.validate_on_submit():
        flash(_("The form expired. Reload the page and try again."), "error")
    else:
        try:
            with action():
                chain.return_to_draft(document, actor=current_user, note=form.note.data or "")
        except PortalError as error:
            flash(str(error), "error")
        else:
            flash(_("Returned to its author as a draft."), "info")
    return redirect(url_for(".show", document_id=document.id))


@bp.get("/to-sign")
@login_required
@policy.permission_required(policy.can_sign_documents)
def to_sign():
    """Documents waiting for the current person's initials or signature."""
    return render_template("documents/to_sign.html", documents=chain.waiting_for(current_user))


def _tracking_rows(document):
    form = TrackingFilterForm(request.args)
    form.show.choices = [SelectChoice(k, v) for k, v in tracking.SHOW_CHOICES.items()]
    show = form.show.data if form.validate() and form.show.data else "all"
    today = local_today()
    return form, show, tracking.recipients_of(document, show, today, due_soon_until(today))


@bp.get("/<int:document_id>")
@login_required
def show(document_id):
    """A document and every recipient's progress (the sender's tracking page)."""
    document = policy.visible_or_404(Document, document_id, policy.can_track_document)
    form, show, rows = _tracking_rows(document)
    template = "documents/_recipients.html" if request.htmx else "documents/show.html"
    replies = tracking.reply_links(rows, current_user)
    if request.htmx:
        return render_template(template, document=document, form=form, show=show, rows=rows,
                               summary=tracking.summary(rows), replies=replies)
    steps = chain.steps_of(document)
    jobs = latest_run(document)
    return render_template(
        template, document=document, form=form, show=show, rows=rows, replies=replies,
        summary=tracking.summary(rows), jobs=jobs, verification=verification_after(jobs),
        attachments=verified_attachments(document), signer=printed_signer(document),
        action_form=ActionForm(), steps=steps,
        recallable=len(services.recallable_deliveries(document)),
        current_step=next((s for s in steps if not s.signed), None),
        chain_form=_chain_form(document) if _can_submit_for_signing(document) else None,
        can_return=chain.can_return(current_user, document), return_form=ReturnForm())


@bp.get("/<int:document_id>/recipients.csv")
@login_required
def recipients_csv(document_id):
    """The tracking table as CSV (?lang=vi: Vietnamese column headings)."""
    document = policy.visible_or_404(Document, document_id, policy.can_track_document)
    _form, show, rows = _tracking_rows(document)
    name = (document.notation or f"draft-{document.id}").replace("/", "_")
    data = tracking.recipients_csv(document, rows, headings_wanted(request.args))
    return Response(data, mimetype="text/csv",
                    headers={"Content-Disposition": disposition(f"{name}-{show}.csv")})


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
    if not ActionForm().validate_on_submit() or request.form.get("confirmed") != "yes":
        return redirect(url_for(".recall_confirmation", document_id=document.id))
    try:
        with action():
            count = services.recall_document(document, actor=current_user)
    except PortalError as error:
        flash(str(error), "error")
    else:
        flash(_("Recall requested from %(n)s recipients.", n=count), "info")
    return redirect(url_for(".show", document_id=document.id))


@bp.get("/open-for/<int:organisation_id>")
@login_required
def open_for(organisation_id):
    """A department's open deliveries from the ministry, with their deadlines."""
    organisation = policy.visible_or_404(Organisation, organisation_id,
                                         policy.can_track_organisation)
    ministry_ids = [o.id for o in list_organisations() if o.kind in policy.MINISTRY_SIDE]
    today = local_today()
    soon_until = due_soon_until(today)
    rows = inbox.open_deliveries_from(organisation.id, ministry_ids, today, soon_until)
    return render_template("documents/open_for.html", organisation=organisation, rows=rows)
