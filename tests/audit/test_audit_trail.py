from datetime import timedelta

from portal.audit import services as audit
from portal.clock import LOCAL_TZ, utcnow
from portal.extensions import db


def _admin(client, auth, make):
    admin = make.user(make.ministry(), role="admin")
    auth.login(admin.email)
    return admin


def test_admin_sees_sign_ins_and_failures_with_address(client, auth, make):
    auth.login("nobody@example.gov.vn", "x")
    admin = _admin(client, auth, make)
    page = client.get("/audit/").get_data(as_text=True)
    assert "auth.login_failed" in page and "nobody@example.gov.vn" in page
    assert admin.email in page and "127.0.0.1" in page


def test_filter_by_action_returns_an_htmx_fragment(client, auth, make):
    _admin(client, auth, make)
    make.organisation(name="Sở TN&MT tỉnh Lọc Nhật Ký")
    response = client.get("/audit/?action=organisation.created", headers={"HX-Request": "true"})
    fragment = response.get_data(as_text=True)
    assert not fragment.lstrip().startswith("<!doctype")
    assert "organisation.created" in fragment and "auth.login" not in fragment


def test_filter_by_user_and_organisation(client, auth, make):
    admin = _admin(client, auth, make)
    department = make.organisation()
    clerk = make.user(department, role="clerk")
    page = client.get(f"/audit/?organisation_id={department.id}").get_data(as_text=True)
    assert "user.created" in page and admin.email not in page.split('id="events"')[1]
    page = client.get(f"/audit/?actor={admin.email}").get_data(as_text=True)
    assert clerk.email not in page.split('id="events"')[1]


def test_date_filter_counts_vietnamese_days(client, auth, make):
    _admin(client, auth, make)
    event = audit.record("test.old")
    db.session.commit()
    event.occurred_at = utcnow() - timedelta(days=10)
    db.session.commit()
    day = (utcnow() - timedelta(days=10)).astimezone(LOCAL_TZ).date()
    inside = client.get(f"/audit/?date_from={day}&date_to={day}").get_data(as_text=True)
    outside = client.get(f"/audit/?date_to={day - timedelta(days=1)}").get_data(as_text=True)
    assert "test.old" in inside.split('id="events"')[1]
    assert "test.old" not in outside.split('id="events"')[1]


def test_keyset_pagination_walks_every_event_once(make):
    for n in range(7):
        audit.record("test.page", details={"n": n})
    db.session.commit()
    seen, before = [], None
    while True:
        page, before = audit.list_events(action="test.page", before_id=before, limit=3)
        seen += [e.details["n"] for e in page]
        if before is None:
            break
    assert seen == [6, 5, 4, 3, 2, 1, 0]


def test_bad_filter_values_answer_400_with_the_errors(client, auth, make):
    _admin(client, auth, make)
    response = client.get("/audit/?date_from=yesterday&organisation_id=abc&before=-4")
    assert response.status_code == 400
    assert 'class="errors"' in response.get_data(as_text=True)


def test_long_trail_pages_through_older_events(client, auth, make):
    _admin(client, auth, make)
    for n in range(audit.PAGE_SIZE + 5):
        audit.record("test.many", details={"n": n})
    db.session.commit()
    first = client.get("/audit/?action=test.many").get_data(as_text=True)
    assert "<dd>54</dd>" in first and "<dd>4</dd>" not in first
    older = first.split('class="button" href="')[1].split('"')[0].replace("&amp;", "&")
    second = client.get(older).get_data(as_text=True)
    assert "<dd>4</dd>" in second and "<dd>54</dd>" not in second
