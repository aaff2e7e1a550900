"""Recalling from the recipients who have not started is confirmed on a page that says to how
many, and only that page's form recalls."""

from markupsafe import escape
from sqlalchemy import func, select

from portal.deliveries.models import Delivery, Status
from portal.extensions import db
from tests.conftest import csrf_token_from


def _world(make):
    ministry = make.ministry()
    office = make.organisation(kind="ministry_unit", code="VP", name="Văn phòng Bộ",
                               parent=ministry)
    departments = [make.organisation() for _ in range(3)]
    clerk = make.user(office, "clerk")
    return clerk, departments, make.document(clerk, departments, due_working_days=3)


def _recall_requested():
    return db.session.scalar(select(func.count()).select_from(Delivery).where(
        Delivery.status == Status.RECALL_REQUESTED))


def test_the_tracking_page_leads_to_a_confirmation_naming_each_recipient(client, auth, make):
    clerk, departments, document = _world(make)
    auth.login(clerk.email)
    tracking = client.get(f"/documents/{document.id}").get_data(as_text=True)
    assert f'href="/documents/{document.id}/recall"' in tracking
    page = client.get(f"/documents/{document.id}/recall").get_data(as_text=True)
    assert "3 nơi nhận chưa xử lý" in page
    assert all(str(escape(d.name)) in page for d in departments)
    assert _recall_requested() == 0
    response = client.post(f"/documents/{document.id}/recall",
                           data={"csrf_token": csrf_token_from(page), "confirmed": "yes"})
    assert response.status_code == 302
    assert _recall_requested() == 3


def test_a_post_without_the_confirmation_recalls_nothing(client, auth, make):
    clerk, _departments, document = _world(make)
    auth.login(clerk.email)
    page = client.get(f"/documents/{document.id}").get_data(as_text=True)
    response = client.post(f"/documents/{document.id}/recall",
                           data={"csrf_token": csrf_token_from(page)})
    assert response.status_code == 302
    assert response.location.endswith(f"/documents/{document.id}/recall")
    assert _recall_requested() == 0
