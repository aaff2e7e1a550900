"""Organisations: the ministry, its units and the provincial departments (Bộ, đơn vị, Sở)."""

from datetime import date
from enum import StrEnum

from sqlalchemy import select

from portal.clock import local_today, utcnow
from portal.extensions import db


class OrganisationKind(StrEnum):
    MINISTRY = "ministry"  # Bộ
    MINISTRY_UNIT = "ministry_unit"  # đơn vị trực thuộc Bộ
    DEPARTMENT = "department"  # Sở
    # Known only from the axis: a sender outside the portal (another ministry, a provincial
    # people's committee), recorded from an edXML From block the first time it writes.
    EXTERNAL = "external"


class OrganisationChannel(StrEnum):
    """How an organisation receives: its people work in this portal, or its own e-office
    system receives through the national axis (Trục liên thông văn bản quốc gia)."""

    PORTAL = "portal"
    AXIS = "axis"


class Organisation(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    # Short code used in document notations, e.g. BTNMT, VP, or a province code.
    code = db.Column(db.String(20), nullable=False, unique=True)
    kind = db.Column(db.String(20), nullable=False)
    # The current name; earlier names stay in OrganisationName.
    name = db.Column(db.String(255), nullable=False)
    parent_id = db.Column(db.Integer, db.ForeignKey("organisation.id"))
    # A merge (sáp nhập): from merged_on the successor takes over this organisation's work.
    successor_id = db.Column(db.Integer, db.ForeignKey("organisation.id"))
    merged_on = db.Column(db.Date)
    # When the merge was entered: what happened under it since decides whether it may be undone.
    merge_recorded_at = db.Column(db.DateTime(timezone=True))
    # How its documents' notations are written (documents.numbering); None: Decree 30's default.
    letter_notation_format = db.Column(db.String(60))
    notation_format = db.Column(db.String(60))
    # Whether a document laid out by the portal must go through the signature chain before
    # the clerk may issue it; when not, unsigned documents may go out (counted as unsigned).
    signed_issue_only = db.Column(db.Boolean, nullable=False, default=False,
                                  server_default=db.false())
    # The national identifier (mã định danh), e.g. 000.00.00.G22: opaque, validated, unique.
    organ_id = db.Column(db.String(40), index=True, unique=True)
    channel = db.Column(db.String(10), nullable=False, default=OrganisationChannel.PORTAL,
                        server_default=OrganisationChannel.PORTAL.value)
    # Contact details as an edXML From/To block carries them (external organisations).
    address = db.Column(db.String(500))
    email = db.Column(db.String(254))
    telephone = db.Column(db.String(50))
    created_at = db.Column(
        db.DateTime(timezone=True), nullable=False, default=utcnow
    )

    parent = db.relationship("Organisation", remote_side=[id], foreign_keys=[parent_id])
    successor = db.relationship("Organisation", remote_side=[id], foreign_keys=[successor_id])
    names = db.relationship(
        "OrganisationName", order_by="OrganisationName.valid_from", back_populates="organisation"
    )

    def is_merged(self, on: date | None = None) -> bool:
        """Whether a merge into a successor has taken effect by the given day."""
        return self.merged_on is not None and self.merged_on <= (on or local_today())

    def name_on(self, day: date) -> str:
        """The name the organisation bore on the given day (renames keep history)."""
        for entry in reversed(self.names):
            if entry.valid_from <= day:
                return entry.name
        return self.names[0].name if self.names else self.name

    def code_on(self, day: date) -> str:
        """The notation code the organisation bore on the given day (the ministry's follows
        its name: BTNMT until 28 February 2025, BNNMT from 1 March)."""
        for entry in reversed(self.names):
            if entry.valid_from <= day:
                return entry.code or self.code
        return (self.names[0].code if self.names else None) or self.code

    def __repr__(self):
        return f"<Organisation {self.code}>"


def successors_from(organisation: Organisation | None):
    """The organisation and each one it was merged into, whatever the dates, in turn (a
    cycle, which merges refuse, ends the walk)."""
    seen = set()
    while organisation is not None and organisation.id not in seen:
        seen.add(organisation.id)
        yield organisation
        organisation = organisation.successor


def final_successor(organisation: Organisation, on: date | None = None) -> Organisation:
    """The organisation that carries this one's work on a day (itself when not merged by then).

    Current views aggregate under this organisation.
    """
    seen = set()
    while organisation.is_merged(on) and organisation.id not in seen:
        seen.add(organisation.id)
        organisation = organisation.successor
    return organisation


class OrganisationName(db.Model):
    """One name (and code) an organisation bore from valid_from until the next entry's."""

    id = db.Column(db.Integer, primary_key=True)
    organisation_id = db.Column(
        db.Integer, db.ForeignKey("organisation.id"), nullable=False, index=True
    )
    name = db.Column(db.String(255), nullable=False)
    # The notation code borne with this name (None: the organisation's code, unchanged).
    code = db.Column(db.String(20), index=True)
    valid_from = db.Column(db.Date, nullable=False)

    organisation = db.relationship("Organisation", back_populates="names")

    __table_args__ = (db.UniqueConstraint("organisation_id", "valid_from"),)


# The ministry's field in 2019, as its name and its departments' names said it.
SECTOR_2019 = "Tài nguyên và Môi trường"


def sector_on(day: date) -> str:
    """The ministry's field on a day, from its name ("Bộ Nông nghiệp và Môi trường" → "Nông
    nghiệp và Môi trường"): the words that name its departments ("các Sở …") that day."""
    ministry = db.session.scalar(select(Organisation).where(
        Organisation.kind == OrganisationKind.MINISTRY).order_by(Organisation.id).limit(1))
    name = ministry.name_on(day) if ministry else ""
    return name.removeprefix("Bộ ").strip() if name.startswith("Bộ ") else SECTOR_2019

