"""What goes out to the national axis: documents as edXML packages, and status messages.

Every message is written when it is queued, signed by the sending organisation's key when it
has one, and kept as a stored file: what the `axis_send` job POSTs is what was recorded. Its
`event_key` makes one event one message, however often the event's code runs (a dispatch job
run twice, a double click).

Decisions (EDXML.md leaves them open):
- DocumentType/Type is the type's place in Decree 30/2020's list of administrative documents
  (Appendix III: công văn 18, quyết định 2…); TypeName its Vietnamese name.
- PromulgationInfo/Place is where the authority writes from (documents.authority.place_of):
  its province for a department, Hà Nội for the ministry's side.
- SteeringType is 0 (not a directive), as the public samples write it.
"""

import logging
import tempfile
from collections.abc import Sequence
from pathlib import Path

from flask_babel import gettext as _
from sqlalchemy import select

from portal.clock import as_local, utcnow
from portal.deliveries.models import Channel, Delivery, Status
from portal.documents import authority as authorities
from portal.documents.models import Document, DocumentType, Urgency
from portal.documents.text import nfc
from portal.extensions import db
from portal.interop.edxml import writer
from portal.interop.edxml.model import (
    Attachment,
    Business,
    BusinessType,
    DocumentPackage,
    Organ,
    ResponseFor,
    Signer,
    Staff,
    StatusMessage,
    Trace,
)
from portal.interop.edxml.signature import Signing
from portal.interop.models import AxisDocument, AxisMessage, Direction, MessageKind
from portal.jobs.models import Job
from portal.jobs.services import schedule
from portal.organisations.models import Organisation, OrganisationChannel, final_successor
from portal.rules import PortalError
from portal.signals import delivery_stepped
from portal.signing import keys
from portal.signing.titles import printed_signer
from portal.storage.services import path_of, storage_root, store_bytes, store_path

log = logging.getLogger(__name__)
XML = "application/xml"

# Decree 30/2020, Appendix III: the administrative documents in order, and their names.
TYPE_CODES = {
    DocumentType.DECISION: (2, "Quyết định"),
    DocumentType.NOTICE: (7, "Thông báo"),
    DocumentType.GUIDANCE: (8, "Hướng dẫn"),
    DocumentType.PLAN: (10, "Kế hoạch"),
    DocumentType.REPORT: (14, "Báo cáo"),
    DocumentType.SUBMISSION: (16, "Tờ trình"),
    DocumentType.OFFICIAL_LETTER: (18, "Công văn"),
    DocumentType.INVITATION: (23, "Giấy mời"),
}
PRIORITIES = {Urgency.NORMAL: 0, Urgency.URGENT: 1, Urgency.VERY_URGENT: 2, Urgency.FLASH: 3}
NOT_A_DIRECTIVE = 0
# A step on a delivery that came through the axis, and the status its sender is told.
STATUS_OF_EVENT = {
    "acknowledged": Status.ACKNOWLEDGED, "refused": Status.REFUSED,
    "assigned": Status.ASSIGNED, "started": Status.IN_PROGRESS,
    "replied": Status.DONE, "closed": Status.DONE,
    "recall_agreed": Status.RECALL_AGREED, "recall_refused": Status.RECALL_REFUSED,
}
REVOCATION_REASON = "Đơn vị ban hành thu hồi văn bản."


class OutboundError(PortalError):
    """A document or status that cannot go to the axis; the message says why."""


def on_axis(organisation: Organisation) -> bool:
    return organisation.channel == OrganisationChannel.AXIS


def _day_of(document):
    return as_local(document.issued_at or utcnow()).date()


def document_id_of(document: Document) -> str:
    """The document's identity across systems: OrganId,yyyy/MM/dd,number/notation."""
    organ_id = document.authority.organ_id
    if not organ_id:
        raise OutboundError(_(
            "%(name)s has no national identifier: its documents cannot go through the axis. "
            "An administrator sets it on the organisation's page.",
            name=document.authority.name))
    return f"{organ_id},{_day_of(document):%Y/%m/%d},{document.notation}"


def check_axis_recipients(document: Document) -> None:
    """Refuse issuing to an organisation on the axis when the authority has no identifier."""
    if document.authority.organ_id:
        return
    recipients = db.session.scalars(select(Organisation).where(
        Organisation.id.in_(document.recipient_ids)))
    on_the_axis = [o.name for o in recipients if on_axis(final_successor(o))]
    if on_the_axis:
        raise OutboundError(_(
            "%(recipients)s receive through the national axis, and %(name)s has no national "
            "identifier to send it under. An administrator sets it on the organisation's "
            "page; nothing was issued.", recipients=", ".join(on_the_axis),
            name=document.authority.name))


def organ_of(organisation: Organisation, day=None) -> Organ:
    """The organisation as a From or To block."""
    name = organisation.name_on(day) if day else organisation.name
    return Organ(organ_id=organisation.organ_id or "", name=nfc(name),
                 in_charge=authorities.governing_body(organisation),
                 address=organisation.address or "", email=organisation.email or "",
                 telephone=organisation.telephone or "")


def _signer(document) -> Signer | None:
    printed = printed_signer(document)
    if printed is None:
        return None
    lines = printed["lines"]
    competence = lines[0] if lines and lines[0].split(" ")[0] in ("KT.", "TL.", "TUQ.") else ""
    return Signer(competence=competence, position=printed["title"], full_name=printed["name"])


def _attachments(document: Document) -> list[Attachment]:
    """The PDF of record, then the other attachments, by path from storage (streamed)."""
    files = []
    if document.pdf_file is not None:
        name = f"{document.notation or document.id}.pdf".replace("/", "-")
        files.append((document.pdf_file, name))
    for attachment in document.attachments:
        if attachment.file_id != document.pdf_file_id:
            files.append((attachment.file, attachment.filename))
    return [Attachment(content_id=f"{n + 1}", name=name, content_type=stored.content_type,
                       path=path_of(stored), size=stored.size, sha256=stored.sha256)
            for n, (stored, name) in enumerate(files)]


def _answered(document: Document) -> ResponseFor | None:
    """A reply's ResponseFor: the document it answers, by the identity its sender gave it."""
    delivery = document.reply_to
    if delivery is None:
        return None
    answered = delivery.document
    received = db.session.get(AxisDocument, answered.id)
    if received is None and not answered.authority.organ_id:
        return None
    return ResponseFor(organ_id=answered.authority.organ_id or "",
                       code=answered.notation or "", promulgation_date=_day_of(answered),
                       document_id=received.edxml_document_id if received is not None
                       else document_id_of(answered))


def package_of(document: Document, recipients: Sequence[Organisation],
               delivery: Delivery | None = None) -> DocumentPackage:
    """The document as an edXML package to the recipients (a delivery gives its due date)."""
    day = _day_of(document)
    number, _slash, notation = (document.notation or "").partition("/")
    type_code, type_name = TYPE_CODES.get(document.doc_type, (None, document.doc_type))
    everyone = db.session.scalars(select(Organisation).where(
        Organisation.id.in_(document.recipient_ids)).order_by(Organisation.id))
    return DocumentPackage(
        sender=organ_of(document.authority, day),
        recipients=[organ_of(r) for r in recipients],
        document_id=document_id_of(document), code_number=number, code_notation=notation,
        place=authorities.place_of(document.authority), promulgation_date=day,
        type_code=type_code, type_name=type_name, subject=nfc(document.subject),
        content=nfc(document.body or ""), signer=_signer(document),
        due_date=delivery.due_on if delivery is not None else document.due_on,
        to_places=[nfc(o.name) for o in everyone],
        priority=PRIORITIES.get(document.urgency, 0), steering_type=NOT_A_DIRECTIVE,
        response_for=_answered(document),
        traces=[Trace(organ_id=document.authority.organ_id, timestamp=utcnow())],
        attachments=_attachments(document))


def open_key(organisation: Organisation | None):
    """The organisation's key and certificates for an XML signature, or None: no key, or one
    on a token (PKCS#11 signs PDFs here, not XML)."""
    identity = keys.organisation_identity(organisation.id) if organisation else None
    if identity is None or identity.pkcs12 is None:
        return None
    key, certificate, chain = keys.key_and_certificates(identity)
    return Signing(key, certificate, tuple(chain or ()))


def _stored_xml(message, signing):
    if isinstance(message, StatusMessage):
        return store_bytes(writer.status_bytes(message, signing=signing), XML)
    storage_root().mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=storage_root()) as directory:  # linked in, not copied
        path = Path(directory) / "package.xml"
        with path.open("wb") as out:
            writer.write_package(message, out, signing=signing)
        return store_path(path, XML)


def queue_message(message, *, event_key: str, document=None, delivery=None,
                  signing_organisation=None) -> AxisMessage | None:
    """Write the message's XML (signed when the organisation has a key), keep it, and add
    its row and its `axis_send` job to the caller's transaction; None when the event's
    message exists already."""
    if db.session.scalar(select(AxisMessage.id).where(AxisMessage.event_key == event_key)):
        return None
    stored = _stored_xml(message, open_key(signing_organisation))
    status = isinstance(message, StatusMessage)
    row = AxisMessage(
        direction=Direction.OUT, kind=MessageKind.STATUS if status else MessageKind.DOCUMENT,
        event_key=event_key, document_id=document.id if document is not None else None,
        delivery_id=delivery.id if delivery is not None else None,
        edxml_document_id=(message.response_for.document_id if status
                           else message.document_id),
        from_organ_id=message.sender.organ_id,
        to_organ_ids=[organ.organ_id for organ in message.recipients],
        business_type=None if status else int(message.business.doc_type),
        status_code=message.status_code if status else None, file_id=stored.id)
    db.session.add(row)
    db.session.flush()
    schedule("axis_send", document_id=row.document_id, message_id=row.id)
    return row


def queue_document(document: Document, delivery: Delivery) -> AxisMessage | None:
    """The document's package to the recipient of one delivery through the axis."""
    package = package_of(document, [delivery.recipient], delivery)
    return queue_message(package, event_key=f"document:{document.id}:to:{delivery.recipient_id}",
                         document=document, delivery=delivery,
                         signing_organisation=document.authority)


def _received(delivery: Delivery) -> AxisDocument | None:
    return db.session.get(AxisDocument, delivery.document_id)


def send_status(delivery: Delivery, code: str, *, event_key: str, description: str = "",
                staff: Staff | None = None) -> AxisMessage | None:
    """Tell the sender of a document that came through the axis what became of it here."""
    received = _received(delivery)
    if received is None:
        raise OutboundError(_("This document did not come through the national axis."))
    document = delivery.document
    sender = document.authority
    status = StatusMessage(
        sender=organ_of(delivery.recipient),
        response_for=ResponseFor(organ_id=sender.organ_id or "", code=document.notation or "",
                                 promulgation_date=_day_of(document),
                                 document_id=received.edxml_document_id),
        status_code=str(code), timestamp=utcnow(), description=description, staff=staff,
        recipients=[organ_of(sender)],
        traces=[Trace(organ_id=delivery.recipient.organ_id or "", timestamp=utcnow())])
    return queue_message(status, event_key=event_key, document=document, delivery=delivery,
                         signing_organisation=delivery.recipient)


def revoke(delivery: Delivery, *, event_key: str, reason: str = "") -> AxisMessage | None:
    """A recall asked by this portal of a delivery sent through the axis: a revocation
    package (BussinessDocType 1) to that recipient."""
    document = delivery.document
    package = package_of(document, [delivery.recipient], delivery)
    package.attachments = []
    package.business = Business(doc_type=BusinessType.REVOKE,
                                reason=reason or REVOCATION_REASON,
                                document_id=package.document_id)
    return queue_message(package, event_key=event_key, document=document, delivery=delivery,
                         signing_organisation=document.authority)


def _staff(actor, delivery) -> Staff | None:
    if actor is None:
        return None
    return Staff(department=nfc(delivery.recipient.name), staff=nfc(actor.full_name),
                 email=actor.email)


@delivery_stepped.connect
def report_step(delivery: Delivery, *, event, actor=None, **_extra) -> None:
    """A step on a delivery that came through the axis goes back to its sender as a status;
    a recall this portal asks of a delivery it sent through the axis goes as a revocation."""
    if _received(delivery) is not None:
        code = STATUS_OF_EVENT.get(event.action)
        if code is not None and not delivery.recipient.organ_id:
            # It came through the axis to an organisation named by its identifier, which an
            # administrator has since taken away: the sender cannot be told who reports.
            log.warning("delivery %s: no status sent, %s has no national identifier",
                        delivery.id, delivery.recipient.code)
        elif code is not None:
            send_status(delivery, code, event_key=f"status:event:{event.id}",
                        description=event.note if code == Status.REFUSED else "",
                        staff=_staff(actor, delivery))
    elif delivery.channel == Channel.AXIS and event.action == "recall_requested":
        revoke(delivery, event_key=f"revoke:event:{event.id}", reason=event.note or "")


def messages_of(document: Document) -> dict[int, AxisMessage]:
    """Delivery id → the latest outbound message about it (the tracking page's column)."""
    rows = db.session.scalars(select(AxisMessage).where(
        AxisMessage.document_id == document.id, AxisMessage.direction == Direction.OUT,
        AxisMessage.delivery_id.is_not(None)).order_by(AxisMessage.id))
    return {row.delivery_id: row for row in rows}


def jobs_of(messages) -> dict[int, Job]:
    """Message id → the latest job sending it, for many messages in one query."""
    ids = [message.id for message in messages]
    latest = {}
    if ids:
        for job in db.session.scalars(select(Job).where(Job.message_id.in_(ids))
                                      .order_by(Job.id)):
            latest[job.message_id] = job
    return latest
