"""Administrators import real keys (the password is used once, kept nowhere) and choose the
trusted roots."""

import datetime
import io

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from sqlalchemy import select

from portal.audit.models import AuditEvent
from portal.documents.models import Document
from portal.extensions import db
from portal.signing import keys
from portal.signing.models import SigningIdentity, TrustedRoot
from portal.signing.pdf import check_signatures
from portal.storage.services import read_bytes
from tests.deliveries.conftest import Exchange

PASSWORD = "mật-khẩu-của-Sở"


def _certificate(name, key, issuer_name, issuer_key, ca):
    """A certificate as a real CA writes one: key usage and key identifiers included."""
    now = datetime.datetime.now(datetime.UTC)
    usage = dict(digital_signature=not ca, content_commitment=not ca, key_encipherment=False,
                 data_encipherment=False, key_agreement=False, key_cert_sign=ca, crl_sign=ca,
                 encipher_only=False, decipher_only=False)
    return (x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)]))
            .issuer_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, issuer_name)]))
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(hours=1))
            .not_valid_after(now + datetime.timedelta(days=30))
            .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(**usage), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()),
                           critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(
                issuer_key.public_key()), critical=False)
            .sign(issuer_key, hashes.SHA256()))


def _real_ca_and_pkcs12():
    ca_key, key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca = _certificate("CA chuyên dùng Chính phủ (thử)", ca_key, "CA chuyên dùng Chính phủ (thử)",
                      ca_key, True)
    leaf = _certificate("Sở TN&MT An Giang", key, "CA chuyên dùng Chính phủ (thử)", ca_key,
                        False)
    data = pkcs12.serialize_key_and_certificates(
        "sở".encode(), key, leaf, [ca], serialization.BestAvailableEncryption(PASSWORD.encode()))
    return ca, leaf, data


def _admin(make, auth, ministry=None):
    admin = make.user(ministry or make.ministry(), "admin")
    auth.login(admin.email)
    return admin


def test_an_imported_key_seals_the_organisations_documents(client, auth, make, run_jobs):
    exchange = Exchange(make)
    _admin(make, auth, exchange.ministry)
    ca, leaf, data = _real_ca_and_pkcs12()
    token = auth.csrf_token("/signing/")
    wrong = client.post("/signing/keys", data={
        "csrf_token": token, "organisation_id": exchange.a.id, "password": "sai",
        "file": (io.BytesIO(data), "so.p12")})
    assert wrong.status_code == 400 and "sai mật khẩu" in wrong.get_data(as_text=True)
    assert db.session.scalar(select(SigningIdentity)) is None
    ok = client.post("/signing/keys", data={
        "csrf_token": token, "organisation_id": exchange.a.id, "password": PASSWORD,
        "file": (io.BytesIO(data), "so.p12")})
    assert ok.status_code == 302
    identity = keys.organisation_identity(exchange.a.id)
    assert identity.source == "imported" and identity.pkcs12 != data
    everything = repr([e.details for e in db.session.scalars(select(AuditEvent))])
    assert PASSWORD not in everything
    pem = ca.public_bytes(serialization.Encoding.PEM)
    assert client.post("/signing/roots", data={
        "csrf_token": token, "file": (io.BytesIO(pem), "ca.pem")}).status_code == 302
    letter = make.document(exchange.a_clerk, [exchange.ministry])
    run_jobs()
    document = db.session.get(Document, letter.id)
    [check] = check_signatures(read_bytes(document.pdf_file), keys.trusted_roots())
    assert (check.signer, check.intact, check.trusted) == ("Sở TN&MT An Giang", True, True)


def test_only_ca_certificates_become_trusted_roots(client, auth, make):
    _admin(make, auth)
    ca, leaf, _data = _real_ca_and_pkcs12()
    token = auth.csrf_token("/signing/")
    leaf_der = leaf.public_bytes(serialization.Encoding.DER)
    refused = client.post("/signing/roots", data={
        "csrf_token": token, "file": (io.BytesIO(leaf_der), "leaf.cer")})
    assert refused.status_code == 400
    garbage = client.post("/signing/roots", data={
        "csrf_token": token, "file": (io.BytesIO(b"not a certificate"), "x.cer")})
    assert garbage.status_code == 400
    ca_der = ca.public_bytes(serialization.Encoding.DER)
    for _ in range(2):
        client.post("/signing/roots", data={"csrf_token": token,
                                            "file": (io.BytesIO(ca_der), "ca.cer")})
    [root] = db.session.scalars(select(TrustedRoot)).all()
    assert client.post(f"/signing/roots/{root.id}/delete",
                       data={"csrf_token": token}).status_code == 302
    assert db.session.scalar(select(TrustedRoot)) is None
