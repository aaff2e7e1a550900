"""What the portal accepts, repairs or sets aside in messages from other systems, and says:
an active-content PDF kept unopened, a merged recipient, a UUID DocumentId, attachments an
update replaces, the 01 sent back naming the repairs, and a known sender told 02 (422)."""

import io
import uuid
from datetime import timedelta

import pytest
from pypdf import PdfWriter
from pypdf.generic import DictionaryObject, NameObject, TextStringObject
from sqlalchemy import select

from portal.clock import local_today
from portal.deliveries.models import Delivery
from portal.documents.models import Document, DocumentAttachment
from portal.extensions import db
from portal.interop.edxml.model import Attachment, BusinessType, Organ
from portal.interop.models import AxisMessage
from portal.organisations.services import merge_organisation, set_axis_details
from portal.storage.services import read_bytes
from portal.transaction import action
from tests.interop.hand_written import message
from tests.interop.inbound_world import (
    SENDER_ID,
    build_world,
    business,
    package_xml,
    post,
    row_counts,
)
from tests.pdfs import blank_pdf


@pytest.fixture
def world(make):
    return build_world(make)


def _scripted_pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.root_object[NameObject("/OpenAction")] = writer._add_object(DictionaryObject({
        NameObject("/S"): NameObject("/JavaScript"),
        NameObject("/JS"): TextStringObject("app.alert(1)")}))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _attachments(document_id):
    return db.session.scalars(select(DocumentAttachment).where(
        DocumentAttachment.document_id == document_id).order_by(DocumentAttachment.id)).all()


def test_a_pdf_with_active_content_is_kept_unopened_and_said(client, world, auth):
    response = post(client, world, package_xml(attachments=[
        Attachment(content_id="s1", name="có mã.pdf", content_type="application/pdf",
                   data=_scripted_pdf()),
        Attachment(content_id="p1", name="văn bản.pdf", content_type="application/pdf",
                   data=blank_pdf())]))
    assert response.status_code == 201, response.get_json()
    answer = response.get_json()
    assert any("có mã.pdf" in note for note in answer["repairs"])
    scripted, plain = _attachments(answer["document"]["id"])
    assert (scripted.is_main, scripted.file.content_type) == (False, "application/octet-stream")
    assert plain.is_main and db.session.get(Document, answer["document"]["id"]).pdf_file_id == \
        plain.file_id
    auth.login(world.here_clerk.email)
    download = client.get(f"/documents/{answer['document']['id']}/attachments/{scripted.id}")
    assert download.status_code == 200
    assert download.mimetype == "application/octet-stream"
    assert download.headers["Content-Disposition"].startswith("attachment")
    assert "sandbox" in download.headers["Content-Security-Policy"]


def test_a_merged_recipient_is_delivered_to_its_successor(client, world, make):
    successor = make.organisation(code="HNM", name="Sở Nông nghiệp và Môi trường Hà Nội mới")
    with action():
        merge_organisation(world.here, successor, effective_on=local_today() - timedelta(days=1))
    answer = post(client, world, package_xml()).get_json()
    delivery = db.session.get(Delivery, answer["deliveries"][0]["id"])
    assert (delivery.recipient_id, delivery.addressed_to_id) == (successor.id, world.here.id)


def test_a_uuid_document_id_is_accepted(client, world):
    document_id = str(uuid.uuid4())
    body = message().replace(f"{SENDER_ID},2026/11/30,88/BTP-PL".encode(), document_id.encode())
    response = post(client, world, body)
    assert response.status_code == 201, response.get_json()
    assert post(client, world, body).status_code == 200


def test_the_01_sent_back_names_what_was_repaired(client, world):
    answer = post(client, world, message()).get_json()
    delivery_id = answer["deliveries"][0]["id"]
    arrived = db.session.scalar(select(AxisMessage).where(
        AxisMessage.event_key == f"status:arrived:{delivery_id}"))
    xml = read_bytes(arrived.file).decode()
    assert "<edXML:StatusCode>01</edXML:StatusCode>" in xml or ">01<" in xml
    assert "000.00.99.H99" in xml and "Thông tư" in xml


def test_an_update_replaces_the_attachments(client, world):
    created = post(client, world, package_xml()).get_json()
    new_pdf = blank_pdf(2)
    response = post(client, world, package_xml(
        attachments=[Attachment(content_id="n1", name="712-BNV-VP (sửa).pdf",
                                content_type="application/pdf", data=new_pdf)],
        business=business(BusinessType.UPDATE, f"{SENDER_ID},2026/11/28,712/BNV-VP",
                          "Thay tệp")))
    assert response.status_code == 200, response.get_json()
    attachments = _attachments(created["document"]["id"])
    assert [a.filename for a in attachments] == ["712-BNV-VP (sửa).pdf"]
    assert read_bytes(attachments[0].file) == new_pdf
    assert db.session.get(Document, created["document"]["id"]).pdf_file_id == \
        attachments[0].file_id


def test_no_recipient_here_from_a_known_sender_is_422_and_02_goes_back(client, world, make):
    known = make.organisation(code="BTP", name="Bộ Tư pháp", kind="ministry_unit")
    with action():
        set_axis_details(known, organ_id=SENDER_ID, channel="axis")
    before = row_counts()
    response = post(client, world, package_xml(recipients=[Organ(organ_id="000.00.77.H77")]))
    assert response.status_code == 422
    refusal = db.session.scalar(select(AxisMessage).where(AxisMessage.status_code == "02"))
    assert refusal is not None and refusal.to_organ_ids == [SENDER_ID]
    after = row_counts()
    assert {t for t in after if after[t] != before[t]} == {"axis_message", "job", "stored_file"}


def test_a_pdf_over_the_uploads_limit_is_kept_unopened(app, client, world):
    app.config["MAX_ATTACHMENT_BYTES"] = 100  # what the portal opens: as an upload's limit
    answer = post(client, world, package_xml()).get_json()
    main = _attachments(answer["document"]["id"])[0]
    assert (main.is_main, main.file.content_type) == (False, "application/octet-stream")
    assert any(note.startswith("712-BNV-VP.pdf") for note in answer["repairs"])
    assert db.session.get(Document, answer["document"]["id"]).pdf_file_id is None
