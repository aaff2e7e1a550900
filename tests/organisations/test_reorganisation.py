"""The 2025 reorganisation applied as data to the 2019 organisations: 34 departments named
"Sở Nông nghiệp và Môi trường …" under Bộ Nông nghiệp và Môi trường (BNNMT), every past day
still under its names; twice changes nothing; a dry run changes nothing.

The file is the shared data's copy kept in the repository:
portal/organisations/data/reorganisation-2025.csv.
"""

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from portal.audit.models import AuditEvent
from portal.demo.services import load_organisations
from portal.extensions import db
from portal.organisations import reorganisation, services
from portal.organisations.models import Organisation, OrganisationName
from portal.transaction import action

DATA = Path(reorganisation.__file__).with_name("data") / "reorganisation-2025.csv"
REORGANISATION_2025 = DATA.read_text(encoding="utf-8")


@pytest.fixture
def organisations_2019(app):
    with action():
        load_organisations()
    return {o.code: o.name for o in db.session.scalars(select(Organisation))}


def _apply(text=REORGANISATION_2025, actor=None):
    with action():
        return reorganisation.apply_reorganisation(reorganisation.read_events(text), actor=actor)


def _state():
    """The rows a reorganisation changes, and the audit's length."""
    organisations = db.session.execute(select(
        Organisation.id, Organisation.code, Organisation.name, Organisation.successor_id,
        Organisation.merged_on).order_by(Organisation.id)).all()
    names = db.session.execute(select(
        OrganisationName.organisation_id, OrganisationName.name, OrganisationName.code,
        OrganisationName.valid_from).order_by(OrganisationName.id)).all()
    return organisations, names, db.session.scalar(select(func.count(AuditEvent.id)))


def _departments(merged):
    return [o for o in services.list_organisations("department") if o.is_merged() == merged]


def test_the_2025_file_reads_as_94_events_in_file_order():
    events = reorganisation.read_events(REORGANISATION_2025)
    assert len(events) == 94
    assert (events[0].line, events[0].kind, events[0].effective_on) == (2, "rename",
                                                                       date(2025, 1, 1))
    assert events[0].basis.startswith("Nghị quyết 1314") and events[0].certainty == "sure"
    assert [e.kind for e in events].count("merge") == 29
    assert events[-1].line == 95


def test_the_2025_reorganisation_leaves_34_departments_under_the_new_ministry(
        organisations_2019):
    plan = _apply()
    db.session.expire_all()
    assert len(plan.to_do) == 94
    today = _departments(merged=False)
    assert len(today) == 34
    assert all(o.name.startswith("Sở Nông nghiệp và Môi trường ") for o in today)
    assert len(_departments(merged=True)) == 29
    ministry = services.find_by_code("BNNMT")
    assert ministry.name == "Bộ Nông nghiệp và Môi trường" and ministry.code == "BNNMT"
    assert ministry.code_on(date(2025, 2, 28)) == "BTNMT"
    assert ministry.code_on(date(2025, 3, 1)) == "BNNMT"
    assert services.find_by_code("BTNMT") is ministry  # the demo logins look it up so
    for organisation in db.session.scalars(select(Organisation)):
        assert organisation.name_on(date(2019, 8, 12)) == organisations_2019[
            organisation.code if organisation.code != "BNNMT" else "BTNMT"]
    hue = services.find_by_code("TTH")
    assert [hue.name_on(date(2024, 12, 31)), hue.name_on(date(2025, 1, 1)), hue.name] == [
        "Sở TN&MT tỉnh Thừa Thiên Huế", "Sở TN&MT thành phố Huế",
        "Sở Nông nghiệp và Môi trường thành phố Huế"]
    assert services.find_by_code("HNI").code == "HNI"  # departments keep their codes


def test_applying_the_file_twice_changes_nothing_the_second_time(organisations_2019):
    _apply()
    db.session.expire_all()
    before = _state()
    second = _apply()
    db.session.expire_all()
    assert second.to_do == [] and all(step.done_already for step in second.events)
    assert _state() == before


def test_a_dry_run_changes_nothing_and_says_what_would(organisations_2019):
    before = _state()
    plan = reorganisation.plan_reorganisation(reorganisation.read_events(REORGANISATION_2025))
    db.session.rollback()
    assert _state() == before
    assert len(plan.events) == 94 and not any(step.done_already for step in plan.events)
    ministry = next(s for s in plan.events if s.event.result == "Bộ Nông nghiệp và Môi trường")
    assert ministry.code_to == "BNNMT"
