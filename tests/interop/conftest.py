import pytest

from portal.extensions import db
from portal.interop.edxml.model import Organ
from portal.interop.models import AxisDocument
from portal.interop.organisations import organisation_for
from portal.organisations.services import set_axis_details
from portal.signing import keys
from portal.transaction import action

MINISTRY_ORGAN_ID = "000.00.00.G14"
AXIS_ORGAN_ID = "000.00.12.H34"
PORTAL_ORGAN_ID = "000.00.12.H26"


class AxisWorld:
    """The ministry (with its identifier and keys), a department on the axis, one on the
    portal with its people."""

    def __init__(self, make):
        self.make = make
        self.ministry = make.ministry()
        self.office = make.organisation(kind="ministry_unit", code="VP", name="Văn phòng Bộ",
                                        parent=self.ministry)
        self.on_axis = make.organisation(code="LCH", name="Sở Nông nghiệp và Môi trường tỉnh "
                                                         "Lai Châu")
        self.on_portal = make.organisation(code="HNI", name="Sở Nông nghiệp và Môi trường "
                                                           "thành phố Hà Nội")
        with action():
            set_axis_details(self.ministry, organ_id=MINISTRY_ORGAN_ID, channel="portal",
                             email="vanthu@mae.gov.vn", telephone="024 3795 6868",
                             address="10 Tôn Thất Thuyết, Hà Nội")
            set_axis_details(self.on_axis, organ_id=AXIS_ORGAN_ID, channel="axis")
            set_axis_details(self.on_portal, organ_id=PORTAL_ORGAN_ID, channel="portal")
            keys.init_development_pki()
        self.ministry_clerk = make.user(self.office, "clerk")
        self.portal_clerk = make.user(self.on_portal, "clerk")
        self.portal_leader = make.user(self.on_portal, "leader")

    def received(self, recipient=None, *, edxml_document_id="000.00.00.H17,2026/11/20,88/UBND-KT"):
        """A document that came through the axis from an outside sender, delivered here."""
        from portal.clock import utcnow
        from portal.deliveries.models import Channel, Delivery
        from portal.documents.models import Document, DocumentState

        recipient = recipient or self.on_portal
        with action():
            sender = organisation_for(Organ(organ_id="000.00.00.H17", name="UBND tỉnh Hòa Bình"))
            now = utcnow()
            document = Document(issuer_id=sender.id, authority_id=sender.id, doc_type="cong_van",
                                subject="V/v phối hợp kiểm tra", state=DocumentState.ISSUED,
                                recipient_ids=[recipient.id], number=88, year=2026,
                                notation="88/UBND-KT", issued_at=now, dispatched_at=now)
            db.session.add(document)
            db.session.flush()
            db.session.add(AxisDocument(document_id=document.id,
                                        edxml_document_id=edxml_document_id, header={},
                                        signature="unsigned"))
            delivery = Delivery(document_id=document.id, recipient_id=recipient.id,
                                channel=Channel.AXIS, received_at=now,
                                received_on=now.date())
            db.session.add(delivery)
        return sender, document, delivery


@pytest.fixture
def world(make):
    return AxisWorld(make)
