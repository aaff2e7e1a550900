"""edXML's XML signature: enveloped, in the header, over the envelope (signxml).

The signature's Reference is the whole envelope (URI "", enveloped-signature transform,
exclusive canonicalisation), not the attachments after it: the manifest inside the envelope
gives each attachment's size and SHA-256, which the reader checks while it decodes them, so
the signature binds the attachments without the whole package in memory (docs/edxml.md).
The certificate travels in KeyInfo/X509Data; whether it is trusted is `chains_to`'s answer,
given the portal's roots, not the signature's.
"""

import base64
import binascii
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import InvalidSignature as InvalidCryptoSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from flask_babel import gettext as _
from lxml import etree
from signxml import (
    CanonicalizationMethod,
    DigestAlgorithm,
    SignatureConfiguration,
    SignatureMethod,
    XMLSigner,
    XMLVerifier,
)
from signxml.exceptions import InvalidDigest, InvalidInput, SignXMLException

from portal.interop.edxml.errors import EdxmlError
from portal.interop.edxml.model import SignatureCheck
from portal.interop.edxml.values import XMLDSIG, q

C14N = CanonicalizationMethod.EXCLUSIVE_XML_CANONICALIZATION_1_0
# A signature over the whole message is checked on a tree of all of it: for messages up to
# this size only (the portal's own signatures need no such tree).
WHOLE_LIMIT = 24 * 1024 * 1024
# One reference (the envelope), the signature where the writer puts it: nothing else counts.
# (Some systems put it in a DigitalSignature block of the header: anywhere in the header.)
_EXPECTED = SignatureConfiguration(expect_references=1, location=f"./{q('edXMLHeader')}//")
_EXPECTED_WHOLE = SignatureConfiguration(
    expect_references=1, location=f"./{q('edXMLEnvelope')}/{q('edXMLHeader')}//")


@dataclass(frozen=True)
class Signing:
    """Who signs: a private key (EC or RSA), its certificate and the certificates between
    it and the root (cryptography objects)."""

    key: ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey
    certificate: x509.Certificate
    chain: tuple[x509.Certificate, ...] = ()


def sign_envelope(envelope, signing: Signing):
    """The envelope with an enveloped signature as the last entry of its edXMLHeader."""
    header = envelope.find(q("edXMLHeader"))
    placeholder = etree.SubElement(header, f"{{{XMLDSIG}}}Signature", nsmap={"ds": XMLDSIG})
    placeholder.set("Id", "placeholder")
    algorithm = (SignatureMethod.ECDSA_SHA256
                 if isinstance(signing.key, ec.EllipticCurvePrivateKey)
                 else SignatureMethod.RSA_SHA256)
    signer = XMLSigner(signature_algorithm=algorithm, digest_algorithm=DigestAlgorithm.SHA256,
                       c14n_algorithm=C14N)
    return signer.sign(envelope, key=signing.key,
                       cert=[signing.certificate, *signing.chain])


def verify_envelope(envelope, *, whole: Path | None = None,
                    whole_too_large: bool = False) -> SignatureCheck:
    """The envelope's signature checked against the certificate it carries; EdxmlError with
    the reason when it does not verify or its certificate cannot be read. `whole`: the whole
    message on disk, for a signature made over all of it (as some systems sign) rather than
    over the envelope."""
    certificate = _certificate_of(envelope)
    der = certificate.public_bytes(serialization.Encoding.DER)
    standalone = etree.fromstring(etree.tostring(envelope))
    try:
        XMLVerifier().verify(standalone, x509_cert=certificate, expect_config=_EXPECTED)
    except InvalidDigest as error:
        if whole is not None and _signs_all(envelope) and _verifies_whole(whole, certificate):
            return SignatureCheck(present=True, certificate=der, whole_message=True)
        if whole_too_large and _signs_all(envelope):
            raise EdxmlError(_(
                "The message's signature does not verify over its envelope: either the "
                "content was changed after signing, or the signature covers the whole "
                "message, which the portal checks only up to %(mb)s MB.",
                mb=WHOLE_LIMIT // (1024 * 1024))) from error
        raise EdxmlError(_("The message's signature does not verify: the signed content was "
                           "changed after signing (its digest does not match).")) from error
    except InvalidInput as error:
        raise EdxmlError(_("The message's signature cannot be checked: %(reason)s",
                           reason=str(error))) from error
    except (SignXMLException, InvalidCryptoSignature, ValueError) as error:
        raise EdxmlError(_("The message's signature does not verify: the signature value is "
                           "not the signer's over this content.")) from error
    return SignatureCheck(present=True, certificate=der)


def _signs_all(envelope) -> bool:
    """Whether the signature's one reference is the whole document (URI "")."""
    references = envelope.findall(f".//{{{XMLDSIG}}}SignedInfo/{{{XMLDSIG}}}Reference")
    return len(references) == 1 and references[0].get("URI") == ""


def _verifies_whole(path: Path, certificate) -> bool:
    # The same bytes the streaming reader has read: no DOCTYPE (it refuses one), so a tree
    # without libxml2's size limits cannot expand anything; WHOLE_LIMIT bounds it.
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                             huge_tree=True)
    try:
        root = etree.parse(str(path), parser).getroot()
        XMLVerifier().verify(root, x509_cert=certificate, expect_config=_EXPECTED_WHOLE)
    except (etree.XMLSyntaxError, SignXMLException, InvalidCryptoSignature, ValueError):
        return False
    return True


def _certificate_of(envelope) -> x509.Certificate:
    found = envelope.findall(f".//{{{XMLDSIG}}}X509Certificate")
    if not found:
        raise EdxmlError(_("The message's signature carries no certificate "
                           "(KeyInfo/X509Data/X509Certificate)."))
    try:
        der = base64.b64decode("".join((found[0].text or "").split()), validate=True)
        return x509.load_der_x509_certificate(der)
    except (binascii.Error, ValueError) as error:
        raise EdxmlError(_("The certificate in the message's signature cannot be read: it is "
                           "damaged or truncated.")) from error


def chains_to(certificate_der: bytes, roots_der: list[bytes]) -> bool:
    """Whether the certificate is one of the roots or was issued by one (by its signature
    and name), and is within its validity now."""
    try:
        certificate = x509.load_der_x509_certificate(certificate_der)
    except ValueError:
        return False
    now = datetime.now(UTC)
    if not certificate.not_valid_before_utc <= now <= certificate.not_valid_after_utc:
        return False
    for root_der in roots_der:
        try:
            root = x509.load_der_x509_certificate(root_der)
        except ValueError:
            continue
        if root_der == certificate_der:
            return True
        try:
            certificate.verify_directly_issued_by(root)
        except (ValueError, TypeError, InvalidCryptoSignature):
            continue
        return True
    return False
