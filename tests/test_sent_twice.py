"""A form or an API call sent twice acts once, and the second gets the first's answer."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from portal.deliveries import services as deliveries
from portal.documents.models import Document
from portal.extensions import db
from portal.transaction import action
from tests.conftest import AuthActions
from tests.deliveries.conftest import Exchange


def _documents_of(organisation) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count(Document.id)).where(
        Document.issuer_id == organisation.id, Document.reply_to_id.is_(None)))


def _composed(auth, recipient) -> dict:
    return {**auth.hidden_fields("/documents/new"), "doc_type": "cong_van",
            "subject": "V/v báo cáo tình hình quý IV", "body": "Đề nghị Sở báo cáo.",
            "urgency": "normal", "confidentiality": "none", "deadline_kind": "none",
            "recipients": str(recipient.id), "action": "issue"}


def test_the_compose_form_sent_twice_issues_one_document(client, auth, make):
    exchange = Exchange(make)
    auth.login(exchange.ministry_clerk.email)
    before = _documents_of(exchange.office)
    form = _composed(auth, exchange.a)
    first = client.post("/documents/new", data=form)
    second = client.post("/documents/new", data=form, follow_redirects=True)  # back, send again
    assert first.status_code == 302 and second.status_code == 200
    assert second.request.path == first.location  # the same document's page
    assert "đã được gửi" in second.get_data(as_text=True)
    assert _documents_of(exchange.office) == before + 1


def test_the_compose_form_sent_twice_at_the_same_moment_issues_one_document(app, make):
    exchange = Exchange(make)
    clients = [app.test_client(), app.test_client()]
    for client in clients:
        AuthActions(client).login(exchange.ministry_clerk.email)
    form = _composed(AuthActions(clients[0]), exchange.a)
    form_again = {**form, "csrf_token": AuthActions(clients[1]).csrf_token("/documents/new")}
    before = _documents_of(exchange.office)
    start = threading.Barrier(2)

    def send(pair):
        client, data = pair
        start.wait()
        return client.post("/documents/new", data=data)

    with ThreadPoolExecutor(max_workers=2) as pool:
        answers = list(pool.map(send, [(clients[0], form), (clients[1], form_again)]))
    assert [a.status_code for a in answers] == [302, 302]
    assert answers[0].location == answers[1].location
    assert _documents_of(exchange.office) == before + 1


def test_a_refused_form_keeps_no_key_so_it_can_be_sent_again(client, auth, make):
    exchange = Exchange(make)
    auth.login(exchange.ministry_clerk.email)
    form = {**_composed(auth, exchange.a), "subject": "\u200b"}  # shows nothing: refused
    assert client.post("/documents/new", data=form).status_code == 400
    fixed = client.post("/documents/new", data={**form, "subject": "V/v báo cáo"})
    assert fixed.status_code == 302 and _documents_of(exchange.office) == 2


@pytest.fixture
def clerk_api(make, client):
    exchange = Exchange(make)
    _token, secret = make.token(exchange.ministry_clerk)

    def post(path, json, key=None):
        headers = {"Authorization": f"Bearer {secret}"}
        if key is not None:
            headers["Idempotency-Key"] = key
        return client.post(path, json=json, headers=headers)
    return exchange, post


def test_the_api_issues_once_per_idempotency_key(clerk_api):
    exchange, post = clerk_api
    body = {"type": "cong_van", "subject": "V/v báo cáo", "recipients": [exchange.a.code]}
    first = post("/api/v1/documents", body, key="issue-2026-12-01-0001")
    again = post("/api/v1/documents", body, key="issue-2026-12-01-0001")
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.get_json() == first.get_json()
    assert again.headers["Location"] == first.headers["Location"]
    assert again.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    assert _documents_of(exchange.office) == 2  # the exchange's own, and this one
    other = post("/api/v1/documents", {**body, "subject": "V/v khác"},
                 key="issue-2026-12-01-0001")
    assert other.status_code == 422 and _documents_of(exchange.office) == 2
    assert post("/api/v1/documents", body, key="x").status_code == 400
    assert post("/api/v1/documents", body).status_code == 201  # no key: acts each time
    assert _documents_of(exchange.office) == 3


def test_a_reply_sent_again_with_its_key_replies_once(make, client):
    exchange = Exchange(make)
    with action():
        deliveries.acknowledge_delivery(exchange.delivery, actor=exchange.a_clerk)
    _token, secret = make.token(exchange.a_leader)
    headers = {"Authorization": f"Bearer {secret}", "Idempotency-Key": "reply-0000001"}
    url = f"/api/v1/deliveries/{exchange.delivery.id}/reply"
    first = client.post(url, json={"body": "Sở đã thực hiện."}, headers=headers)
    again = client.post(url, json={"body": "Sở đã thực hiện."}, headers=headers)
    assert (first.status_code, again.status_code) == (200, 200)
    assert again.get_json() == first.get_json() and again.headers["Idempotent-Replayed"]
    replies = db.session.scalar(select(func.count(Document.id)).where(
        Document.reply_to_id == exchange.delivery.id))
    assert replies == 1


def test_the_same_form_sent_back_with_other_values_changes_nothing(client, auth, make):
    """Saved as a draft, then (back button) changed and sent to be issued with the same
    key: the second sending is not a new document, and says so."""
    exchange = Exchange(make)
    auth.login(exchange.ministry_clerk.email)
    form = {**_composed(auth, exchange.a), "action": "save"}
    saved = client.post("/documents/new", data=form)
    again = client.post("/documents/new", data={**form, "action": "issue",
                                                "subject": "V/v khác hẳn"},
                        follow_redirects=True)
    assert again.request.path == saved.location  # the draft the first sending made
    assert "không thay đổi gì" in again.get_data(as_text=True)
    assert _documents_of(exchange.office) == 2
    draft = db.session.scalar(select(Document).order_by(Document.id.desc()).limit(1))
    assert (draft.state, draft.subject) == ("draft", "V/v báo cáo tình hình quý IV")
