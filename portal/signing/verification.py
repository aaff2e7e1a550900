"""What the pages show of verifications: a document's PDF's, and its attachments' verdicts,
read in one query for all of them (a page renders what its route read, never querying)."""

from sqlalchemy import select
from sqlalchemy.orm import contains_eager

from portal.documents.models import DocumentAttachment
from portal.extensions import db
from portal.signing.models import Verification


def verification_of(document) -> Verification | None:
    """What verifying the document's PDF of record found, once it was verified."""
    if document.pdf_file_id is None:
        return None
    return db.session.scalar(select(Verification).where(
        Verification.stored_file_id == document.pdf_file_id))


def verified_attachments(document) -> list[tuple[DocumentAttachment, Verification | None]]:
    """The document's attachments in their order (the document itself first), with their
    files, each with its verification or None; none for no document."""
    if document is None:
        return []
    rows = db.session.execute(
        select(DocumentAttachment, Verification)
        .join(DocumentAttachment.file)
        .outerjoin(Verification, Verification.stored_file_id == DocumentAttachment.file_id)
        .options(contains_eager(DocumentAttachment.file))
        .where(DocumentAttachment.document_id == document.id)
        .order_by(DocumentAttachment.is_main.desc(), DocumentAttachment.id))
    return [(attachment, verification) for attachment, verification in rows]


def verification_after(jobs) -> Verification | None:
    """The report a job fragment shows under its done verify job, if one of `jobs` is."""
    verified = next((job for job in jobs if job.kind == "verify" and job.state == "done"), None)
    return verification_of(verified.document) if verified is not None else None
