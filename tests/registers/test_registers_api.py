"""GET /api/v1/registers/incoming and …/outgoing: the caller's organisation's registers for a
year, row for row the deliveries it registered and the documents it issued."""

import pytest

from portal.clock import as_local, local_today
from portal.deliveries import services as deliveries
from portal.extensions import db
from portal.transaction import action


def _get(client, make, user, path):
    _token, secret = make.token(user)
    return client.get(path, headers={"Authorization": f"Bearer {secret}"})


@pytest.fixture
def registered(make):
    """The ministry issues two documents to a department; its clerk registers one, a leader
    assigns it; another department registers a third."""
    ministry = make.ministry()
    department, other = make.organisation(), make.organisation()
    sender = make.user(ministry, "clerk")
    clerk, leader = make.user(department, "clerk"), make.user(department, "leader")
    specialist, other_clerk = make.user(department, "specialist"), make.user(other, "clerk")
    first = make.document(sender, [department, other], subject="V/v báo cáo quý IV")
    second = make.document(sender, [department], subject="V/v kế hoạch năm 2027")
    with action():
        deliveries.acknowledge_delivery(make.delivery(first, department), actor=clerk)
    with action():
        deliveries.assign_delivery(make.delivery(first, department), actor=leader,
                                   assignee=specialist)
    with action():
        deliveries.acknowledge_delivery(make.delivery(first, other), actor=other_clerk)
    return dict(ministry=ministry, department=department, other=other, sender=sender,
                clerk=clerk,
                specialist=specialist, first=first, second=second)


def test_the_incoming_register_lists_what_the_organisation_registered(client, make,
                                                                      registered):
    r = registered
    response = _get(client, make, r["clerk"], f"/api/v1/registers/incoming?year="
                                              f"{local_today().year}")
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert (body["register"], body["organisation"]["id"]) == ("incoming", r["department"].id)
    delivery = make.delivery(r["first"], r["department"])
    assert body["rows"] == [{
        "incoming_number": 1, "received_on": delivery.received_on.isoformat(),
        "sender": r["ministry"].name, "notation": r["first"].notation,
        "document_date": as_local(r["first"].issued_at).date().isoformat(),
        "subject": "V/v báo cáo quý IV", "assigned_to": r["specialist"].full_name}]
    # The second document, not acknowledged, is not registered; the other department's is
    # in its own register only.


def test_the_outgoing_register_lists_what_was_issued_in_the_organisations_name(client, make,
                                                                               registered):
    r = registered
    body = _get(client, make, r["sender"], "/api/v1/registers/outgoing").get_json()
    rows = body["rows"]
    assert [row["notation"] for row in rows] == [r["first"].notation, r["second"].notation]
    db.session.refresh(r["first"])
    assert rows[0]["issued_on"] == as_local(r["first"].issued_at).date().isoformat()
    assert rows[0]["subject"] == "V/v báo cáo quý IV"
    assert sorted(rows[0]["recipients"]) == sorted([r["department"].name, r["other"].name])
    assert rows[1]["recipients"] == [r["department"].name]
    # The department issued nothing: its outgoing register is empty.
    assert _get(client, make, r["clerk"], "/api/v1/registers/outgoing").get_json()["rows"] == []


@pytest.mark.parametrize("year", ["abc", "3000", "-1", "1899", "2026.5"])
def test_a_year_that_is_not_a_year_is_400(client, make, registered, year):
    response = _get(client, make, registered["clerk"], f"/api/v1/registers/incoming?year={year}")
    assert response.status_code == 400
    assert "year" in response.get_json()["error"]["message"]


def test_the_registers_need_a_token(client):
    assert client.get("/api/v1/registers/incoming").status_code == 401
    assert client.get("/api/v1/registers/outgoing").status_code == 401
