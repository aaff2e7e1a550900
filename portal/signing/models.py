"""Signing keys and trusted roots. Private keys are kept only inside encrypted PKCS#12 data."""

from portal.clock import utcnow
from portal.extensions import db

# The signature fields of a document the portal lays out, in signing order: initials (ký
# nháy) of the drafting unit's leader and of the office, the signer, then the organisation's
# seal with the number and date.
INITIAL_FIELDS = ("initial-unit", "initial-office")
SIGNER_FIELD = "signer"
ORGANISATION_FIELD = "organisation"
# The text fields the clerk's step fills: the number and the place and date (signing/form.py).
NUMBER_FIELD, DATE_FIELD = "number", "date"


class SigningIdentity(db.Model):
    """A certificate and its key: an organisation's (its seal) or a person's (a signer's).

    The development CA is an identity of neither (both ids empty, source "development-ca").
    """

    id = db.Column(db.Integer, primary_key=True)
    organisation_id = db.Column(db.Integer, db.ForeignKey("organisation.id"), index=True)
    user_id = db.Column(db.Integer, db.ForeignKey("user.id"), index=True)
    label = db.Column(db.String(255), nullable=False)
    # development, development-ca, imported (kept here), pkcs11 (the key stays on a token)
    source = db.Column(db.String(20), nullable=False)
    certificate = db.Column(db.LargeBinary, nullable=False)  # DER
    # PKCS#12, encrypted with a key derived from SECRET_KEY (signing/keys.py); None for a token.
    pkcs12 = db.Column(db.LargeBinary)
    # A key on a PKCS#11 token: the token's and the key's (and its certificate's) labels. The
    # module and PIN come from the settings (PKCS11_MODULE, PKCS11_PIN), never the database.
    token_label = db.Column(db.String(64))
    key_label = db.Column(db.String(64))
    created_at = db.Column(db.DateTime(timezone=True), nullable=False, default=utcnow)
    # From this day the key signs nothing more (its organisation merged, or renamed and its
    # seal re-issued); it stays to verify what it signed before.
    retired_on = db.Column(db.Date)

    organisation = db.relationship("Organisation")
    user = db.relationship("User")


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


class SignatureStep(db.Model):
    """One person's signature in a document's chain (trình ký), in signing order.

    The person's decision (approved_at) is taken in the request; the signature itself is
    applied by the `sign` job, which records the file it produced (signed_file_id).
    """

    id = db.Column(db.Integer, primary_key=True)
    document_id = db.Column(db.Integer, db.ForeignKey("document.id", ondelete="CASCADE"),
                            nullable=False, index=True)
    position = db.Column(db.Integer, nullable=False)
    field = db.Column(db.String(30), nullable=False)  # a signature field of signing/pdf.py
    user_id = db.Column(db.Integer, db.ForeignKey("user.id"), nullable=False, index=True)
    approved_at = db.Column(db.DateTime(timezone=True))
    signed_file_id = db.Column(db.Integer, db.ForeignKey("stored_file.id"))
    signed_at = db.Column(db.DateTime(timezone=True))

    user = db.relationship("User")
    signed_file = db.relationship("StoredFile")

    __table_args__ = (db.UniqueConstraint("document_id", "position"),)

    @property
    def signed(self) -> bool:
        return self.signed_file_id is not None


class StampImage(db.Model):
    """The image a stamp draws (Decree 30, Appendix I): an organisation's seal (red) or a
    person's signature, a transparent PNG; one per organisation or person, the latest kept."""

    id = db.Column(db.Integer, primary_key=True)
    organisation_id = db.Column(db.Integer, db.ForeignKey("organisation.id"), unique=True)
    user_id = db.Column(db.Integer, db.ForeignKey("user.id"), unique=True)
    stored_file_id = db.Column(db.Integer, db.ForeignKey("stored_file.id"), nullable=False)
    uploaded_by_id = db.Column(db.Integer, db.ForeignKey("user.id"), nullable=False)
    uploaded_at = db.Column(db.DateTime(timezone=True), nullable=False, default=utcnow)

    stored_file = db.relationship("StoredFile")

    __table_args__ = (db.CheckConstraint("(organisation_id IS NULL) != (user_id IS NULL)",
                                         name="one_owner"),)
