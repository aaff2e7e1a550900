"""The 2025 reorganisation applied as data to the 2019 organisations: 34 departments named
"Sở Nông nghiệp và Môi trường …" under Bộ Nông nghiệp và Môi trường (BNNMT), every past day
still under its names; twice changes nothing; a dry run changes nothing.

The file is the shared data's copy kept in the repository:
portal/organisations/data/reorganisation-2025.csv.
"""

import filecmp
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from portal.audit.models import AuditEvent
from portal.auth.models import User
from portal.deliveries.models import Delivery
from portal.demo.services import load_organisations, load_people
from portal.documents.models import NumberRegister
from portal.extensions import db
from portal.organisations import reorganisation, services
from portal.organisations.models import Organisation, OrganisationName
from portal.signing.keys import init_development_pki
from portal.signing.models import SigningIdentity
from portal.transaction import action

DATA = reorganisation.REORGANISATION_2025
REORGANISATION_2025 = DATA.read_text(encoding="utf-8")
SHARED = Path(__file__).resolve().parents[2].parent / "shared/data/reorganisation-2025.csv"


def test_the_copy_in_the_repository_is_the_shared_data():
    if SHARED.exists():  # beside the repository, as on CI
        assert filecmp.cmp(DATA, SHARED, shallow=False)


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
    queries = [
        select(Organisation.id, Organisation.code, Organisation.name, Organisation.successor_id,
               Organisation.merged_on).order_by(Organisation.id),
        select(OrganisationName.organisation_id, OrganisationName.name, OrganisationName.code,
               OrganisationName.valid_from).order_by(OrganisationName.id),
        select(User.id, User.organisation_id).order_by(User.id),
        select(SigningIdentity.id, SigningIdentity.organisation_id, SigningIdentity.label,
               SigningIdentity.retired_on).order_by(SigningIdentity.id),
        select(NumberRegister.organisation_id, NumberRegister.year, NumberRegister.last_number,
               NumberRegister.closed_on).order_by(NumberRegister.organisation_id,
                                                  NumberRegister.year),
        select(Delivery.id, Delivery.recipient_id, Delivery.addressed_to_id).order_by(
            Delivery.id),
        select(func.count(AuditEvent.id)),
    ]
    return [db.session.execute(query).all() for query in queries]


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


def test_applying_the_file_twice_changes_nothing_the_second_time(organisations_2019, make):
    thai_binh = make.user(services.find_by_code("TB"), "clerk")
    with action():
        load_people("demo password 2019")
        init_development_pki()
    first = _apply()
    assert first.totals["keys_reissued"] == 65 and first.totals["keys_retired"] == 29
    assert first.totals["people"] == 1
    assert db.session.get(User, thai_binh.id).organisation.name == (
        "Sở Nông nghiệp và Môi trường tỉnh Hưng Yên")
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


# Refusals: each with its line, before anything changes.

HEADER = "effective_on,event,organisation,result,basis,certainty\n"


class Small:
    """The ministry, two units' worth of departments, one already merged in the database."""

    def __init__(self, make):
        self.ministry = make.ministry()
        self.unit = make.organisation(kind="ministry_unit", code="VP", name="Văn phòng Bộ",
                                      parent=self.ministry)
        self.a = make.organisation(code="AAA", name="Sở A")
        self.b = make.organisation(code="BBB", name="Sở B")
        self.c = make.organisation(code="CCC", name="Sở C")
        self.gone = make.organisation(code="GON", name="Sở Đã nhập")
        with action():
            services.merge_organisation(self.gone, self.c, effective_on=date(2025, 1, 1))


def _csv(*lines):
    return HEADER + "".join(f"{line}\n" for line in lines)


GOOD = "2025-03-01,rename,Sở A,Sở A mới,NĐ 45,sure"
REFUSALS = {
    "unknown organisation": (_csv(GOOD, "2025-07-01,merge,Sở Không có,Sở B,,"), 3,
                             "Sở Không có"),
    "unknown event": (_csv(GOOD, "2025-07-01,split,Sở B,Sở C,,"), 3, "split"),
    "not a date": (_csv(GOOD, "2025-02-30,rename,Sở B,Sở B mới,,"), 3, "2025-02-30"),
    "a date in another form": (_csv("01/07/2025,rename,Sở B,Sở B mới,,"), 2, "01/07/2025"),
    "into itself": (_csv(GOOD, "2025-07-01,merge,Sở B,Sở B,,"), 3, ""),
    "into one merged in the database": (_csv(GOOD, "2025-07-01,merge,Sở B,Sở Đã nhập,,"), 3,
                                        "GON"),
    "into one merged earlier in the file": (
        _csv("2025-07-01,merge,Sở A,Sở B,,", "2025-08-01,merge,Sở C,Sở A,,"), 3, "AAA"),
    "a cycle": (_csv(GOOD, "2025-08-01,merge,Sở A mới,Sở B,,",
                     "2025-07-01,merge,Sở B,Sở A mới,,"), 4, ""),
    "other kinds": (_csv(GOOD, "2025-07-01,merge,Văn phòng Bộ,Sở B,,"), 3, ""),
    "an empty field": (_csv(GOOD, "2025-07-01,merge,Sở B,,,"), 3, "result"),
    "an empty date": (_csv(GOOD, ",rename,Sở B,Sở X,,"), 3, "effective_on"),
    "a missing field": (_csv(GOOD, "2025-07-01,merge,Sở B"), 3, ""),
    "no header": ("2025-03-01,rename,Sở A,Sở A mới,NĐ 45,sure\n", 1, ""),
    "already merged elsewhere": (_csv(GOOD, "2025-07-01,merge,Sở Đã nhập,Sở B,,"), 3,
                                 "Sở C"),
    "a rename before the previous one": (
        _csv(GOOD, "2025-02-01,rename,Sở A mới,Sở A khác,,"), 3, ""),
    "a name another bears": (_csv(GOOD, "2025-03-01,rename,Sở B,Sở C,,"), 3, "Sở C"),
    "an empty file": ("", 1, ""),
    "a name too long": (_csv(GOOD, f"2025-07-01,rename,Sở B,Sở {'B' * 300},,"), 3, "result"),
}


@pytest.mark.parametrize("case", sorted(REFUSALS))
def test_a_malformed_file_is_refused_with_its_line_and_changes_nothing(make, case):
    Small(make)
    text, line, named = REFUSALS[case]
    db.session.expire_all()
    before = _state()
    with pytest.raises(reorganisation.ReorganisationError) as refused:
        _apply(text)
    db.session.expire_all()
    assert refused.value.line == line
    assert str(refused.value).startswith(f"dòng {line}: ") and named in str(refused.value)
    assert _state() == before


def test_the_basis_and_certainty_columns_may_be_left_out(make):
    Small(make)
    plan = _apply("event,organisation,effective_on,result\nrename,Sở B,2025-03-01,Sở B mới\n")
    assert [(s.event.line, s.event.basis, s.done_already) for s in plan.events] == [
        (2, "", False)]
    assert db.session.scalar(select(Organisation.name).where(Organisation.code == "BBB")) \
        == "Sở B mới"
