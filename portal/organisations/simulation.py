"""The organisations as a reorganisation file's events leave them, simulated in memory.

A plan (organisations.reorganisation) walks the file's events over this copy of the
database, so that every event is checked against the organisations as the earlier events
left them, and so that what each would move is counted, before anything changes.
"""

from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from portal.auth.models import User
from portal.deliveries.models import OPEN_STATUSES, Delivery
from portal.documents.models import NumberRegister
from portal.extensions import db
from portal.organisations.events import clean
from portal.organisations.models import Organisation, OrganisationName
from portal.signing.models import SigningIdentity


@dataclass
class SimulatedOrganisation:
    id: int
    kind: str
    code: str
    names: list[tuple[date, str]]  # (valid_from, name), in order
    successor_id: int | None
    merged_on: date | None
    people: int = 0
    passed_in: int = 0  # open deliveries an earlier event of the plan passes to it
    registers: int = 0
    keys: list[tuple[int | None, str]] = field(default_factory=list)  # (id, source), in order

    @property
    def name(self) -> str:
        return self.names[-1][1]

    def name_on(self, day: date) -> str:
        for valid_from, name in reversed(self.names):
            if valid_from <= day:
                return name
        return self.names[0][1]

    def renamed_on(self, day: date, old: str, new: str) -> bool:
        """Whether this rename is in its history already (a file applied before)."""
        for before, (valid_from, name) in zip(self.names, self.names[1:], strict=False):
            if valid_from == day and clean(name) == new and clean(before[1]) == old:
                return True
        return False

    def is_merged(self, on: date) -> bool:
        return self.merged_on is not None and self.merged_on <= on


class World:
    """Every organisation, with what a merge would move from it."""

    def __init__(self):
        organisations = db.session.scalars(select(Organisation).options(
            selectinload(Organisation.names)).order_by(Organisation.id))
        self.by_id = {o.id: _simulated(o) for o in organisations}
        # Every code borne, now or before: find_by_code finds an organisation by either.
        self.codes = {o.code: o.id for o in self.by_id.values()}
        for organisation_id, code in db.session.execute(select(
                OrganisationName.organisation_id, OrganisationName.code).where(
                OrganisationName.code.is_not(None))):
            self.codes.setdefault(code, organisation_id)
        self._count_what_moves()

    def _count_what_moves(self) -> None:
        people = _counts(select(User.organisation_id, func.count()).group_by(
            User.organisation_id))
        registers = _counts(select(NumberRegister.organisation_id, func.count()).where(
            NumberRegister.closed_on.is_(None)).group_by(NumberRegister.organisation_id))
        for organisation in self.by_id.values():
            organisation.people = people[organisation.id]
            organisation.registers = registers[organisation.id]
        for owner, key_id, source in db.session.execute(
                select(SigningIdentity.organisation_id, SigningIdentity.id,
                       SigningIdentity.source).where(
                    SigningIdentity.organisation_id.is_not(None),
                    SigningIdentity.retired_on.is_(None)).order_by(SigningIdentity.id)):
            self.by_id[owner].keys.append((key_id, source))

    def named(self, name: str, day: date) -> list[SimulatedOrganisation]:
        return [o for o in self.by_id.values() if clean(o.name_on(day)) == name]

    def renamed(self, old: str, new: str, day: date) -> SimulatedOrganisation | None:
        return next((o for o in self.by_id.values()
                     if o.renamed_on(day, old, new)), None)

    def successors_of(self, organisation: SimulatedOrganisation):
        """Its successor, theirs, and so on (each once)."""
        seen = {organisation.id}
        while organisation.successor_id is not None and organisation.successor_id not in seen:
            organisation = self.by_id[organisation.successor_id]
            seen.add(organisation.id)
            yield organisation

    def final_successor(self, organisation, on: date) -> SimulatedOrganisation:
        seen = set()
        while organisation.is_merged(on) and organisation.id not in seen:
            seen.add(organisation.id)
            organisation = self.by_id[organisation.successor_id]
        return organisation

    def predecessors_of(self, organisation) -> list[SimulatedOrganisation]:
        return [o for o in self.by_id.values() if o.successor_id == organisation.id]


def _simulated(organisation: Organisation) -> SimulatedOrganisation:
    names = [(entry.valid_from, entry.name) for entry in organisation.names] or [
        (date.min, organisation.name)]
    return SimulatedOrganisation(
        id=organisation.id, kind=organisation.kind, code=organisation.code, names=names,
        successor_id=organisation.successor_id, merged_on=organisation.merged_on)


def _counts(query) -> Counter:
    return Counter(dict(db.session.execute(query).all()))


def passing_deliveries(organisation_id: int, successor_id: int) -> int:
    """Open deliveries that would pass from one to the other (not those both received)."""
    held = select(Delivery.document_id).where(Delivery.recipient_id == successor_id)
    return db.session.scalar(select(func.count()).select_from(Delivery).where(
        Delivery.recipient_id == organisation_id, Delivery.status.in_(OPEN_STATUSES),
        Delivery.document_id.not_in(held)))
