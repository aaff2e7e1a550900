import csv
from pathlib import Path

from sqlalchemy import func, select

from portal.auth.models import User
from portal.demo.services import DEMO_PEOPLE, demo_email
from portal.extensions import db
from portal.organisations.models import Organisation

SHARED = Path(__file__).resolve().parents[2].parent / "shared"
APPENDIX = SHARED / "data/appendix-2019-01-01_2019-08-12.csv"


def _snapshot():
    organisations = db.session.execute(
        select(Organisation.code, Organisation.name, Organisation.kind).order_by(Organisation.code)
    ).all()
    users = db.session.execute(
        select(User.email, User.role, User.password_hash).order_by(User.email)).all()
    return organisations, users


def test_demo_data_loads_the_ministry_its_units_and_63_departments(runner):
    result = runner.invoke(args=["demo-data"])
    assert result.exit_code == 0, result.output
    kinds = dict(db.session.execute(
        select(Organisation.kind, func.count()).group_by(Organisation.kind)).all())
    assert kinds["ministry"] == 1
    assert kinds["ministry_unit"] >= 5
    assert kinds["department"] == 63


def test_department_names_are_the_appendix_names(runner):
    runner.invoke(args=["demo-data"])
    names = set(db.session.scalars(
        select(Organisation.name).where(Organisation.kind == "department")))
    if APPENDIX.exists():  # the shared data beside the repository, as on CI
        with APPENDIX.open(encoding="utf-8") as f:
            assert names == {row["department"] for row in csv.DictReader(f)}
    assert "Sở TN&MT tỉnh Bà Rịa - Vũng Tàu" in names


def test_demo_logins_are_printed_and_work(runner, client, auth, app):
    result = runner.invoke(args=["demo-data"])
    password = app.config["DEMO_PASSWORD"]
    assert password in result.output
    roles = {role for _code, role, _name in DEMO_PEOPLE}
    assert roles == {"clerk", "specialist", "leader", "reviewer", "admin"}
    for code, role, _name in DEMO_PEOPLE[:3] + DEMO_PEOPLE[-3:]:
        email = demo_email(code, role)
        assert email in result.output
        assert auth.login(email, password).status_code == 302
        auth.logout()


def test_running_demo_data_twice_changes_nothing(runner):
    runner.invoke(args=["demo-data"])
    first = _snapshot()
    result = runner.invoke(args=["demo-data"])
    assert result.exit_code == 0
    assert "Organisations created: 0" in result.output
    assert _snapshot() == first
