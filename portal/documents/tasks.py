"""The documents feature's job: deliver an issued document to its recipients (`dispatch`).

Its render and seal come before it (portal.rendering.jobs, portal.signing.services); it
runs once the PDF of record is final, and running it twice delivers once.
"""

from sqlalchemy import select, update

from portal.audit import services as audit
from portal.clock import as_local, utcnow
from portal.deliveries.deadlines import due_on_at_receipt
from portal.deliveries.inbox import count_arrivals
from portal.deliveries.models import Channel, Delivery, Status
from portal.documents.models import Document, DocumentState
from portal.extensions import db
from portal.interop import outbound
from portal.jobs import services as jobs
from portal.jobs.runner import handles
from portal.organisations.models import Organisation, final_successor


@handles("dispatch")
def dispatch_document(job) -> None:
    """Deliver the issued document, its PDF of record final, to every recipient, once."""
    now = utcnow()
    claimed = db.session.execute(
        update(Document).where(Document.id == job.document_id, Document.dispatched_at.is_(None),
                               Document.state == DocumentState.ISSUED)
        .values(dispatched_at=now).execution_options(synchronize_session=False))
    if claimed.rowcount == 1:  # else a run before delivered it
        document = db.session.get(Document, job.document_id)
        rows = _deliver(document, now)
        audit.record("document.dispatched", obj=document, details={"recipients": len(rows)})
    jobs.schedule_next(job, "verify")
    db.session.flush()


def _deliver(document: Document, received_at) -> list[dict]:
    received_on = as_local(received_at).date()
    due_on = due_on_at_receipt(document, received_on)
    recipients = db.session.scalars(select(Organisation).where(
        Organisation.id.in_(document.recipient_ids)))
    # A merged organisation's mail goes to its successor.
    targets = {o.id: o for o in (final_successor(o, on=received_on) for o in recipients)}
    targets.pop(document.issuer_id, None)
    # An organisation on the axis gets it through the axis: its delivery waits at 01 for its
    # system's word (a status message), and one package goes to it.
    rows = [dict(document_id=document.id, recipient_id=recipient_id, status=Status.RECEIVED,
                 received_at=received_at, received_on=received_on, due_on=due_on,
                 due_working_days=document.due_working_days,
                 channel=Channel.AXIS if outbound.on_axis(targets[recipient_id])
                 else Channel.PORTAL)
            for recipient_id in sorted(targets)]
    db.session.execute(Delivery.__table__.insert(), rows)
    count_arrivals(set(targets))
    for delivery in db.session.scalars(select(Delivery).where(
            Delivery.document_id == document.id, Delivery.channel == Channel.AXIS)
            .order_by(Delivery.id)):
        outbound.queue_document(document, delivery)
    return rows
