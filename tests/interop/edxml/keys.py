"""A root and signing certificates made here, EC and RSA, for the signature tests."""

import datetime

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID

from portal.interop.edxml.signature import Signing


def _name(text: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
                      x509.NameAttribute(NameOID.COMMON_NAME, text)])


def certificate(subject: str, key, issuer: tuple | None = None, *, ca=False):
    issuer_name, issuer_key = issuer if issuer else (_name(subject), key)
    now = datetime.datetime.now(datetime.UTC)
    return (x509.CertificateBuilder().subject_name(_name(subject)).issuer_name(issuer_name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(hours=1))
            .not_valid_after(now + datetime.timedelta(days=30))
            .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
            .sign(issuer_key, hashes.SHA256()))


class Authority:
    """A root that issues signing certificates."""

    def __init__(self, name="Root CA của thử nghiệm"):
        self.key = ec.generate_private_key(ec.SECP256R1())
        self.certificate = certificate(name, self.key, ca=True)

    @property
    def der(self) -> bytes:
        return self.certificate.public_bytes(serialization.Encoding.DER)

    def signing(self, subject="Bộ Nông nghiệp và Môi trường", *, rsa_key=False) -> Signing:
        key = (rsa.generate_private_key(public_exponent=65537, key_size=2048) if rsa_key
               else ec.generate_private_key(ec.SECP256R1()))
        return Signing(key=key, certificate=certificate(
            subject, key, (self.certificate.subject, self.key)))


def der(signing: Signing) -> bytes:
    return signing.certificate.public_bytes(serialization.Encoding.DER)
