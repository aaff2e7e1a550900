"""The signature chain (trình ký): initials, the signer, then the clerk issues with the seal.

A document the portal lays out goes through its chain before it is numbered. The author names
who initials it (ký nháy: the drafting unit's leader, the office) and who signs it; a job lays
it out without a number and makes every signature field at once; each person in turn approves
it, and a `sign` job applies their signature into their field. When the signer has signed, the
clerk issues it: the number and date go into the organisation's seal (the `sign` job again).
Whoever's turn it is may instead return it to its author, which discards the signed PDF.
"""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select, update

from portal import policy
from portal.audit import services as audit
from portal.auth.models import User
from portal.clock import utcnow
from portal.collation import by_name
from portal.documents.models import Document, DocumentState
from portal.documents.services import DocumentError, change_state
from portal.extensions import db
from portal.jobs import services as jobs
from portal.organisations.models import Organisation
from portal.signing import keys
from portal.signing.models import (
    INITIAL_FIELDS,
    ORGANISATION_FIELD,
    SIGNER_FIELD,
    SignatureStep,
)

UNIT_INITIALS, OFFICE_INITIALS = INITIAL_FIELDS
FIELD_LABELS = {
    UNIT_INITIALS: _l("Initials of the drafting unit's leader"),
    OFFICE_INITIALS: _l("Initials of the office"),
    SIGNER_FIELD: _l("Signature"),
    ORGANISATION_FIELD: _l("Organisation's signature, with number and date"),
}


def candidates(document: Document) -> list[User]:
    """Who may initial or sign: the leaders of the issuing authority and of its units (a
    unit's letter in the ministry's name is signed for the minister, TL. by a unit's head)."""
    authority_id = document.authority_id
    organisations = select(Organisation.id).where(
        (Organisation.id == authority_id) | (Organisation.parent_id == authority_id))
    return list(db.session.scalars(
        select(User).where(User.role == policy.Role.LEADER, User.active.is_(True),
                           User.organisation_id.in_(organisations))
        .order_by(by_name(User.full_name), User.id)))


def steps_of(document: Document) -> list[SignatureStep]:
    return list(db.session.scalars(select(SignatureStep).where(
        SignatureStep.document_id == document.id).order_by(SignatureStep.position)))


def current_step(document: Document) -> SignatureStep | None:
    """The first signature not yet applied: whose turn it is."""
    return next((s for s in steps_of(document) if not s.signed), None)


def submit_for_signing(document: Document, *, actor, signer_id: int,
                       unit_initials_id: int | None = None,
                       office_initials_id: int | None = None) -> list[SignatureStep]:
    """Trình ký: lay the draft out without a number and ask the people named to sign it."""
    if document.state != DocumentState.DRAFT or not policy.can_edit_draft(actor, document):
        raise DocumentError(_("This document can no longer be changed."))
    if any(a.is_main for a in document.attachments):
        raise DocumentError(_("An uploaded PDF was signed where it was made: issue it as it "
                              "is."))
    if not document.body.strip():
        raise DocumentError(_("Write the document's text before submitting it for signing."))
    if not document.recipient_ids:
        raise DocumentError(_("Choose at least one recipient."))
    chosen = [(field, user_id) for field, user_id in (
        (UNIT_INITIALS, unit_initials_id), (OFFICE_INITIALS, office_initials_id),
        (SIGNER_FIELD, signer_id)) if user_id]
    people = _check_people(document, [user_id for _field, user_id in chosen])
    change_state(document, DocumentState.DRAFT, DocumentState.SIGNING)
    steps = [SignatureStep(document_id=document.id, position=position, field=field,
                           user_id=user_id)
             for position, (field, user_id) in enumerate(chosen, start=1)]
    db.session.add_all(steps)
    document.review_note = None
    audit.record("document.submitted_for_signing", actor=actor, obj=document, details={
        "chain": [{"field": field, "user": people[user_id].email} for field, user_id in chosen]})
    jobs.schedule("render", document_id=document.id, actor=actor)
    db.session.flush()
    return steps


def _check_people(document: Document, user_ids: list[int]) -> dict[int, User]:
    if not user_ids or user_ids[-1] is None:
        raise DocumentError(_("Choose who signs the document."))
    if len(set(user_ids)) != len(user_ids):
        raise DocumentError(_("Each person signs once in the chain."))
    allowed = {user.id: user for user in candidates(document)}
    people = {}
    for user_id in user_ids:
        if user_id not in allowed:
            raise DocumentError(_("Only the leaders of your organisation can sign its "
                                  "documents."))
        if keys.person_identity(user_id) is None:
            raise DocumentError(_("%(name)s has no signing key yet; an administrator can give "
                                  "one on the Signing keys page.", name=allowed[user_id].full_name))
        people[user_id] = allowed[user_id]
    return people


def approve(document: Document, *, actor) -> SignatureStep:
    """The person whose turn it is signs (or initials): their signature is applied by a job."""
    step = current_step(document) if document.state == DocumentState.SIGNING else None
    if step is None or step.user_id != actor.id:
        raise DocumentError(_("It is not your turn to sign this document."))
    if document.pdf_file_id is None:
        raise DocumentError(_("The PDF is still being laid out; try again in a moment."))
    result = db.session.execute(
        update(SignatureStep).where(SignatureStep.id == step.id,
                                    SignatureStep.approved_at.is_(None))
        .values(approved_at=utcnow()).execution_options(synchronize_session=False))
    if result.rowcount != 1:
        raise DocumentError(_("Your signature is already being applied."))
    audit.record("document.signature_approved", actor=actor, obj=document,
                 details={"field": step.field})
    jobs.schedule("sign", document_id=document.id, actor=actor)
    db.session.flush()
    return step


def can_return(actor, document: Document) -> bool:
    """The person whose turn it is, and those who may edit the draft, may send it back."""
    if document.state not in (DocumentState.SIGNING, DocumentState.SIGNED):
        return False
    step = current_step(document)
    if step is not None and step.approved_at is not None:
        return False  # a signature is being applied: wait for it
    return (step is not None and step.user_id == actor.id) or policy.can_edit_draft(actor,
                                                                                   document)


def return_to_draft(document: Document, *, actor, note: str = "") -> None:
    """Send the document back to its author for changes; the signatures so far are dropped."""
    if not can_return(actor, document):
        raise DocumentError(_("You cannot return this document now."))
    change_state(document, document.state, DocumentState.DRAFT)
    db.session.execute(delete(SignatureStep).where(SignatureStep.document_id == document.id))
    document.pdf_file_id = None
    document.review_note = (note or "").strip()[:1000] or None
    audit.record("document.returned_to_draft", actor=actor, obj=document,
                 details={"note": document.review_note})
    db.session.flush()


def waiting_for(user) -> list[Document]:
    """Documents whose next signature is this person's."""
    earlier = SignatureStep.__table__.alias("earlier")
    return list(db.session.scalars(
        select(Document).join(SignatureStep, SignatureStep.document_id == Document.id)
        .where(SignatureStep.user_id == user.id, SignatureStep.signed_file_id.is_(None),
               Document.state == DocumentState.SIGNING,
               ~select(earlier.c.id).where(earlier.c.document_id == Document.id,
                                           earlier.c.position < SignatureStep.position,
                                           earlier.c.signed_file_id.is_(None)).exists())
        .order_by(Document.updated_at)))
