"""Every field of both kinds of message, through the portal's writer and back through its
reader; the bytes are real XML, parsed as the axis would send them."""

import dataclasses
import io

from lxml import etree

from portal.interop.edxml.model import NAMESPACE, Attachment
from portal.interop.edxml.reader import read_message
from portal.interop.edxml.writer import package_bytes, status_bytes, write_package
from tests.interop.edxml.messages import PDF, full_package, full_status

LIMIT = 80 * 1024 * 1024


def read(data: bytes, tmp_path):
    return read_message(io.BytesIO(data), workdir=tmp_path, max_bytes=LIMIT)


def without_attachments(message):
    return dataclasses.replace(message, attachments=[]) if hasattr(message, "attachments") \
        else message


def test_every_field_of_a_document_package_comes_back(tmp_path):
    package = full_package()
    read_back = read(package_bytes(package), tmp_path)
    assert read_back.repairs == []
    assert read_back.signature.present is False
    assert without_attachments(read_back.message) == without_attachments(package)
    first, second = read_back.message.attachments
    assert (first.content_id, first.name, first.content_type, first.description) == (
        "a1", "3657-BNNMT-VP.pdf", "application/pdf", "Văn bản điện tử")
    assert first.path.read_bytes() == PDF and first.size == len(PDF)
    assert first.sha256 == package.attachments[0].sha256
    assert second.name == "Phụ lục.pdf" and second.read() == PDF[::-1]


def test_every_field_of_a_status_message_comes_back(tmp_path):
    status = full_status()
    read_back = read(status_bytes(status), tmp_path)
    assert read_back.message == status
    assert read_back.repairs == []


def test_a_minimal_package_leaves_the_optional_fields_out(tmp_path):
    package = full_package(signer=None, due_date=None, to_places=[], appendixes=[],
                           response_for=None, steering_type=None, type_code=None,
                           promulgation_amount=None, page_amount=None, content="",
                           traces=[], attachments=[])
    data = package_bytes(package)
    assert b"SignerInfo" not in data and b"DueDate" not in data and b"ResponseFor" not in data
    assert read(data, tmp_path).message == package


def test_the_layout_is_the_standards(tmp_path):
    data = package_bytes(full_package())
    root = etree.fromstring(data)
    ns = {"e": NAMESPACE}
    assert root.tag == f"{{{NAMESPACE}}}edXML" and root.nsmap[None] == NAMESPACE
    assert root.xpath("e:edXMLEnvelope/e:edXMLHeader/e:MessageHeader/e:From/e:OrganId/text()",
                      namespaces=ns) == ["000.00.00.G22"]
    assert len(root.xpath("e:edXMLEnvelope/e:edXMLHeader/e:MessageHeader/e:To",
                          namespaces=ns)) == 2
    assert root.xpath("e:edXMLEnvelope/e:edXMLHeader/e:TraceHeaderList/e:Bussiness/"
                      "e:BussinessDocType/text()", namespaces=ns) == ["3"]
    assert root.xpath("e:edXMLEnvelope/e:edXMLHeader/e:MessageHeader/e:PromulgationInfo/"
                      "e:PromulgationDate/text()", namespaces=ns) == ["2026/12/01"]
    assert root.xpath("e:edXMLEnvelope/e:edXMLHeader/e:TraceHeaderList/e:TraceHeader/"
                      "e:Timestamp/text()", namespaces=ns) == ["2026/12/01 09:30:05"]
    references = root.xpath("e:edXMLEnvelope/e:edXMLBody/e:edXMLManifest/e:Reference",
                            namespaces=ns)
    assert [r.get("{http://www.w3.org/1999/xlink}href") for r in references] == [
        "cid:a1", "cid:a2"]
    encoded = root.xpath("e:AttachmentEncoded/e:Attachment/e:ContentTransferEncoded/text()",
                         namespaces=ns)
    lines = encoded[0].split()
    assert all(len(line) == 76 for line in lines[:-1]) and len(lines) > 1
    assert b"<edXML:edXMLEnvelope" in data


def test_an_attachment_on_disk_is_written_in_chunks_and_read_back(tmp_path):
    source = tmp_path / "large.pdf"
    body = PDF * 400  # about 4 MB: several chunks of the writer and of the reader
    source.write_bytes(body)
    package = full_package(attachments=[Attachment(content_id="big", name="large.pdf",
                                                   content_type="application/pdf",
                                                   path=source)])
    out = tmp_path / "package.xml"
    with out.open("wb") as f:
        write_package(package, f)
    work = tmp_path / "work"
    work.mkdir()
    with out.open("rb") as f:
        read_back = read_message(f, workdir=work, max_bytes=LIMIT)
    (attachment,) = read_back.message.attachments
    assert attachment.path.parent == work
    assert attachment.size == len(body) and attachment.path.read_bytes() == body


def test_an_attachment_larger_than_a_text_node_may_be_is_read_in_bounded_memory(tmp_path):
    """12 MB of attachment is 16 MB of base64 in one element, past libxml2's 10 MB for a text
    node (huge_tree stays off): the reader decodes it as it arrives, holding little of it."""
    import os
    import tracemalloc

    body = b"%PDF-1.7\n" + os.urandom(12 * 1024 * 1024)
    source = tmp_path / "scan.pdf"
    source.write_bytes(body)
    out = tmp_path / "package.xml"
    with out.open("wb") as f:
        write_package(full_package(attachments=[Attachment(
            content_id="scan", name="scan.pdf", content_type="application/pdf", path=source)]), f)
    work = tmp_path / "work"
    work.mkdir()
    tracemalloc.start()
    try:
        with out.open("rb") as f:
            read_back = read_message(f, workdir=work, max_bytes=LIMIT)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert read_back.message.attachments[0].path.read_bytes() == body
    assert peak < 4 * 1024 * 1024  # Python's allocations while reading 16 MB of base64


def test_characters_xml_cannot_carry_are_left_out(tmp_path):
    package = full_package(subject="V/v báo cáo\x0b quý IV\x00", attachments=[Attachment(
        content_id="a1", name="bao\x1fcao.pdf", content_type="application/pdf", data=PDF)])
    read_back = read(package_bytes(package), tmp_path)
    assert read_back.message.subject == "V/v báo cáo quý IV"
    assert read_back.message.attachments[0].name == "baocao.pdf"
