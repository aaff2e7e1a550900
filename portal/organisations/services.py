"""Add, rename and merge organisations; look them up. Every change is audited."""

import re
from datetime import date

from email_validator import EmailNotValidError, validate_email
from flask_babel import gettext as _
from sqlalchemy import case, select

from portal.audit import services as audit
from portal.clock import local_today, utcnow
from portal.collation import by_name
from portal.documents import numbering
from portal.extensions import db
from portal.organisations.merging import take_effect
from portal.organisations.models import (
    Organisation,
    OrganisationChannel,
    OrganisationKind,
    OrganisationName,
    successors_from,
)
from portal.rules import PortalError
from portal.signing.reissue import reissue_seal

# Names and codes the first organisations had before the portal existed count from this day.
BEGINNING = date(1945, 9, 2)


# The ministry first, then its units, then the departments.
KIND_ORDER = case({OrganisationKind.MINISTRY.value: 0, OrganisationKind.MINISTRY_UNIT.value: 1},
                  value=Organisation.kind, else_=2)


class OrganisationError(PortalError):
    """A change that breaks a rule; its message is shown to the person."""


def find_by_code(code: str) -> Organisation | None:
    """The organisation bearing the code, or the one that bore it last (BTNMT, now BNNMT)."""
    code = code.strip().upper()
    found = db.session.scalar(select(Organisation).where(Organisation.code == code))
    if found is None:
        found = db.session.scalar(select(Organisation).join(Organisation.names)
                                  .where(OrganisationName.code == code)
                                  .order_by(OrganisationName.valid_from.desc()).limit(1))
    return found


def ministry_code(name: str) -> str:
    """A ministry's notation code: the initials of its name without "và" (Bộ Nông nghiệp và
    Môi trường: BNNMT; Bộ Tài nguyên và Môi trường: BTNMT)."""
    return "".join(word[0] for word in name.split()
                   if word[0].isalpha() and word.lower() != "và").upper()


def list_organisations(kind: str | None = None, include_merged: bool = True) -> list[Organisation]:
    query = select(Organisation).order_by(KIND_ORDER, by_name(Organisation.name), Organisation.id)
    if kind:
        query = query.where(Organisation.kind == kind)
    organisations = list(db.session.scalars(query))
    if not include_merged:
        organisations = [o for o in organisations if not o.is_merged()]
    return organisations


def add_organisation(*, code, name, kind, parent=None, actor=None, since=BEGINNING):
    """Create an organisation with its first name."""
    code = code.strip().upper()
    name = name.strip()
    if kind not in OrganisationKind.__members__.values():
        raise OrganisationError(_("Unknown kind %(kind)s", kind=kind))
    if not code or not name:
        raise OrganisationError(_("Code and name are required"))
    if find_by_code(code) is not None:
        raise OrganisationError(_("Code %(code)s is already used", code=code))
    organisation = Organisation(code=code, name=name, kind=kind, parent=parent)
    organisation.names.append(OrganisationName(name=name, code=code, valid_from=since))
    db.session.add(organisation)
    db.session.flush()
    audit.record("organisation.created", actor=actor, organisation=organisation,
                 obj=organisation, details={"code": code, "name": name, "kind": kind})
    db.session.flush()
    return organisation


def code_after_rename(organisation, new_name: str) -> str:
    """The code the organisation bears under its new name: a ministry's follows its name
    (documents/numbering uses the code at issue); every other organisation keeps its own."""
    if organisation.kind != OrganisationKind.MINISTRY:
        return organisation.code
    return ministry_code(new_name)[:20] or organisation.code


def check_rename(organisation, new_name: str, effective_on: date) -> str:
    """Refuse a rename that makes no sense; return the code borne under the new name."""
    if not new_name:
        raise OrganisationError(_("The new name is required"))
    if new_name == organisation.name:
        raise OrganisationError(_("The new name is the same as the current one"))
    if organisation.names and effective_on <= organisation.names[-1].valid_from:
        raise OrganisationError(_("A rename must take effect after the previous one"))
    code = code_after_rename(organisation, new_name)
    holder = find_by_code(code) if code != organisation.code else None
    if holder is not None and holder.id != organisation.id:
        raise OrganisationError(_("Code %(code)s is already used", code=code))
    return code


def rename_organisation(organisation, new_name, *, effective_on=None, actor=None,
                        basis="", certainty=""):
    """Give an organisation a new name from a day on; records before keep the old name.

    A ministry's code follows its name from the same day (the old one stays in the history);
    a development seal key is issued again under the new name (signing.reissue). basis,
    certainty: the legal text and how sure it is, kept in the audit (a reorganisation file)."""
    new_name = new_name.strip()
    effective_on = effective_on or local_today()
    code = check_rename(organisation, new_name, effective_on)
    old_name, old_code = organisation.name, organisation.code
    organisation.names.append(OrganisationName(name=new_name, code=code, valid_from=effective_on))
    organisation.name, organisation.code = new_name, code
    details = {"from": old_name, "to": new_name, "effective_on": effective_on.isoformat(),
               **({"code_from": old_code, "code_to": code} if code != old_code else {}),
               **({"basis": basis, "certainty": certainty} if basis or certainty else {})}
    audit.record("organisation.renamed", actor=actor, organisation=organisation, obj=organisation,
                 details=details)
    db.session.flush()
    reissue_seal(organisation, on=effective_on, actor=actor)


def set_notation_formats(organisation, letters: str, others: str, *, actor=None):
    """Choose how the organisation's notations are written; blank keeps Decree 30's default.

    Raises numbering.NotationFormatError for a format that cannot be used.
    """
    chosen = []
    defaults = numbering.default_formats(organisation)
    for text, default, for_letters in ((letters, defaults[0], True),
                                       (others, defaults[1], False)):
        text = (text or "").strip()
        if text:
            numbering.check_format(text, for_letters=for_letters,
                                   has_parent=organisation.parent is not None)
        chosen.append(text if text and text != default else None)
    before = numbering.formats_of(organisation)
    organisation.letter_notation_format, organisation.notation_format = chosen
    audit.record("organisation.notation_changed", actor=actor, organisation=organisation,
                 obj=organisation, details={"from": list(before),
                                            "to": list(numbering.formats_of(organisation))})
    db.session.flush()


def check_merge(organisation, successor, effective_on: date | None = None) -> None:
    """Refuse a merge that makes no sense (the confirmation page asks this first)."""
    effective_on = effective_on or local_today()
    if successor is None:
        raise OrganisationError(_("Choose the organisation it is merged into"))
    if organisation.id == successor.id:
        raise OrganisationError(_("An organisation cannot be merged into itself"))
    if organisation.successor_id is not None:
        raise OrganisationError(_("%(code)s is already merged", code=organisation.code))
    if _leads_back_to(successor, organisation):
        raise OrganisationError(_("Merging %(name)s into %(successor)s would make a cycle",
                                  name=organisation.name, successor=successor.name))
    if successor.successor_id is not None and successor.merged_on <= effective_on:
        raise OrganisationError(
            _("%(code)s has itself been merged; choose its successor", code=successor.code))
    if organisation.kind != successor.kind:
        raise OrganisationError(_("Only organisations of the same kind can be merged"))


def _leads_back_to(successor, organisation) -> bool:
    return any(o.id == organisation.id for o in successors_from(successor))


def merge_organisation(organisation, successor, *, effective_on, actor=None, basis="",
                       certainty=""):
    """Merge organisation into successor from effective_on; nothing is deleted.

    From the effective day its people, open deliveries, keys and registers go the way
    organisations.merging.take_effect says: at once when that day has come, else on the day
    (`flask organisations apply-merges`).
    """
    check_merge(organisation, successor, effective_on)
    organisation.successor = successor
    organisation.merged_on = effective_on
    organisation.merge_recorded_at = utcnow()
    audit.record("organisation.merged", actor=actor, organisation=organisation, obj=organisation,
                 details={"into": successor.code, "effective_on": effective_on.isoformat(),
                          **({"basis": basis, "certainty": certainty} if basis or certainty
                             else {})})
    db.session.flush()
    if organisation.is_merged():
        take_effect(organisation, actor=actor)


# The national catalogue's shape (mã định danh): dot-separated levels ending in a letter and
# digits, "000.00.00.G22", "28.22.H17". The code is opaque beyond its shape (EDXML.md).
ORGAN_ID_SHAPE = re.compile(r"(?:[0-9A-Z]{2,3}\.){1,4}[A-Z][0-9]{2,3}")


class ContactError(OrganisationError):
    """A contact detail that is not one (shown under its field)."""


def clean_organ_id(text: str | None) -> str | None:
    """The identifier upper-case and trimmed (None when blank); refuse one not in its shape."""
    organ_id = (text or "").strip().upper()
    if not organ_id:
        return None
    if not ORGAN_ID_SHAPE.fullmatch(organ_id):
        raise OrganisationError(_(
            "%(organ_id)s is not a national identifier: write it as the catalogue does, "
            "levels separated by dots ending in a letter and digits (000.00.00.G22, "
            "28.22.H17).", organ_id=organ_id))
    return organ_id


def bearer_of(organ_id: str) -> Organisation | None:
    return db.session.scalar(select(Organisation).where(Organisation.organ_id == organ_id))


def set_axis_details(organisation, *, organ_id, channel, address="", email="", telephone="",
                     actor=None) -> None:
    """Set the national identifier, the channel and the contact details; audited.

    An organisation is put on the axis only with an identifier (its system is reached by it);
    an identifier belongs to one organisation only.
    """
    organ_id = clean_organ_id(organ_id)
    if channel not in OrganisationChannel.__members__.values():
        raise OrganisationError(_("Unknown channel %(channel)s", channel=channel))
    if channel == OrganisationChannel.AXIS and organ_id is None:
        raise OrganisationError(_("An organisation on the axis needs its national identifier."))
    holder = bearer_of(organ_id) if organ_id else None
    if holder is not None and holder.id != organisation.id:
        raise OrganisationError(_("The identifier %(organ_id)s is already that of %(name)s.",
                                  organ_id=organ_id, name=holder.name))
    email = (email or "").strip()
    if email:
        try:  # the sign-in form's checker (WTForms' Email uses it), without a DNS lookup
            validate_email(email, check_deliverability=False)
        except EmailNotValidError as error:
            raise ContactError(_("%(email)s is not an e-mail address.", email=email)) from error
    fields = {"organ_id": organ_id, "channel": str(channel),
              "address": (address or "").strip() or None, "email": email or None,
              "telephone": (telephone or "").strip() or None}
    before = {name: getattr(organisation, name) for name in fields}
    changed = {name: value for name, value in fields.items() if before[name] != value}
    if not changed:
        return
    for name, value in changed.items():
        setattr(organisation, name, value)
    audit.record("organisation.axis_changed", actor=actor, organisation=organisation,
                 obj=organisation, details={"from": {k: before[k] for k in changed},
                                            "to": changed})
    db.session.flush()
