"""Keys: a development CA and a certificate per organisation and per leader (`flask pki init`).

Generated on each machine at set-up, never committed. Every private key is stored only as
PKCS#12 encrypted with a passphrase derived from SECRET_KEY, so the database alone does not
give the keys away.
"""

import contextlib
import datetime
import functools
import hashlib
import hmac

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from portal.audit import services as audit
from portal.auth.models import User
from portal.extensions import db
from portal.organisations.models import Organisation
from portal.rules import PortalError
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


def key_and_certificates(identity: SigningIdentity):
    """The identity's private key, certificate and chain, opened from its PKCS#12."""
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
    key, certificate, _chain = key_and_certificates(identity)
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
    db.session.flush()
    return made


def _issue(ca_key, ca_certificate, common_name, organisation_name, **owner):
    key = ec.generate_private_key(ec.SECP256R1())
    certificate = _certificate(_name(common_name, organisation_name), key,
                               ca_certificate.subject, ca_key, ca=False, days=825)
    return _store(common_name, "development", key, certificate, [ca_certificate], **owner)



class SigningKeyError(PortalError):
    """A key or certificate the portal refuses; the message says why."""


def import_pkcs12(data: bytes, password: str, organisation, *, actor) -> SigningIdentity:
    """Keep an organisation's real key (PKCS#12 from its CA); the password is used, not kept.

    The key is stored again under the portal's own passphrase, so the password the
    administrator typed is not needed later and is written nowhere.
    """
    try:
        key, certificate, chain = pkcs12.load_key_and_certificates(
            data, password.encode() if password else None)
    except ValueError as error:
        raise SigningKeyError(_("The file could not be opened: wrong password, or not a PKCS#12 "
                          "(.p12, .pfx) file.")) from error
    if key is None or certificate is None:
        raise SigningKeyError(_("The file holds no private key with its certificate."))
    label = certificate.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    identity = _store(label[0].value if label else organisation.name, "imported", key,
                      certificate, chain or (), organisation_id=organisation.id)
    db.session.flush()
    audit.record("signing.key_imported", actor=actor, organisation=organisation, obj=identity,
                 details={"subject": certificate.subject.rfc4514_string(),
                          "not_after": certificate.not_valid_after_utc.isoformat()})
    db.session.flush()
    return identity


def add_trusted_root(data: bytes, *, actor) -> TrustedRoot:
    """Trust a root CA certificate (PEM or DER) when verifying signatures."""
    try:
        certificate = (x509.load_pem_x509_certificate(data) if b"-----BEGIN" in data
                       else x509.load_der_x509_certificate(data))
        is_ca = certificate.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    except (ValueError, x509.ExtensionNotFound) as error:
        raise SigningKeyError(_("Not a CA certificate (PEM or DER).")) from error
    if not is_ca:
        raise SigningKeyError(_("This certificate is not a certification authority's."))
    der = certificate.public_bytes(serialization.Encoding.DER)
    if db.session.scalar(select(TrustedRoot.id).where(TrustedRoot.certificate == der)):
        raise SigningKeyError(_("This root is already trusted."))
    name = certificate.subject.rfc4514_string()[:255]
    root = TrustedRoot(name=name, certificate=der)
    db.session.add(root)
    db.session.flush()
    audit.record("signing.root_trusted", actor=actor, obj=root, details={"subject": name})
    db.session.flush()
    return root


def remove_trusted_root(root: TrustedRoot, *, actor) -> None:
    audit.record("signing.root_removed", actor=actor, obj=root, details={"subject": root.name})
    db.session.delete(root)
    db.session.flush()


def organisation_identity(organisation_id: int) -> SigningIdentity | None:
    """The organisation's seal key in use: its latest not retired (merged, or re-sealed)."""
    return db.session.scalar(select(SigningIdentity).where(
        SigningIdentity.organisation_id == organisation_id,
        SigningIdentity.retired_on.is_(None)).order_by(SigningIdentity.id.desc()))


@contextlib.contextmanager
def open_signer(identity: SigningIdentity):
    """A pyHanko signer for the identity: its kept PKCS#12, or its key on a PKCS#11 token."""
    from pyhanko.sign import signers

    if identity.source != "pkcs11":
        yield signers.SimpleSigner.load_pkcs12_data(identity.pkcs12, [],
                                                    passphrase=_passphrase())
        return
    from pyhanko.sign import pkcs11 as p11

    session = _token_session(identity.token_label)
    try:
        # Hash here, sign raw on the token: tokens (SoftHSM among them) often lack the
        # combined hash-and-sign mechanisms for ECDSA.
        yield p11.PKCS11Signer(session, key_label=identity.key_label,
                               cert_label=identity.key_label, use_raw_mechanism=True)
    finally:
        session.close()


def _token_session(token_label: str):
    from pyhanko.sign import pkcs11 as p11

    module = current_app.config["PKCS11_MODULE"]
    if not module:
        raise SigningKeyError(_("No PKCS#11 module is configured (PKCS11_MODULE)."))
    try:
        return p11.open_pkcs11_session(module, token_criteria=p11.TokenCriteria(
            label=token_label), user_pin=current_app.config["PKCS11_PIN"])
    except Exception as error:  # the module reports a missing token or a wrong PIN variously
        raise SigningKeyError(_("The token %(label)s could not be opened: %(error)s",
                                label=token_label, error=error)) from error


def register_token_key(token_label: str, key_label: str, organisation, *,
                       actor) -> SigningIdentity:
    """Use a key that stays on a PKCS#11 token (a USB token, an HSM) for an organisation."""
    import pkcs11
    from pkcs11 import Attribute, ObjectClass

    session = _token_session(token_label)
    try:
        found = list(session.get_objects({Attribute.CLASS: ObjectClass.CERTIFICATE,
                                          Attribute.LABEL: key_label}))
        if not found:
            raise SigningKeyError(_("The token holds no certificate labelled %(label)s.",
                                    label=key_label))
        der = bytes(found[0][Attribute.VALUE])
    except pkcs11.PKCS11Error as error:
        raise SigningKeyError(str(error)) from error
    finally:
        session.close()
    certificate = x509.load_der_x509_certificate(der)
    names = certificate.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    identity = SigningIdentity(label=names[0].value if names else key_label, source="pkcs11",
                               organisation_id=organisation.id, certificate=der,
                               token_label=token_label, key_label=key_label)
    db.session.add(identity)
    db.session.flush()
    audit.record("signing.token_key_registered", actor=actor, organisation=organisation,
                 obj=identity, details={"token": token_label, "key": key_label,
                                        "subject": certificate.subject.rfc4514_string()})
    db.session.flush()
    return identity


def owner_organisation(certificate: bytes) -> Organisation | None:
    """The organisation whose (or whose person's) identity holds this certificate (DER)."""
    identity = db.session.scalar(select(SigningIdentity).where(
        SigningIdentity.certificate == certificate).limit(1)) if certificate else None
    if identity is None:
        return None
    return identity.organisation or (identity.user.organisation if identity.user else None)


def person_identity(user_id: int) -> SigningIdentity | None:
    return db.session.scalar(select(SigningIdentity).where(
        SigningIdentity.user_id == user_id).order_by(SigningIdentity.id.desc()))


def timestamper():
    """The configured time-stamping authority's client, or None (signatures carry the
    signer's own clock only)."""
    url = current_app.config["TSA_URL"]
    return _timestamper_for(url) if url else None


@functools.cache
def _timestamper_for(url: str):
    # Kept per process: a timestamper asks its authority once for a sample token, to size the
    # signature, and remembers it.
    from pyhanko.sign.timestamps import HTTPTimeStamper

    return HTTPTimeStamper(url, timeout=10)


def trusted_roots() -> list[bytes]:
    return list(db.session.scalars(select(TrustedRoot.certificate)))
