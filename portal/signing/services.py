"""Seal issued documents with their organisation's signature, and verify received PDFs.

Both run as jobs (`sign`, `verify`) after the render job; both are safe to run twice.
"""

from dataclasses import asdict

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update

from portal.audit import services as audit
from portal.clock import as_local, utcnow
from portal.documents.models import Document
from portal.extensions import db
from portal.jobs.services import handles, report, schedule_next
from portal.signing import keys
from portal.signing.models import Verification
from portal.storage.services import read_bytes, store_bytes

VERDICT_LABELS = {"valid": _l("Valid"), "warnings": _l("Valid, with warnings"),
                  "invalid": _l("Not valid"), "unsigned": _l("Not signed")}
FINDING_LABELS = {
    "unreadable": _l("The file cannot be read as a PDF."),
    "no_signature": _l("The file carries no digital signature."),
    "not_intact": _l("The signed content was changed after signing."),
    "untrusted": _l("The certificate does not lead to a trusted root."),
    "changes_not_permitted": _l("Changes were made after signing that signing does not permit."),
    "changes_permitted": _l("Later revisions only fill in fields or add signatures, "
                            "which signing permits."),
}


@handles("sign")
def seal_document(job) -> None:
    """The clerk's last step: the organisation's signature with the number and date."""
    document = db.session.get(Document, job.document_id)
    if document.sealed_at is None:
        identity = keys.organisation_identity(document.issuer_id)
        if identity is None:
            report(job, 90, "no_key")
        else:
            report(job, 20, "sealing")
            from portal.signing.pdf import ORGANISATION_FIELD, sign

            lines = [document.issuer.name, f"Số: {document.notation}",
                     f"Ngày: {as_local(document.issued_at).strftime('%d/%m/%Y')}",
                     f"Ký lúc: {as_local(utcnow()).strftime('%d/%m/%Y %H:%M')} (GMT+7)"]
            with keys.open_signer(identity) as signer:
                signed = sign(read_bytes(document.pdf_file), signer, ORGANISATION_FIELD, lines)
            stored = store_bytes(signed)
            db.session.execute(update(Document).where(Document.id == document.id,
                                                      Document.sealed_at.is_(None))
                               .values(pdf_file_id=stored.id, sealed_at=utcnow()))
            audit.record("document.sealed", obj=document,
                         details={"sha256": stored.sha256, "certificate": identity.label})
    schedule_next(job, "verify")
    db.session.commit()


@handles("verify")
def verify_document(job) -> None:
    document = db.session.get(Document, job.document_id)
    verify_file(document.pdf_file_id)


def verify_file(stored_file_id: int) -> Verification:
    """Check every signature of a stored PDF once; the result is kept with the file."""
    existing = db.session.scalar(select(Verification).where(
        Verification.stored_file_id == stored_file_id))
    if existing is not None:
        return existing
    from portal.signing.pdf import check_signatures
    from portal.storage.models import StoredFile

    data = read_bytes(db.session.get(StoredFile, stored_file_id))
    try:
        checks = check_signatures(data, keys.trusted_roots())
    except ValueError as error:
        verdict, findings, signatures = "invalid", ["unreadable"], []
        detail = str(error)[:300]
    else:
        signatures = [{**asdict(c), "findings": _findings(c)} for c in checks]
        findings = sorted({f for s in signatures for f in s["findings"]})
        verdict = _verdict(signatures)
        detail = None
        if not checks:
            findings = ["no_signature"]
    verification = Verification(stored_file_id=stored_file_id, verdict=verdict, report={
        "findings": findings, "signatures": signatures, "detail": detail})
    db.session.add(verification)
    db.session.commit()
    return verification


def _findings(check) -> list[str]:
    findings = []
    if not check.intact:
        findings.append("not_intact")
    if not check.trusted:
        findings.append("untrusted")
    if check.later_changes == "other" or check.later_changes == "unknown":
        findings.append("changes_not_permitted")
    elif check.coverage != "entire_file":
        findings.append("changes_permitted")
    return findings


def _verdict(signatures: list[dict]) -> str:
    if not signatures:
        return "unsigned"
    findings = {f for s in signatures for f in s["findings"]}
    if findings - {"changes_permitted"}:
        return "invalid"
    return "warnings" if findings else "valid"


def verification_of(document) -> Verification | None:
    if document.pdf_file_id is None:
        return None
    return db.session.scalar(select(Verification).where(
        Verification.stored_file_id == document.pdf_file_id))
