"""Organisations on the axis: the identifier an administrator sets (shape, uniqueness, audit),
the channel, external senders recorded from an edXML block, the command and the API."""

import pytest
from sqlalchemy import func, select

from portal.audit.models import AuditEvent
from portal.extensions import db
from portal.interop.edxml.model import Organ
from portal.interop.organisations import organisation_for
from portal.organisations.models import Organisation, OrganisationKind
from portal.organisations.services import OrganisationError, clean_organ_id, set_axis_details
from portal.transaction import action


def _admin(auth, make):
    admin = make.user(make.ministry(), role="admin")
    auth.login(admin.email)
    return admin


def _post_axis(client, auth, organisation, **fields):
    url = f"/organisations/{organisation.id}/axis"
    data = {"organ_id": "", "channel": "portal", "address": "", "email": "", "telephone": "",
            **fields, "csrf_token": auth.csrf_token(url)}
    return client.post(url, data=data)


@pytest.mark.parametrize("text, kept", [
    ("000.00.00.G22", "000.00.00.G22"), (" 28.22.h17 ", "28.22.H17"),
    ("000.00.12.H29", "000.00.12.H29"), ("", None)])
def test_an_identifier_in_the_catalogue_shape_is_kept_upper_case(app, text, kept):
    assert clean_organ_id(text) == kept


@pytest.mark.parametrize("text", ["G22", "000-00-00-G22", "000.00.00.22", "000.00.00.GG2",
                                  "000..00.G22", "000.00.00.G22.", "<script>", "0" * 50])
def test_an_identifier_not_in_the_shape_is_refused(app, text):
    with pytest.raises(OrganisationError):
        clean_organ_id(text)


def test_an_administrator_sets_the_identifier_and_channel_audited(client, auth, make):
    admin = _admin(auth, make)
    department = make.organisation(name="Sở NN&MT tỉnh Lai Châu")
    response = _post_axis(client, auth, department, organ_id="000.00.12.h01",
                          channel="axis", email="snnmt@laichau.gov.vn",
                          telephone="0213 3876 543", address="Lai Châu")
    assert response.status_code == 302
    db.session.expire_all()
    kept = db.session.get(Organisation, department.id)
    assert (kept.organ_id, kept.channel, kept.email) == ("000.00.12.H01", "axis",
                                                         "snnmt@laichau.gov.vn")
    event = db.session.scalar(select(AuditEvent).where(
        AuditEvent.action == "organisation.axis_changed",
        AuditEvent.object_id == str(department.id)))
    assert event.actor_id == admin.id
    assert event.details["to"]["organ_id"] == "000.00.12.H01"
    assert event.details["from"]["channel"] == "portal"
    page = client.get(f"/organisations/{department.id}").get_data(as_text=True)
    assert "000.00.12.H01" in page and "snnmt@laichau.gov.vn" in page


def test_an_identifier_already_borne_is_refused_naming_its_holder(client, auth, make):
    _admin(auth, make)
    holder = make.organisation(name="Sở NN&MT tỉnh Điện Biên")
    other = make.organisation()
    with action():
        set_axis_details(holder, organ_id="000.00.12.H11", channel="portal")
    response = _post_axis(client, auth, other, organ_id="000.00.12.h11")
    assert response.status_code == 400
    assert "Sở NN&amp;MT tỉnh Điện Biên" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Organisation, other.id).organ_id is None
    assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "organisation.axis_changed",
        AuditEvent.object_id == str(other.id))) == 0


def test_the_axis_without_an_identifier_or_a_bad_shape_changes_nothing(client, auth, make):
    _admin(auth, make)
    department = make.organisation()
    assert _post_axis(client, auth, department, channel="axis").status_code == 400
    assert _post_axis(client, auth, department, organ_id="G22").status_code == 400
    assert _post_axis(client, auth, department, organ_id="000.00.12.H02",
                      email="not an address").status_code == 400
    db.session.expire_all()
    kept = db.session.get(Organisation, department.id)
    assert (kept.organ_id, kept.channel, kept.email) == (None, "portal", None)


def test_only_an_administrator_sets_identifiers(client, auth, make):
    department = make.organisation()
    clerk = make.user(department, role="clerk")
    auth.login(clerk.email)
    assert client.get(f"/organisations/{department.id}/axis").status_code == 403


def test_an_unknown_sender_is_recorded_once_as_external_and_corrections_stay(app):
    organ = Organ(organ_id="000.00.00.h17", name="UBND tỉnh Hòa Bình", address="Hòa Bình",
                  email="ubnd@hoabinh.gov.vn", telephone="0218 3852 070")
    with action():
        first = organisation_for(organ)
    assert (first.kind, first.organ_id, first.channel) == (OrganisationKind.EXTERNAL,
                                                           "000.00.00.H17", "axis")
    assert (first.name, first.address, first.email) == ("UBND tỉnh Hòa Bình", "Hòa Bình",
                                                        "ubnd@hoabinh.gov.vn")
    assert first.code == "X-000-00-00-H17"
    assert db.session.scalar(select(AuditEvent.action).where(
        AuditEvent.object_id == str(first.id))) == "organisation.recorded_from_axis"
    with action():
        first.name = "Ủy ban nhân dân tỉnh Phú Thọ"  # an administrator's correction
    with action():
        again = organisation_for(Organ(organ_id="000.00.00.H17", name="UBND Hòa Bình cũ"))
    assert again.id == first.id and again.name == "Ủy ban nhân dân tỉnh Phú Thọ"
    assert db.session.scalar(select(func.count()).select_from(Organisation).where(
        Organisation.organ_id == "000.00.00.H17")) == 1


def test_a_merged_organisations_identifier_leads_to_its_successor(app, make):
    from datetime import date

    from portal.organisations.services import merge_organisation

    old, new = make.organisation(), make.organisation()
    with action():
        set_axis_details(old, organ_id="000.00.12.H25", channel="portal")
        merge_organisation(old, new, effective_on=date(2025, 7, 1))
    with action():
        assert organisation_for(Organ(organ_id="000.00.12.H25")).id == new.id


def test_an_external_sender_is_listed_apart_on_the_index(client, auth, make):
    _admin(auth, make)
    with action():
        organisation_for(Organ(organ_id="000.00.00.G01", name="Văn phòng Chính phủ"))
    page = client.get("/organisations/").get_data(as_text=True)
    assert 'id="external"' in page
    external = page.split('id="external"', 1)[1]
    assert "Văn phòng Chính phủ" in external and "000.00.00.G01" in external


def test_the_command_sets_an_identifier_and_the_channel(app, runner, make):
    department = make.organisation(code="LCU")
    result = runner.invoke(args=["organisations", "set-axis", "lcu", "--organ-id",
                                 "000.00.12.h01", "--channel", "axis"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    kept = db.session.get(Organisation, department.id)
    assert (kept.organ_id, kept.channel) == ("000.00.12.H01", "axis")
    refused = runner.invoke(args=["organisations", "set-axis", "LCU", "--organ-id", "bad"])
    assert refused.exit_code == 1


def test_the_api_lists_identifier_channel_and_contacts(client, make):
    ministry = make.ministry()
    with action():
        set_axis_details(ministry, organ_id="000.00.00.G22", channel="portal",
                         email="vanthu@mae.gov.vn")
    _token, secret = make.token(make.user(ministry, role="clerk"))
    listed = client.get("/api/v1/organisations", headers={"Authorization": f"Bearer {secret}"})
    mine = next(o for o in listed.get_json()["organisations"] if o["id"] == ministry.id)
    assert (mine["organ_id"], mine["channel"], mine["email"]) == ("000.00.00.G22", "portal",
                                                                  "vanthu@mae.gov.vn")
