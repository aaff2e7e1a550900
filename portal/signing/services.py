"""What the signing feature answers the pages and jobs: which signature fields a document
needs, whose key seals it, and the verification of a stored PDF (kept with the file).

The signing itself runs as jobs (portal.signing.tasks: `sign`, `verify`).
"""

from dataclasses import asdict

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from portal.extensions import db
from portal.signing import keys
from portal.signing.models import ORGANISATION_FIELD, SignatureStep, Verification
from portal.storage.services import read_bytes

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
    "annotations_added": _l("Comments or markings were added after signing; the signed "
                            "content itself is unchanged."),
}


def sealing_organisation_id(document) -> int:
    """Whose key seals the document (the one place that says so): its issuing authority's,
    whoever drafted it."""
    return document.authority_id


def fields_to_sign(document) -> set[str]:
    """The signature fields the document's PDF needs: one per step of its chain, and the
    seal's when the sealing organisation has a key; no field is left empty in the end."""
    names = {step.field for step in db.session.scalars(select(SignatureStep).where(
        SignatureStep.document_id == document.id))}
    if keys.organisation_identity(sealing_organisation_id(document)) is not None:
        names.add(ORGANISATION_FIELD)
    return names


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
        signatures = [_signature_entry(c) for c in checks]
        findings = sorted({f for s in signatures for f in s["findings"]})
        verdict = _verdict(signatures)
        detail = None
        if not checks:
            findings = ["no_signature"]
    verification = Verification(stored_file_id=stored_file_id, verdict=verdict, report={
        "findings": findings, "signatures": signatures, "detail": detail})
    db.session.add(verification)
    db.session.flush()
    return verification


def _signature_entry(check) -> dict:
    """One signature of the report; its organisation named as the portal's records name the
    certificate's owner (in full), else as the certificate says."""
    entry = {**asdict(check), "findings": _findings(check)}
    owner = keys.owner_organisation(entry.pop("certificate"))
    if owner is not None:
        entry["organisation"] = owner.name
    return entry


INVALID_FINDINGS = {"unreadable", "not_intact", "untrusted", "changes_not_permitted"}
WARNING_FINDINGS = {"annotations_added"}  # "changes_permitted" is information only


def _findings(check) -> list[str]:
    findings = []
    if not check.intact:
        findings.append("not_intact")
    if not check.trusted:
        findings.append("untrusted")
    if check.later_changes in ("other", "unknown"):
        findings.append("changes_not_permitted")
    elif check.later_changes == "annotations":
        findings.append("annotations_added")
    elif check.coverage != "entire_file":
        findings.append("changes_permitted")  # later signatures of the chain, fields filled
    return findings


def _verdict(signatures: list[dict]) -> str:
    if not signatures:
        return "unsigned"
    findings = {f for s in signatures for f in s["findings"]}
    if findings & INVALID_FINDINGS:
        return "invalid"
    return "warnings" if findings & WARNING_FINDINGS else "valid"

