"""Names in Vietnamese alphabetical order (ICU's vi rules) in Python and in SQL, on every page
that lists organisations or people: A Ă Â B C D Đ E Ê G … Y, tones second."""

import pytest

from portal import collation
from portal.deliveries import services as deliveries
from portal.organisations.services import list_organisations
from portal.signing import keys
from portal.transaction import action

# As a Vietnamese reader orders them (Đ between D and E, then the vowels' marks, then tones).
PROVINCES = ["Bà Rịa - Vũng Tàu", "Bạc Liêu", "Bắc Giang", "Bắc Kạn", "Bắc Ninh", "Bến Tre",
             "Bình Định", "Cà Mau", "Đà Nẵng", "Điện Biên", "Đồng Nai", "Gia Lai", "Yên Bái"]
PEOPLE = ["Bạch Văn Hùng", "Bùi Thị Hà", "Đặng Văn An", "Vũ Minh Châu"]
PERIOD = "from=2026-01-01&to=2026-03-31"
PREFIX = "Sở Tài nguyên và Môi trường tỉnh "


def _scrambled(names):
    return names[1::2] + names[::2][::-1]


@pytest.fixture
def provinces(make):
    """The ministry, its office with a clerk, and the departments made in no order."""
    ministry = make.ministry()
    office = make.organisation(kind="ministry_unit", code="VP", name="Văn phòng Bộ",
                               parent=ministry)
    departments = {name: make.organisation(code=f"P{n}", name=PREFIX + name)
                   for n, name in enumerate(_scrambled(PROVINCES))}
    return ministry, office, departments


def _in_order(html: str, names) -> list[str]:
    """The names as the page shows them, first to last."""
    return sorted(names, key=lambda name: html.index(name))


def test_the_vietnamese_alphabet_orders_python_sorts():
    assert sorted(_scrambled(PROVINCES), key=collation.sort_key) == PROVINCES
    assert sorted(["Ơ", "Ô", "O", "Ê", "E", "Đ", "D", "Â", "Ă", "A", "Ư", "U", "Y"],
                  key=collation.sort_key) == [
        "A", "Ă", "Â", "D", "Đ", "E", "Ê", "O", "Ô", "Ơ", "U", "Ư", "Y"]
    assert collation.sort_key("ba") < collation.sort_key("bà") < collation.sort_key("bạ") \
        < collation.sort_key("bă")  # tones only after the letters


def test_the_database_orders_organisations_the_same_way(provinces):
    listed = [o.name.removeprefix(PREFIX) for o in list_organisations("department")]
    assert listed == PROVINCES


def test_the_recipient_picker_lists_departments_in_vietnamese_order(client, auth, make,
                                                                     provinces):
    _ministry, office, _departments = provinces
    clerk = make.user(office, "clerk")
    auth.login(clerk.email)
    html = client.get("/documents/new").get_data(as_text=True)
    assert _in_order(html, PROVINCES) == PROVINCES


def test_the_inbox_sender_filter_lists_senders_in_vietnamese_order(client, auth, make,
                                                                    provinces):
    _ministry, office, departments = provinces
    clerk = make.user(departments["Yên Bái"], "clerk")
    auth.login(clerk.email)
    html = client.get("/inbox/").get_data(as_text=True)
    assert _in_order(html, PROVINCES[:-1]) == PROVINCES[:-1]


def test_the_organisations_admin_lists_and_people_are_in_vietnamese_order(client, auth, make,
                                                                          provinces):
    ministry, office, departments = provinces
    admin = make.user(ministry, "admin")
    bac_lieu = departments["Bạc Liêu"]
    for name in _scrambled(PEOPLE):
        make.user(bac_lieu, "specialist", full_name=name)
    auth.login(admin.email)
    listing = client.get("/organisations/").get_data(as_text=True)
    assert _in_order(listing, PROVINCES) == PROVINCES
    people = client.get(f"/organisations/{bac_lieu.id}").get_data(as_text=True)
    assert _in_order(people, PEOPLE) == PEOPLE


def test_the_delivery_page_offers_assignees_in_vietnamese_order(client, auth, make, provinces):
    _ministry, office, departments = provinces
    bac_lieu = departments["Bạc Liêu"]
    for name in _scrambled(PEOPLE):
        make.user(bac_lieu, "specialist", full_name=name)
    leader = make.user(bac_lieu, "leader")
    document = make.document(make.user(office, "clerk"), list(departments.values()))
    delivery, clerk = make.delivery(document, bac_lieu), make.user(bac_lieu, "clerk")
    with action():
        deliveries.acknowledge_delivery(delivery, actor=clerk)
    auth.login(leader.email)
    html = client.get(f"/inbox/{delivery.id}").get_data(as_text=True)
    assert _in_order(html, PEOPLE) == PEOPLE


def test_the_tracking_table_lists_recipients_in_vietnamese_order(client, auth, make, provinces):
    _ministry, office, departments = provinces
    clerk = make.user(office, "clerk")
    document = make.document(clerk, list(departments.values()))
    auth.login(clerk.email)
    html = client.get(f"/documents/{document.id}").get_data(as_text=True)
    assert _in_order(html, PROVINCES) == PROVINCES


@pytest.mark.parametrize("direction", ["asc", "desc"])
def test_the_leaderboard_sorted_by_name_is_in_vietnamese_order(client, provinces, direction):
    html = client.get(f"/leaderboard?{PERIOD}&sort=name&dir={direction}").get_data(as_text=True)
    expected = PROVINCES if direction == "asc" else PROVINCES[::-1]
    assert _in_order(html, PROVINCES) == expected


def test_ties_on_the_leaderboard_fall_in_vietnamese_order(client, provinces):
    html = client.get(f"/leaderboard?{PERIOD}").get_data(as_text=True)
    assert _in_order(html, PROVINCES) == PROVINCES  # every total is 0: the names decide


def test_the_signing_keys_list_is_in_vietnamese_order(client, auth, make, provinces):
    ministry, _office, _departments = provinces
    admin = make.user(ministry, "admin")
    with action():
        keys.init_development_pki()
    auth.login(admin.email)
    html = client.get("/signing/").get_data(as_text=True)
    assert _in_order(html, PROVINCES) == PROVINCES
