"""Hand-written messages in the shapes public samples show, quirks included: each is
accepted, repaired with words said, or refused with the reason (docs/edxml.md)."""

import io
from datetime import date, datetime

import pytest

from portal.clock import LOCAL_TZ
from portal.interop.edxml.errors import EdxmlError
from portal.interop.edxml.model import BusinessType, DocumentPackage, StatusMessage
from portal.interop.edxml.reader import read_message
from tests.interop.edxml.messages import PDF
from tests.interop.edxml.samples import OLE2_DOC, REFERENCE, sample, status_sample

LIMIT = 80 * 1024 * 1024


def read(data: bytes, tmp_path):
    return read_message(io.BytesIO(data), workdir=tmp_path, max_bytes=LIMIT)


def test_a_public_sample_shape_is_read_whole(tmp_path):
    read_back = read(sample(), tmp_path)
    package = read_back.message
    assert isinstance(package, DocumentPackage)
    assert read_back.repairs == [] and read_back.signature.present is False
    assert package.sender.organ_id == "000.00.00.G22"
    assert package.sender.address == "16 Lê Hồng Phong, Ba Đình, Hà Nội"
    assert package.sender.fax == "" and package.sender.website == "chinhphu.vn"
    assert [r.organ_id for r in package.recipients] == ["000.00.01.H01", "28.22.H17",
                                                        "000.00.09.H99"]
    assert package.notation == "7816/VPCP-TTĐT"
    assert package.promulgation_date == date(2015, 9, 30)
    assert package.due_date == date(2015, 10, 15)
    assert (package.type_code, package.type_detail, package.type_name) == (1, "0", "Công văn")
    assert package.signer.competence == "KT. BỘ TRƯỞNG, CHỦ NHIỆM"
    assert package.to_places == ["Các Bộ, cơ quan ngang Bộ", "UBND các tỉnh, thành phố"]
    assert (package.priority, package.page_amount, package.appendixes) == (1, 2, [])
    assert package.steering_type == 0
    assert package.response_for is None  # the sample's empty ResponseFor block
    assert package.business.doc_type is BusinessType.NEW
    assert package.business.staff.staff == "Trần B"
    assert package.traces[0].timestamp == datetime(2015, 9, 30, 16, 2, 11, tzinfo=LOCAL_TZ)
    (attachment,) = package.attachments
    assert (attachment.content_id, attachment.name) == ("a1", "7816-VPCP.pdf")
    assert attachment.read() == PDF


def test_a_status_message_by_hand(tmp_path):
    read_back = read(status_sample(code="5"), tmp_path)
    status = read_back.message
    assert isinstance(status, StatusMessage)
    assert status.status_code == "05"
    assert status.response_for.document_id == "000.00.00.G22,2026/12/01,3657/BNNMT-VP"
    assert status.response_for.code == "3657/BNNMT-VP"
    assert status.staff.mobile == "0987654321"
    assert status.timestamp == datetime(2026, 12, 1, 14, 5, tzinfo=LOCAL_TZ)
    assert read_back.repairs == ["StatusCode 5 was read as 05."]
    assert read(status_sample(code="05"), tmp_path).repairs == []


def test_a_uuid_document_id_is_taken_as_it_is(tmp_path):
    read_back = read(sample(document_id="6f1c2a9e-8d1b-4c57-9a43-2f5e7d0b1c3a"), tmp_path)
    assert read_back.message.document_id == "6f1c2a9e-8d1b-4c57-9a43-2f5e7d0b1c3a"
    assert read_back.repairs == []


@pytest.mark.parametrize("before", ["\r\n  \t", "HTTP junk\r\n\r\n"], ids=["blank", "junk"])
def test_bytes_before_the_declaration_are_skipped_and_said(before, tmp_path):
    read_back = read(sample(before=before), tmp_path)
    assert read_back.message.document_id.startswith("000.00.00.G22")
    assert read_back.repairs == [f"{len(before)} bytes before the XML declaration were "
                                 "ignored."]


def test_a_byte_order_mark_is_no_repair(tmp_path):
    read_back = read(b"\xef\xbb\xbf" + sample(), tmp_path)
    assert read_back.repairs == [] and read_back.message.attachments


def test_the_edxml_prefix_after_its_element_closed_is_read_and_said(tmp_path):
    data = sample(encoded_open="<edXML:AttachmentEncoded>",
                  encoded_close="</edXML:AttachmentEncoded>").replace(
        b"<Attachment>", b"<edXML:Attachment>").replace(b"</Attachment>", b"</edXML:Attachment>")
    read_back = read(data, tmp_path)
    assert read_back.message.attachments[0].read() == PDF
    assert read_back.repairs == ["The edXML: prefix was used outside the element that "
                                 "declared it; those elements were read in the edXML "
                                 "namespace."]


def test_xlink_used_undeclared_is_declared_and_said(tmp_path):
    undeclared = REFERENCE.replace(' xmlns:xlink="http://www.w3.org/1999/xlink"', "")
    read_back = read(sample(reference=undeclared), tmp_path)
    assert read_back.message.attachments[0].read() == PDF
    assert read_back.repairs == ["The xlink: prefix was used without being declared; it was "
                                 "read as http://www.w3.org/1999/xlink."]


def test_a_signature_in_the_edxml_namespace_is_treated_as_unsigned_and_said(tmp_path):
    lookalike = ("<edXML:Signature><edXML:SignedInfo/><edXML:SignatureValue>AAAA"
                 "</edXML:SignatureValue></edXML:Signature>")
    read_back = read(sample(signature=lookalike), tmp_path)
    assert read_back.signature.present is False
    assert read_back.repairs == ["The message's Signature is in the edXML namespace, not XML "
                                 "Signature's: it cannot be verified, and the message was "
                                 "treated as unsigned."]


def test_a_filled_digital_signature_in_the_edxml_namespace_is_unsigned_too(tmp_path):
    read_back = read(sample(signature="<edXML:DigitalSignature>MIIB...</edXML:DigitalSignature>"),
                     tmp_path)
    assert read_back.signature.present is False and len(read_back.repairs) == 1


def test_a_doc_labelled_zip_is_kept_as_a_word_file_and_said(tmp_path):
    read_back = read(sample(attachments=(
        ("d1", "Cong van.doc", "application/zip", OLE2_DOC),
        ("p1", "7816.pdf", "application/pdf", PDF))), tmp_path)
    doc, pdf = read_back.message.attachments
    assert doc.content_type == "application/msword" and doc.read() == OLE2_DOC
    assert pdf.content_type == "application/pdf"
    assert read_back.repairs == ["Cong van.doc was labelled application/zip, but its bytes are "
                                 "application/msword; it was kept as application/msword."]


def test_a_real_zip_stays_a_zip(tmp_path):
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("bang-ke.csv", "a,b\n1,2\n")
    read_back = read(sample(attachments=(
        ("z1", "bang-ke.zip", "application/zip", buffer.getvalue()),)), tmp_path)
    assert read_back.message.attachments[0].content_type == "application/zip"
    assert read_back.repairs == []


def test_dates_with_dashes_are_read_and_said(tmp_path):
    read_back = read(sample(promulgation_date="2015-09-30", due_date="2015-10-15"), tmp_path)
    assert read_back.message.promulgation_date == date(2015, 9, 30)
    assert read_back.message.due_date == date(2015, 10, 15)
    assert read_back.repairs == ["Dates written as yyyy-MM-dd were read as yyyy/MM/dd."]


def test_a_filled_response_for_is_kept(tmp_path):
    block = """<edXML:ResponseFor><edXML:OrganId>000.00.01.H01</edXML:OrganId>
        <edXML:Code>12/SNNMT-VP</edXML:Code>
        <edXML:PromulgationDate>2015/09/20</edXML:PromulgationDate>
        <edXML:DocumentId>000.00.01.H01,2015/09/20,12/SNNMT-VP</edXML:DocumentId>
        </edXML:ResponseFor>"""
    response = read(sample(response_for=block), tmp_path).message.response_for
    assert response.document_id == "000.00.01.H01,2015/09/20,12/SNNMT-VP"
    assert response.promulgation_date == date(2015, 9, 20)


def test_a_date_that_is_no_date_is_refused(tmp_path):
    with pytest.raises(EdxmlError, match="PromulgationInfo/PromulgationDate is not a date"):
        read(sample(promulgation_date="30/09/2015"), tmp_path)


@pytest.mark.parametrize("label", ["", "PDF file", "application/" + "x" * 120])
def test_a_label_that_is_no_media_type_becomes_unknown_and_said(label, tmp_path):
    read_back = read(sample(attachments=(("b1", "bang-ke.bin", label, b"\x00\x01 bytes"),)),
                     tmp_path)
    assert read_back.message.attachments[0].content_type == "application/octet-stream"
    assert len(read_back.repairs) == 1 and "application/octet-stream" in read_back.repairs[0]
