"""Data generator: documents from the ministry to all 63 departments, with a year of history.

Each document goes to every department, so N deliveries are N / 63 documents. States and
deadlines are spread the way a busy year looks: most done, some acknowledged or assigned,
some new; a third with a reply deadline, some of them overdue.
"""

import random
from datetime import timedelta

from sqlalchemy import insert, select

from portal.clock import as_local, utcnow
from portal.deliveries.models import Delivery
from portal.documents.models import Document
from portal.extensions import db
from portal.organisations.models import Organisation, OrganisationKind
from portal.organisations.services import find_by_code

BATCH = 20_000
STATES = ["06"] * 12 + ["03"] * 3 + ["04", "05"] + ["01"] * 3


def generate_deliveries(total: int, seed: int = 2026) -> int:
    """Insert about `total` deliveries (whole documents of 63); return how many."""
    rng = random.Random(seed)
    office = find_by_code("VP")
    author_id = db.session.scalar(select(Document.author_id).limit(1)) or 1
    departments = list(db.session.scalars(select(Organisation.id).where(
        Organisation.kind == OrganisationKind.DEPARTMENT)))
    now = utcnow()
    first_number = 100_000  # clear of the numbers the demo letters took
    documents, deliveries, made = [], [], 0
    document_id = (db.session.scalar(select(db.func.max(Document.id))) or 0) + 1
    for index in range(total // len(departments)):
        received_at = now - timedelta(minutes=rng.randrange(0, 365 * 24 * 60))
        received_on = as_local(received_at).date()
        due_on = received_on + timedelta(days=rng.randrange(3, 15)) if index % 3 == 0 else None
        notation = f"{first_number + index}/BTNMT-VP"
        subject = f"V/v số liệu tổng hợp {index} về đất đai, khoáng sản và môi trường"
        documents.append(dict(
            id=document_id, issuer_id=office.id, author_id=author_id, doc_type="cong_van",
            subject=subject, body="", urgency=rng.choice(["normal"] * 6 + ["urgent", "flash"]),
            signer_name="", signer_title="", state="issued", recipient_ids=[],
            due_on=due_on, number=first_number + index, year=received_on.year,
            notation=notation, issued_at=received_at, search_text=f"{notation} {subject}".lower(),
            created_at=received_at, updated_at=received_at))
        for recipient_id in departments:
            status = rng.choice(STATES)
            deliveries.append(dict(
                document_id=document_id, recipient_id=recipient_id, channel="portal",
                status=status, received_at=received_at, received_on=received_on,
                due_on=due_on,
                acknowledged_at=received_at + timedelta(hours=2) if status != "01" else None,
                done_at=received_at + timedelta(days=2) if status == "06" else None,
                replied_at=received_at + timedelta(days=2) if status == "06" and due_on
                else None))
        document_id += 1
        if len(deliveries) >= BATCH:
            made += _flush(documents, deliveries)
    made += _flush(documents, deliveries)
    return made


def _flush(documents, deliveries) -> int:
    count = len(deliveries)
    if documents:
        db.session.execute(insert(Document), documents)
        db.session.execute(insert(Delivery), deliveries)
        db.session.commit()
    documents.clear()
    deliveries.clear()
    return count
