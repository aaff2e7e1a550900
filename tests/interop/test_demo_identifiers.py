"""The demo's identifiers: one per organisation, in the catalogue's shape, the same on every
machine (a second portal loading the demo names the same organisations the same way), and the
departments on the axis are ones nobody of the demo logins works for."""

from sqlalchemy import select

from portal.demo.services import (
    AXIS_DEPARTMENTS,
    DEMO_PEOPLE,
    MINISTRY_ORGAN_ID,
    demo_organ_ids,
    load_identifiers,
    load_organisations,
)
from portal.extensions import db
from portal.organisations.models import Organisation
from portal.organisations.services import ORGAN_ID_SHAPE, find_by_code
from portal.transaction import action


def test_every_demo_organisation_gets_its_own_identifier_the_same_each_time(app):
    with action():
        load_organisations()
        assert load_identifiers() == len(demo_organ_ids())
    kept = dict(db.session.execute(select(Organisation.code, Organisation.organ_id)).all())
    assert None not in kept.values() and len(set(kept.values())) == len(kept) == 70
    assert all(ORGAN_ID_SHAPE.fullmatch(organ_id) for organ_id in kept.values())
    assert kept["BTNMT"] == MINISTRY_ORGAN_ID
    assert demo_organ_ids() == kept  # what another machine computes from the same file
    with action():
        assert load_identifiers() == 0  # a second load changes nothing


def test_the_departments_on_the_axis_have_nobody_here(app):
    with action():
        load_organisations()
        load_identifiers()
    people_at = {code for code, _role, _name in DEMO_PEOPLE}
    for code in AXIS_DEPARTMENTS:
        department = find_by_code(code)
        assert (department.kind, department.channel) == ("department", "axis")
        assert code not in people_at
    on_axis = set(db.session.scalars(select(Organisation.code).where(
        Organisation.channel == "axis")))
    assert on_axis == set(AXIS_DEPARTMENTS)
