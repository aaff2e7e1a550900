from datetime import date

import pytest
from sqlalchemy import func, select

from portal.audit.models import AuditEvent
from portal.extensions import db
from portal.organisations import services
from portal.organisations.models import Organisation, final_successor
from portal.transaction import action


def test_rename_keeps_the_old_name_for_earlier_days(make):
    organisation = make.organisation(name="Sở TN&MT tỉnh Hà Tây")
    with action():
        services.rename_organisation(organisation, "Sở TN&MT tỉnh Hà Tây mới",
                                     effective_on=date(2025, 7, 1))
    assert organisation.name == "Sở TN&MT tỉnh Hà Tây mới"
    assert organisation.name_on(date(2025, 6, 30)) == "Sở TN&MT tỉnh Hà Tây"
    assert organisation.name_on(date(2025, 7, 1)) == "Sở TN&MT tỉnh Hà Tây mới"


def test_rename_must_come_after_the_previous_one(make):
    organisation = make.organisation()
    with action():
        services.rename_organisation(organisation, "Tên thứ hai", effective_on=date(2025, 7, 1))
    with pytest.raises(services.OrganisationError), action():
        services.rename_organisation(organisation, "Tên thứ ba", effective_on=date(2025, 7, 1))


def test_merge_names_a_successor_deletes_nothing_and_is_audited(make):
    old = make.organisation(name="Sở TN&MT tỉnh Hà Giang")
    new = make.organisation(name="Sở Nông nghiệp và Môi trường tỉnh Tuyên Quang")
    count_before = db.session.scalar(select(func.count()).select_from(Organisation))
    with action():
        services.merge_organisation(old, new, effective_on=date(2025, 7, 1))
    assert db.session.scalar(select(func.count()).select_from(Organisation)) == count_before
    assert old.successor is new
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "organisation.merged"))
    assert event.details == {"into": new.code, "effective_on": "2025-07-01"}


def test_work_aggregates_under_the_final_successor_from_the_effective_day(make):
    a, b, c = make.organisation(), make.organisation(), make.organisation()
    with action():
        services.merge_organisation(a, b, effective_on=date(2025, 7, 1))
    with action():
        services.merge_organisation(b, c, effective_on=date(2026, 1, 1))
    assert final_successor(a, on=date(2025, 6, 30)) is a
    assert final_successor(a, on=date(2025, 7, 1)) is b
    assert final_successor(a, on=date(2026, 1, 1)) is c
    assert final_successor(c) is c


@pytest.mark.parametrize("case", ["itself", "already merged", "into merged", "other kind"])
def test_merge_refuses_what_makes_no_sense(make, case):
    department = make.organisation()
    other = make.organisation()
    unit = make.organisation(kind="ministry_unit")
    if case == "itself":
        args = (department, department)
    elif case == "already merged":
        with action():
            services.merge_organisation(department, other, effective_on=date(2025, 7, 1))
        args = (department, make.organisation())
    elif case == "into merged":
        successor = make.organisation()
        with action():
            services.merge_organisation(other, successor, effective_on=date(2025, 7, 1))
        args = (department, other)
    else:
        args = (department, unit)
    with pytest.raises(services.OrganisationError), action():
        services.merge_organisation(*args, effective_on=date(2025, 7, 1))


def test_codes_are_unique_and_upper_case(make):
    make.organisation(code="abc")
    assert services.find_by_code("ABC") is not None
    with pytest.raises(services.OrganisationError), action():
        services.add_organisation(code="ABC", name="Trùng mã", kind="department")
