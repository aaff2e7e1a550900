"""Build organisations and people for tests through the same services the portal uses."""

import itertools

from portal.auth import services as auth_services
from portal.organisations import services as organisation_services

_sequence = itertools.count(1)


class Factory:
    PASSWORD = "correct horse battery"

    def organisation(self, kind="department", code=None, name=None, parent=None):
        number = next(_sequence)
        code = code or f"T{number}"
        return organisation_services.add_organisation(
            code=code, name=name or f"Sở TN&MT thử nghiệm {number}", kind=kind, parent=parent
        )

    def ministry(self):
        return self.organisation(kind="ministry", code="BTNMT", name="Bộ Tài nguyên và Môi trường")

    def user(self, organisation, role="specialist", email=None, password=PASSWORD):
        number = next(_sequence)
        return auth_services.create_user(
            email=email or f"{role}{number}@example.gov.vn",
            full_name=f"Người dùng {number}",
            organisation=organisation,
            role=role,
            password=password,
        )

    def document(self, clerk, recipients, *, subject="Về việc báo cáo kết quả thực hiện",
                 doc_type="cong_van", urgency="normal", due_on=None, due_working_days=None,
                 body="Đề nghị Sở báo cáo.", issue=True):
        """A document drafted by the clerk and, unless issue=False, issued and delivered: its
        jobs (render, seal, dispatch, verify) run here, as a worker would run them."""
        from portal.documents import services as documents
        from portal.jobs.services import run_queued_here

        fields = documents.DraftFields(
            doc_type=doc_type, subject=subject, body=body, urgency=urgency,
            recipient_ids=tuple(o.id for o in recipients), due_on=due_on,
            due_working_days=due_working_days)
        document = documents.save_draft(fields, actor=clerk)
        if issue:
            documents.issue_document(document, actor=clerk)
            run_queued_here()
        return document

    def delivery(self, document, recipient):
        from sqlalchemy import select

        from portal.deliveries.models import Delivery
        from portal.extensions import db

        return db.session.scalar(select(Delivery).where(Delivery.document_id == document.id,
                                                        Delivery.recipient_id == recipient.id))
