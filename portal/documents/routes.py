"""The documents blueprint's pages for reading: the outgoing list, a document with every
recipient's progress (and as CSV), its PDF, attachments and preview, and a department's open
deliveries. Drafting, issuing and the signature chain have their pages in drafting_routes.py,
issuing_routes.py and chain_routes.py, registered on the same blueprint."""

from flask import Response, abort, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from wtforms import SelectChoice

import portal.documents.drafting_routes  # noqa: F401  (its routes, on the same blueprint)
import portal.documents.issuing_routes  # noqa: F401
from portal import policy
from portal.clock import local_today
from portal.deliveries import inbox
from portal.deliveries.deadlines import due_soon_until
from portal.documents import bp, services, tracking
from portal.documents.chain_routes import can_submit_for_signing, chain_form
from portal.documents.forms import ActionForm, ReturnForm, TrackingFilterForm
from portal.documents.models import Document, DocumentAttachment, DocumentState
from portal.extensions import db
from portal.headers import CONTENT_SECURITY_POLICY
from portal.jobs.progress import latest_run
from portal.organisations.models import Organisation
from portal.organisations.services import list_organisations
from portal.rendering.html import render_html
from portal.rendering.values import document_values
from portal.signing import chain
from portal.signing.titles import printed_signer
from portal.signing.verification import verification_after, verified_attachments
from portal.spreadsheets import headings_wanted
from portal.storage.names import display_name, kept_name
from portal.storage.serving import disposition, send_download, send_pdf

SAME_ORIGIN_FRAMES = CONTENT_SECURITY_POLICY.replace("frame-ancestors 'none'",
                                                     "frame-ancestors 'self'")


@bp.get("/")
@login_required
def index():
    """The organisation's outgoing documents (văn bản đi), replies included: drafts and
    issued, newest first."""
    documents = db.session.scalars(
        select(Document).where(Document.issuer_id == current_user.organisation_id)
        .options(selectinload(Document.reply_to))  # a reply draft links to its delivery
        .order_by(Document.created_at.desc(), Document.id.desc()).limit(200))
    return render_template("documents/index.html", documents=list(documents))


@bp.get("/<int:document_id>/attachments/<int:attachment_id>")
@login_required
def download_attachment(document_id, attachment_id):
    """Download an attachment (for those who may read the document), under its clean name
    (rows kept before names were cleaned are cleaned here)."""
    document = policy.visible_or_404(Document, document_id, policy.can_read_document)
    attachment = db.session.get(DocumentAttachment, attachment_id)
    if attachment is None or attachment.document_id != document.id:
        abort(404)
    if attachment.file.content_type != "application/pdf":  # kept, never opened (the axis)
        return send_download(attachment.file, kept_name(attachment.filename))
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
                               summary=tracking.summary(rows), replies=replies,
                               axis=tracking.axis_states(document, current_user))
    steps = chain.steps_of(document)
    jobs = latest_run(document)
    return render_template(
        template, document=document, form=form, show=show, rows=rows, replies=replies,
        axis=tracking.axis_states(document, current_user), summary=tracking.summary(rows),
        jobs=jobs, verification=verification_after(jobs),
        attachments=verified_attachments(document), signer=printed_signer(document),
        action_form=ActionForm(), steps=steps,
        recallable=len(services.recallable_deliveries(document)),
        current_step=next((s for s in steps if not s.signed), None),
        chain_form=chain_form(document) if can_submit_for_signing(document) else None,
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

