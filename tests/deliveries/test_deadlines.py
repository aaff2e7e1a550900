"""One deadline per delivery (portal/deliveries/deadlines.py), shown the same everywhere,
also after an administrator changes the calendar."""

import re
from datetime import timedelta

from portal.calendar.services import WorkingCalendar
from portal.deliveries import replies, services
from portal.extensions import db
from portal.jobs.runner import run_queued_here
from portal.transaction import action

DEADLINE = re.compile(r"hết ngày (\d\d/\d\d/\d{4})")


def _first_working_day_after(day):
    calendar = WorkingCalendar()
    day += timedelta(days=1)
    while calendar.non_working_reason(day):
        day += timedelta(days=1)
    return day


def _answer(exchange, delivery, clerk, leader):
    with action():
        services.acknowledge_delivery(delivery, actor=clerk)
    with action():
        replies.answer_delivery(delivery, actor=leader, body="Báo cáo đúng hạn.")
    run_queued_here()


def _add_day_off(client, auth, make, exchange, day):
    admin = make.user(exchange.ministry, "admin")
    auth.login(admin.email)
    response = client.post("/calendar/", data={
        "day": day.isoformat(), "kind": "day_off", "reason": "Quyết định nghỉ bù",
        "csrf_token": auth.csrf_token("/calendar/")})
    assert response.status_code == 302
    auth.logout()
    db.session.expire_all()


def _dates_on(client, url):
    return DEADLINE.findall(client.get(url).get_data(as_text=True))


def test_after_a_day_off_the_delivery_page_shows_one_deadline(client, auth, make, exchange):
    """A replied delivery keeps the deadline it was answered against; an open one moves;
    each page shows its one date in the header and in the explanation."""
    replied, still_open = exchange.delivery, make.delivery(exchange.document, exchange.b)
    b_clerk = make.user(exchange.b, "clerk")
    _answer(exchange, replied, exchange.a_clerk, exchange.a_leader)
    kept, before = replied.due_on, still_open.due_on
    _add_day_off(client, auth, make, exchange, _first_working_day_after(replied.received_on))
    assert replied.due_on == kept and still_open.due_on > before

    auth.login(exchange.a_clerk.email)
    dates = _dates_on(client, f"/inbox/{replied.id}")
    assert len(dates) >= 2 and set(dates) == {kept.strftime("%d/%m/%Y")}
    page = client.get(f"/inbox/{replied.id}").get_data(as_text=True)
    assert "lịch như lúc đặt hạn" in page  # the period counts differently now, and it says so
    auth.logout()
    auth.login(b_clerk.email)
    dates = _dates_on(client, f"/inbox/{still_open.id}")
    assert len(dates) >= 2 and set(dates) == {still_open.due_on.strftime("%d/%m/%Y")}


def test_inbox_tracking_and_api_show_the_same_deadline(client, auth, make, exchange):
    still_open = make.delivery(exchange.document, exchange.b)
    _add_day_off(client, auth, make, exchange, _first_working_day_after(still_open.received_on))
    shown = still_open.due_on.strftime("%d/%m/%Y")
    b_clerk = make.user(exchange.b, "clerk")
    auth.login(b_clerk.email)
    inbox = client.get("/inbox/?tab=new").get_data(as_text=True)
    row = inbox.split(f'data-delivery="{still_open.id}"', 1)[1].split("</tr>", 1)[0]
    assert shown in row
    auth.logout()
    auth.login(exchange.ministry_clerk.email)
    tracking = client.get(f"/documents/{exchange.document.id}").get_data(as_text=True)
    row = tracking.split(f'data-recipient="{exchange.b.code}"', 1)[1].split("</tr>", 1)[0]
    assert shown in row
    _token, secret = make.token(b_clerk)
    body = client.get(f"/api/v1/deliveries/{still_open.id}",
                      headers={"Authorization": f"Bearer {secret}"}).get_json()
    assert body["due_on"] == still_open.due_on.isoformat()


def test_the_explanation_explains_the_kept_date(app, make, exchange):
    from portal.deliveries import deadlines

    result = deadlines.explanation(exchange.delivery)
    assert result.due_on == exchange.delivery.due_on
    assert not result.counted_then
    days = (result.due_on - result.start).days
    assert days - len(result.skipped) == exchange.delivery.due_working_days
