"""The enveloped XML signature: it verifies, it binds the attachments through the manifest's
digests, and a change anywhere is refused with the reason; trust is chains_to's answer."""

import base64
import io
import re

import pytest
from lxml import etree

from portal.interop.edxml.errors import EdxmlError
from portal.interop.edxml.model import Attachment
from portal.interop.edxml.reader import read_message
from portal.interop.edxml.signature import chains_to
from portal.interop.edxml.values import XMLDSIG
from portal.interop.edxml.writer import package_bytes, status_bytes
from tests.interop.edxml.keys import Authority, der
from tests.interop.edxml.messages import PDF, full_package, full_status

LIMIT = 80 * 1024 * 1024


def read(data: bytes, tmp_path):
    return read_message(io.BytesIO(data), workdir=tmp_path, max_bytes=LIMIT)


@pytest.fixture(scope="module")
def authority():
    return Authority()


@pytest.mark.parametrize("rsa_key", [False, True], ids=["EC", "RSA"])
def test_a_signed_package_verifies_and_gives_its_certificate(authority, rsa_key, tmp_path):
    signing = authority.signing(rsa_key=rsa_key)
    data = package_bytes(full_package(), signing=signing)
    signature = etree.fromstring(data).find(f".//{{{XMLDSIG}}}Signature")
    assert signature.getparent().tag.endswith("}edXMLHeader")
    assert signature.find(f".//{{{XMLDSIG}}}X509Certificate") is not None
    read_back = read(data, tmp_path)
    assert read_back.signature.present is True
    assert read_back.signature.certificate == der(signing)
    assert read_back.message.attachments[0].read() == PDF


def test_a_signed_status_message_verifies(authority, tmp_path):
    signing = authority.signing("Sở Nông nghiệp và Môi trường Hà Nội")
    read_back = read(status_bytes(full_status(), signing=signing), tmp_path)
    assert read_back.signature.present and read_back.signature.certificate == der(signing)
    assert read_back.message.status_code == "03"


def _one_attachment_package(authority):
    package = full_package(attachments=[Attachment(
        content_id="a1", name="van-ban.pdf", content_type="application/pdf", data=PDF)])
    return package_bytes(package, signing=authority.signing())


def test_a_byte_changed_in_an_attachment_is_refused(authority, tmp_path):
    data = _one_attachment_package(authority)
    encoded = re.search(rb"<ContentTransferEncoded>\n(.*?)</ContentTransferEncoded>", data,
                        re.S)
    changed = bytearray(PDF)
    changed[100] ^= 0x01
    tampered = data.replace(encoded[1], base64.encodebytes(bytes(changed)))
    assert tampered != data
    with pytest.raises(EdxmlError, match="does not match its digest"):
        read(tampered, tmp_path)


def test_a_changed_header_fails_the_digest(authority, tmp_path):
    data = _one_attachment_package(authority)
    tampered = data.replace("V/v đẩy mạnh".encode(), "V/v tạm dừng".encode())
    assert tampered != data
    with pytest.raises(EdxmlError, match="digest does not match"):
        read(tampered, tmp_path)


def test_a_changed_manifest_digest_fails_the_signature(authority, tmp_path):
    """Rewriting the manifest to match a changed attachment breaks the signature instead."""
    data = _one_attachment_package(authority)
    digest = re.search(rb'<edXML:DigestValue algorithm="sha256">(\w+)<', data)[1]
    tampered = data.replace(digest, b"0" * 64)
    with pytest.raises(EdxmlError, match="signature does not verify"):
        read(tampered, tmp_path)


def test_a_changed_signature_value_is_refused(authority, tmp_path):
    data = _one_attachment_package(authority)
    value = re.search(rb"<ds:SignatureValue>([^<]+)<", data)[1]
    raw = bytearray(base64.b64decode(value))
    raw[10] ^= 0xFF
    tampered = data.replace(value, base64.b64encode(bytes(raw)))
    with pytest.raises(EdxmlError, match="signature value is not the signer's"):
        read(tampered, tmp_path)


def test_a_truncated_certificate_is_refused(authority, tmp_path):
    data = _one_attachment_package(authority)
    certificate = re.search(rb"<ds:X509Certificate>([^<]+)<", data)[1]
    truncated = base64.b64encode(base64.b64decode(certificate)[:200])
    with pytest.raises(EdxmlError, match="certificate .* cannot be read"):
        read(data.replace(certificate, truncated), tmp_path)


def test_a_certificate_that_is_not_base64_is_refused(authority, tmp_path):
    data = _one_attachment_package(authority)
    certificate = re.search(rb"<ds:X509Certificate>([^<]+)<", data)[1]
    with pytest.raises(EdxmlError, match="certificate .* cannot be read"):
        read(data.replace(certificate, certificate[:-7] + b"*"), tmp_path)


def test_a_certificate_swapped_for_another_does_not_verify(authority, tmp_path):
    data = _one_attachment_package(authority)
    certificate = re.search(rb"<ds:X509Certificate>([^<]+)<", data)[1]
    other = base64.b64encode(der(authority.signing(rsa_key=False)))
    with pytest.raises(EdxmlError, match="does not verify"):
        read(data.replace(certificate, other), tmp_path)


def test_an_attachment_added_to_a_signed_package_is_refused(authority, tmp_path):
    data = _one_attachment_package(authority)
    extra = (b"<Attachment><ContentId>x9</ContentId><AttachmentName>them.pdf</AttachmentName>"
             b"<ContentTransferEncoded>" + base64.b64encode(PDF) +
             b"</ContentTransferEncoded></Attachment></AttachmentEncoded>")
    with pytest.raises(EdxmlError, match="not in the manifest"):
        read(data.replace(b"</AttachmentEncoded>", extra), tmp_path)


def test_trust_is_the_roots_answer(authority):
    signing = authority.signing()
    assert chains_to(der(signing), [authority.der]) is True
    stranger = Authority("Một CA lạ")
    assert chains_to(der(signing), [stranger.der]) is False
    assert chains_to(der(signing), []) is False
    assert chains_to(der(signing), [stranger.der, authority.der]) is True
    assert chains_to(der(stranger.signing()), [authority.der]) is False
    assert chains_to(authority.der, [authority.der]) is True
    assert chains_to(b"not a certificate", [authority.der]) is False
