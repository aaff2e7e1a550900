"""Working-day deadlines: the Civil Code's count over Vietnam's calendar and the overrides."""

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from portal.audit.models import AuditEvent
from portal.calendar import services
from portal.deliveries.models import DeliveryEvent
from portal.extensions import db
from portal.transaction import action


def test_the_day_of_receipt_is_not_counted(app):
    # Monday 2026-03-09 + 1 working day: Tuesday.
    assert services.due_date(date(2026, 3, 9), 1).due_on == date(2026, 3, 10)


def test_weekend_is_skipped_with_its_reason(app):
    result = services.due_date(date(2026, 3, 13), 1)  # a Friday
    assert result.due_on == date(2026, 3, 16)
    assert [(s.day, s.reason) for s in result.skipped] == [
        (date(2026, 3, 14), "Thứ Bảy"), (date(2026, 3, 15), "Chủ Nhật")]


def test_tet_2026_days_off_are_skipped_and_named(app):
    # Friday before Tết: the weekend, the five Tết days off, the next weekend are skipped.
    result = services.due_date(date(2026, 2, 13), 3)
    assert result.due_on == date(2026, 2, 25)
    skipped = {s.day: s.reason for s in result.skipped}
    assert sorted(skipped) == [date(2026, 2, d) for d in (14, 15, 16, 17, 18, 19, 20, 21, 22)]
    assert "Tết" in skipped[date(2026, 2, 17)]


def test_a_worked_saturday_counts(app):
    # 22/08/2026 is worked in exchange for Monday 31/08 (decided by the government).
    result = services.due_date(date(2026, 8, 20), 2)
    assert result.due_on == date(2026, 8, 22)
    assert result.skipped == []
    around = services.due_date(date(2026, 8, 28), 1)
    assert around.due_on == date(2026, 9, 3)  # 29–30 weekend, 31 off, 1–2 National Day
    assert len(around.skipped) == 5


def test_year_end_crosses_new_year(app):
    result = services.due_date(date(2026, 12, 30), 3)
    assert result.due_on == date(2027, 1, 5)
    assert [s.day for s in result.skipped] == [date(2027, 1, 1), date(2027, 1, 2),
                                               date(2027, 1, 3)]


def test_english_reasons_when_asked(app):
    result = services.due_date(date(2026, 2, 13), 3, language="en")
    assert "Lunar New Year" in {s.reason for s in result.skipped}


@pytest.mark.parametrize("days", [0, -1, 366])
def test_bad_counts_are_refused(app, days):
    with pytest.raises(services.CalendarError):
        services.due_date(date(2026, 3, 9), days)


def test_an_added_day_off_is_skipped_and_a_worked_day_counts(app, make):
    admin = make.user(make.ministry(), "admin")
    with action():
        services.add_override(day=date(2026, 3, 10), kind="day_off", reason="QĐ 1/2026",
                              actor=admin)
    with action():
        services.add_override(day=date(2026, 3, 14), kind="working_day", reason="QĐ 2/2026",
                              actor=admin)
    result = services.due_date(date(2026, 3, 9), 4)
    # 10 off, 11, 12, 13, Saturday 14 worked.
    assert result.due_on == date(2026, 3, 14)
    assert [(s.day, s.reason) for s in result.skipped] == [(date(2026, 3, 10), "QĐ 1/2026")]


def test_override_needs_a_reason_and_a_free_day(app, make):
    admin = make.user(make.ministry(), "admin")
    with pytest.raises(services.CalendarError), action():
        services.add_override(day=date(2026, 3, 10), kind="day_off", reason="  ", actor=admin)
    with action():
        services.add_override(day=date(2026, 3, 10), kind="day_off", reason="QĐ", actor=admin)
    with pytest.raises(services.CalendarError), action():
        services.add_override(day=date(2026, 3, 10), kind="working_day", reason="QĐ",
                              actor=admin)


def test_override_recomputes_open_working_day_deadlines(app, make):
    from portal.clock import local_today

    ministry = make.ministry()
    admin = make.user(ministry, "admin")
    clerk = make.user(ministry, "clerk")
    department = make.organisation()
    in_days = make.delivery(make.document(clerk, [department], due_working_days=3), department)
    fixed_on = local_today() + timedelta(days=400)  # a reply deadline lies within two years
    fixed = make.delivery(make.document(clerk, [department], due_on=fixed_on), department)
    before = in_days.due_on
    # A day off on the first counted working day pushes the deadline by one working day.
    first_working = services.due_date(local_today(), 1).due_on
    with action():
        services.add_override(day=first_working, kind="day_off", reason="Nghỉ bù", actor=admin)
    db.session.refresh(in_days)
    db.session.refresh(fixed)
    assert in_days.due_on == services.due_date(local_today(), 3).due_on
    assert in_days.due_on > before
    assert fixed.due_on == fixed_on
    event = db.session.scalar(select(DeliveryEvent).where(
        DeliveryEvent.delivery_id == in_days.id, DeliveryEvent.action == "deadline_changed"))
    assert event is not None and "Nghỉ bù" in event.note
    recomputed = db.session.scalar(select(AuditEvent).where(
        AuditEvent.action == "calendar.deadlines_recomputed"))
    assert recomputed.details["deliveries"] == [in_days.id]


def test_api_due_date_needs_no_sign_in(client):
    body = client.get("/api/v1/calendar/due-date?start=2026-02-13&working_days=3").get_json()
    assert body["due_on"] == "2026-02-25"
    assert {"date": "2026-02-17", "reason": body["skipped"][3]["reason"]} in body["skipped"]
    assert len(body["skipped"]) == 9


@pytest.mark.parametrize("query", ["", "start=2026-02-13", "start=13/02/2026&working_days=3",
                                   "start=2026-02-13&working_days=x",
                                   "start=2026-02-13&working_days=0"])
def test_api_due_date_bad_parameters_answer_400_with_a_message(client, query):
    response = client.get(f"/api/v1/calendar/due-date?{query}")
    assert response.status_code == 400
    assert response.get_json()["error"]["message"]


def test_admin_adds_an_override_in_the_ui_and_it_is_audited(client, auth, make):
    admin = make.user(make.ministry(), "admin")
    auth.login(admin.email)
    token = auth.csrf_token("/calendar/")
    response = client.post("/calendar/", data={"day": "2026-03-10", "kind": "day_off",
                                               "reason": "Quyết định 99", "csrf_token": token})
    assert response.status_code == 302
    page = client.get("/calendar/").get_data(as_text=True)
    assert "Quyết định 99" in page
    event = db.session.scalar(select(AuditEvent).where(
        AuditEvent.action == "calendar.override_added"))
    assert event.actor_id == admin.id and event.details["day"] == "2026-03-10"


def test_compose_form_explains_the_deadline(client, auth, make):
    clerk = make.user(make.ministry(), "clerk")
    auth.login(clerk.email)
    html = client.get("/calendar/explain?due_working_days=3&start=2026-02-13",
                      headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "25/02/2026" in html
    assert "17/02/2026" in html


def test_delivery_page_explains_its_deadline(client, auth, make):
    ministry = make.ministry()
    clerk = make.user(ministry, "clerk")
    department = make.organisation()
    delivery = make.delivery(make.document(clerk, [department], due_working_days=3), department)
    auth.login(make.user(department, "clerk").email)
    html = client.get(f"/inbox/{delivery.id}").get_data(as_text=True)
    assert "deadline-explanation" in html
    assert delivery.due_on.strftime("%d/%m/%Y") in html
