"""The issuing authority (cơ quan ban hành) of a document, apart from its drafting unit.

A ministry unit drafts either in the ministry's name (the ministry's header, register and
seal; the notation names the unit: 12/BTNMT-VP) or in its own (the unit's line under the
ministry's, the unit's register and seal). Everyone else issues in their own name. The header
depends on the authority alone, so two documents of one authority look the same.
"""

import re

from flask_babel import gettext as _

from portal.documents.text import nfc
from portal.organisations.models import Organisation, OrganisationKind
from portal.rules import PortalError

MINISTRY_PLACE = "Hà Nội"
# Abbreviations in department names that the header writes in full (Decree 30, Art. 8).
_IN_FULL = {"TN&MT": "Tài nguyên và Môi trường", "NN&MT": "Nông nghiệp và Môi trường",
            "TP.": "thành phố"}
# "Sở TN&MT tỉnh Ninh Bình", "Sở TN&MT TP. Hà Nội": the department and its province.
_DEPARTMENT = re.compile(r"^(?P<department>Sở\s.+?)\s+(?P<kind>tỉnh|TP\.|thành phố)\s+"
                         r"(?P<place>\S.*)$")
# Places named after a person are written in full (Decree 30, Art. 9).
_PLACES_IN_FULL = {"Hồ Chí Minh": "Thành phố Hồ Chí Minh"}


def authority_choices(organisation: Organisation) -> list[Organisation]:
    """In whose name the organisation's people may issue: a ministry unit, the ministry's
    (first: the usual case) or its own; anyone else, their own."""
    if organisation.kind == OrganisationKind.MINISTRY_UNIT and organisation.parent is not None:
        return [organisation.parent, organisation]
    return [organisation]


def default_authority(organisation: Organisation) -> Organisation:
    return authority_choices(organisation)[0]


def check_authority(organisation: Organisation, authority_id: int | None) -> Organisation:
    """The authority chosen for a draft of the organisation's (its default when none)."""
    choices = authority_choices(organisation)
    if authority_id is None:
        return choices[0]
    chosen = next((o for o in choices if o.id == authority_id), None)
    if chosen is None:
        raise PortalError(_("Your organisation cannot issue documents in that name."))
    return chosen


def _in_full(text: str) -> str:
    for short, full in _IN_FULL.items():
        text = text.replace(short, full)
    return " ".join(text.split())


def _department_parts(organisation: Organisation):
    return _DEPARTMENT.match(nfc(organisation.name))


def formal_name(organisation: Organisation) -> str:
    """The whole name without abbreviations, as a sentence of the text writes it: "Sở Tài
    nguyên và Môi trường thành phố Hà Nội"."""
    return _in_full(nfc(organisation.name))


def full_name(organisation: Organisation) -> str:
    """The name as a header writes it, without abbreviations: "Sở Tài nguyên và Môi trường"
    for a department (its province is in the governing body's line above)."""
    parts = _department_parts(organisation) if organisation.kind == OrganisationKind.DEPARTMENT \
        else None
    return _in_full(parts.group("department") if parts else nfc(organisation.name))


def governing_body(organisation: Organisation) -> str:
    """The body a department answers to (cơ quan chủ quản): "UBND tỉnh Ninh Bình",
    "UBND thành phố Hà Nội"; the ministry above a unit; none for the ministry."""
    if organisation.kind == OrganisationKind.DEPARTMENT:
        parts = _department_parts(organisation)
        if parts is None:
            return ""
        kind = "tỉnh" if parts.group("kind") == "tỉnh" else "thành phố"
        return f"UBND {kind} {parts.group('place').strip()}"
    return nfc(organisation.parent.name) if organisation.parent is not None else ""


def header_lines(authority: Organisation) -> list[str]:
    """The header's lines, top-left: the governing body (if any) over the authority, in
    capitals ("UBND THÀNH PHỐ HÀ NỘI" over "SỞ TÀI NGUYÊN VÀ MÔI TRƯỜNG")."""
    above = governing_body(authority)
    return [line.upper() for line in (above, full_name(authority)) if line]


def place_of(authority: Organisation) -> str:
    """Where the authority writes from: its province ("Hà Nội", "Ninh Bình"; "Thành phố Hồ
    Chí Minh", named after a person), Hà Nội for the ministry's side."""
    parts = _department_parts(authority) if authority.kind == OrganisationKind.DEPARTMENT \
        else None
    if parts is None:
        return MINISTRY_PLACE if authority.kind != OrganisationKind.DEPARTMENT \
            else nfc(authority.name)
    place = parts.group("place").strip()
    return _PLACES_IN_FULL.get(place, place)
