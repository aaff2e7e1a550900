"""Signing keys and trusted roots. Private keys are kept only inside encrypted PKCS#12 data."""

from portal.clock import utcnow
from portal.extensions import db


class SigningIdentity(db.Model):
    """A certificate and its key: an organisation's (its seal) or a person's (a signer's).

    The development CA is an identity of neither (both ids empty, source "development-ca").
    """

    id = db.Column(db.Integer, primary_key=True)
    organisation_id = db.Column(db.Integer, db.ForeignKey("organisation.id"), index=True)
    user_id = db.Column(db.Integer, db.ForeignKey("user.id"), index=True)
    label = db.Column(db.String(255), nullable=False)
    source = db.Column(db.String(20), nullable=False)  # development, development-ca, imported
    certificate = db.Column(db.LargeBinary, nullable=False)  # DER
    # PKCS#12, encrypted with a key derived from SECRET_KEY (signing/keys.py).
    pkcs12 = db.Column(db.LargeBinary, nullable=False)
    created_at = db.Column(db.DateTime(timezone=True), nullable=False, default=utcnow)


class TrustedRoot(db.Model):
    """A root certificate whose chains the portal trusts when it verifies signatures."""

    id = db.Column(db.Integer, primary_key=True)
    name = db.Column(db.String(255), nullable=False)
    certificate = db.Column(db.LargeBinary, nullable=False)  # DER
    added_at = db.Column(db.DateTime(timezone=True), nullable=False, default=utcnow)


class Verification(db.Model):
    """What verifying one stored PDF found: a verdict and, per signature, the details."""

    id = db.Column(db.Integer, primary_key=True)
    stored_file_id = db.Column(db.Integer, db.ForeignKey("stored_file.id"), nullable=False,
                               unique=True)
    verdict = db.Column(db.String(20), nullable=False)  # valid, warnings, invalid, unsigned
    report = db.Column(db.JSON, nullable=False)
    verified_at = db.Column(db.DateTime(timezone=True), nullable=False, default=utcnow)
