"""Hostile, broken and wrongly signed messages through the real route: 400 (or 415), the
reason, and nothing stored anywhere; a known sender is told with a 02 (its own transaction).
Valid signatures under no trusted root, and unsigned messages, are accepted and said so."""

import io
import re
from datetime import UTC, datetime, timedelta

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from sqlalchemy import select

from portal.extensions import db
from portal.interop.edxml.model import Organ
from portal.interop.edxml.signature import Signing
from portal.interop.models import AxisDocument, AxisMessage
from portal.interop.outbound import open_key
from portal.signing.keys import init_development_pki
from portal.transaction import action
from tests.interop.hand_written import message
from tests.interop.inbound_world import (
    HERE_ID,
    MINISTRY_ID,
    build_world,
    package_xml,
    post,
    row_counts,
)


@pytest.fixture
def world(make):
    return build_world(make)


BILLION_LAUGHS = """<!DOCTYPE edXML [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>"""
XXE = '<!DOCTYPE edXML [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'


def _with_doctype(doctype: str, subject: str) -> bytes:
    body = message(subject=subject)
    declaration_end = body.index(b"?>") + 2
    return body[:declaration_end] + doctype.encode() + body[declaration_end:]


HOSTILE = {
    "billion laughs": lambda: _with_doctype(BILLION_LAUGHS, "&lol4;"),
    "external entity": lambda: _with_doctype(XXE, "&xxe;"),
    "not well-formed": lambda: message()[:-200],
    "wrong namespace": lambda: message(namespace="http://example.com/not-edxml"),
    "no subject": lambda: message(drop="Subject"),
    "no document id": lambda: message(drop="DocumentId"),
    "bad base64": lambda: message(pdf_b64="JVBERi0x!!!not*base64***"),
    "NUL character": lambda: message(subject="V/v \x00 thử"),
    "NUL as a reference": lambda: message(subject="V/v &#0; thử"),
    "huge CodeNumber": lambda: message(code_number="9" * 40),
    "huge amount": lambda: message(amount="9" * 40),
    "huge priority": lambda: message(priority="9" * 40),
    "year one": lambda: message().replace(b"2026/11/30</edXML:PromulgationDate>",
                                          b"0001/01/01</edXML:PromulgationDate>"),
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_input_is_400_and_stores_nothing(client, world, name):
    before = row_counts()
    response = post(client, world, HOSTILE[name]())
    assert response.status_code == 400, response.get_json()
    assert response.get_json()["error"]["message"]
    assert row_counts() == before


def test_the_hand_written_message_itself_is_accepted(client, world):
    response = post(client, world, message())
    assert response.status_code == 201, response.get_json()
    repairs = response.get_json()["repairs"]
    assert any("Thông tư" in r for r in repairs) and any("000.00.99.H99" in r for r in repairs)


def test_over_the_size_limit_is_400_however_it_is_sent(app, client, world):
    app.config["EDXML_MAX_BYTES"] = 4096
    body = message()
    assert len(body) > 4096
    before = row_counts()
    assert post(client, world, body).status_code == 400
    # Without a Content-Length (as a chunked body arrives): counted while it is read.
    response = client.post("/api/v1/edxml", input_stream=io.BytesIO(body),
                           content_type="application/xml",
                           environ_overrides={"wsgi.input_terminated": True},
                           headers={"Authorization": f"Bearer {world.secret}"})
    assert response.status_code == 400, response.get_json()
    assert row_counts() == before


def test_the_uploads_limit_does_not_apply_to_messages(app, client, world):
    app.config["MAX_CONTENT_LENGTH"] = 1024  # a PDF upload's; a package may be far larger
    assert post(client, world, message()).status_code == 201


def test_a_body_that_is_not_xml_is_415(client, world):
    assert post(client, world, message(), content_type="application/json").status_code == 415
    assert post(client, world, message(), content_type="text/xml").status_code == 201


def _untrusted_signing() -> Signing:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Bo Noi vu (tu cap)")])
    now = datetime.now(UTC)
    certificate = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
                   .public_key(key.public_key()).serial_number(x509.random_serial_number())
                   .not_valid_before(now - timedelta(days=1))
                   .not_valid_after(now + timedelta(days=30))
                   .sign(key, hashes.SHA256()))
    return Signing(key, certificate)


def test_a_valid_signature_under_no_trusted_root_is_accepted_as_untrusted(client, world, auth):
    response = post(client, world, package_xml(signing=_untrusted_signing()))
    assert response.status_code == 201, response.get_json()
    answer = response.get_json()
    assert answer["signature"] == "untrusted"
    assert db.session.get(AxisDocument, answer["document"]["id"]).signature == "untrusted"
    auth.login(world.here_clerk.email)
    page = client.get(f"/inbox/{answer['deliveries'][0]['id']}").get_data(as_text=True)
    assert "axis-signature-untrusted" in page


def test_a_signature_by_a_key_under_the_trusted_roots_is_valid(client, world):
    with action():
        init_development_pki()
    with action():
        signing = open_key(world.ministry)
    assert signing is not None
    response = post(client, world, package_xml(signing=signing))
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["signature"] == "valid"


def _signed_by_a_known_sender() -> bytes:
    return package_xml(signing=_untrusted_signing(),
                       sender=Organ(organ_id=MINISTRY_ID, name="Bộ Nông nghiệp và Môi trường"),
                       recipients=[Organ(organ_id=HERE_ID)])


def _refusal_rows(before):
    after = row_counts()
    return {t: after[t] - before[t] for t in after if after[t] != before[t]}


def test_a_tampered_signature_is_400_and_a_known_sender_gets_02(client, world):
    signed = _signed_by_a_known_sender()
    tampered = signed.replace("V/v rà soát".encode(), "V/v sửa lén".encode())
    assert tampered != signed
    before = row_counts()
    response = post(client, world, tampered)
    assert response.status_code == 400
    assert "signature" in response.get_json()["error"]["message"].lower() or \
        "chữ ký" in response.get_json()["error"]["message"].lower()
    # Nothing of the message; only the 02 back, queued (its XML, its row, its job).
    assert _refusal_rows(before) == {"stored_file": 1, "axis_message": 1, "job": 1}
    refusal = db.session.scalar(select(AxisMessage).order_by(AxisMessage.id.desc()))
    assert (refusal.direction, refusal.status_code, refusal.to_organ_ids) == \
        ("out", "02", [MINISTRY_ID])
    # The same refused message again: one 02.
    assert post(client, world, tampered).status_code == 400
    assert _refusal_rows(before) == {"stored_file": 1, "axis_message": 1, "job": 1}


def test_a_truncated_certificate_is_400(client, world):
    signed = _signed_by_a_known_sender().decode()
    certificate = re.search(r"<(?:\w+:)?X509Certificate>([^<]+)<", signed).group(1)
    truncated = signed.replace(certificate, certificate[:len(certificate) // 2])
    response = post(client, world, truncated.encode())
    assert response.status_code == 400, response.get_json()
    assert db.session.scalar(select(AxisDocument)) is None


def test_an_unsigned_message_is_accepted_and_counted_unsigned(client, world):
    answer = post(client, world, package_xml()).get_json()
    assert answer["signature"] == "unsigned"
    assert db.session.scalar(select(AxisMessage).where(AxisMessage.direction == "in")) \
        .signature == "unsigned"


