"""Demo data: the real organisations, demo people of every role, and a few documents.

Loading is idempotent: what exists already is left as it is.
"""

import csv
from pathlib import Path

from portal.auth import services as auth
from portal.auth.models import SignsAs
from portal.organisations import services as organisations
from portal.policy import Role
from portal.transaction import action

ORGANISATIONS_CSV = Path(__file__).with_name("organisations.csv")

# (organisation code, role, full name); e-mail is <role>.<code>@demo.portal.gov.vn
DEMO_PEOPLE = [
    ("BTNMT", Role.ADMIN, "Quản trị Hệ thống"),
    ("BTNMT", Role.REVIEWER, "Nguyễn Thị Thu Hà"),
    ("BTNMT", Role.LEADER, "Trần Văn Minh"),
    ("BTNMT", Role.CLERK, "Lê Thị Hồng"),
    ("BTNMT", Role.SPECIALIST, "Phạm Quốc Bảo"),
    ("VP", Role.LEADER, "Đỗ Thanh Tùng"),
    ("VP", Role.CLERK, "Vũ Thị Lan"),
    ("VP", Role.SPECIALIST, "Hoàng Đức Anh"),
    ("CDS", Role.LEADER, "Nguyễn Hữu Thắng"),
    ("HCM", Role.LEADER, "Nguyễn Văn Phúc"),
    ("HCM", Role.CLERK, "Trương Thị Mai"),
    ("HCM", Role.SPECIALIST, "Lý Minh Khoa"),
    ("HNI", Role.LEADER, "Bùi Thị Ngọc"),
    ("HNI", Role.CLERK, "Đặng Văn Hải"),
    ("HNI", Role.SPECIALIST, "Ngô Thu Trang"),
    ("NB", Role.LEADER, "Phan Văn Long"),
    ("NB", Role.CLERK, "Mai Thị Hoa"),
    ("NB", Role.SPECIALIST, "Đinh Quang Huy"),
    ("DNG", Role.LEADER, "Huỳnh Thị Diệu"),
    ("DNG", Role.CLERK, "Võ Văn Tâm"),
    ("DNG", Role.SPECIALIST, "Tạ Thị Yến"),
]


# The leaders' titles (chức vụ) and how they sign, as printed above their names.
DEMO_TITLES = {
    ("BTNMT", Role.LEADER): ("Thứ trưởng", SignsAs.DEPUTY),  # KT. BỘ TRƯỞNG
    ("VP", Role.LEADER): ("Chánh Văn phòng", SignsAs.HEAD),  # TL. BỘ TRƯỞNG for the ministry
    ("CDS", Role.LEADER): ("Cục trưởng", SignsAs.HEAD),
    ("HCM", Role.LEADER): ("Giám đốc", SignsAs.HEAD),
    ("HNI", Role.LEADER): ("Giám đốc", SignsAs.HEAD),
    ("NB", Role.LEADER): ("Phó Giám đốc", SignsAs.DEPUTY),  # KT. GIÁM ĐỐC
    ("DNG", Role.LEADER): ("Giám đốc", SignsAs.HEAD),
}


# The national identifiers (mã định danh) the demo gives, in the catalogue's shape but not the
# catalogue's own: the ministry 000.00.00.G14, its units 000.NN.00.G14, the departments
# 000.00.12.HNN, numbered in organisations.csv's order, so every machine loading the demo
# gives each organisation the same one (two portals exchanging through the axis rely on it).
MINISTRY_ORGAN_ID = "000.00.00.G14"
# Departments whose own e-office system receives through the axis: nobody works for them here
# (none is an organisation of DEMO_PEOPLE), and each stands alone since 2025.
AXIS_DEPARTMENTS = ("LCH", "DB", "CB")


def demo_organ_ids() -> dict[str, str]:
    """Organisation code (as in organisations.csv) → its demo identifier."""
    identifiers, units, departments = {}, 0, 0
    with ORGANISATIONS_CSV.open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            if row["kind"] == "ministry":
                identifiers[row["code"]] = MINISTRY_ORGAN_ID
            elif row["kind"] == "ministry_unit":
                units += 1
                identifiers[row["code"]] = f"000.{units:02d}.00.G14"
            else:
                departments += 1
                identifiers[row["code"]] = f"000.00.12.H{departments:02d}"
    return identifiers


def load_identifiers() -> int:
    """Give each demo organisation without an identifier its own, and put AXIS_DEPARTMENTS on
    the axis; what an administrator set since is left as it is. Returns how many were set."""
    set_now = 0
    for code, organ_id in demo_organ_ids().items():
        organisation = organisations.find_by_code(code)
        if organisation is None or organisation.organ_id is not None:
            continue
        organisations.set_axis_details(
            organisation, organ_id=organ_id,
            channel="axis" if code in AXIS_DEPARTMENTS else "portal",
            address=organisation.address, email=organisation.email,
            telephone=organisation.telephone)
        set_now += 1
    return set_now


def demo_email(code: str, role: str) -> str:
    return f"{role}.{code.lower()}@demo.portal.gov.vn"


def load_organisations() -> int:
    """Create the organisations listed in organisations.csv that do not exist yet."""
    created = 0
    with ORGANISATIONS_CSV.open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            if organisations.find_by_code(row["code"]) is not None:
                continue
            parent = organisations.find_by_code(row["parent_code"]) if row["parent_code"] else None
            organisations.add_organisation(code=row["code"], name=row["name"], kind=row["kind"],
                                           parent=parent)
            created += 1
    return created


def load_people(password: str) -> list[tuple[str, str, str, str]]:
    """Create the demo people that do not exist yet; return every demo login."""
    for code, role, full_name in DEMO_PEOPLE:
        email = demo_email(code, role)
        if auth.find_user_by_email(email) is None:
            title, signs_as = DEMO_TITLES.get((code, role), ("", SignsAs.HEAD))
            auth.create_user(email=email, full_name=full_name,
                             organisation=organisations.find_by_code(code), role=role,
                             password=password, title=title, signs_as=signs_as)
    return demo_logins()


def demo_logins() -> list[tuple[str, str, str, str]]:
    """(e-mail, role, organisation code, organisation name) of every demo person, as they
    are now (their organisation's code and name may have changed since they were made)."""
    people = [auth.find_user_by_email(demo_email(code, role)) for code, role, _ in DEMO_PEOPLE]
    return [(p.email, p.role, p.organisation.code, p.organisation.name) for p in people if p]


def load_demo_data(password: str):
    """Load organisations, demo people and documents; return (organisations created, logins)."""
    from portal.demo.documents import load_documents
    from portal.demo.history import load_2019_assessments, load_2019_record, load_recent_activity
    from portal.leaderboard.tallies import refresh_tallies
    from portal.signing.keys import init_development_pki

    with action():
        created = load_organisations()
        load_identifiers()
        load_people(password)
        init_development_pki()  # before the documents, so they go out sealed
    with action():  # the records first: they apply the 2025 reorganisation on its days
        load_2019_record()
        load_recent_activity()
    load_documents()  # step by step, each its own action, as people do them, today
    with action():
        refresh_tallies()  # so that the first look at the leaderboard does not count them
    with action():
        load_2019_assessments(auth.find_user_by_email(demo_email("BTNMT", Role.REVIEWER)),
                              auth.find_user_by_email(demo_email("BTNMT", Role.LEADER)))
    return created, demo_logins()
