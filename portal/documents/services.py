"""Draft, issue and recall official documents.

Issuing (phát hành) numbers the document from its organisation's register, in one
transaction, and starts its jobs: render (or take the uploaded PDF), seal, then `dispatch`
(documents/tasks.py), which creates one Delivery per recipient once the PDF of record is
final. Replies are documents too (deliveries/replies.py). Services flush; the action that
calls them commits (portal/transaction.py), and hands over the jobs they scheduled.
"""

from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update

from portal import policy
from portal.audit import services as audit
from portal.bounds import latest_deadline
from portal.clock import as_local, local_today, utcnow
from portal.deliveries import services as deliveries
from portal.deliveries import steps
from portal.deliveries.models import Delivery
from portal.documents.authority import check_authority
from portal.documents.models import (
    Confidentiality,
    Document,
    DocumentAttachment,
    DocumentState,
    DocumentType,
    Urgency,
)
from portal.documents.numbering import next_number, notation_for
from portal.documents.text import fold, is_blank, nfc
from portal.extensions import db
from portal.interop import outbound
from portal.jobs import services as jobs
from portal.organisations.models import Organisation
from portal.rules import PortalError
from portal.storage.names import display_name
from portal.storage.services import check_pdf, store_bytes

MAX_ATTACHMENTS = 20


class DocumentError(PortalError):
    """A document the portal refuses as it is; the message says why."""


class ConfidentialDocumentError(DocumentError):
    """Classified documents (MẬT and above) never travel through the portal."""


CONFIDENTIAL_MESSAGE = _l(
    "Confidential documents (Mật, Tối mật, Tuyệt mật) must not be exchanged through the "
    "portal. Send them on paper through the confidential channel; nothing has been stored.")


@dataclass
class DraftFields:
    doc_type: str
    subject: str
    body: str = ""
    urgency: str = Urgency.NORMAL
    confidentiality: str = Confidentiality.NONE
    # The issuing authority's id; None: the drafting organisation's default (authority.py).
    authority_id: int | None = None
    recipient_ids: tuple[int, ...] = ()
    due_on: date | None = None
    due_working_days: int | None = None


def refuse_confidential(confidentiality: str) -> None:
    if confidentiality != Confidentiality.NONE:
        raise ConfidentialDocumentError(str(CONFIDENTIAL_MESSAGE))


# The marks Circular 24/2020/TT-BCA stamps on classified documents, alone on their line.
_CONFIDENTIAL_MARKS = {"MẬT", "TỐI MẬT", "TUYỆT MẬT"}


def has_confidential_mark(text: str) -> bool:
    return any(" ".join(nfc(line).split()) in _CONFIDENTIAL_MARKS for line in text.splitlines())


def _check_fields(fields: DraftFields, issuer: Organisation) -> list[int]:
    refuse_confidential(fields.confidentiality)
    if fields.doc_type not in DocumentType.__members__.values():
        raise DocumentError(_("Unknown document type."))
    if fields.urgency not in Urgency.__members__.values():
        raise DocumentError(_("Unknown urgency."))
    if is_blank(fields.subject):
        raise DocumentError(_("The subject (trích yếu) is required."))
    if fields.due_on is not None and fields.due_working_days is not None:
        raise DocumentError(_("Give the deadline as a date or as working days, not both."))
    if fields.due_on is not None and fields.due_on < local_today():
        raise DocumentError(_("The reply deadline cannot be in the past."))
    if fields.due_on is not None and fields.due_on > (latest := latest_deadline(local_today())):
        raise DocumentError(_("The reply deadline must lie within two years: %(last)s at the "
                              "latest.", last=latest.strftime("%d/%m/%Y")))
    if fields.due_working_days is not None and not 1 <= fields.due_working_days <= 365:
        raise DocumentError(_("The number of working days must be between 1 and 365."))
    ids = list(dict.fromkeys(int(i) for i in fields.recipient_ids))
    if issuer.id in ids:
        raise DocumentError(_("An organisation cannot send a document to itself."))
    found = db.session.scalars(select(Organisation.id).where(Organisation.id.in_(ids))).all()
    if len(found) != len(ids):
        raise DocumentError(_("Unknown recipient."))
    return ids


def save_draft(fields: DraftFields, *, actor, document: Document | None = None) -> Document:
    """Create or update a draft of the actor's organisation."""
    if document is None and not policy.can_compose(actor):
        raise DocumentError(_("Your role does not allow drafting documents."))
    # A draft's author may always change it (a reviewer edits the oversight letter drafted).
    if document is not None and (document.state != DocumentState.DRAFT
                                 or not policy.can_edit_draft(actor, document)):
        raise DocumentError(_("This document can no longer be changed."))
    recipient_ids = _check_fields(fields, actor.organisation)
    authority = check_authority(actor.organisation, fields.authority_id)
    new = document is None
    if new:
        document = Document(issuer_id=actor.organisation_id, author_id=actor.id)
        db.session.add(document)
    document.doc_type = fields.doc_type
    document.subject = nfc(fields.subject).strip()[:500]
    document.body = nfc(fields.body)
    document.urgency = fields.urgency
    document.authority = authority
    document.recipient_ids = recipient_ids
    document.due_on = fields.due_on
    document.due_working_days = fields.due_working_days
    document.search_text = fold(document.subject)
    db.session.flush()
    audit.record("document.drafted" if new else "document.draft_saved", actor=actor,
                 obj=document, details={"subject": document.subject})
    db.session.flush()
    return document


def add_attachment(document: Document, *, actor, filename: str, data: bytes,
                   main: bool = False) -> DocumentAttachment:
    """Attach a PDF (checked by its bytes, size and first page's marks) to a draft.

    `main` makes it the document itself (the PDF of record), replacing an earlier one.
    """
    if document.state == DocumentState.ISSUED:
        raise DocumentError(_("This document can no longer be changed."))
    if len(document.attachments) >= MAX_ATTACHMENTS:
        raise DocumentError(_("A document can have at most %(n)s attachments.",
                              n=MAX_ATTACHMENTS))
    filename = display_name(filename)
    if has_confidential_mark(check_pdf(data, filename).first_page_text):
        raise ConfidentialDocumentError(str(CONFIDENTIAL_MESSAGE))
    stored = store_bytes(data)
    if main:
        for earlier in document.attachments:
            earlier.is_main = False
    attachment = DocumentAttachment(document=document, file=stored, filename=filename,
                                    is_main=main)
    db.session.add(attachment)
    db.session.flush()
    audit.record("document.attachment_added", actor=actor, obj=document,
                 details={"filename": filename, "sha256": stored.sha256, "size": stored.size,
                          "main": main})
    db.session.flush()
    return attachment


def remove_attachment(attachment: DocumentAttachment, *, actor) -> None:
    document = attachment.document
    if document.state == DocumentState.ISSUED:
        raise DocumentError(_("This document can no longer be changed."))
    audit.record("document.attachment_removed", actor=actor, obj=document,
                 details={"filename": attachment.filename})
    db.session.delete(attachment)
    db.session.flush()


def _claim_for_issue(document: Document, allowed_from: str) -> None:
    """Move the document to issued only if nobody did it first (double submit, two clerks)."""
    result = db.session.execute(
        update(Document)
        .where(Document.id == document.id, Document.state == allowed_from)
        .values(state=DocumentState.ISSUED)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise DocumentError(_("This document has already been issued."))
    document.state = DocumentState.ISSUED


def _refuse_a_closed_register(document: Document) -> None:
    """From its merge's day nothing is numbered in a merged organisation's name: its people
    issue under the successor's code and register (organisations.merging.take_effect)."""
    for organisation in (document.authority, document.issuer):
        if organisation.is_merged():
            raise DocumentError(_(
                "%(name)s was merged into %(successor)s on %(day)s: its register is closed. "
                "Draft the document again in the name of %(successor)s.",
                name=organisation.name, successor=organisation.successor.name,
                day=organisation.merged_on.strftime("%d/%m/%Y")))


def issue(document: Document, *, actor, allowed_from=DocumentState.DRAFT) -> Document:
    """Number the document and start its jobs, once the caller has checked who issues it
    (issue_document: the clerk; a reply: the leader approving it)."""
    if not document.recipient_ids:
        raise DocumentError(_("Choose at least one recipient."))
    _refuse_a_closed_register(document)
    outbound.check_axis_recipients(document)
    _claim_for_issue(document, allowed_from)
    now = utcnow()
    year = as_local(now).year
    document.number = next_number(document.authority_id, year)
    document.year = year
    document.notation = notation_for(document.number, document.doc_type, document.issuer,
                                     document.authority)
    document.issued_at = now
    document.issued_by_id = actor.id
    document.search_text = fold(f"{document.notation} {document.subject}")
    audit.record("document.issued", actor=actor, obj=document,
                 details={"notation": document.notation,
                          "recipients": len(document.recipient_ids)})
    # A document signed through its chain already has its PDF: only the seal is missing.
    jobs.schedule("render" if document.pdf_file_id is None else "sign",
                  document_id=document.id, actor=actor)
    return document


def issue_document(document: Document, *, actor) -> Document:
    """Phát hành: number the draft (or the signed document); its jobs seal and deliver it.

    A draft goes out unsigned, unless its organisation issues only signed documents; an
    uploaded main PDF was signed (or not) where it was made.
    """
    if not policy.can_issue(actor, document) or document.reply_to_id is not None:
        raise DocumentError(_("Only your organisation's clerk can issue documents."))
    if document.state == DocumentState.SIGNING:
        raise DocumentError(_("The document is still being signed."))
    if document.state not in (DocumentState.DRAFT, DocumentState.SIGNED):
        raise DocumentError(_("This document has already been issued."))
    if (document.state == DocumentState.DRAFT and document.issuer.signed_issue_only
            and not any(a.is_main for a in document.attachments)):
        raise DocumentError(_("Your organisation issues only signed documents: submit this "
                              "draft for signing first."))
    issue(document, actor=actor, allowed_from=document.state)
    db.session.flush()
    return document


def recallable_deliveries(document: Document) -> list[Delivery]:
    """The deliveries the sender may still ask back (the steps table's request_recall)."""
    return list(db.session.scalars(select(Delivery).where(
        Delivery.document_id == document.id,
        steps.in_effective_states(steps.STEPS["request_recall"].from_states))
        .order_by(Delivery.id)))


def recall_document(document: Document, *, actor) -> int:
    """Ask every recipient who has not started on the document to give it back."""
    count = 0
    for delivery in recallable_deliveries(document):
        deliveries.request_recall(delivery, actor=actor)
        count += 1
    if not count:
        raise DocumentError(_("No recipient can give this document back: all have started "
                              "on it."))
    db.session.flush()
    return count


def change_state(document: Document, seen: str, to: str) -> None:
    """Change the state only from the one the caller saw (two clicks, two tabs, two people)."""
    result = db.session.execute(
        update(Document).where(Document.id == document.id, Document.state == seen)
        .values(state=to).execution_options(synchronize_session=False))
    if result.rowcount != 1:
        raise DocumentError(_("The document has already moved on; reload the page."))
    document.state = to
