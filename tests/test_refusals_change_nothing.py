"""One action, one transaction: an action refused halfway leaves the database as it was.

Each test drives an action through its edge (a page or the API) to a refusal that comes
after the action has already written something (an assignment, a reply draft, a document),
and compares every table before and after. The audit trail, sign-in sessions and tokens'
last use are left out: reading a page writes them by design.
"""

import io

import pytest
from sqlalchemy import select, text, update

from portal.deliveries import services as deliveries
from portal.deliveries.models import Status
from portal.documents.models import Document
from portal.extensions import db
from portal.organisations.models import Organisation
from portal.transaction import action
from tests.deliveries.conftest import Exchange

WRITTEN_BY_READING = {"audit_event", "login_session", "api_token"}


def snapshot() -> dict[str, list]:
    """Every row of every table (but those reading writes), in a stable order."""
    db.session.expire_all()
    tables = [t for t in db.metadata.sorted_tables if t.name not in WRITTEN_BY_READING]
    return {t.name: sorted(map(repr, db.session.execute(select(t)).all())) for t in tables}


def _signed_replies_only(exchange):
    """Department A sends only signed replies, and its leader has no signing key."""
    db.session.execute(update(Organisation).where(Organisation.id == exchange.a.id)
                       .values(signed_issue_only=True))
    db.session.commit()


@pytest.fixture
def acknowledged(make):
    exchange = Exchange(make)
    _signed_replies_only(exchange)
    with action():
        deliveries.acknowledge_delivery(exchange.delivery, actor=exchange.a_clerk)
    return exchange


def test_an_api_reply_refused_for_want_of_a_key_assigns_nothing_and_saves_nothing(
        client, make, acknowledged):
    _token, secret = make.token(acknowledged.a_leader)
    before = snapshot()
    response = client.post(f"/api/v1/deliveries/{acknowledged.delivery.id}/reply",
                           json={"body": "Sở đã thực hiện."},
                           headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 409 and "khóa ký" in response.get_json()["error"]["message"]
    assert snapshot() == before  # not assigned, no reply draft, not started
    db.session.refresh(acknowledged.delivery)
    assert acknowledged.delivery.status == Status.ACKNOWLEDGED


def test_a_reply_sent_by_a_leader_without_a_key_changes_nothing(client, auth, acknowledged):
    with action():
        deliveries.assign_delivery(acknowledged.delivery, actor=acknowledged.a_leader,
                                   assignee=acknowledged.a_leader)
    auth.login(acknowledged.a_leader.email)
    url = f"/inbox/{acknowledged.delivery.id}"
    token = auth.csrf_token(url)
    before = snapshot()
    response = client.post(f"{url}/reply/send", data={"csrf_token": token,
                                                      "body": "Sở báo cáo như sau."},
                           follow_redirects=True)
    assert "chưa có khóa ký" in response.get_data(as_text=True)
    assert snapshot() == before  # neither the draft it saved first nor its start


def test_a_refused_reply_attachment_leaves_no_reply_draft(client, auth, acknowledged):
    with action():
        deliveries.assign_delivery(acknowledged.delivery, actor=acknowledged.a_leader,
                                   assignee=acknowledged.a_specialist)
    auth.login(acknowledged.a_specialist.email)
    url = f"/inbox/{acknowledged.delivery.id}"
    token = auth.csrf_token(url)
    before = snapshot()
    response = client.post(f"{url}/reply/attachments", data={
        "csrf_token": token, "file": (io.BytesIO(b"PK\x03\x04 not a pdf"), "bao-cao.pdf")},
        follow_redirects=True)
    assert "không phải tệp PDF" in response.get_data(as_text=True)
    assert snapshot() == before  # the draft the upload would have gone into is not kept


def test_an_api_document_refused_at_issue_leaves_no_draft(client, make):
    exchange = Exchange(make)
    db.session.execute(update(Organisation).where(Organisation.id == exchange.office.id)
                       .values(signed_issue_only=True))
    db.session.commit()
    _token, secret = make.token(exchange.ministry_clerk)
    before = snapshot()
    response = client.post("/api/v1/documents", headers={"Authorization": f"Bearer {secret}"},
                           json={"type": "cong_van", "subject": "V/v báo cáo",
                                 "recipients": [exchange.a.code]})
    assert response.status_code == 422
    assert snapshot() == before


def test_issuing_twice_numbers_once_and_the_second_changes_nothing(client, auth, make):
    exchange = Exchange(make)
    draft = make.document(exchange.ministry_clerk, [exchange.a], issue=False)
    auth.login(exchange.ministry_clerk.email)
    token = auth.csrf_token(f"/documents/{draft.id}/edit")
    client.post(f"/documents/{draft.id}/issue", data={"csrf_token": token})
    before = snapshot()
    again = client.post(f"/documents/{draft.id}/issue", data={"csrf_token": token},
                        follow_redirects=True)
    assert "đã được phát hành" in again.get_data(as_text=True)
    assert snapshot() == before
    assert db.session.scalar(text("SELECT count(*) FROM document WHERE number IS NOT NULL "
                                  "AND issuer_id = :o"), {"o": exchange.office.id}) == 2
    assert db.session.get(Document, draft.id).state == "issued"
