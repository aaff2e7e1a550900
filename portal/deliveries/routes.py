from dataclasses import replace

from flask import Blueprint, flash, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import select
from wtforms import SelectChoice

from portal import policy
from portal.auth.models import User
from portal.clock import local_today, utcnow
from portal.collation import by_name
from portal.deliveries import deadlines, inbox, replies, services, steps
from portal.deliveries.forms import (
    AssignForm,
    CloseForm,
    InboxFilterForm,
    RefuseForm,
    ReplyForm,
    ReturnForm,
)
from portal.deliveries.models import EVENT_LABELS, Channel, Delivery, Status
from portal.documents.forms import ActionForm, AttachmentForm
from portal.errors import refusal
from portal.extensions import db
from portal.interop.inbound import axis_facts
from portal.interop.models import SIGNATURE_VERDICT_LABELS
from portal.organisations.services import list_organisations
from portal.signing.titles import printed_signer
from portal.signing.verification import verification_of, verified_attachments
from portal.web import take_step

bp = Blueprint("deliveries", __name__, url_prefix="/inbox")

TAB_LABELS = {"new": _l("New"), "in_progress": _l("In progress"), "due_soon": _l("Due soon"),
              "overdue": _l("Overdue"), "done": _l("Done"), "all": _l("All")}


def _inbox_query(form: InboxFilterForm) -> inbox.InboxQuery:
    return inbox.InboxQuery(
        tab=form.tab.data or "new", sender_id=form.sender.data or None,
        doc_type=form.doc_type.data or None, urgency=form.urgency.data or None,
        date_from=form.date_from.data, date_to=form.date_to.data, q=form.q.data or "",
        sort=form.sort.data or "newest", after=form.after.data or None)


@bp.get("/")
@login_required
def index():
    """The organisation's inbox: tabs with counts, filters, search, pages."""
    organisation_id = current_user.organisation_id
    form = InboxFilterForm(request.args)
    form.sender.choices = [SelectChoice(0, _("All senders"))] + [
        SelectChoice(o.id, o.name) for o in list_organisations(include_merged=False)
        if o.id != organisation_id]
    valid = form.validate()
    if not valid and request.htmx:
        return refusal(400, form.error_text())
    query = _inbox_query(form) if valid else inbox.InboxQuery()  # the errors shown by the form
    today = local_today()
    soon_until = deadlines.due_soon_until(today)
    try:
        rows, next_cursor = inbox.inbox_rows(organisation_id, query, today, soon_until)
    except inbox.CursorError:
        query = replace(query, after=None)  # a cursor not made here: start from the top
        rows, next_cursor = inbox.inbox_rows(organisation_id, query, today, soon_until)
    counts = inbox.tab_counts(organisation_id, query, today, soon_until)
    # The filters carried to the next page: the form's own (a name such as `_scheme` or
    # `endpoint` would be read by url_for itself).
    args = {name: value for name, value in request.args.items()
            if name in form and name != "after" and value}
    template = "deliveries/_inbox.html" if request.htmx else "deliveries/index.html"
    return render_template(
        template, form=form, query=query, rows=rows, counts=counts, tab_labels=TAB_LABELS,
        args=args,
        next_url=url_for(".index", **args, after=next_cursor) if next_cursor else None), (
            200 if valid else 400)


def _delivery(delivery_id) -> Delivery:
    return policy.visible_or_404(Delivery, delivery_id, policy.can_view_delivery)


def _assign_form(delivery) -> AssignForm:
    """The assign form, offering the recipient's specialists and leaders (or the whole
    department)."""
    people = db.session.scalars(select(User).where(
        User.organisation_id == delivery.recipient_id, User.active.is_(True),
        User.role.in_(("specialist", "leader"))).order_by(by_name(User.full_name), User.id))
    form = AssignForm()
    form.assignee.choices = [
        SelectChoice(0, _("The whole department (a specialist claims it)")),
        *(SelectChoice(p.id, f"{p.full_name} ({policy.ROLE_LABELS[p.role]})") for p in people)]
    return form


@bp.get("/<int:delivery_id>")
@login_required
def show(delivery_id):
    """A received document: its content, its history, and the next steps."""
    delivery = _delivery(delivery_id)
    today = local_today()
    assign_form = _assign_form(delivery)
    reply = replies.reply_of(delivery)
    return render_template(
        "deliveries/show.html", delivery=delivery, document=delivery.document, reply=reply,
        steps=steps.allowed_steps(current_user, delivery),
        explanation=deadlines.explanation(delivery, str(get_locale())),
        state=deadlines.deadline_state(delivery, today, deadlines.due_soon_until(today)),
        assign_form=assign_form, refuse_form=RefuseForm(), close_form=CloseForm(),
        reply_form=ReplyForm(body=reply.body if reply else ""), return_form=ReturnForm(),
        action_form=ActionForm(), attachment_form=AttachmentForm(), Status=Status,
        event_labels=EVENT_LABELS,
        verification=verification_of(delivery.document), signer=printed_signer(delivery.document),
        attachments=verified_attachments(delivery.document),
        reply_attachments=verified_attachments(reply),
        axis=axis_facts(delivery.document, delivery.recipient_id)
        if delivery.channel == Channel.AXIS else None,
        axis_signature_labels=SIGNATURE_VERDICT_LABELS)


def _step(delivery_id, form_class, perform, done):
    """A step on the delivery from its page, then back to it (portal.web.take_step)."""
    delivery = _delivery(delivery_id)
    form = form_class()
    return take_step(form, lambda: perform(delivery, form), done,
                     back=url_for(".show", delivery_id=delivery_id))


@bp.post("/<int:delivery_id>/acknowledge")
@login_required
def acknowledge(delivery_id):
    """Acknowledge receipt (tiếp nhận)."""
    return _step(delivery_id, ActionForm,
                 lambda d, f: services.acknowledge_delivery(d, actor=current_user),
                 _("Document acknowledged."))


@bp.post("/<int:delivery_id>/refuse")
@login_required
def refuse(delivery_id):
    """Refuse the document, with a reason."""
    return _step(delivery_id, RefuseForm,
                 lambda d, f: services.refuse_delivery(d, actor=current_user,
                                                       reason=f.reason.data),
                 _("Document refused; the sender sees your reason."))


@bp.post("/<int:delivery_id>/assign")
@login_required
def assign(delivery_id):
    """Assign to a specialist, or to the whole department."""
    delivery = _delivery(delivery_id)
    form = _assign_form(delivery)

    def perform():
        assignee = db.session.get(User, form.assignee.data) if form.assignee.data else None
        services.assign_delivery(delivery, actor=current_user, assignee=assignee)

    return take_step(form, perform, _("Document assigned."),
                     back=url_for(".show", delivery_id=delivery_id))


@bp.post("/<int:delivery_id>/claim")
@login_required
def claim(delivery_id):
    """Take a document assigned to the whole department."""
    return _step(delivery_id, ActionForm,
                 lambda d, f: services.claim_delivery(d, actor=current_user),
                 _("The document is yours to answer."))


@bp.post("/<int:delivery_id>/close")
@login_required
def close(delivery_id):
    """Close a document that needs no reply."""
    return _step(delivery_id, CloseForm,
                 lambda d, f: services.close_delivery(d, actor=current_user, note=f.note.data),
                 _("Document closed."))


@bp.post("/<int:delivery_id>/recall/<any(agree, refuse):answer>")
@login_required
def answer_recall(delivery_id, answer):
    """Answer the sender's request to take the document back."""
    return _step(delivery_id, ActionForm,
                 lambda d, f: services.answer_recall(d, actor=current_user,
                                                     agree=answer == "agree"),
                 _("Your answer was sent to the sender."))


@bp.post("/<int:delivery_id>/reply")
@login_required
def save_reply(delivery_id):
    """Save the reply draft; htmx calls this as the person types."""
    delivery = _delivery(delivery_id)
    form = ReplyForm()

    def status(outcome):  # "saved" only for exactly the text this request kept
        return render_template("deliveries/_reply_status.html", error=outcome.error,
                               saved_at=utcnow() if outcome.done else None)

    return take_step(
        form, lambda: replies.save_reply(delivery, actor=current_user, body=form.body.data or ""),
        _("Reply saved."), back=url_for(".show", delivery_id=delivery_id),
        fragment=status if request.htmx or request.form.get("autosave") else None)


@bp.post("/<int:delivery_id>/reply/attachments")
@login_required
def add_reply_attachment(delivery_id):
    """Attach a PDF to the reply, with the reply's text as typed (sent with the file)."""
    if "body" in request.form and not request.files.get("file"):
        flash(_("Choose a PDF file to attach."), "error")
        return save_reply(delivery_id)  # no file, but the text is kept all the same

    def perform(delivery, form):
        upload = form.file.data
        # The reply form's text comes with its "Attach PDF" (the attachments' own form: none).
        replies.attach_to_reply(delivery, actor=current_user, filename=upload.filename,
                                data=upload.read(), main=form.main.data,
                                body=request.form.get("body"))

    return _step(delivery_id, AttachmentForm, perform, _("PDF attached to the reply."))


@bp.post("/<int:delivery_id>/reply/attachments/<int:attachment_id>/delete")
@login_required
def remove_reply_attachment(delivery_id, attachment_id):
    """Remove a PDF from the reply."""
    return _step(delivery_id, ActionForm,
                 lambda d, f: replies.remove_from_reply(d, actor=current_user,
                                                        attachment_id=attachment_id),
                 _("Attachment removed."))


@bp.post("/<int:delivery_id>/reply/submit")
@login_required
def submit_reply(delivery_id):
    """Hand the reply to the leader for approval."""
    return _step(delivery_id, ReplyForm,
                 lambda d, f: replies.save_and_submit(d, actor=current_user,
                                                      body=f.body.data or ""),
                 _("Reply submitted to the leader."))


@bp.post("/<int:delivery_id>/reply/return")
@login_required
def return_reply(delivery_id):
    """Send the reply back to the specialist with a remark."""
    return _step(delivery_id, ReturnForm,
                 lambda d, f: replies.return_reply(d, actor=current_user, note=f.note.data),
                 _("Reply returned to the specialist."))


@bp.post("/<int:delivery_id>/reply/send")
@login_required
def send_reply(delivery_id):
    """Approve the reply (saving a leader's own draft first): numbered and sent to the sender."""
    return _step(delivery_id, ReplyForm,
                 lambda d, f: replies.approve_and_send(d, actor=current_user,
                                                       body=f.body.data or ""),
                 lambda reply: " ".join([_("Reply %(notation)s sent.", notation=reply.notation),
                                         _("The document is done.")]))
