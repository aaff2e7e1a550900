"""Số đến: acknowledging a delivery registers it under the organisation's next incoming
number for the year, without gap or duplicate, also when clerks acknowledge at once."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import select

from portal.auth.models import User
from portal.clock import local_today, utcnow
from portal.deliveries import services as deliveries
from portal.deliveries.models import Delivery, IncomingRegister
from portal.extensions import db
from portal.transaction import action


@pytest.fixture
def desk(make):
    """A ministry clerk's drafts, delivered (as rows) to a department with two clerks."""
    ministry = make.ministry()
    department = make.organisation()
    sender = make.user(ministry, "clerk")
    clerks = [make.user(department, "clerk"), make.user(department, "clerk")]
    return ministry, department, sender, clerks


def _delivered(make, sender, department, count: int) -> list[int]:
    """count documents delivered to the department (drafts given delivery rows: the step
    under test needs nothing of their PDFs)."""
    drafts = [make.document(sender, [department], subject=f"Văn bản {n}", issue=False).id
              for n in range(count)]
    with action():
        rows = [Delivery(document_id=document_id, recipient_id=department.id,
                         received_at=utcnow(), received_on=local_today())
                for document_id in drafts]
        db.session.add_all(rows)
        db.session.flush()
    return [row.id for row in rows]


def _acknowledge(delivery_id: int, clerk) -> None:
    with action():
        deliveries.acknowledge_delivery(db.session.get(Delivery, delivery_id), actor=clerk)


def test_each_acknowledgement_takes_the_next_number_and_a_refused_one_takes_none(make, desk):
    _ministry, department, sender, (clerk, _other) = desk
    first, second, third = _delivered(make, sender, department, 3)
    _acknowledge(second, clerk)
    _acknowledge(first, clerk)
    with pytest.raises(deliveries.DeliveryError):
        _acknowledge(first, clerk)  # already acknowledged: refused
    _acknowledge(third, clerk)
    db.session.expire_all()
    numbered = {d.id: (d.incoming_year, d.incoming_number)
                for d in db.session.scalars(select(Delivery))}
    year = local_today().year
    assert numbered == {second: (year, 1), first: (year, 2), third: (year, 3)}
    assert db.session.get(IncomingRegister, (department.id, year)).last_number == 3


def test_a_specialist_refused_the_step_takes_no_number(make, desk):
    _ministry, department, sender, (clerk, _other) = desk
    specialist = make.user(department, "specialist")
    (delivery_id,) = _delivered(make, sender, department, 1)
    with pytest.raises(deliveries.DeliveryError):
        _acknowledge(delivery_id, specialist)
    assert db.session.get(IncomingRegister, (department.id, local_today().year)) is None
    _acknowledge(delivery_id, clerk)
    db.session.expire_all()
    assert db.session.get(Delivery, delivery_id).incoming_number == 1


def test_clerks_acknowledging_at_once_get_every_number_once(app, make, desk):
    """Two clerks, each in its own connection and transaction, acknowledge 12 deliveries
    each at the same moment; and both try the same one."""
    _ministry, department, sender, clerks = desk
    ids = _delivered(make, sender, department, 24)
    shares = {clerks[0].id: ids[:12] + [ids[23]], clerks[1].id: ids[12:]}
    start = threading.Barrier(2)

    def acknowledge_all(clerk_id):
        refused = 0
        with app.app_context():
            clerk = db.session.get(User, clerk_id)
            start.wait()
            for delivery_id in shares[clerk_id]:
                try:
                    _acknowledge(delivery_id, clerk)
                except deliveries.DeliveryError:
                    refused += 1
            db.session.remove()
        return refused

    with ThreadPoolExecutor(max_workers=2) as pool:
        refused = sum(pool.map(acknowledge_all, shares))
    assert refused == 1  # the one both tried: once
    db.session.expire_all()
    numbers = sorted(db.session.scalars(select(Delivery.incoming_number).where(
        Delivery.recipient_id == department.id)))
    assert numbers == list(range(1, 25))


def test_the_number_is_on_the_delivery_page_in_the_inbox_and_in_the_api(client, auth, make,
                                                                        desk):
    _ministry, department, sender, (clerk, _other) = desk
    (delivery_id,) = _delivered(make, sender, department, 1)
    auth.login(clerk.email)
    response = client.get(f"/inbox/{delivery_id}")
    assert response.status_code == 200, response.status_code
    page = response.get_data(as_text=True)
    assert "Số đến" in page and "Được cấp khi tiếp nhận văn bản" in page
    _acknowledge(delivery_id, clerk)
    year = local_today().year
    assert f"{1}/{year}" in client.get(f"/inbox/{delivery_id}").get_data(as_text=True)
    assert "Số đến 1" in client.get("/inbox/?tab=all").get_data(as_text=True)
    _token, secret = make.token(clerk)
    body = client.get(f"/api/v1/deliveries/{delivery_id}",
                      headers={"Authorization": f"Bearer {secret}"}).get_json()
    assert (body["incoming_number"], body["incoming_year"]) == (1, year)
