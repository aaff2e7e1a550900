"""The audit trail in words: every action and detail key the code records has a Vietnamese
label; objects are named and linked where the viewer may open them, loaded in bulk."""

import re
from datetime import timedelta

import pytest

from portal.audit import services as audit
from portal.audit.labels import ACTION_LABELS, DETAIL_LABELS
from portal.calendar import services as calendar
from portal.calendar.models import OverrideKind
from portal.clock import local_today
from portal.deliveries import services as deliveries
from portal.extensions import db
from portal.transaction import action
from tests.audit.emitted import emitted_actions, emitted_detail_keys
from tests.deliveries.conftest import Exchange
from tests.queries import queries_of


def test_every_action_the_code_records_has_a_label_and_every_label_an_action(app):
    assert emitted_actions() == set(ACTION_LABELS)


def test_every_detail_key_the_code_records_has_a_label(app):
    assert emitted_detail_keys() <= set(DETAIL_LABELS)


def _text(html: str) -> str:
    """What a person reads: the page without its tags (attributes hold codes for machines)."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.fixture
def trail(make):
    """A document the ministry sent and one a department sent, a delivery acknowledged, a day
    off that moved deadlines."""
    exchange = Exchange(make, due_working_days=5)
    admin = make.user(exchange.ministry, "admin")
    from_department = make.document(exchange.a_clerk, [exchange.office],
                                    subject="Sở báo cáo Bộ")
    with action():
        deliveries.acknowledge_delivery(exchange.delivery, actor=exchange.a_clerk)
    day = local_today() + timedelta(days=1)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    with action():
        calendar.add_override(day=day, kind=OverrideKind.DAY_OFF, reason="Nghỉ bù", actor=admin)
    return exchange, admin, from_department


def test_the_trail_shows_labels_names_and_links_not_codes(client, auth, trail):
    exchange, admin, from_department = trail
    auth.login(admin.email)
    html = client.get("/audit/").get_data(as_text=True)
    text = _text(html)

    assert "Tính lại hạn xử lý" in text and "calendar.deadlines_recomputed" not in text
    assert "Tiếp nhận văn bản" in text and "Ban hành văn bản" in text
    assert "Organisation #" not in text and "Document #" not in text
    assert not re.search(r"\b(Organisation|Document|Delivery|User) #\d", text)
    document = exchange.document
    assert f'<a href="/documents/{document.id}">{document.notation}</a>' in html
    assert f'<a href="/organisations/{exchange.a.id}">{exchange.a.name}</a>' in html
    assert exchange.a_clerk.full_name in text
    # Vietnamese detail keys, not the English ones
    assert "Văn bản đến được tính lại hạn" in text and "Nguyên nhân" in text
    delivery = exchange.delivery
    assert f'<a href="/documents/{document.id}">{document.notation} → {exchange.a.name}</a>' in html
    assert f"{delivery.id};" not in text  # the recomputed deliveries are named, not numbered
    assert not re.search(r"\b(deliveries|cause|document_id|sha256|recipients):", text)


def test_a_document_the_viewer_may_not_open_is_named_without_a_link(client, auth, trail):
    _exchange, admin, from_department = trail
    auth.login(admin.email)
    html = client.get("/audit/?action=document.issued").get_data(as_text=True)
    assert from_department.notation in html
    assert f'href="/documents/{from_department.id}"' not in html


def test_a_page_of_events_takes_the_same_queries_however_many_rows(client, auth, make, trail):
    exchange, admin, _from_department = trail
    auth.login(admin.email)

    few = queries_of(client, "/audit/")
    for n in range(3):
        make.document(exchange.ministry_clerk, [exchange.a, exchange.b], subject=f"Thêm {n}")
    assert queries_of(client, "/audit/") == few


def test_a_long_list_of_objects_names_the_first_twenty_and_counts_the_rest(client, auth, make):
    admin = make.user(make.ministry(), "admin")
    audit.record("calendar.deadlines_recomputed", actor=admin,
                 details={"deliveries": list(range(1000, 1025)), "cause": "2026-12-02: Nghỉ"})
    db.session.commit()
    auth.login(admin.email)
    text = _text(client.get("/audit/?action=calendar.deadlines_recomputed").get_data(
        as_text=True))
    assert text.count("(không còn nữa)") == 20 and "và 5 mục khác" in text
