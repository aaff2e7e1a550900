"""One table of steps (portal/deliveries/steps.py): the service, the page and the API agree."""

import re

from portal.deliveries import deadlines, inbox, services, steps
from portal.deliveries.models import Status
from portal.documents import services as documents
from portal.extensions import db
from portal.transaction import action
from tests.conftest import csrf_token_from


def _recall_refused(exchange):
    """The ministry asks for the document back while A has not acknowledged it; A keeps it."""
    with action():
        documents.recall_document(exchange.document, actor=exchange.ministry_clerk)
    db.session.refresh(exchange.delivery)
    with action():
        services.answer_recall(exchange.delivery, actor=exchange.a_clerk, agree=False)
    assert exchange.delivery.status == Status.RECALL_REFUSED
    return exchange.delivery


def _buttons(html: str) -> list[str]:
    section = html.split('class="card steps"', 1)[1].split("</section>", 1)[0]
    return [b.strip() for b in re.findall(r"<button[^>]*>([^<]+)</button>", section)]


def test_recall_refused_from_01_offers_acknowledge_and_pressing_it_works(client, auth,
                                                                        exchange):
    delivery = _recall_refused(exchange)
    auth.login(exchange.a_leader.email)
    page = client.get(f"/inbox/{delivery.id}").get_data(as_text=True)
    buttons = _buttons(page)
    assert "Tiếp nhận" in buttons
    assert "Phân công" not in buttons
    response = client.post(f"/inbox/{delivery.id}/acknowledge",
                           data={"csrf_token": csrf_token_from(page)})
    assert response.status_code == 302
    db.session.refresh(delivery)
    assert delivery.status == Status.ACKNOWLEDGED
    page = client.get(f"/inbox/{delivery.id}").get_data(as_text=True)
    assert "Phân công" in _buttons(page)
    assert "Tiếp nhận" not in _buttons(page)


def test_a_refused_recall_of_a_new_document_stays_in_the_new_tab(exchange):
    from portal.clock import local_today

    delivery = _recall_refused(exchange)
    today = local_today()
    soon = deadlines.due_soon_until(today)
    rows, _ = inbox.inbox_page(exchange.a.id, inbox.InboxQuery(tab="new"), today, soon)
    assert [d.id for d in rows] == [delivery.id]
    counts = inbox.tab_counts(exchange.a.id, inbox.InboxQuery(), today, soon)
    assert counts["new"] == 1 and counts["in_progress"] == 0


def test_the_api_lists_the_steps_the_page_offers(client, make, exchange):
    delivery = _recall_refused(exchange)
    _token, secret = make.token(exchange.a_leader)
    body = client.get(f"/api/v1/deliveries/{delivery.id}",
                      headers={"Authorization": f"Bearer {secret}"}).get_json()
    assert body["allowed_steps"] == ["acknowledge", "refuse"]
    assert body["allowed_steps"] == steps.allowed_steps(exchange.a_leader, delivery)


def test_every_step_the_table_allows_the_service_takes(exchange):
    """From each state, for each person: the table's answer is the service's."""
    delivery = _recall_refused(exchange)
    for person in (exchange.a_clerk, exchange.a_specialist, exchange.b_leader):
        assert "assign" not in steps.allowed_steps(person, delivery)
    assert steps.allowed_steps(exchange.a_clerk, delivery) == ["acknowledge", "refuse"]
    assert steps.allowed_steps(exchange.ministry_clerk, delivery) == ["request_recall"]
    with action():
        services.acknowledge_delivery(delivery, actor=exchange.a_clerk)
    assert steps.allowed_steps(exchange.a_leader, delivery) == ["assign", "reply"]
