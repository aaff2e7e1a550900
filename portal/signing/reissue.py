"""A renamed organisation's seal issued again under its new name (development keys only)."""

from cryptography import x509

from portal.audit import services as audit
from portal.extensions import db
from portal.signing.keys import _development_ca, _issue, organisation_identity
from portal.signing.models import SigningIdentity


def reissue_seal(organisation, *, on, actor=None) -> SigningIdentity | None:
    """A renamed organisation's development seal, issued again under its new name (O and CN);
    the old key is retired from the rename's day and still verifies what it signed. An
    imported or token key cannot be issued here: it keeps signing until one is imported
    under the new name (organisations.reorganisation says so)."""
    current = organisation_identity(organisation.id)
    if current is None or current.source != "development":
        return None
    ca_key, ca_certificate = _development_ca()
    identity = _issue(ca_key, ca_certificate, organisation.name, organisation.name,
                      organisation_id=organisation.id)
    current.retired_on = on
    db.session.flush()
    audit.record("signing.seal_reissued", actor=actor, organisation=organisation, obj=identity,
                 details={"subject": _subject_of(identity), "retired": current.id})
    db.session.flush()
    return identity


def _subject_of(identity: SigningIdentity) -> str:
    return x509.load_der_x509_certificate(identity.certificate).subject.rfc4514_string()
