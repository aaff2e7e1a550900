"""The signing jobs: `sign` applies the signatures of the chain, then the organisation's seal;
`verify` checks every signature of the document's PDFs (render → sign → dispatch → verify).

Both are safe to run twice. The job runner commits their work: each progress report keeps the
signatures applied so far, and the job's end keeps the rest with its state.
"""

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select, update

from portal.audit import services as audit
from portal.clock import as_local, utcnow
from portal.documents.models import Document, DocumentState
from portal.extensions import db
from portal.jobs.runner import handles, report
from portal.jobs.services import JobError, schedule_next
from portal.rendering.values import document_values
from portal.signing import keys
from portal.signing.images import seal_image, signature_image
from portal.signing.models import (
    DATE_FIELD,
    INITIAL_FIELDS,
    NUMBER_FIELD,
    ORGANISATION_FIELD,
    SignatureStep,
)
from portal.signing.services import sealing_organisation_id, verify_file
from portal.storage.services import read_bytes, store_bytes


@handles("sign")
def sign_document(job) -> None:
    """Apply the signatures people approved, in chain order; once the document is issued,
    the organisation's seal with the number and date (the clerk's step)."""
    document = db.session.get(Document, job.document_id)
    for step in db.session.scalars(select(SignatureStep).where(
            SignatureStep.document_id == document.id, SignatureStep.approved_at.is_not(None),
            SignatureStep.signed_file_id.is_(None)).order_by(SignatureStep.position)).all():
        _apply_person_signature(document, step)
    if document.state == DocumentState.SIGNING and all(
            step.signed for step in db.session.scalars(select(SignatureStep).where(
                SignatureStep.document_id == document.id))):
        db.session.execute(update(Document).where(Document.id == document.id,
                                                  Document.state == DocumentState.SIGNING)
                           .values(state=DocumentState.SIGNED))
    if document.state == DocumentState.ISSUED:
        if document.sealed_at is None:
            _fill_number_and_date(document)
            _seal(document)
        schedule_next(job, "dispatch")
    db.session.flush()


def signed_at(moment) -> str:
    """"15/12/2026 10:11:12 +07:00": local time with its zone (ISO 8601's offset)."""
    local = as_local(moment)
    offset = local.strftime("%z")
    return f"{local.strftime('%d/%m/%Y %H:%M:%S')} {offset[:3]}:{offset[3:]}"


def _apply_person_signature(document, step) -> None:
    person = step.user
    identity = keys.person_identity(person.id)
    if identity is None:
        raise JobError(_("%(name)s has no signing key.", name=person.full_name))
    initials = step.field in INITIAL_FIELDS
    report(20, "initialling" if initials else "signing")
    now = signed_at(utcnow())
    lines = ([person.full_name, now] if initials else
             [person.full_name, person.organisation.name, f"Ký lúc: {now}"])
    previous = document.pdf_file
    stored = store_bytes(_signed(read_bytes(previous), identity, step.field, lines,
                                 image=None if initials else signature_image(person)))
    moved = db.session.execute(update(Document).where(Document.id == document.id,
                                                      Document.pdf_file_id == previous.id)
                               .values(pdf_file_id=stored.id))
    if moved.rowcount != 1:  # the document was returned meanwhile: undo this step (the
        db.session.rollback()  # report before it kept the earlier ones) and leave it as it is
        return
    db.session.execute(update(SignatureStep).where(SignatureStep.id == step.id)
                       .values(signed_file_id=stored.id, signed_at=utcnow()))
    audit.record("document.signature_applied", actor=person, obj=document,
                 details={"field": step.field, "sha256": stored.sha256,
                          "certificate": identity.label})
    db.session.flush()
    db.session.refresh(document)


def _fill_number_and_date(document) -> None:
    """Write the number and the date into their places on a PDF laid out before it had
    them, and its Title; a permitted change (form filling) for the signatures before."""
    from portal.signing.form import fill_fields, text_values  # pyHanko loads only where it signs

    data = read_bytes(document.pdf_file)
    values = document_values(document)
    wanted = {NUMBER_FIELD: f"Số: {values['notation']}", DATE_FIELD: values["place_and_date"]}
    present = text_values(data)
    if not present.keys() & wanted.keys() or all(present.get(k) == v for k, v in wanted.items()
                                                 if k in present):
        return  # laid out with its number, or filled by a run before
    previous = document.pdf_file
    stored = store_bytes(fill_fields(data, wanted, title=values["title"]))
    db.session.execute(update(Document).where(Document.id == document.id,
                                              Document.pdf_file_id == previous.id)
                       .values(pdf_file_id=stored.id))
    audit.record("document.number_and_date_filled", obj=document,
                 details={"notation": document.notation, "sha256": stored.sha256})
    db.session.flush()
    db.session.refresh(document)


def _seal(document) -> None:
    """The issuing authority's signature (its seal), whoever drafted the document."""
    identity = keys.organisation_identity(sealing_organisation_id(document))
    if identity is None:
        report(90, "no_key")
        return
    report(60, "sealing")
    lines = [identity.organisation.name, f"Số: {document.notation}",
             f"Ký lúc: {signed_at(utcnow())}"]
    stored = store_bytes(_signed(read_bytes(document.pdf_file), identity, ORGANISATION_FIELD,
                                 lines, image=seal_image(identity.organisation)))
    db.session.execute(update(Document).where(Document.id == document.id,
                                              Document.sealed_at.is_(None))
                       .values(pdf_file_id=stored.id, sealed_at=utcnow()))
    audit.record("document.sealed", obj=document,
                 details={"sha256": stored.sha256, "certificate": identity.label})


def _signed(data: bytes, identity, field: str, lines: list[str],
            image: bytes | None = None) -> bytes:
    """The PDF with this identity's signature in the field (timestamped when a TSA is set)."""
    from pyhanko.sign.timestamps import TimestampRequestError

    from portal.signing.pdf import sign

    try:
        with keys.open_signer(identity) as signer:
            return sign(data, signer, field, lines, timestamper=keys.timestamper(),
                        image=image)
    except TimestampRequestError as error:
        raise JobError(_("The time-stamping authority did not answer (%(url)s); try again "
                         "later.", url=current_app.config["TSA_URL"])) from error


@handles("verify")
def verify_document(job) -> None:
    """Verify the PDF of record, then each attached PDF (signed where it was made, or not).

    A document received through the axis may have no PDF of record, and attachments the
    portal keeps without opening them (a .doc, a .zip): only checked PDFs are verified."""
    document = db.session.get(Document, job.document_id)
    if document.pdf_file_id is not None:
        verify_file(document.pdf_file_id)
    for attachment in document.attachments:
        if attachment.file.content_type == "application/pdf":
            verify_file(attachment.file_id)

