"""The document-exchange API: same rules as the pages, JSON errors, 404 across organisations."""

import pytest
from sqlalchemy import func, select

from portal.audit.models import AuditEvent
from portal.documents.models import Document
from portal.extensions import db
from tests.deliveries.conftest import Exchange
from tests.factories import Factory


def _bearer(user):
    _token, secret = Factory().token(user, "e-office")
    return {"Authorization": f"Bearer {secret}"}


@pytest.fixture
def exchange(make):
    return Exchange(make)


def test_clerk_issues_through_the_api(client, exchange, run_jobs):
    response = client.post("/api/v1/documents", headers=_bearer(exchange.ministry_clerk), json={
        "type": "thong_bao", "subject": "Thông báo kết luận", "body": "Nội dung",
        "recipients": ["DA", "db"], "due_working_days": 5, "urgency": "urgent"})
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["notation"] == "2/TB-BTNMT-VP"
    assert body["due_working_days"] == 5
    run_jobs()  # rendered, then delivered
    document = client.get(f"/api/v1/documents/{body['id']}",
                          headers=_bearer(exchange.ministry_clerk)).get_json()
    assert document["dispatched_at"] is not None
    inbox = client.get("/api/v1/inbox?tab=new", headers=_bearer(exchange.a_clerk)).get_json()
    assert body["id"] in [d["document"]["id"] for d in inbox["deliveries"]]


@pytest.mark.parametrize("payload, status", [
    ({"type": "cong_van", "subject": "x", "recipients": ["DA"], "confidentiality": "mat"}, 422),
    ({"type": "cong_van", "subject": "x", "recipients": ["NOPE"]}, 400),
    ({"type": "cong_van", "subject": "", "recipients": ["DA"]}, 400),
    ({"type": "cong_van", "subject": "x", "recipients": "DA"}, 400),
    ({"type": "cong_van", "subject": "x", "recipients": ["DA"], "due_working_days": "3"}, 400),
    ({"type": "cong_van", "subject": "x", "recipients": ["DA"], "due_on": "31/12/2030"}, 400),
    ({"type": "xyz", "subject": "x", "recipients": ["DA"]}, 422),
    ([1, 2], 400),
])
def test_bad_documents_are_refused_with_a_message_and_nothing_stored(client, exchange, payload,
                                                                     status):
    before = db.session.scalar(select(func.count(Document.id)))
    response = client.post("/api/v1/documents", headers=_bearer(exchange.ministry_clerk),
                           json=payload)
    assert response.status_code == status
    assert response.get_json()["error"]["message"]
    assert db.session.scalar(select(func.count(Document.id))) == before


def test_only_clerks_issue(client, exchange):
    response = client.post("/api/v1/documents", headers=_bearer(exchange.a_leader),
                           json={"type": "cong_van", "subject": "x", "recipients": ["VP"]})
    assert response.status_code == 403


def test_delivery_of_another_organisation_is_404_and_audited(client, exchange):
    url = f"/api/v1/deliveries/{exchange.delivery.id}"
    assert client.get(url, headers=_bearer(exchange.b_leader)).status_code == 404
    assert client.post(f"{url}/acknowledge", headers=_bearer(exchange.b_leader)).status_code \
        == 404
    assert client.post(f"{url}/reply", headers=_bearer(exchange.b_leader),
                       json={"body": "x"}).status_code == 404
    assert client.get("/api/v1/deliveries/999999", headers=_bearer(exchange.b_leader)) \
        .status_code == 404
    refused = db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "access.refused")).all()
    assert len(refused) == 3 and {e.actor_id for e in refused} == {exchange.b_leader.id}


def test_a_document_is_visible_only_to_its_issuer(client, exchange):
    url = f"/api/v1/documents/{exchange.document.id}"
    mine = client.get(url, headers=_bearer(exchange.ministry_clerk))
    assert mine.status_code == 200 and mine.get_json()["notation"] == exchange.document.notation
    # A recipient reads it through its delivery; the document's own record is the issuer's.
    assert client.get(url, headers=_bearer(exchange.a_leader)).status_code == 404
    assert client.get("/api/v1/documents/999999",
                      headers=_bearer(exchange.a_leader)).status_code == 404
    [refused] = db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "access.refused")).all()
    assert refused.details["reason"] == "can_track_document"


def test_acknowledge_then_reply_through_the_api(client, exchange):
    url = f"/api/v1/deliveries/{exchange.delivery.id}"
    assert client.post(f"{url}/acknowledge", headers=_bearer(exchange.a_specialist)) \
        .status_code == 403
    body = client.post(f"{url}/acknowledge", headers=_bearer(exchange.a_clerk)).get_json()
    assert body["status"] == "03" and body["acknowledged_at"]
    again = client.post(f"{url}/acknowledge", headers=_bearer(exchange.a_clerk))
    assert again.status_code == 409
    assert client.post(f"{url}/reply", headers=_bearer(exchange.a_leader), json={}) \
        .status_code == 400
    replied = client.post(f"{url}/reply", headers=_bearer(exchange.a_leader),
                          json={"body": "Sở báo cáo như sau."}).get_json()
    assert replied["status"] == "06" and replied["deadline_state"] == "on_time"
    assert [h["to"] for h in replied["history"]] == ["03", "04", "05", "06"]
    seen_by_sender = client.get(url, headers=_bearer(exchange.ministry_clerk)).get_json()
    assert seen_by_sender["reply_document_id"] == replied["reply_document_id"]


def test_inbox_pages_by_keyset_and_rejects_bad_parameters(client, exchange, make):
    for _ in range(4):
        make.document(exchange.ministry_clerk, [exchange.a])
    headers = _bearer(exchange.a_clerk)
    first = client.get("/api/v1/inbox?limit=3", headers=headers).get_json()
    second = client.get(f"/api/v1/inbox?limit=3&after={first['next']}", headers=headers) \
        .get_json()
    ids = [d["id"] for d in first["deliveries"] + second["deliveries"]]
    assert len(ids) == len(set(ids)) == 5 and second["next"] is None
    for bad in ("limit=0", "limit=x", "tab=nope", "after=zzz", "from=yesterday"):
        response = client.get(f"/api/v1/inbox?{bad}", headers=headers)
        assert response.status_code == 400, bad
