"""The JSON the API answers with: a document, and a delivery as the person asking sees it."""

from datetime import date

from flask import g
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from portal.clock import aware_utc
from portal.deliveries import deadlines, steps
from portal.deliveries.models import Delivery
from portal.documents.models import Document
from portal.extensions import db
from portal.signing.titles import printed_signer


def _moment(value):
    return aware_utc(value).isoformat() if value else None  # RFC 3339: with its offset


def _day(value):
    return value.isoformat() if value else None


def document_json(document: Document) -> dict:
    return {
        "id": document.id,
        "notation": document.notation,
        "number": document.number,
        "year": document.year,
        "type": document.doc_type,
        "subject": document.subject,
        "body": document.body,
        "urgency": document.urgency,
        "issuer": {"id": document.issuer.id, "code": document.issuer.code,
                   "name": document.issuer.name},
        "authority": {"id": document.authority.id, "code": document.authority.code,
                      "name": document.authority.name},
        "signer": printed_signer(document),  # name, title, lines; null: nobody signs it
        "state": document.state,
        "issued_at": _moment(document.issued_at),
        "dispatched_at": _moment(document.dispatched_at),  # null until delivered
        "due_on": _day(document.due_on),
        "due_working_days": document.due_working_days,
        "reply_to_delivery_id": document.reply_to_id,
        "attachments": [{"id": a.id, "filename": a.filename, "sha256": a.file.sha256,
                         "size": a.file.size, "main": a.is_main} for a in document.attachments],
    }


def tracked_document_json(document: Document) -> dict:
    """The document as its sender follows it: with every recipient's delivery."""
    deliveries = db.session.scalars(select(Delivery).options(joinedload(Delivery.recipient))
                                    .where(Delivery.document_id == document.id)
                                    .order_by(Delivery.id))
    return {**document_json(document), "deliveries": [
        {"id": d.id, "recipient": {"id": d.recipient.id, "code": d.recipient.code,
                                   "name": d.recipient.name, "organ_id": d.recipient.organ_id},
         "channel": d.channel, "status": d.status} for d in deliveries]}


def delivery_json(delivery: Delivery, today: date, soon_until: date, full=False) -> dict:
    body = {
        "id": delivery.id,
        "status": delivery.status,
        "recipient": {"id": delivery.recipient_id, "code": delivery.recipient.code},
        "received_at": _moment(delivery.received_at),
        "acknowledged_at": _moment(delivery.acknowledged_at),
        # Số đến: its number in the recipient's incoming register of incoming_year.
        "incoming_number": delivery.incoming_number,
        "incoming_year": delivery.incoming_year,
        "assigned_at": _moment(delivery.assigned_at),
        "done_at": _moment(delivery.done_at),
        "replied_at": _moment(delivery.replied_at),
        "due_on": _day(delivery.due_on),
        "due_working_days": delivery.due_working_days,
        "deadline_state": deadlines.deadline_state(delivery, today, soon_until),
        # What the person asking may do next (portal.deliveries.steps, as the page offers).
        "allowed_steps": steps.allowed_steps(g.api_user, delivery),
        "reply_document_id": delivery.sent_reply_id,
        "refusal_reason": delivery.refusal_reason,
        "document": document_json(delivery.document) if full else {
            "id": delivery.document.id, "notation": delivery.document.notation,
            "subject": delivery.document.subject, "type": delivery.document.doc_type,
            "urgency": delivery.document.urgency,
            "issuer": {"id": delivery.document.issuer_id,
                       "code": delivery.document.issuer.code}},
    }
    if full:
        body["history"] = [{"at": _moment(e.occurred_at), "action": e.action,
                            "from": e.from_status, "to": e.to_status, "note": e.note}
                           for e in delivery.events]
    return body
