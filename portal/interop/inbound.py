"""What comes in from the axis: a read edXML message applied to the portal, in the caller's
transaction (the route wraps it in one action: a message half-applied is never visible).

By kind: a new document (BussinessDocType 0 or none) is stored with its attachments and
delivered to each `To` organisation whose people work here; the same DocumentId again is
nothing new; an update (2) changes the document and says so on its deliveries; a
replacement (3) is a new document linked to the one it replaces; a revocation (1) puts the
recipients' copies into recall requested (13). A status message moves the delivery of a
document this portal sent, by the steps table, as the axis.

What was decided about untidy messages (../shared/FIELD-NOTES.md, "edXML in the wild"):
- the reader's repairs are accepted and said in the answer, the message's notes, the
  delivery page and the 01 sent back;
- `To` blocks naming organisations not served here are ignored (said in the answer); none
  served here at all is 422, and a 02 goes back;
- an unknown document type is kept as a công văn, an unreadable CodeNumber keeps the
  notation without a number, a Subject over 500 characters is cut: each noted;
- attachments of any type are kept; only PDFs are opened. A PDF that cannot be read, or that
  carries active content (JavaScript, embedded files), is kept as a plain download, never
  shown inline nor made the PDF of record, and noted: the document still arrives (the
  clerk may refuse it), as the paper would with a damaged annex;
- a signature that does not verify is refused by the reader (400, and a 02 goes back when
  the sender is known); one that verifies under no trusted root is accepted as `untrusted`;
  an unsigned message is accepted as `unsigned`;
- a status that skips steps (03 then 05) is taken through the ones skipped, each noted as
  implied (deliveries.services.report_step); a move backwards or out of a closed state
  is 409.
"""

import json
from dataclasses import asdict, dataclass, field, replace
from datetime import date

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from portal.audit import services as audit
from portal.bounds import FIRST_DAY, LAST_DAY
from portal.clock import as_local, start_of_local_day, utcnow
from portal.deliveries import services as deliveries
from portal.deliveries import steps
from portal.deliveries.inbox import count_arrivals
from portal.deliveries.models import Channel, Delivery, DeliveryEvent, Status
from portal.documents.models import (
    Document,
    DocumentAttachment,
    DocumentState,
    DocumentType,
    Urgency,
)
from portal.documents.text import clean_line, clean_text, fold
from portal.extensions import db
from portal.interop.edxml.header import UnreadableMessage, read_envelope
from portal.interop.edxml.model import (
    BusinessType,
    DocumentPackage,
    Organ,
    ReadMessage,
    ResponseFor,
    StatusMessage,
)
from portal.interop.edxml.signature import chains_to
from portal.interop.models import (
    AxisDocument,
    AxisMessage,
    Direction,
    MessageKind,
    MessageState,
    SignatureVerdict,
)
from portal.interop.organisations import organisation_for
from portal.interop.outbound import queue_message, send_status
from portal.jobs import services as jobs
from portal.organisations.models import (
    Organisation,
    OrganisationChannel,
    OrganisationKind,
    final_successor,
)
from portal.rules import PortalError
from portal.storage.models import StoredFile
from portal.storage.names import display_name, kept_name
from portal.storage.services import UploadError, check_pdf, store_path

MAX_NUMBER = 2**31 - 1
PDF = "application/pdf"
# What the portal serves a file it does not open as (never the type the sender claimed).
UNOPENED = "application/octet-stream"

TYPE_NAMES = {
    "công văn": DocumentType.OFFICIAL_LETTER, "quyết định": DocumentType.DECISION,
    "thông báo": DocumentType.NOTICE, "kế hoạch": DocumentType.PLAN,
    "báo cáo": DocumentType.REPORT, "tờ trình": DocumentType.SUBMISSION,
    "giấy mời": DocumentType.INVITATION, "hướng dẫn": DocumentType.GUIDANCE,
}
PRIORITIES = {0: Urgency.NORMAL, 1: Urgency.URGENT, 2: Urgency.VERY_URGENT, 3: Urgency.FLASH,
              4: Urgency.FLASH}


class InboundError(PortalError):
    """A message the portal refuses (400 unless said otherwise); nothing of it is kept."""

    status = 400


class UnknownDocumentError(InboundError):
    status = 404


class StepRefusedError(InboundError):
    status = 409


class NoRecipientHereError(InboundError):
    """None of the message's `To` organisations is served by this portal."""

    status = 422


@dataclass
class Received:
    """What the route answers: the HTTP status and the JSON body."""

    status: int
    body: dict = field(default_factory=dict)


@dataclass
class Context:
    """What every kind needs: the read message, its verdict, its XML, and the notes so far."""

    read: ReadMessage
    verdict: str
    xml_path: object  # the message as received: kept (as a StoredFile) with its row
    notes: list[str]

    def stored_xml(self) -> StoredFile:
        return store_path(self.xml_path, "application/xml")


def signature_verdict(read: ReadMessage, trusted_roots: list[bytes]) -> str:
    """unsigned, or valid/untrusted for a signature the reader verified."""

    check = read.signature
    if not check.present:
        return SignatureVerdict.UNSIGNED
    if check.certificate is None:  # the reader refuses what does not verify; never guess
        raise InboundError(_("The message's signature could not be verified."))
    check.trusted = chains_to(check.certificate, trusted_roots)
    return SignatureVerdict.VALID if check.trusted else SignatureVerdict.UNTRUSTED


def already_received(sha256: str) -> AxisMessage | None:
    """The inbound message with exactly these bytes, when it was applied before."""
    return db.session.scalar(
        select(AxisMessage).join(StoredFile, AxisMessage.file_id == StoredFile.id)
        .where(AxisMessage.direction == Direction.IN, StoredFile.sha256 == sha256)
        .order_by(AxisMessage.id).limit(1))


def receive(read: ReadMessage, xml_path, verdict: str) -> Received:
    """Apply a read message (the caller's transaction; flushed, never committed); its XML
    at `xml_path` is kept with the message's row, when it makes one."""
    context = Context(read=read, verdict=verdict, xml_path=xml_path, notes=list(read.repairs))
    message = read.message
    if isinstance(message, StatusMessage):
        return _apply_status(message, context)
    kind = message.business.doc_type
    if kind == BusinessType.NEW:
        return _new_document(message, context)
    if kind == BusinessType.UPDATE:
        return _update(message, context)
    if kind == BusinessType.REPLACE:
        return _replace(message, context)
    return _revoke(message, context)


def answer_again(earlier: AxisMessage) -> Received:
    """The same message again: nothing new, the ids it made the first time."""
    body = {"status": "already_received", "message_id": earlier.id}
    if earlier.document_id is not None:
        body.update(_document_answer(db.session.get(Document, earlier.document_id)))
    if earlier.delivery_id is not None:
        body["delivery_id"] = earlier.delivery_id
    return Received(200, body)


# --- documents ---------------------------------------------------------------------------

def _axis_document(document_id: str) -> AxisDocument | None:
    return db.session.scalar(select(AxisDocument).where(
        AxisDocument.edxml_document_id == document_id))


def _new_document(package: DocumentPackage, context: Context) -> Received:
    existing = _axis_document(package.document_id)
    if existing is not None:
        return Received(200, {"status": "already_received",
                              **_document_answer(existing.document)})
    document, axis_document, created = _create(package, context)
    return Received(201, _answer(context, document, "created", deliveries=created))


def _create(package: DocumentPackage, context: Context):
    """The document, its attachments, its record of the package, the message row, and a
    delivery (with 01 sent back) to each recipient served here."""
    _check_identity(package)
    sender = _sender(package.sender)
    targets = _targets_here(package, sender, context)
    if not targets:
        raise NoRecipientHereError(_("None of the recipients (To) receives documents through "
                                     "this portal."))
    document = Document(issuer_id=sender.id, authority_id=sender.id, author_id=None,
                        state=DocumentState.ISSUED, dispatched_at=utcnow(),
                        recipient_ids=sorted({t.id for t, _addressed in targets}))
    _set_fields(document, package, context)
    # A package signed under a trusted root went out signed by its organisation; any other
    # is counted as unsigned (the leaderboard's unsigned_sent reads sealed_at).
    document.sealed_at = utcnow() if context.verdict == SignatureVerdict.VALID else None
    db.session.add(document)
    db.session.flush()
    _set_attachments(document, package, context)
    message = _message_row(context, package, document)
    axis_document = AxisDocument(document_id=document.id,
                                 edxml_document_id=package.document_id,
                                 header=_header(package), signature=context.verdict,
                                 message_id=message.id)
    db.session.add(axis_document)
    created = _deliver(document, targets, package.due_date, context)
    message.notes = list(context.notes)
    audit.record("axis.document_received", obj=document,
                 details={"document_id": package.document_id, "from": package.sender.organ_id,
                          "signature": context.verdict, "deliveries": [d.id for d in created],
                          "notes": context.notes})
    jobs.schedule("verify", document_id=document.id)
    db.session.flush()
    _send_arrived(created, context)
    return document, axis_document, created


def _check_identity(package: DocumentPackage) -> None:
    if not package.document_id or len(package.document_id) > 255:
        raise InboundError(_("The DocumentId is missing or longer than 255 characters."))


def _sender(organ: Organ) -> Organisation:

    try:
        return organisation_for(organ)
    except PortalError as error:
        raise InboundError(_("The sender (From): %(reason)s", reason=str(error))) from error


def _targets_here(package: DocumentPackage, sender: Organisation, context: Context):
    """(organisation served here, the one addressed when a merge passed it on) per `To`;
    the others are noted and ignored."""
    targets = {}
    for organ in package.recipients:
        addressed = db.session.scalar(select(Organisation).where(
            Organisation.organ_id == (organ.organ_id or "").strip().upper()))
        target = final_successor(addressed) if addressed is not None else None
        if target is None or not _served_here(target) or target.id == sender.id:
            context.notes.append(_("Recipient %(organ)s is not served by this portal: ignored.",
                                   organ=(organ.organ_id or organ.name or "?")[:60]))
            continue
        targets.setdefault(target.id, (target, addressed if addressed.id != target.id else None))
    return list(targets.values())


def _served_here(organisation: Organisation) -> bool:
    return (organisation.channel == OrganisationChannel.PORTAL
            and organisation.kind != OrganisationKind.EXTERNAL)


def _check_bounds(package: DocumentPackage) -> None:
    """Numbers and days within what the portal keeps (a number past 32 bits or a year 1 is
    no document's; refused rather than stored as something else)."""
    for label, value in (("DocumentType/Type", package.type_code),
                         ("OtherInfo/PromulgationAmount", package.promulgation_amount),
                         ("OtherInfo/PageAmount", package.page_amount),
                         ("SteeringType", package.steering_type),
                         ("Bussiness/Paper", package.business.paper)):
        if value is not None and not 0 <= value <= MAX_NUMBER:
            raise InboundError(_("%(field)s is out of range.", field=label))
    for label, day in (("PromulgationInfo/PromulgationDate", package.promulgation_date),
                       ("DueDate", package.due_date)):
        if day is not None and not FIRST_DAY <= day <= LAST_DAY:
            raise InboundError(_("%(field)s is out of range: %(day)s.", field=label,
                                 day=day.isoformat()))


def _set_fields(document: Document, package: DocumentPackage, context: Context) -> None:
    _check_bounds(package)
    subject = clean_line(package.subject or "").strip()
    if not subject:
        raise InboundError(_("The Subject is missing."))
    if len(subject) > 500:
        context.notes.append(_("The Subject was longer than 500 characters: cut."))
    notation = clean_line(package.notation or "").strip()
    if not notation or len(notation) > 100:
        raise InboundError(_("The Code (CodeNumber/CodeNotation) is missing or longer than "
                             "100 characters."))
    if package.priority not in PRIORITIES:
        raise InboundError(_("Priority %(value)s is not one of 0 to 4.",
                             value=str(package.priority)[:20]))
    document.subject = subject[:500]
    document.body = clean_text(package.content or "")
    document.doc_type = _doc_type(package, context)
    document.urgency = PRIORITIES[package.priority]
    document.notation = notation
    document.year = package.promulgation_date.year
    document.number = _number(document, package, context)
    document.issued_at = start_of_local_day(package.promulgation_date)
    document.due_on = package.due_date
    document.search_text = fold(f"{notation} {document.subject}")[:700]


def _doc_type(package: DocumentPackage, context: Context) -> str:
    name = " ".join(clean_line(package.type_name or "").split())
    if name.lower() in TYPE_NAMES:
        return TYPE_NAMES[name.lower()]
    context.notes.append(_("Document type “%(name)s” is not one of the portal's: kept as an "
                           "official letter (công văn).", name=name[:60] or "?"))
    return DocumentType.OFFICIAL_LETTER


def _number(document: Document, package: DocumentPackage, context: Context) -> int | None:
    """The CodeNumber as the portal's number, when it is one and its sender's register here
    does not already hold it that year (the notation keeps it either way)."""
    text = (package.code_number or "").strip()
    if not text.isdigit():
        context.notes.append(_("CodeNumber “%(text)s” is not a number: the notation keeps it.",
                               text=text[:30]))
        return None
    number = int(text)
    if not 0 < number <= MAX_NUMBER:
        raise InboundError(_("CodeNumber %(text)s is out of range.", text=text[:30]))
    taken = db.session.scalar(select(Document.id).where(
        Document.authority_id == document.authority_id, Document.year == document.year,
        Document.number == number, Document.id != document.id))
    return None if taken is not None else number


def _set_attachments(document: Document, package: DocumentPackage, context: Context) -> None:
    """Every attachment kept (under the digest the reader computed as it decoded it); the
    first readable plain PDF is the document itself."""
    main_found = False
    for attachment in package.attachments:
        opened = _is_pdf(attachment) and _pdf_readable(attachment, context)
        stored = store_path(attachment.path, PDF if opened else UNOPENED,
                            sha256=attachment.sha256)
        main = opened and not main_found
        main_found = main_found or main
        db.session.add(DocumentAttachment(
            document=document, file=stored, is_main=main,
            filename=display_name(attachment.name) if opened else kept_name(attachment.name)))
        if main:
            document.pdf_file_id = stored.id
    db.session.flush()


def _is_pdf(attachment) -> bool:
    with open(attachment.path, "rb") as f:
        return f.read(5) == b"%PDF-"


def _pdf_readable(attachment, context: Context) -> bool:
    """Whether the PDF is opened here (checked as an upload is, within the uploads' size:
    a larger one is never read into memory, and kept as a download)."""
    limit = current_app.config["MAX_ATTACHMENT_BYTES"]
    if attachment.path.stat().st_size > limit:
        context.notes.append(_("%(name)s is larger than %(mb)s MB: it is kept as a file to "
                               "download, not opened.", name=attachment.name,
                               mb=limit // (1024 * 1024)))
        return False
    try:
        check_pdf(attachment.path.read_bytes(), attachment.name)
    except UploadError as error:
        context.notes.append(_("%(reason)s It is kept as a file to download, not opened.",
                               reason=str(error)))
        return False
    return True


def _message_row(context: Context, message, document=None, delivery=None) -> AxisMessage:
    is_status = isinstance(message, StatusMessage)
    row = AxisMessage(
        direction=Direction.IN, kind=MessageKind.STATUS if is_status else MessageKind.DOCUMENT,
        document_id=document.id if document is not None else None,
        delivery_id=delivery.id if delivery is not None else None,
        edxml_document_id=(message.response_for.document_id if is_status
                           else message.document_id)[:255] or None,
        from_organ_id=(message.sender.organ_id or "")[:40] or None,
        to_organ_ids=[(o.organ_id or "")[:40] for o in message.recipients],
        business_type=None if is_status else int(message.business.doc_type),
        status_code=message.status_code if is_status else None,
        file_id=context.stored_xml().id, state=MessageState.ACCEPTED, signature=context.verdict,
        notes=list(context.notes), sent_at=utcnow())
    db.session.add(row)
    db.session.flush()
    return row


def _header(package: DocumentPackage) -> dict:
    """The header as received, JSON-safe (dates as ISO text), without the attachments'
    bytes: each attachment by name, type, size and digest."""
    values = asdict(package)
    values.pop("traces")
    values["attachments"] = [{"name": a.name, "content_type": a.content_type, "size": a.size,
                              "sha256": a.sha256} for a in package.attachments]
    return json.loads(json.dumps(values, default=str))


def _deliver(document: Document, targets, due_on: date | None, context: Context):
    now = utcnow()
    received_on = as_local(now).date()
    if due_on is not None and due_on < received_on:
        context.notes.append(_("The reply deadline %(day)s has already passed.",
                               day=due_on.strftime("%d/%m/%Y")))
    created = []
    for target, addressed in targets:
        delivery = Delivery(document_id=document.id, recipient_id=target.id,
                            addressed_to_id=addressed.id if addressed is not None else None,
                            channel=Channel.AXIS, status=Status.RECEIVED, received_at=now,
                            received_on=received_on, due_on=due_on)
        db.session.add(delivery)
        created.append(delivery)
    db.session.flush()
    count_arrivals(t.id for t, _addressed in targets)
    return created


def _send_arrived(created, context: Context) -> None:
    """01 back to the sender for each delivery, its Description naming what was repaired."""

    description = "; ".join(context.notes)[:1000]
    for delivery in created:
        send_status(delivery, Status.RECEIVED, event_key=f"status:arrived:{delivery.id}",
                    description=description)


def _update(package: DocumentPackage, context: Context) -> Received:
    axis_document = _concerned(package)
    document = axis_document.document
    _set_fields(document, package, context)
    if package.attachments:
        for earlier in list(document.attachments):
            db.session.delete(earlier)
        document.pdf_file_id = None
        db.session.flush()
        _set_attachments(document, package, context)
    now = utcnow()
    reason = clean_line(package.business.reason or "").strip()[:1000]
    axis_document.header = _header(package)
    axis_document.updated_at = now
    axis_document.update_reason = reason or None
    axis_document.signature = context.verdict
    message = _message_row(context, package, document)
    axis_document.message_id = message.id
    document_deliveries = _deliveries_of(document)
    for delivery in document_deliveries:
        if delivery.status in (Status.RECEIVED, Status.ACKNOWLEDGED, Status.ASSIGNED,
                               Status.IN_PROGRESS):
            delivery.due_on = package.due_date
        db.session.add(DeliveryEvent(delivery_id=delivery.id, action="updated_by_sender",
                                     note=reason or None))
    added = _added_recipients(document, package, context)
    audit.record("axis.document_updated", obj=document,
                 details={"document_id": axis_document.edxml_document_id, "reason": reason,
                          "notes": context.notes})
    jobs.schedule("verify", document_id=document.id)
    db.session.flush()
    _send_arrived(added, context)
    return Received(200, _answer(context, document, "updated", deliveries=added))


def _concerned(package: DocumentPackage) -> AxisDocument:
    """The received document a revocation or update is about (404 when never received)."""
    for document_id in (package.business.document_id, package.document_id):
        found = _axis_document(document_id) if document_id else None
        if found is not None:
            return found
    raise UnknownDocumentError(_("No document %(id)s was received here.",
                                 id=(package.business.document_id
                                     or package.document_id)[:255]))


def _deliveries_of(document: Document) -> list[Delivery]:
    return list(db.session.scalars(select(Delivery).where(Delivery.document_id == document.id)
                                   .order_by(Delivery.id)))


def _added_recipients(document: Document, package: DocumentPackage, context: Context):
    """An update's ReceiverList: recipients added get a delivery; removed ones keep theirs
    (a delivery is never taken away unasked: the sender recalls it), noted."""
    added = [Organ(organ_id=organ_id) for kind, organ_id in package.business.receivers
             if kind == 1]
    if any(kind == 0 for kind, _organ in package.business.receivers):
        context.notes.append(_("Recipients removed by the update keep their copy: the sender "
                               "may recall it."))
    if not added:
        return []
    have = {d.recipient_id for d in _deliveries_of(document)}
    targets = [(t, a) for t, a in _targets_here(
        replace(package, recipients=added),
        document.issuer, context) if t.id not in have]
    if not targets:
        return []
    document.recipient_ids = sorted(set(document.recipient_ids) | {t.id for t, _a in targets})
    return _deliver(document, targets, package.due_date, context)


def _replace(package: DocumentPackage, context: Context) -> Received:
    existing = _axis_document(package.document_id)
    if existing is not None:
        return Received(200, {"status": "already_received",
                              **_document_answer(existing.document)})
    replaced = _replaced(package, context)
    document, axis_document, created = _create(package, context)
    if replaced is not None:
        axis_document.replaces_document_id = replaced.document_id
        for delivery in _deliveries_of(replaced.document):
            db.session.add(DeliveryEvent(delivery_id=delivery.id, action="replaced_by_sender",
                                         note=document.notation))
        db.session.flush()
    body = _answer(context, document, "created", deliveries=created)
    body["replaces"] = replaced.document_id if replaced is not None else None
    return Received(201, body)


def _replaced(package: DocumentPackage, context: Context) -> AxisDocument | None:
    wanted = package.business.replaces or [package.business.document_id]
    found = [d for d in (_axis_document(i) for i in wanted if i and i != package.document_id)
             if d is not None]
    if not found:
        context.notes.append(_("The document it replaces was never received here."))
        return None
    if len(found) > 1:
        context.notes.append(_("It replaces several documents; linked to the first, "
                               "%(notation)s.", notation=found[0].document.notation))
    return found[0]


def _revoke(package: DocumentPackage, context: Context) -> Received:
    axis_document = _concerned(package)
    document = axis_document.document
    reason = clean_line(package.business.reason or "").strip()[:1000]
    moved, unchanged = [], []
    for delivery in _deliveries_of(document):
        # Asked before: waiting for the clerk, or answered (15/16): not asked twice.
        if delivery.status in (Status.RECALL_REQUESTED, Status.RECALL_AGREED,
                               Status.RECALL_REFUSED):
            unchanged.append(delivery)
        elif steps.state_allows("request_recall", delivery):
            deliveries.request_recall(delivery, actor=None,
                                      note=reason or _("Revoked by the sender."))
            moved.append(delivery)
        else:
            context.notes.append(_("%(name)s has already started on it: its copy is not "
                                   "recalled.", name=delivery.recipient.name))
    if not moved and not unchanged:
        raise StepRefusedError(_("Every recipient has already started on the document: it "
                                 "cannot be recalled."))
    _message_row(context, package, document)
    audit.record("axis.document_revoked", obj=document,
                 details={"document_id": axis_document.edxml_document_id, "reason": reason,
                          "deliveries": [d.id for d in moved]})
    db.session.flush()
    return Received(200, _answer(context, document, "recall_requested" if moved
                                 else "already_received", deliveries=moved or unchanged))


def _document_answer(document: Document) -> dict:
    return {"document": {"id": document.id, "notation": document.notation},
            "deliveries": [_delivery_answer(d) for d in _deliveries_of(document)]}


def _delivery_answer(delivery: Delivery) -> dict:
    return {"id": delivery.id, "status": delivery.status,
            "recipient": {"id": delivery.recipient_id, "name": delivery.recipient.name,
                          "organ_id": delivery.recipient.organ_id}}


def _answer(context: Context, document: Document, status: str, *, deliveries=()) -> dict:
    db.session.flush()
    return {"status": status, "document": {"id": document.id, "notation": document.notation},
            "deliveries": [_delivery_answer(d) for d in deliveries],
            "signature": context.verdict, "repairs": list(context.notes)}


# --- the delivery page ---------------------------------------------------------------

@dataclass
class AxisFacts:
    """What the delivery page of a document received through the axis says of it."""

    record: AxisDocument
    sender_organ_id: str | None
    # The documents it replaces and is replaced by, each with the recipient's delivery of it
    # (None: it has none, and the page names the document without a link).
    replaces: tuple[Document, Delivery | None] | None
    replaced_by: list[tuple[Document, Delivery | None]]
    notes: list[str]


def axis_facts(document: Document, recipient_id: int) -> AxisFacts | None:
    """What the recipient's delivery page says of a document that came through the axis;
    None for one that did not."""
    record = db.session.get(AxisDocument, document.id)
    if record is None:
        return None
    notes = []
    for message_notes in db.session.scalars(select(AxisMessage.notes).where(
            AxisMessage.direction == Direction.IN, AxisMessage.document_id == document.id)
            .order_by(AxisMessage.id)):
        notes.extend(n for n in message_notes or [] if n not in notes)
    replaced_by = list(db.session.scalars(
        select(Document).join(AxisDocument, AxisDocument.document_id == Document.id)
        .where(AxisDocument.replaces_document_id == document.id).order_by(Document.id)))
    linked = [*([record.replaces] if record.replaces is not None else []), *replaced_by]
    deliveries_of = {d.document_id: d for d in db.session.scalars(select(Delivery).where(
        Delivery.document_id.in_([d.id for d in linked]),
        Delivery.recipient_id == recipient_id))} if linked else {}
    return AxisFacts(
        record=record, sender_organ_id=document.authority.organ_id,
        replaces=(record.replaces, deliveries_of.get(record.replaces.id))
        if record.replaces is not None else None,
        replaced_by=[(d, deliveries_of.get(d.id)) for d in replaced_by], notes=notes)


# --- status messages ---------------------------------------------------------------------

def _apply_status(message: StatusMessage, context: Context) -> Received:
    if message.timestamp is not None and not FIRST_DAY <= message.timestamp.date() <= LAST_DAY:
        raise InboundError(_("%(field)s is out of range: %(day)s.", field="Timestamp",
                             day=message.timestamp.date().isoformat()))
    delivery = _delivery_reported_on(message)
    if message.status_code != Status.RECEIVED and \
            deliveries.reported_step_name(delivery, message.status_code) is None:
        raise InboundError(_("Status %(code)s is not one a recipient reports.",
                             code=message.status_code[:2]))
    note = _status_note(message)
    moved = False
    if message.status_code != Status.RECEIVED:
        at = min(message.timestamp, utcnow()) if message.timestamp else utcnow()
        try:
            moved = deliveries.report_step(delivery, message.status_code, note=note, at=at)
        except deliveries.DeliveryError as error:
            raise StepRefusedError(str(error)) from error
    _message_row(context, message, delivery.document, delivery)
    if moved:
        audit.record("axis.status_received", obj=delivery,
                     details={"status": message.status_code, "note": note,
                              "from": message.sender.organ_id})
    db.session.flush()
    return Received(200, {"status": "applied" if moved else "unchanged",
                          "delivery": _delivery_answer(delivery),
                          "signature": context.verdict, "repairs": list(context.notes)})


def _delivery_reported_on(message: StatusMessage) -> Delivery:
    """The delivery of the document this portal sent (ResponseFor.DocumentId) to the
    organisation that reports (From), found through the message that carried it."""
    document_id = message.response_for.document_id
    reporter = (message.sender.organ_id or "").strip().upper()
    if document_id:
        for sent in db.session.scalars(select(AxisMessage).where(
                AxisMessage.direction == Direction.OUT, AxisMessage.kind == MessageKind.DOCUMENT,
                AxisMessage.edxml_document_id == document_id[:255],
                AxisMessage.delivery_id.is_not(None)).order_by(AxisMessage.id)):
            if reporter in {(o or "").upper() for o in sent.to_organ_ids}:
                return sent.delivery
    raise UnknownDocumentError(_("No document %(id)s was sent from here to %(organ)s.",
                                 id=(document_id or "?")[:255], organ=reporter[:40] or "?"))


def _status_note(message: StatusMessage) -> str:
    """The history's note: when the recipient's system says, who, and what."""
    parts = [as_local(message.timestamp).strftime("%d/%m/%Y %H:%M") if message.timestamp
             else ""]
    staff = message.staff
    if staff is not None:
        parts.append(", ".join(p for p in (staff.staff, staff.department, staff.mobile,
                                           staff.email) if p))
    parts.append(message.description or "")
    return clean_line(" · ".join(p for p in parts if p))[:1000]


# --- refusals --------------------------------------------------------------------------

@dataclass
class Addressing:
    """Who a refused document package came from and was for, enough to answer it."""

    sender: Organ
    reporter: Organ  # the first recipient it names: the 02 comes from it
    response_for: ResponseFor


def addressing_of_package(message) -> Addressing | None:
    if not isinstance(message, DocumentPackage) or not message.recipients:
        return None
    return Addressing(sender=message.sender, reporter=message.recipients[0],
                      response_for=ResponseFor(organ_id=message.sender.organ_id,
                                               code=message.notation,
                                               promulgation_date=message.promulgation_date,
                                               document_id=message.document_id))


def addressing_of_file(path) -> Addressing | None:
    """Who a message the reader refused came from, read from its header alone, as safely as
    the reader reads (None when it cannot be read, or for a status message): only to tell a
    known sender that it was refused."""
    try:
        envelope = read_envelope(path)
    except (UnreadableMessage, OSError):
        return None
    if envelope.kind != "document":
        return None
    sender = envelope.from_organ_id[:255]
    return Addressing(sender=Organ(organ_id=sender),
                      reporter=Organ(organ_id=envelope.to_organ_ids[0][:255]),
                      response_for=ResponseFor(organ_id=sender, code=envelope.code[:255],
                                               document_id=envelope.document_id[:255]))


def refusal_back(addressing: Addressing, reason: str, sha256: str) -> bool:
    """Status 02 back to the sender of a refused package when this portal knows it (an
    organisation bearing its identifier): an unknown sender's refused message leaves
    nothing behind. Its own transaction, after the refused one rolled back."""

    organ_id = (addressing.sender.organ_id or "").strip().upper()
    if not organ_id or db.session.scalar(select(Organisation.id).where(
            Organisation.organ_id == organ_id)) is None:
        return False
    status = StatusMessage(
        sender=addressing.reporter, recipients=[addressing.sender],
        status_code=Status.REFUSED, timestamp=utcnow(), description=reason[:1000],
        response_for=addressing.response_for)
    queue_message(status, event_key=f"status:refused:{sha256}")
    return True
