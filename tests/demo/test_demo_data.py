import csv
import re
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from portal.auth.models import User
from portal.clock import local_today
from portal.demo.history import PERIOD_2019, read_appendix_2019
from portal.demo.services import DEMO_PEOPLE, demo_email
from portal.extensions import db
from portal.leaderboard.services import Period, leaderboard
from portal.organisations.models import Organisation
from tests.worlds import Snapshot

SHARED = Path(__file__).resolve().parents[2].parent / "shared"
APPENDIX = SHARED / "data/appendix-2019-01-01_2019-08-12.csv"


@pytest.fixture(scope="module")
def app(module_app):
    """One app for the module: the demo data is loaded once (`loaded`)."""
    return module_app


@pytest.fixture(scope="module")
def loaded_once(app):
    result = app.test_cli_runner().invoke(args=["demo-data"])
    return result, Snapshot(app)


@pytest.fixture
def loaded(loaded_once):
    """What `flask demo-data` answered in an empty database, and the database, its files and
    its queue as it left them (put back before each test: tests.worlds)."""
    result, snapshot = loaded_once
    snapshot.restore()
    return result


def _snapshot():
    organisations = db.session.execute(
        select(Organisation.code, Organisation.name, Organisation.kind).order_by(Organisation.code)
    ).all()
    users = db.session.execute(
        select(User.email, User.role, User.password_hash).order_by(User.email)).all()
    return organisations, users


def test_demo_data_loads_the_ministry_its_units_and_63_departments(loaded):
    result = loaded
    assert result.exit_code == 0, result.output
    kinds = dict(db.session.execute(
        select(Organisation.kind, func.count()).group_by(Organisation.kind)).all())
    assert kinds["ministry"] == 1
    assert kinds["ministry_unit"] >= 5
    assert kinds["department"] == 63


def test_department_names_are_the_appendix_names_in_2019_and_34_remain_today(loaded):
    departments = list(db.session.scalars(
        select(Organisation).where(Organisation.kind == "department")))
    names_2019 = {o.name_on(date(2019, 8, 12)) for o in departments}
    if APPENDIX.exists():  # the shared data beside the repository, as on CI
        with APPENDIX.open(encoding="utf-8") as f:
            assert names_2019 == {row["department"] for row in csv.DictReader(f)}
    assert "Sở TN&MT tỉnh Bà Rịa - Vũng Tàu" in names_2019
    today = [o for o in departments if not o.is_merged()]
    assert len(today) == 34
    assert all(o.name.startswith("Sở Nông nghiệp và Môi trường ") for o in today)
    ministry = db.session.scalar(select(Organisation).where(Organisation.kind == "ministry"))
    assert (ministry.name, ministry.code) == ("Bộ Nông nghiệp và Môi trường", "BNNMT")
    assert ministry.name_on(date(2025, 2, 28)) == "Bộ Tài nguyên và Môi trường"


def test_demo_logins_are_printed_and_work(loaded, client, auth, app):
    result = loaded
    password = app.config["DEMO_PASSWORD"]
    assert password in result.output
    # Each login with its organisation's code today (the ministry's changed on 1 March 2025).
    assert re.search(r"admin\.btnmt@demo\.portal\.gov\.vn +admin +BNNMT\n", result.output)
    roles = {role for _code, role, _name in DEMO_PEOPLE}
    assert roles == {"clerk", "specialist", "leader", "reviewer", "admin"}
    for code, role, _name in DEMO_PEOPLE[:3] + DEMO_PEOPLE[-3:]:
        email = demo_email(code, role)
        assert email in result.output
        assert auth.login(email, password).status_code == 302
        auth.logout()


def test_running_demo_data_twice_changes_nothing(loaded, runner):
    first = _snapshot()
    result = runner.invoke(args=["demo-data"])
    assert result.exit_code == 0
    assert "Organisations created: 0" in result.output
    assert _snapshot() == first


def test_the_demo_letters_print_their_signer_and_carry_the_ministrys_seal(loaded):
    import io

    from pypdf import PdfReader

    from portal.documents.models import Document
    from portal.organisations.services import find_by_code
    from portal.signing import keys
    from portal.signing.pdf import check_signatures
    from portal.storage.services import read_bytes

    result = loaded
    assert result.exit_code == 0, result.output
    office, hanoi = find_by_code("VP"), find_by_code("HNI")
    letter = db.session.scalar(select(Document).where(
        Document.issuer_id == office.id, Document.pdf_file_id.is_not(None))
        .order_by(Document.id).limit(1))
    data = read_bytes(letter.pdf_file)
    text = PdfReader(io.BytesIO(data)).pages[0].extract_text()
    assert "Kính gửi: Các Sở Nông nghiệp và Môi trường các tỉnh" in text
    assert "KT. BỘ TRƯỞNG\nTHỨ TRƯỞNG" in text and "Trần Văn Minh" in text
    # Today's ministry: its header, its code in the notation, its seal re-issued in its name.
    assert [line.strip() for line in text.splitlines()[:2]] == ["BỘ NÔNG NGHIỆP",
                                                                "VÀ MÔI TRƯỜNG"]
    assert letter.notation.endswith("/BNNMT-VP")
    assert check_signatures(data, keys.trusted_roots())[-1].signer == "Bộ Nông nghiệp và Môi " \
        "trường"  # the ministry's seal, the letter being in its name
    reply = db.session.scalar(select(Document).where(
        Document.issuer_id == hanoi.id, Document.reply_to_id.is_not(None),
        Document.pdf_file_id.is_not(None)))
    reply_text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(
        read_bytes(reply.pdf_file))).pages)
    assert "GIÁM ĐỐC\nBùi Thị Ngọc" in reply_text
    assert [line.strip() for line in reply_text.splitlines()[:3]] == [
        "UBND THÀNH PHỐ HÀ NỘI", "SỞ NÔNG NGHIỆP", "VÀ MÔI TRƯỜNG"]


def test_the_leaderboard_shows_the_34_this_year_and_the_63_of_2019_for_2019(loaded):
    today = local_today()
    this_year = leaderboard(Period(date(today.year, 1, 1), today))
    assert len(this_year.rows) == 34
    assert all(r.name.startswith("Sở Nông nghiệp và Môi trường ") for r in this_year.rows)
    in_2019 = leaderboard(Period(*PERIOD_2019))
    assert sorted(r.name for r in in_2019.rows) == sorted(read_appendix_2019())
