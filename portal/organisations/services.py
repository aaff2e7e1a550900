"""Add, rename and merge organisations; look them up. Every change is audited."""

from datetime import date

from flask_babel import gettext as _
from sqlalchemy import case, select

from portal.audit import services as audit
from portal.clock import local_today, utcnow
from portal.collation import by_name
from portal.documents import numbering
from portal.extensions import db
from portal.organisations.merging import pass_on_open_deliveries
from portal.organisations.models import Organisation, OrganisationKind, OrganisationName
from portal.rules import PortalError

# Names and codes the first organisations had before the portal existed count from this day.
BEGINNING = date(1945, 9, 2)


# The ministry first, then its units, then the departments.
KIND_ORDER = case({OrganisationKind.MINISTRY.value: 0, OrganisationKind.MINISTRY_UNIT.value: 1},
                  value=Organisation.kind, else_=2)


class OrganisationError(PortalError):
    """A change that breaks a rule; its message is shown to the person."""


def find_by_code(code: str) -> Organisation | None:
    return db.session.scalar(select(Organisation).where(Organisation.code == code.strip().upper()))


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
    organisation.names.append(OrganisationName(name=name, valid_from=since))
    db.session.add(organisation)
    db.session.flush()
    audit.record("organisation.created", actor=actor, organisation=organisation,
                 obj=organisation, details={"code": code, "name": name, "kind": kind})
    db.session.flush()
    return organisation


def rename_organisation(organisation, new_name, *, effective_on=None, actor=None):
    """Give an organisation a new name from a day on; records before keep the old name."""
    new_name = new_name.strip()
    effective_on = effective_on or local_today()
    if not new_name:
        raise OrganisationError(_("The new name is required"))
    if new_name == organisation.name:
        raise OrganisationError(_("The new name is the same as the current one"))
    if organisation.names and effective_on <= organisation.names[-1].valid_from:
        raise OrganisationError(_("A rename must take effect after the previous one"))
    old_name = organisation.name
    organisation.names.append(OrganisationName(name=new_name, valid_from=effective_on))
    organisation.name = new_name
    details = {"from": old_name, "to": new_name, "effective_on": effective_on.isoformat()}
    audit.record("organisation.renamed", actor=actor, organisation=organisation, obj=organisation,
                 details=details)
    db.session.flush()


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


def check_merge(organisation, successor) -> None:
    """Refuse a merge that makes no sense (the confirmation page asks this first)."""
    if successor is None:
        raise OrganisationError(_("Choose the organisation it is merged into"))
    if organisation.id == successor.id:
        raise OrganisationError(_("An organisation cannot be merged into itself"))
    if organisation.successor_id is not None:
        raise OrganisationError(_("%(code)s is already merged", code=organisation.code))
    if successor.successor_id is not None:
        raise OrganisationError(
            _("%(code)s has itself been merged; choose its successor", code=successor.code))
    if organisation.kind != successor.kind:
        raise OrganisationError(_("Only organisations of the same kind can be merged"))


def merge_organisation(organisation, successor, *, effective_on, actor=None):
    """Merge organisation into successor from effective_on; nothing is deleted.

    From the effective day its open deliveries pass to the successor (organisations.merging):
    at once when that day has come, else on the day (`flask organisations apply-merges`).
    """
    check_merge(organisation, successor)
    organisation.successor = successor
    organisation.merged_on = effective_on
    organisation.merge_recorded_at = utcnow()
    audit.record("organisation.merged", actor=actor, organisation=organisation, obj=organisation,
                 details={"into": successor.code, "effective_on": effective_on.isoformat()})
    db.session.flush()
    if organisation.is_merged():
        pass_on_open_deliveries(organisation, actor=actor)
