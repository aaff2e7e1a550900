"""Replies (trả lời): a document answering one delivery, back to its sender.

The person assigned drafts it (the page saves as they type, attachments included) and hands it
to a leader, who returns it with a remark or approves it: approving signs it, numbers it and
sends it, and the delivery is done. Each of the page's steps is one service here, and the API's
one-step answer too. Services flush; the action that calls them commits
(portal/transaction.py).
"""

from flask_babel import gettext as _
from sqlalchemy import select, update

from portal import policy
from portal.audit import services as audit
from portal.clock import utcnow
from portal.deliveries import services as deliveries
from portal.deliveries import steps
from portal.deliveries.models import Delivery, Status
from portal.documents import services as documents
from portal.documents.models import Document, DocumentAttachment, DocumentState, DocumentType
from portal.documents.services import DocumentError
from portal.documents.text import fold, nfc
from portal.extensions import db
from portal.signing import keys
from portal.signing.models import SIGNER_FIELD, SignatureStep


def reply_of(delivery: Delivery) -> Document | None:
    """The delivery's reply, drafted or sent (read from the database, as it is now)."""
    return db.session.scalar(select(Document).join(
        Delivery, Delivery.reply_document_id == Document.id).where(Delivery.id == delivery.id))


def _reply_draft(delivery: Delivery, actor) -> Document:
    reply = reply_of(delivery)
    if reply is not None:
        return reply
    original = delivery.document
    reply = Document(
        issuer_id=delivery.recipient_id, authority_id=delivery.recipient_id, author_id=actor.id,
        doc_type=DocumentType.OFFICIAL_LETTER,
        subject=_("Reply to document %(notation)s: %(subject)s", notation=original.notation,
                  subject=original.subject.removeprefix("V/v "))[:500],
        urgency=original.urgency, recipient_ids=[original.issuer_id],
    )
    db.session.add(reply)
    db.session.flush()
    # Linked only if no other draft was linked meanwhile (two first saves at once).
    linked = db.session.execute(
        update(Delivery).where(Delivery.id == delivery.id, Delivery.reply_document_id.is_(None))
        .values(reply_document_id=reply.id).execution_options(synchronize_session=False))
    if linked.rowcount != 1:
        raise DocumentError(_("The document has already moved on; reload the page."))
    db.session.expire(delivery, ["reply_document_id", "reply_document"])
    return reply


def save_reply(delivery: Delivery, *, actor, body: str) -> Document:
    """Save the reply's text as a draft (the form saves as you type)."""
    if not policy.can_draft_reply(actor, delivery):
        raise DocumentError(_("Only the person assigned, or a leader, can draft the reply."))
    if not steps.state_allows("draft_reply", delivery):
        raise DocumentError(_("The document must be assigned before it is answered."))
    reply = _reply_draft(delivery, actor)
    if reply.state == DocumentState.ISSUED:
        raise DocumentError(_("The reply has already been sent."))
    if reply.state == DocumentState.SUBMITTED and not policy.can_approve_reply(actor, delivery):
        raise DocumentError(_("The reply is with the leader for approval."))
    reply.body = nfc(body)
    reply.search_text = fold(reply.subject)
    deliveries.start_processing(delivery, actor=actor)
    db.session.flush()
    audit.record("reply.saved", actor=actor, obj=reply, details={"delivery_id": delivery.id})
    db.session.flush()
    return reply


def attach_to_reply(delivery: Delivery, *, actor, filename: str, data: bytes, main: bool = False,
                    body: str | None = None) -> DocumentAttachment:
    """Attach a PDF to the reply, a draft begun for it if need be; body: the text typed with
    it, saved first (None: the draft's text stays as it is)."""
    if not steps.allows("draft_reply", actor, delivery):
        raise DocumentError(_("Only the person assigned can change the reply."))
    if body is not None:
        reply = save_reply(delivery, actor=actor, body=body)
    else:
        reply = reply_of(delivery) or save_reply(delivery, actor=actor, body="")
    return documents.add_attachment(reply, actor=actor, filename=filename, data=data, main=main)


def remove_from_reply(delivery: Delivery, *, actor, attachment_id: int) -> None:
    """Remove a PDF from the reply (only from this delivery's reply, by who may draft it)."""
    reply = reply_of(delivery)
    attachment = db.session.get(DocumentAttachment, attachment_id)
    if (reply is None or attachment is None or attachment.document_id != reply.id
            or not steps.allows("draft_reply", actor, delivery)):
        raise DocumentError(_("There is no such attachment on your reply."))
    documents.remove_attachment(attachment, actor=actor)


def submit_reply(delivery: Delivery, *, actor) -> Document:
    """The specialist hands the reply to the leader."""
    reply = reply_of(delivery)
    if reply is None or not policy.can_draft_reply(actor, delivery):
        raise DocumentError(_("There is no reply of yours to submit."))
    if not reply.body.strip() and not reply.attachments:
        raise DocumentError(_("Write the reply or attach a PDF before submitting it."))
    documents.change_state(reply, DocumentState.DRAFT, DocumentState.SUBMITTED)
    reply.review_note = None
    audit.record("reply.submitted", actor=actor, obj=reply, details={"delivery_id": delivery.id})
    db.session.flush()
    return reply


def save_and_submit(delivery: Delivery, *, actor, body: str) -> Document:
    """The reply form's "submit": its text as typed, then to the leader."""
    save_reply(delivery, actor=actor, body=body)
    return submit_reply(delivery, actor=actor)


def return_reply(delivery: Delivery, *, actor, note: str) -> Document:
    """The leader sends the reply back to the specialist with a remark."""
    reply = reply_of(delivery)
    if reply is None or not policy.can_approve_reply(actor, delivery):
        raise DocumentError(_("Only a leader can return a reply."))
    documents.change_state(reply, DocumentState.SUBMITTED, DocumentState.DRAFT)
    reply.review_note = (note or "").strip()[:1000] or None
    audit.record("reply.returned", actor=actor, obj=reply, details={"note": reply.review_note})
    db.session.flush()
    return reply


def send_reply(delivery: Delivery, *, actor) -> Document:
    """The leader approves the reply: it is numbered, sent to the sender, the delivery is done."""
    reply = reply_of(delivery)
    if not policy.can_approve_reply(actor, delivery):
        raise DocumentError(_("Only a leader can approve and send the reply."))
    if reply is None or reply.state == DocumentState.ISSUED:
        raise DocumentError(_("There is no reply waiting to be sent."))
    if not reply.body.strip() and not reply.attachments:
        raise DocumentError(_("Write the reply or attach a PDF before sending it."))
    _sign_reply(reply, actor)
    documents.issue(reply, actor=actor, allowed_from=reply.state)
    deliveries.complete_delivery(delivery, actor=actor, reply=reply)
    db.session.flush()
    return reply


def approve_and_send(delivery: Delivery, *, actor, body: str) -> Document:
    """The reply form's "approve and send": a leader's own draft (or none yet) is saved as
    typed first; a reply submitted to them goes as it was submitted."""
    reply = reply_of(delivery)
    if reply is None or reply.state == DocumentState.DRAFT:
        save_reply(delivery, actor=actor, body=body)
    return send_reply(delivery, actor=actor)


def _sign_reply(reply: Document, leader) -> None:
    """Approving a reply is signing it: the leader's signature goes on before the seal."""
    if any(a.is_main for a in reply.attachments):
        return  # the uploaded PDF was signed where it was made
    if keys.person_identity(leader.id) is None:
        if reply.issuer.signed_issue_only:
            raise DocumentError(_("Your organisation sends only signed replies, and you have no "
                                  "signing key yet; ask an administrator for one."))
        return
    db.session.add(SignatureStep(document_id=reply.id, position=1, field=SIGNER_FIELD,
                                 user_id=leader.id, approved_at=utcnow()))


def answer_delivery(delivery: Delivery, *, actor, body: str) -> Document:
    """One step for other systems (API): a leader writes, approves and sends a reply."""
    if not policy.can_approve_reply(actor, delivery):
        raise DocumentError(_("Only a leader can approve and send the reply."))
    if steps.effective_status(delivery) == Status.ACKNOWLEDGED:
        deliveries.assign_delivery(delivery, actor=actor, assignee=actor)
    save_reply(delivery, actor=actor, body=body)
    return send_reply(delivery, actor=actor)
