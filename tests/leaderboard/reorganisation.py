"""The 2025 reorganisation applied with the organisations' services, for the leaderboard's tests.

A stand-in for `flask organisations reorganise` (written beside this work): each event of the
copy of the events file beside this module (`reorganisation-2025.csv`, as in the shared data)
names the organisation as it is called on that day, after the file's earlier events.
"""

import csv
from datetime import date
from pathlib import Path

from sqlalchemy import select

from portal.extensions import db
from portal.organisations import services as organisations
from portal.organisations.models import Organisation
from portal.transaction import action

EVENTS = Path(__file__).with_name("reorganisation-2025.csv")


def events(path: Path = EVENTS) -> list[dict]:
    with path.open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def apply_reorganisation(path: Path = EVENTS) -> int:
    """Apply every event of the file in its order; return how many were applied."""
    applied = 0
    with action():
        by_name = {o.name: o for o in db.session.scalars(select(Organisation))}
        for event in events(path):
            day = date.fromisoformat(event["effective_on"])
            organisation = by_name[event["organisation"]]
            if event["event"] == "rename":
                organisations.rename_organisation(organisation, event["result"], effective_on=day)
                by_name[event["result"]] = by_name.pop(event["organisation"])
            else:
                organisations.merge_organisation(organisation, by_name[event["result"]],
                                                 effective_on=day)
            applied += 1
    return applied
