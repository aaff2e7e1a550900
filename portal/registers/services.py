"""The registers of Decree 30/2020 (Art. 22): an organisation's incoming register (sổ đăng ký
văn bản đến: what it registered, by incoming number) and its outgoing register (sổ đăng ký
văn bản đi: what it issued, by number), for a calendar year.

Rows are read from the deliveries and documents themselves, never copied: a register cannot
disagree with what it lists.
"""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from portal.clock import as_local
from portal.deliveries.models import Delivery
from portal.documents.models import Document, DocumentState
from portal.extensions import db
from portal.organisations.models import Organisation
from portal.signing.titles import printed_signer


@dataclass(frozen=True)
class IncomingRow:
    incoming_number: int
    received_on: date  # the Vietnamese day it arrived (ngày đến)
    sender: str
    notation: str
    document_date: date | None
    subject: str
    assigned_to: str | None


@dataclass(frozen=True)
class OutgoingRow:
    notation: str
    issued_on: date
    subject: str
    signer: str | None
    recipients: list[str]


def _day(moment) -> date | None:
    return as_local(moment).date() if moment else None


def incoming_rows(organisation_id: int, year: int) -> list[IncomingRow]:
    """What the organisation registered in the year, by incoming number."""
    deliveries = db.session.scalars(
        select(Delivery)
        .options(joinedload(Delivery.document).joinedload(Document.authority),
                 joinedload(Delivery.assignee))
        .where(Delivery.recipient_id == organisation_id, Delivery.incoming_year == year)
        .order_by(Delivery.incoming_number))
    rows = []
    for delivery in deliveries:
        document = delivery.document
        issued_on = _day(document.issued_at)
        rows.append(IncomingRow(
            incoming_number=delivery.incoming_number,
            received_on=delivery.received_on,
            sender=document.authority.name_on(issued_on) if issued_on
            else document.authority.name,
            notation=document.notation or "", document_date=issued_on,
            subject=document.subject,
            assigned_to=delivery.assignee.full_name if delivery.assignee else None))
    return rows


def outgoing_rows(organisation_id: int, year: int) -> list[OutgoingRow]:
    """What was issued in the organisation's name in the year, by number."""
    documents = list(db.session.scalars(
        select(Document).where(Document.authority_id == organisation_id,
                               Document.year == year, Document.state == DocumentState.ISSUED,
                               Document.number.is_not(None))
        .order_by(Document.number)))
    names = _names_of({r for d in documents for r in d.recipient_ids})
    rows = []
    for document in documents:
        signer = printed_signer(document)
        rows.append(OutgoingRow(
            notation=document.notation or "", issued_on=_day(document.issued_at),
            subject=document.subject, signer=signer["name"] if signer else None,
            recipients=[names[r] for r in document.recipient_ids if r in names]))
    return rows


def _names_of(organisation_ids) -> dict[int, str]:
    if not organisation_ids:
        return {}
    return dict(db.session.execute(select(Organisation.id, Organisation.name).where(
        Organisation.id.in_(organisation_ids))).all())
