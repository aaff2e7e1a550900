"""Keys: a development CA and a certificate per organisation and per leader (`flask pki init`).

Generated on each machine at set-up, never committed. Every private key is stored only as
PKCS#12 encrypted with a passphrase derived from SECRET_KEY, so the database alone does not
give the keys away.
"""

import datetime
import hashlib
import hmac

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from flask import current_app
from sqlalchemy import select

from portal.auth.models import User
from portal.extensions import db
from portal.organisations.models import Organisation
from portal.signing.models import SigningIdentity, TrustedRoot

CA_LABEL = "Portal development CA"
SIGNER_ROLES = ("leader",)


def _passphrase() -> bytes:
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, b"portal pkcs12 passphrase", hashlib.sha256).hexdigest().encode()


def _fit(text: str) -> str:
    """At most 64 bytes of UTF-8 (the X.520 bound, which cryptography counts in bytes)."""
    return text.encode()[:64].decode(errors="ignore")


def _name(common_name: str, organisation: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, _fit(organisation)),
                      x509.NameAttribute(NameOID.COMMON_NAME, _fit(common_name))])


def _certificate(subject, key, issuer_name, issuer_key, *, ca: bool, days: int):
    now = datetime.datetime.now(datetime.UTC)
    usage = dict(digital_signature=not ca, content_commitment=not ca, key_encipherment=False,
                 data_encipherment=False, key_agreement=False, key_cert_sign=ca, crl_sign=ca,
                 encipher_only=False, decipher_only=False)
    return (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer_name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(hours=1))
            .not_valid_after(now + datetime.timedelta(days=days))
            .add_extension(x509.BasicConstraints(ca=ca, path_length=0 if ca else None),
                           critical=True)
            .add_extension(x509.KeyUsage(**usage), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()),
                           critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(
                issuer_key.public_key()), critical=False)
            .sign(issuer_key, hashes.SHA256()))


def _store(label, source, key, certificate, chain=(), organisation_id=None, user_id=None):
    data = pkcs12.serialize_key_and_certificates(
        label.encode(), key, certificate, list(chain),
        serialization.BestAvailableEncryption(_passphrase()))
    identity = SigningIdentity(label=label, source=source, organisation_id=organisation_id,
                               user_id=user_id, pkcs12=data,
                               certificate=certificate.public_bytes(serialization.Encoding.DER))
    db.session.add(identity)
    return identity


def _load(identity: SigningIdentity):
    key, certificate, chain = pkcs12.load_key_and_certificates(identity.pkcs12, _passphrase())
    return key, certificate, chain


def _development_ca():
    identity = db.session.scalar(select(SigningIdentity).where(
        SigningIdentity.source == "development-ca"))
    if identity is None:
        key = ec.generate_private_key(ec.SECP256R1())
        name = _name(CA_LABEL, "Hệ thống tương tác Bộ – Sở")
        certificate = _certificate(name, key, name, key, ca=True, days=3650)
        identity = _store(CA_LABEL, "development-ca", key, certificate)
        db.session.add(TrustedRoot(name=CA_LABEL, certificate=identity.certificate))
        db.session.flush()
    key, certificate, _chain = _load(identity)
    return key, certificate


def init_development_pki() -> int:
    """Give every organisation and every leader a development certificate; return how many."""
    ca_key, ca_certificate = _development_ca()
    have_org = set(db.session.scalars(select(SigningIdentity.organisation_id).where(
        SigningIdentity.organisation_id.is_not(None))))
    have_user = set(db.session.scalars(select(SigningIdentity.user_id).where(
        SigningIdentity.user_id.is_not(None))))
    made = 0
    for organisation in db.session.scalars(select(Organisation).order_by(Organisation.id)):
        if organisation.id not in have_org:
            _issue(ca_key, ca_certificate, organisation.name, organisation.name,
                   organisation_id=organisation.id)
            made += 1
    for user in db.session.scalars(select(User).where(User.role.in_(SIGNER_ROLES))
                                   .order_by(User.id)):
        if user.id not in have_user:
            _issue(ca_key, ca_certificate, user.full_name, user.organisation.name,
                   user_id=user.id)
            made += 1
    db.session.commit()
    return made


def _issue(ca_key, ca_certificate, common_name, organisation_name, **owner):
    key = ec.generate_private_key(ec.SECP256R1())
    certificate = _certificate(_name(common_name, organisation_name), key,
                               ca_certificate.subject, ca_key, ca=False, days=825)
    _store(common_name, "development", key, certificate, [ca_certificate], **owner)


def organisation_identity(organisation_id: int) -> SigningIdentity | None:
    return db.session.scalar(select(SigningIdentity).where(
        SigningIdentity.organisation_id == organisation_id).order_by(SigningIdentity.id.desc()))


def pkcs12_of(identity: SigningIdentity) -> tuple[bytes, bytes]:
    """(PKCS#12 data, passphrase) for a signer to load."""
    return identity.pkcs12, _passphrase()


def trusted_roots() -> list[bytes]:
    return list(db.session.scalars(select(TrustedRoot.certificate)))
