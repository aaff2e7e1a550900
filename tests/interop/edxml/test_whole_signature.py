"""A signature made over the whole message (attachments included, URI ""), as another system
may sign, beside the portal's over the envelope: it verifies, covers the attachments without
the manifest's digests, and a change anywhere is still refused."""

import base64
import io

import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from lxml import etree
from signxml import CanonicalizationMethod, SignatureMethod, XMLSigner

from portal.interop.edxml.errors import EdxmlError
from portal.interop.edxml.reader import read_message
from portal.interop.edxml.values import XMLDSIG, q
from portal.interop.edxml.writer import package_bytes
from tests.interop.edxml.keys import Authority, der
from tests.interop.edxml.messages import PDF, full_package

LIMIT = 80 * 1024 * 1024


def signed_whole(signing, *, inside_digital_signature=False, keep_digests=False) -> bytes:
    """The portal's unsigned package, its manifest stripped of digests, signed whole by
    signxml with inclusive canonicalisation (another system's choices)."""
    root = etree.fromstring(package_bytes(full_package()))
    if not keep_digests:
        for digest in root.iter(q("DigestValue")):
            digest.getparent().remove(digest)
    header = root.find(f"{q('edXMLEnvelope')}/{q('edXMLHeader')}")
    parent = etree.SubElement(header, q("DigitalSignature")) if inside_digital_signature \
        else header
    etree.SubElement(parent, f"{{{XMLDSIG}}}Signature", nsmap={"ds": XMLDSIG}).set(
        "Id", "placeholder")
    algorithm = (SignatureMethod.RSA_SHA256 if isinstance(signing.key, rsa.RSAPrivateKey)
                 else SignatureMethod.ECDSA_SHA256)
    signed = XMLSigner(signature_algorithm=algorithm,
                       c14n_algorithm=CanonicalizationMethod.CANONICAL_XML_1_0).sign(
        root, key=signing.key, cert=[signing.certificate])
    return etree.tostring(signed, xml_declaration=True, encoding="utf-8")


@pytest.fixture(scope="module")
def authority():
    return Authority("CA của một hệ thống khác")


def read(data, tmp_path):
    return read_message(io.BytesIO(data), workdir=tmp_path, max_bytes=LIMIT)


@pytest.mark.parametrize("inside", [False, True], ids=["in-header", "in-DigitalSignature"])
def test_a_whole_message_signature_verifies_and_covers_the_attachments(authority, inside,
                                                                      tmp_path):
    signing = authority.signing("Văn phòng Chính phủ", rsa_key=True)
    read_back = read(signed_whole(signing, inside_digital_signature=inside), tmp_path)
    assert read_back.signature.present and read_back.signature.whole_message
    assert read_back.signature.certificate == der(signing)
    assert [a.read() for a in read_back.message.attachments] == [PDF, PDF[::-1]]


def test_a_byte_changed_in_an_attachment_under_a_whole_signature_is_refused(authority,
                                                                            tmp_path):
    data = signed_whole(authority.signing())
    original = base64.b64encode(PDF[:300])[:40]
    changed = bytearray(PDF[:300])
    changed[5] ^= 0x01
    tampered = data.replace(original, base64.b64encode(bytes(changed))[:40], 1)
    assert tampered != data
    with pytest.raises(EdxmlError, match="digest does not match"):
        read(tampered, tmp_path)


def test_a_changed_header_under_a_whole_signature_is_refused(authority, tmp_path):
    data = signed_whole(authority.signing(), keep_digests=True)
    tampered = data.replace("V/v đẩy mạnh".encode(), "V/v tạm dừng".encode())
    with pytest.raises(EdxmlError, match="digest does not match"):
        read(tampered, tmp_path)


def test_the_portals_own_signature_is_not_whole(authority, tmp_path):
    read_back = read(package_bytes(full_package(), signing=authority.signing()), tmp_path)
    assert read_back.signature.present and not read_back.signature.whole_message


def test_an_unsigned_message_is_not_kept_whole_on_disk(tmp_path):
    read(package_bytes(full_package()), tmp_path)
    assert not (tmp_path / "message.xml").exists()


def test_a_whole_message_signature_past_the_limit_is_refused_saying_so(authority, tmp_path,
                                                                       monkeypatch):
    from portal.interop.edxml import reader, signature

    monkeypatch.setattr(reader, "WHOLE_LIMIT", 16 * 1024)
    monkeypatch.setattr(signature, "WHOLE_LIMIT", 16 * 1024)
    with pytest.raises(EdxmlError, match="checks only up to 0 MB"):
        read(signed_whole(authority.signing()), tmp_path)
    assert not (tmp_path / "message.xml").exists()
