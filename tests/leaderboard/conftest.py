"""Hand-built records for the leaderboard: documents and deliveries with chosen days and states.

Rows are written as they would be after the real workflow (the workflow itself is exercised in
test_through_the_workflow.py); here the point is exact control of dates, states and channels.
"""

import itertools
from datetime import UTC, datetime, time, timedelta

import pytest

from portal.clock import LOCAL_TZ, as_local
from portal.deliveries.models import Delivery, Status
from portal.documents.models import Document
from portal.extensions import db

_numbers = itertools.count(1)


def local_moment(day, hour=9, minute=0, second=0):
    """A Vietnamese wall-clock moment, as the portal stores instants: in UTC."""
    return datetime.combine(day, time(hour, minute, second), tzinfo=LOCAL_TZ).astimezone(UTC)


class Records:
    def __init__(self, make):
        self.ministry = make.ministry()
        self.office = make.organisation(kind="ministry_unit", code="VP", name="Văn phòng Bộ",
                                        parent=self.ministry)
        self.a = make.organisation(code="AG", name="Sở TN&MT tỉnh An Giang")
        self.b = make.organisation(code="BL", name="Sở TN&MT tỉnh Bạc Liêu")
        self.author = make.user(self.office, "specialist")

    def send(self, issuer, recipients, day, *, channel="portal", due_on=None, sealed=True,
             status=Status.RECEIVED, at=None):
        """A document dispatched on `day` (Vietnamese time); returns its deliveries."""
        sent_at = at or local_moment(day)
        number = next(_numbers)
        document = Document(issuer_id=issuer.id, author_id=self.author.id, doc_type="cong_van",
                            subject=f"V/v thử nghiệm {number}", state="issued", number=number,
                            year=day.year, notation=f"{number}/{issuer.code}",
                            issued_at=sent_at, dispatched_at=sent_at,
                            sealed_at=sent_at if sealed else None, recipient_ids=[])
        db.session.add(document)
        db.session.flush()
        deliveries = [Delivery(document_id=document.id, recipient_id=r.id, channel=channel,
                               status=status, received_at=sent_at,
                               received_on=as_local(sent_at).date(), due_on=due_on)
                      for r in recipients]
        db.session.add_all(deliveries)
        if status not in (Status.RECEIVED, Status.REFUSED):
            for delivery in deliveries:
                delivery.acknowledged_at = sent_at + timedelta(hours=1)
        db.session.commit()
        return deliveries

    def reply(self, delivery, at):
        delivery.status = Status.DONE
        delivery.acknowledged_at = delivery.acknowledged_at or delivery.received_at
        delivery.replied_at = delivery.done_at = at
        db.session.commit()


@pytest.fixture
def records(make):
    return Records(make)
