"""The render job: a document becomes its PDF of record (issued, or for its signature chain)."""

from sqlalchemy import update

from portal.audit import services as audit
from portal.documents.models import Document, DocumentState
from portal.extensions import db
from portal.jobs.runner import handles
from portal.jobs.services import schedule_next
from portal.rendering.values import document_values
from portal.signing.services import fields_to_sign
from portal.storage.services import store_bytes


@handles("render")
def render_document(job) -> None:
    """Lay out the document (or take its uploaded main PDF) and keep it, once."""
    document = db.session.get(Document, job.document_id)
    if document.pdf_file_id is not None:
        return  # a second run of the same job: the PDF is already there
    main = next((a for a in document.attachments if a.is_main), None)
    if main is not None:
        stored = main.file  # signed (or not) where it was made: verified, never re-signed
    else:
        from portal.rendering.pdf import render_pdf  # WeasyPrint loads only where it renders
        from portal.signing.pdf import add_signature_fields  # and pyHanko

        rendered = render_pdf(document_values(document))
        stored = store_bytes(add_signature_fields(
            rendered.data, signature=(rendered.signature_page, rendered.signature_box),
            initials=(rendered.initials_page, rendered.initials_box),
            names=fields_to_sign(document), text_fields=rendered.fill_in))
    db.session.execute(update(Document).where(Document.id == document.id,
                                              Document.pdf_file_id.is_(None))
                       .values(pdf_file_id=stored.id))
    audit.record("document.rendered", obj=document,
                 details={"sha256": stored.sha256, "size": stored.size,
                          "uploaded": main is not None})
    if main is not None:
        schedule_next(job, "dispatch")  # sealed where it was made, or not at all
    elif document.state == DocumentState.ISSUED:
        schedule_next(job, "sign")  # else the people of its chain sign it, one by one
    db.session.flush()
