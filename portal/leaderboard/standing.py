"""The departments as they stood on a day: the one place that decides a period's rows.

A period is shown as it stood on its last day: the departments not merged by then, each under
its name on that day, and every department merged on or before it folded into the one carrying
its work that day (its successor, or its successor's). The table, its files, the public page,
the charts, the letter and a department's page all read `standing_on(period.last)`.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from portal.collation import sort_key
from portal.extensions import db
from portal.organisations.models import (
    SECTOR_2019,
    Organisation,
    OrganisationKind,
    final_successor,
    sector_on,
)


@dataclass(frozen=True)
class Predecessor:
    """A department folded into another's row: its name as it last stood, its merge day."""

    organisation: Organisation
    name: str
    merged_on: date


@dataclass
class Standing:
    day: date
    # The departments with a row, each under its name on the day.
    departments: list[Organisation]
    names: dict[int, str]
    # Every department's id → the id of the standing department carrying its work on the day.
    counted_as: dict[int, int]
    # A standing department's id → the departments folded into its row, earliest merger first.
    predecessors: dict[int, list[Predecessor]] = field(default_factory=dict)
    # The ministry's field on the day, as its name says ("Bộ " + field): the letter's and the
    # appendix's words for the sector and its departments ("Sở " + field).
    sector: str = SECTOR_2019

    def stands(self, organisation: Organisation) -> bool:
        return organisation.id in self.names

    def carrier_of(self, organisation: Organisation) -> Organisation | None:
        """The standing department whose row holds this one's figures."""
        carrier_id = self.counted_as.get(organisation.id)
        return next((o for o in self.departments if o.id == carrier_id), None)


def last_name_of(organisation: Organisation) -> str:
    """The name a merged organisation bore the day before its merger took effect."""
    return organisation.name_on(organisation.merged_on - timedelta(days=1))


def last_period_stood(organisation: Organisation) -> tuple[date, date]:
    """(first, last) of the last period a merged department stood: from 1 January of its
    merger's year (the year before, for a merger on 1 January) to the day before it."""
    last = organisation.merged_on - timedelta(days=1)
    return last.replace(month=1, day=1), last


def standing_on(day: date) -> Standing:
    """The departments as they stood on the day, their names then, and the folding map."""
    departments = list(db.session.scalars(
        select(Organisation).where(Organisation.kind == OrganisationKind.DEPARTMENT)
        .options(selectinload(Organisation.names))))
    standing = [o for o in departments if not o.is_merged(day)]
    counted_as = {o.id: final_successor(o, on=day).id for o in departments}
    predecessors: dict[int, list[Predecessor]] = {}
    for organisation in departments:
        if organisation.is_merged(day):
            predecessors.setdefault(counted_as[organisation.id], []).append(
                Predecessor(organisation, last_name_of(organisation), organisation.merged_on))
    for folded in predecessors.values():
        folded.sort(key=lambda p: (p.merged_on, sort_key(p.name)))
    return Standing(day, standing, {o.id: o.name_on(day) for o in standing}, counted_as,
                    predecessors, sector_on(day))
