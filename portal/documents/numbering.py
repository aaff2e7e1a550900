"""Gap-free document numbers: per issuing authority, per calendar year, from 1.

A ministry unit's document in the ministry's name takes the ministry's next number (the
notation names the unit: 12/BTNMT-VP); one in the unit's own name takes the unit's.

The number is taken by an UPDATE … RETURNING on the organisation's register row inside the
issuing transaction. PostgreSQL locks that row until the transaction ends, so concurrent
clerks queue; SQLite takes its single write lock. A transaction that fails rolls its number
back with it, so no number is lost and none is given twice.
"""

import re
import string

from flask_babel import gettext as _
from sqlalchemy import update

from portal.documents.models import TYPE_ABBREVIATIONS, NumberRegister
from portal.extensions import db, insert_for_dialect
from portal.rules import PortalError


def next_number(organisation_id: int, year: int, register=NumberRegister) -> int:
    """Take the organisation's next number for the year in a register (the outgoing one,
    or deliveries.models.IncomingRegister), within the caller's transaction."""
    db.session.execute(
        insert_for_dialect(register)
        .values(organisation_id=organisation_id, year=year, last_number=0)
        .on_conflict_do_nothing()
    )
    return db.session.execute(
        update(register)
        .where(register.organisation_id == organisation_id, register.year == year)
        .values(last_number=register.last_number + 1)
        .returning(register.last_number)
    ).scalar_one()


class NotationFormatError(PortalError):
    """A notation format the portal cannot use; the message says why."""

    def __init__(self, message: str, *, for_letters: bool):
        super().__init__(message)
        self.for_letters = for_letters


# What a format may use: the number, the type's abbreviation, the organisation's code and
# its parent's code. The default formats give 12/BTNMT-VP and 12/QĐ-BTNMT-VP for the
# ministry's office, 12/HNI and 12/QĐ-HNI for a department.
PLACEHOLDERS = ("number", "type", "code", "parent")
_LITERAL = re.compile(r"^[\w/&.\-]*$")
MAX_NOTATION_FORMAT = 60


def default_formats(issuer) -> tuple[str, str]:
    """(letters, other documents): Decree 30's notation with the organisation's codes."""
    body = "{parent}-{code}" if issuer.parent is not None else "{code}"
    return f"{{number}}/{body}", f"{{number}}/{{type}}-{body}"


def formats_of(issuer) -> tuple[str, str]:
    letters, others = default_formats(issuer)
    return issuer.letter_notation_format or letters, issuer.notation_format or others


def check_format(text: str, *, for_letters: bool, has_parent: bool) -> None:
    """Refuse a format that would not give a Decree 30 notation for every number."""
    problem = _format_problem(text, for_letters=for_letters, has_parent=has_parent)
    if problem:
        raise NotationFormatError(problem, for_letters=for_letters)


def _format_problem(text: str, *, for_letters: bool, has_parent: bool) -> str | None:
    if len(text) > MAX_NOTATION_FORMAT:
        return _("At most %(n)d characters.", n=MAX_NOTATION_FORMAT)
    if not text.startswith("{number}/"):
        return _("Start with {number}/ (the number comes first).")
    try:
        parts = list(string.Formatter().parse(text))
    except ValueError:
        return _("Braces must enclose a placeholder.")
    fields = [(name, spec, conversion) for _text, name, spec, conversion in parts
              if name is not None]
    names = [name for name, _spec, _conversion in fields]
    literals = "".join(text for text, *_field in parts)
    if any(name not in PLACEHOLDERS or spec or conversion for name, spec, conversion in fields):
        return _("Use only {number}, {type}, {code} and {parent}.")
    if names.count("number") != 1:
        return _("Use {number} once.")
    if for_letters and "type" in names:
        return _("A letter (công văn) has no type abbreviation.")
    if not for_letters and "type" not in names:
        return _("Other documents need {type}, e.g. QĐ for a decision.")
    if "parent" in names and not has_parent:
        return _("This organisation has no parent for {parent}.")
    if not _LITERAL.match(literals):
        return _("Besides placeholders, use letters, digits, / - & and .")
    return None


# A ministry unit's document in its own name: its own code alone (12/VP, 12/QĐ-VP), so that
# its register's notations never meet those of the ministry's register (12/BTNMT-VP).
OWN_NAME_FORMATS = ("{number}/{code}", "{number}/{type}-{code}")


def notation_for(number: int | str, doc_type: str, issuer, authority=None, on=None) -> str:
    """Số / ký hiệu of a document the issuer drafts in the authority's name (by default the
    organisation above it, if any): in the issuer's format, 12/BTNMT-VP for a letter,
    12/QĐ-BTNMT-VP otherwise; in a unit's own name, 12/VP and 12/QĐ-VP. The codes are those
    borne now, or on the day `on` (a record written afterwards of a document of that day)."""
    abbreviation = TYPE_ABBREVIATIONS.get(doc_type, "")
    own_name = (authority is not None and authority.id == issuer.id
                and issuer.parent is not None)
    letters, others = OWN_NAME_FORMATS if own_name else formats_of(issuer)
    parent = issuer.parent
    return (others if abbreviation else letters).format(
        number=number, type=abbreviation, code=_code(issuer, on),
        parent=_code(parent, on) if parent is not None else "")


def _code(organisation, on) -> str:
    return organisation.code_on(on) if on is not None else organisation.code
