"""Organisations as the axis names them: by their national identifier (mã định danh).

A sender the portal has never seen (another ministry, a provincial people's committee) is
recorded from its edXML block the first time it writes, as an `external` organisation an
administrator may then correct; later blocks never overwrite what is kept.
"""

import re

from flask_babel import gettext as _

from portal.audit import services as audit
from portal.documents.text import nfc
from portal.extensions import db
from portal.interop.edxml.model import Organ
from portal.organisations.models import (
    Organisation,
    OrganisationChannel,
    OrganisationKind,
    OrganisationName,
    final_successor,
)
from portal.organisations.services import (
    BEGINNING,
    OrganisationError,
    bearer_of,
    clean_organ_id,
    find_by_code,
)

CODE_LENGTH = 20


def find_by_organ_id(organ_id: str) -> Organisation | None:
    """The organisation that carries the work of the one bearing the identifier (a merged
    one's successor), or None."""
    found = bearer_of((organ_id or "").strip().upper())
    return final_successor(found) if found is not None else None


def organisation_for(organ: Organ) -> Organisation:
    """The organisation bearing the block's identifier, or a new external one recorded from
    it (audited, in the caller's transaction). Raises OrganisationError for a block whose
    identifier is not one."""
    organ_id = clean_organ_id(organ.organ_id)
    if organ_id is None:
        raise OrganisationError(_("The organisation block has no identifier (OrganId)."))
    found = find_by_organ_id(organ_id)
    if found is not None:
        return found
    name = _text(organ.name, 255) or organ_id
    organisation = Organisation(
        code=_free_code(organ_id), kind=OrganisationKind.EXTERNAL, name=name,
        organ_id=organ_id, channel=OrganisationChannel.AXIS,
        address=_text(organ.address, 500), email=_text(organ.email, 254),
        telephone=_text(organ.telephone, 50))
    organisation.names.append(OrganisationName(name=name, code=organisation.code,
                                               valid_from=BEGINNING))
    db.session.add(organisation)
    db.session.flush()
    audit.record("organisation.recorded_from_axis", organisation=organisation, obj=organisation,
                 details={"organ_id": organ_id, "name": name, "code": organisation.code})
    return organisation


def _text(value: str | None, limit: int) -> str | None:
    text = " ".join(nfc(value or "").split())
    return text[:limit] or None


def _free_code(organ_id: str) -> str:
    """A notation code no one bears, from the identifier: 000.00.00.G22 → X-000-00-00-G22."""
    base = ("X-" + re.sub(r"[^0-9A-Z]+", "-", organ_id))[:CODE_LENGTH]
    code, n = base, 1
    while find_by_code(code) is not None:
        n += 1
        suffix = f"-{n}"
        code = base[:CODE_LENGTH - len(suffix)] + suffix
    return code
