"""Hostile and broken input: each refused with a reason a sender can act on, nothing
expanded, fetched or read from disk, and memory bounded."""

import base64
import io
import resource
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from portal.interop.edxml.errors import EdxmlError
from portal.interop.edxml.reader import read_message
from portal.interop.edxml.writer import package_bytes
from tests.interop.edxml.messages import PDF, full_package
from tests.interop.edxml.samples import sample, status_sample

LIMIT = 80 * 1024 * 1024


def read(data: bytes, tmp_path, max_bytes=LIMIT):
    return read_message(io.BytesIO(data), workdir=tmp_path, max_bytes=max_bytes)


def refused(data: bytes, tmp_path, **kwargs) -> str:
    with pytest.raises(EdxmlError) as caught:
        read(data, tmp_path, **kwargs)
    return str(caught.value)


BILLION_LAUGHS = """
<!DOCTYPE edXML [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>"""


def test_billion_laughs_is_refused_without_expanding(tmp_path):
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    reason = refused(sample(doctype=BILLION_LAUGHS, subject="&lol9;"), tmp_path)
    assert "DOCTYPE" in reason
    grown_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
    assert grown_kb < 50 * 1024  # expanded, &lol9; alone would be 3 GB


def test_an_external_entity_never_reads_the_file(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("MAT-KHAU-CUA-SO-12345")
    work = tmp_path / "work"
    work.mkdir()
    doctype = f'\n<!DOCTYPE edXML [<!ENTITY xxe SYSTEM "file://{secret}">]>'
    reason = refused(sample(doctype=doctype, subject="&xxe;"), work)
    assert "DOCTYPE" in reason and "MAT-KHAU" not in reason
    assert all("MAT-KHAU" not in p.read_text(errors="ignore") for p in work.iterdir())


def test_an_entity_used_without_any_doctype_is_not_well_formed(tmp_path):
    reason = refused(sample(subject="&xxe;"), tmp_path)
    assert "not well-formed" in reason and "xxe" in reason


class _Recorder(BaseHTTPRequestHandler):
    requests: list[str] = []

    def do_GET(self):  # noqa: N802 (the standard library's name)
        self.requests.append(self.path)
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b'<!ENTITY leak "fetched">')

    def log_message(self, *_args):
        pass


@pytest.fixture
def dtd_server():
    server = HTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _Recorder.requests = []
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


def test_an_external_dtd_is_refused_and_never_fetched(dtd_server, tmp_path):
    doctype = f'\n<!DOCTYPE edXML SYSTEM "{dtd_server}/evil.dtd">'
    assert "DOCTYPE" in refused(sample(doctype=doctype, subject="&leak;"), tmp_path)
    parameter = f'\n<!DOCTYPE edXML [<!ENTITY % p SYSTEM "{dtd_server}/p.dtd"> %p;]>'
    assert "DOCTYPE" in refused(sample(doctype=parameter), tmp_path)
    assert _Recorder.requests == []


@pytest.mark.parametrize("encoded", [
    "JVBERi0x*LjQK",  # a character outside the alphabet
    "JVBERi0xLjQ",  # not a whole number of groups
    "JVBERg==JVBERg==",  # data after the padding
    "JVBERi0xLjQKé",  # not ASCII
], ids=["alphabet", "length", "after-padding", "non-ascii"])
def test_base64_that_does_not_decode_is_refused(encoded, tmp_path):
    data = sample().replace(base64.encodebytes(PDF), encoded.encode())
    assert "not valid base64" in refused(data, tmp_path)


def test_padding_in_the_middle_across_chunks_is_refused(tmp_path):
    """The first half ends padded; more base64 follows it, beyond the reader's chunk."""
    data = sample().replace(base64.encodebytes(PDF), b"JVBERg==\n" + b"QUFB" * 40_000)
    assert "not valid base64" in refused(data, tmp_path)


def test_a_message_over_the_limit_is_refused_before_it_is_read_whole(tmp_path):
    data = package_bytes(full_package())
    reason = refused(data, tmp_path, max_bytes=len(data) - 1)
    assert "larger than" in reason
    assert read(data, tmp_path / ".." / tmp_path.name, max_bytes=len(data)).message


def test_the_wrong_namespace_is_refused(tmp_path):
    reason = refused(sample(namespace="http://www.mic.gov.vn/TBT/QCVN_102_2015"), tmp_path)
    assert "QCVN_102_2015" in reason and "not edXML's" in reason


def test_no_namespace_is_refused(tmp_path):
    data = sample().replace(b' xmlns="http://www.mic.gov.vn/TBT/QCVN_102_2016"', b"")
    assert "no namespace" in refused(data, tmp_path)


def test_another_root_is_refused(tmp_path):
    assert "root element is Envelope" in refused(
        b'<?xml version="1.0"?><Envelope xmlns="urn:x"/>', tmp_path)


@pytest.mark.parametrize("cut", [b"<edXML:Subject>", b"<edXML:DocumentId>",
                                 b"<edXML:CodeNumber>"])
def test_a_missing_required_field_is_named(cut, tmp_path):
    name = cut.decode()[7:-1]
    closing = cut.replace(b"<", b"</")
    data = sample()
    start = data.index(cut)
    end = data.index(closing) + len(closing)
    reason = refused(data[:start] + data[end:], tmp_path)
    assert "lacks" in reason and name in reason


def test_every_missing_field_is_named_at_once(tmp_path):
    data = sample(to="").replace(b"<edXML:Subject>", b"<edXML:Subjekt>").replace(
        b"</edXML:Subject>", b"</edXML:Subjekt>")
    reason = refused(data, tmp_path)
    assert "To" in reason and "Subject" in reason


def test_a_status_without_its_document_is_refused(tmp_path):
    reason = refused(status_sample(document_id=""), tmp_path)
    assert "ResponseFor/DocumentId" in reason


@pytest.mark.parametrize("code", ["3a", "003"])
def test_a_status_code_that_is_no_code_is_refused(code, tmp_path):
    assert "StatusCode" in refused(status_sample(code=code), tmp_path)


def test_a_truncated_message_is_not_well_formed(tmp_path):
    data = sample()
    assert "not well-formed" in refused(data[:len(data) // 2], tmp_path)
    assert "not well-formed" in refused(data[:300], tmp_path)
    empty = b'<edXML xmlns="http://www.mic.gov.vn/TBT/QCVN_102_2016"><AttachmentEncoded/></edXML>'
    assert "no edXMLEnvelope" in refused(empty, tmp_path)


def test_not_xml_at_all_is_refused(tmp_path):
    assert "not XML" in refused(b"%PDF-1.7 not an edXML message at all", tmp_path)
    assert "empty" in refused(b"", tmp_path)


def test_an_attachment_the_manifest_lists_but_the_message_lacks_is_refused(tmp_path):
    data = sample()
    start, end = data.index(b"<Attachment>"), data.index(b"</Attachment>") + 13
    assert "does not carry" in refused(data[:start] + data[end:], tmp_path)


def test_the_reason_is_in_vietnamese_first(tmp_path):
    from flask_babel import force_locale

    with force_locale("vi"):
        reason = refused(sample(doctype=BILLION_LAUGHS), tmp_path)
        repairs = read(sample(before="  "), tmp_path).repairs
    assert reason.startswith("Thông điệp khai báo DOCTYPE")
    assert repairs == ["Đã bỏ qua 2 byte đứng trước khai báo XML."]


def test_an_envelope_too_large_to_keep_is_refused(tmp_path):
    """The envelope is held to be parsed as a tree: 9 MB of Content is refused, not kept."""
    data = sample().replace(b"<edXML:Content>", b"<edXML:Content>" + b"x" * (9 * 1024 * 1024))
    assert "envelope" in refused(data, tmp_path) and "8 MB" in refused(data, tmp_path)
