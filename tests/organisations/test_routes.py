from sqlalchemy import select

from portal.audit.models import AuditEvent
from portal.extensions import db
from portal.organisations.models import Organisation


def _admin(client, auth, make):
    admin = make.user(make.ministry(), role="admin")
    auth.login(admin.email)
    return admin


def test_admin_adds_an_organisation_from_the_ui(client, auth, make):
    admin = _admin(client, auth, make)
    response = client.post("/organisations/new", data={
        "code": "tq", "name": "Sở Nông nghiệp và Môi trường tỉnh Tuyên Quang",
        "kind": "department", "parent_id": "0",
        "csrf_token": auth.csrf_token("/organisations/new")})
    assert response.status_code == 302
    created = db.session.scalar(select(Organisation).where(Organisation.code == "TQ"))
    event = db.session.scalar(select(AuditEvent).where(
        AuditEvent.action == "organisation.created", AuditEvent.object_id == str(created.id)))
    assert event.actor_id == admin.id
    assert event.details["name"] == "Sở Nông nghiệp và Môi trường tỉnh Tuyên Quang"


def test_duplicate_code_is_refused_with_a_message(client, auth, make):
    _admin(client, auth, make)
    response = client.post("/organisations/new", data={
        "code": "BTNMT", "name": "Trùng", "kind": "ministry", "parent_id": "0",
        "csrf_token": auth.csrf_token("/organisations/new")})
    assert response.status_code == 400
    assert "Mã BTNMT đã được dùng" in response.get_data(as_text=True)


def test_admin_renames_and_history_is_shown(client, auth, make):
    _admin(client, auth, make)
    organisation = make.organisation(name="Sở TN&MT tỉnh Cũ")
    url = f"/organisations/{organisation.id}/rename"
    response = client.post(url, data={"name": "Sở NN&MT tỉnh Mới", "effective_on": "2025-07-01",
                                      "csrf_token": auth.csrf_token(url)})
    assert response.status_code == 302
    page = client.get(f"/organisations/{organisation.id}").get_data(as_text=True)
    assert "Sở TN&amp;MT tỉnh Cũ" in page and "Sở NN&amp;MT tỉnh Mới" in page
    assert "Từ ngày 01/07/2025" in page


def test_admin_merges_from_the_ui(client, auth, make):
    _admin(client, auth, make)
    old, new = make.organisation(), make.organisation()
    url = f"/organisations/{old.id}/merge"
    fields = {"successor_id": str(new.id), "effective_on": "2025-07-01",
              "csrf_token": auth.csrf_token(url)}
    asked = client.post(url, data=fields)  # the confirmation page first
    assert asked.status_code == 200 and 'name="confirmed" value="yes"' in asked.get_data(
        as_text=True)
    db.session.expire_all()
    assert db.session.get(Organisation, old.id).successor_id is None
    response = client.post(url, data={**fields, "confirmed": "yes"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Organisation, old.id).successor_id == new.id
    listing = client.get("/organisations/").get_data(as_text=True)
    assert "Sáp nhập vào" in listing


def test_merge_form_rejects_a_bad_date_with_a_message(client, auth, make):
    _admin(client, auth, make)
    old, new = make.organisation(), make.organisation()
    url = f"/organisations/{old.id}/merge"
    response = client.post(url, data={"successor_id": str(new.id), "effective_on": "not a date",
                                      "csrf_token": auth.csrf_token(url)})
    assert response.status_code == 400
    assert 'class="errors"' in response.get_data(as_text=True)


def test_directory_filters_by_kind_with_an_htmx_fragment(client, auth, make):
    user = make.user(make.organisation(name="Sở TN&MT tỉnh Lọc"))
    make.organisation(kind="ministry_unit", name="Văn phòng Bộ")
    auth.login(user.email)
    response = client.get("/organisations/?kind=ministry_unit", headers={"HX-Request": "true"})
    fragment = response.get_data(as_text=True)
    assert not fragment.lstrip().startswith("<!doctype")
    assert "Văn phòng Bộ" in fragment and "Sở TN&amp;MT tỉnh Lọc" not in fragment
    assert "HX-Request" in response.headers["Vary"]


def test_admin_sets_the_notation_format_and_sees_the_reason_for_a_bad_one(client, auth, make):
    _admin(client, auth, make)
    organisation = make.organisation(code="HCM")
    url = f"/organisations/{organisation.id}/notation"
    form = client.get(url).get_data(as_text=True)
    assert 'value="{number}/{code}"' in form and "12/HCM" in form
    assert 'autocomplete="None"' not in form
    bad = client.post(url, data={"letter_format": "{number}/STNMT", "other_format": "{number}/X",
                                 "csrf_token": auth.csrf_token(url)})
    assert bad.status_code == 400
    assert 'id="other_format-errors"' in bad.get_data(as_text=True)
    assert db.session.get(Organisation, organisation.id).letter_notation_format is None
    good = client.post(url, data={"letter_format": "{number}/STNMT-VP",
                                  "other_format": "{number}/{type}-STNMT",
                                  "csrf_token": auth.csrf_token(url)})
    assert good.status_code == 302
    page = client.get(f"/organisations/{organisation.id}").get_data(as_text=True)
    assert "12/STNMT-VP" in page and "12/QĐ-STNMT" in page
    event = db.session.scalar(select(AuditEvent).where(
        AuditEvent.action == "organisation.notation_changed"))
    assert event.details["to"] == ["{number}/STNMT-VP", "{number}/{type}-STNMT"]


def test_admin_sets_a_persons_title_and_how_they_sign(client, auth, make):
    from portal.auth.models import User

    admin = _admin(client, auth, make)
    department = make.organisation(code="NB", name="Sở TN&MT tỉnh Ninh Bình")
    leader = make.user(department, "leader")
    page = client.get(f"/organisations/{department.id}").get_data(as_text=True)
    url = f"/organisations/people/{leader.id}/title"
    assert url in page
    response = client.post(url, data={"title": "  Phó   Giám đốc ", "signs_as": "deputy",
                                      "csrf_token": auth.csrf_token(url)})
    assert response.status_code == 302
    db.session.expire_all()
    leader = db.session.get(User, leader.id)
    assert (leader.title, leader.signs_as) == ("Phó Giám đốc", "deputy")
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "user.title_set"))
    assert event.actor_id == admin.id and event.details["to"]["title"] == "Phó Giám đốc"
    assert "Phó Giám đốc" in client.get(f"/organisations/{department.id}").get_data(as_text=True)
    refused = client.post(url, data={"title": "Giám đốc", "signs_as": "boss",
                                     "csrf_token": auth.csrf_token(url)})
    assert refused.status_code == 400
    assert db.session.get(User, leader.id).signs_as == "deputy"
