"""Malformed input answers 4xx with a message and stores nothing (issue 15, §3 and §5).

Each case here answered 500 before: NUL bytes that PostgreSQL refuses to store, ids beyond
its integer range, dates at the ends of the calendar; and an invisible subject or a reply
deadline in the year 9999 were accepted.
"""

import io
import re
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from portal.audit.models import AuditEvent
from portal.auth.services import issue_token
from portal.clock import local_today
from portal.documents.models import Document, DocumentAttachment
from portal.extensions import db
from portal.jobs.services import first_job_of
from portal.storage.models import StoredFile
from portal.transaction import action
from tests.deliveries.conftest import Exchange
from tests.pdfs import blank_pdf

INT32_OVERFLOW = "2147483648"
INT64_OVERFLOW = "9223372036854775808"


class People:
    """The organisations and people of tests.deliveries.conftest.Exchange, without its
    document (issuing one costs a render): most cases here need nobody's mail."""

    def __init__(self, make):
        self.ministry = make.ministry()
        self.office = make.organisation(kind="ministry_unit", code="VP", name="Văn phòng Bộ",
                                        parent=self.ministry)
        self.a = make.organisation(code="DA", name="Sở Tài nguyên và Môi trường An Giang")
        self.b = make.organisation(code="DB", name="Sở Tài nguyên và Môi trường Bạc Liêu")
        self.ministry_clerk = make.user(self.office, "clerk")
        self.a_clerk = make.user(self.a, "clerk")
        self.a_leader = make.user(self.a, "leader")


@pytest.fixture
def people(make):
    return People(make)


@pytest.fixture
def exchange(make):
    """The people, and a document issued by the ministry and delivered to department A."""
    return Exchange(make)


def _bearer(user):
    with action():
        _token, secret = issue_token(user, "bad input")
    return {"Authorization": f"Bearer {secret}"}


def _count(model) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


def _compose(client, auth, **fields):
    data = {"doc_type": "cong_van", "subject": "Về việc báo cáo", "body": "Đề nghị báo cáo.",
            "urgency": "normal", "confidentiality": "none", "deadline_kind": "none",
            "all_departments": "y", **auth.hidden_fields("/documents/new"), **fields}
    return client.post("/documents/new", data=data)


# NUL bytes, anywhere in text.

@pytest.mark.parametrize("field", ["subject", "body"])
def test_nul_in_the_compose_form_is_refused_and_nothing_stored(client, auth, people, field):
    auth.login(people.ministry_clerk.email)
    before = _count(Document)
    response = _compose(client, auth, **{field: "a\x00b"}, action="issue")
    assert response.status_code == 400
    assert "NUL" in response.get_data(as_text=True)
    assert _count(Document) == before


def test_nul_in_an_attachment_name_is_refused_and_nothing_stored(client, auth, people, make):
    draft = make.document(people.ministry_clerk, [people.a], issue=False)
    auth.login(people.ministry_clerk.email)
    files_before = _count(StoredFile)
    response = client.post(f"/documents/{draft.id}/attachments", data={
        "file": (io.BytesIO(blank_pdf()), "a\x00.pdf"),
        "csrf_token": auth.csrf_token(f"/documents/{draft.id}/edit")})
    assert response.status_code == 400
    assert _count(DocumentAttachment) == 0 and _count(StoredFile) == files_before


def test_nul_in_a_query_string_is_refused(client, auth, people):
    auth.login(people.a_clerk.email)
    response = client.get("/inbox/?q=a%00b")
    assert response.status_code == 400
    assert "NUL" in response.get_data(as_text=True)


def test_nul_to_an_htmx_request_is_a_message_the_page_shows(client, auth, people):
    auth.login(people.a_clerk.email)
    response = client.get("/inbox/?q=a%00b", headers={"HX-Request": "true"})
    assert response.status_code == 400 and response.headers["HX-Reswap"] == "none"
    assert "NUL" in response.get_data(as_text=True) and "<html" not in response.get_data(
        as_text=True)


@pytest.mark.parametrize("payload", [
    {"type": "cong_van", "subject": "x", "recipients": ["DA\u0000"]},
    {"type": "cong_van", "subject": "a\u0000b", "recipients": ["DA"]},
    {"type": "cong_van", "subject": "x", "recipients": ["DA"], "body": {"k\u0000": 1}},
])
def test_nul_in_the_api_is_refused_with_json_and_nothing_stored(client, people, payload):
    before = _count(Document)
    response = client.post("/api/v1/documents", headers=_bearer(people.ministry_clerk),
                           json=payload)
    assert response.status_code == 400
    assert "NUL" in response.get_json()["error"]["message"]
    assert _count(Document) == before


def test_an_unpaired_surrogate_in_json_is_refused(client, people):
    response = client.post("/api/v1/documents", headers={
        **_bearer(people.ministry_clerk), "Content-Type": "application/json"},
        data='{"type": "cong_van", "subject": "a\\ud800", "recipients": ["DA"]}')
    assert response.status_code == 400
    assert _count(Document) == 0


def _upload_named(client, url, csrf_token, encoded_name: str):
    """A multipart upload whose file name is sent as RFC 2231 allows (filename*=UTF-8''…),
    which is how a line break or NUL reaches the portal's parser."""
    body = (f'--B\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n{csrf_token}\r\n'
            f"--B\r\nContent-Disposition: form-data; name=\"file\"; filename*=UTF-8''"
            f"{encoded_name}\r\nContent-Type: application/pdf\r\n\r\n").encode() \
        + blank_pdf() + b"\r\n--B--\r\n"
    return client.post(url, data=body, content_type="multipart/form-data; boundary=B")


@pytest.mark.parametrize("encoded_name", ["a%0Ab.pdf", "a%1B%5B31m.pdf", "a%00.pdf"])
def test_control_characters_in_an_attachment_name_are_refused(client, auth, people, make,
                                                              encoded_name):
    draft = make.document(people.ministry_clerk, [people.a], issue=False)
    auth.login(people.ministry_clerk.email)
    response = _upload_named(client, f"/documents/{draft.id}/attachments",
                             auth.csrf_token(f"/documents/{draft.id}/edit"), encoded_name)
    assert response.status_code == 400
    assert _count(DocumentAttachment) == 0


def test_a_file_sent_for_a_text_field_is_no_value_of_it(client, auth, people):
    auth.login(people.ministry_clerk.email)
    response = _compose(client, auth, subject=(io.BytesIO(b"x"), "subject.pdf"),
                        due_working_days=(io.BytesIO(b"3"), "n.txt"))
    assert response.status_code == 400
    assert _count(Document) == 0


def test_nul_in_a_header_the_portal_stores_is_refused(client, people):
    response = client.post("/login", headers={"User-Agent": "curl\x00"},
                           data={"email": people.a_clerk.email, "password": "x"})
    assert response.status_code == 400


# Ids beyond the database's integer range are no such page.

@pytest.mark.parametrize("path", [
    f"/documents/{INT32_OVERFLOW}", f"/inbox/{INT64_OVERFLOW}", "/jobs/1099511627776",
    f"/organisations/{INT32_OVERFLOW}", f"/documents/open-for/{INT32_OVERFLOW}",
    f"/oversight/departments/{INT32_OVERFLOW}", f"/documents/{INT64_OVERFLOW}0/edit",
    "/documents/0", f"/inbox/{INT32_OVERFLOW}/acknowledge",
])
def test_ids_beyond_the_integer_range_answer_404(client, auth, people, make, path):
    admin = make.user(people.ministry, "admin")
    auth.login(admin.email)
    if path.endswith("acknowledge"):
        response = client.post(path, data={"csrf_token": auth.csrf_token("/account")})
    else:
        response = client.get(path)
    assert response.status_code == 404


@pytest.mark.parametrize("method, path", [
    ("GET", f"/api/v1/documents/{INT32_OVERFLOW}"),
    ("GET", f"/api/v1/deliveries/{INT64_OVERFLOW}"),
    ("POST", f"/api/v1/deliveries/{INT32_OVERFLOW}/acknowledge"),
    ("POST", f"/api/v1/deliveries/{INT64_OVERFLOW}/reply"),
])
def test_api_ids_beyond_the_integer_range_answer_json_404(client, people, method, path):
    response = client.open(path, method=method, headers=_bearer(people.a_leader),
                           json={"body": "x"} if method == "POST" else None)
    assert response.status_code == 404
    assert response.get_json()["error"]["status"] == 404


@pytest.mark.parametrize("value", [INT64_OVERFLOW, INT32_OVERFLOW, "-1", "0", "1e3", "x"])
def test_api_inbox_sender_beyond_the_integer_range_is_a_bad_parameter(client, people, value):
    response = client.get(f"/api/v1/inbox?sender_id={value}", headers=_bearer(people.a_clerk))
    assert response.status_code == 400
    assert "sender_id" in response.get_json()["error"]["message"]


def test_audit_before_beyond_the_integer_range_is_a_bad_filter(client, auth, people, make):
    auth.login(make.user(people.ministry, "admin").email)
    response = client.get(f"/audit/?before={INT64_OVERFLOW}")
    assert response.status_code == 400
    assert 'class="errors"' in response.get_data(as_text=True)


def test_an_id_of_five_thousand_digits_is_no_such_page(client, auth, people):
    auth.login(people.a_clerk.email)
    assert client.get("/inbox/" + "9" * 5000).status_code == 404


@pytest.mark.parametrize("cursor", ["2026-01-01T00:00:00~99999999999999999999",
                                    "0001-01-01T00:00:00~-1", "9999-12-31~0"])
def test_api_inbox_cursor_beyond_the_bounds_is_a_bad_parameter(client, people, cursor):
    response = client.get("/api/v1/inbox", query_string={"after": cursor},
                          headers=_bearer(people.a_clerk))
    assert response.status_code == 400


def test_leaderboard_page_numbers_beyond_the_bounds_are_the_first_page(client, auth, people,
                                                                      make):
    auth.login(make.user(people.ministry, "reviewer").email)
    response = client.get(f"/oversight/departments/{people.a.id}",
                          query_string={"sent_page": INT64_OVERFLOW * 2, "received_page": "-3"})
    assert response.status_code == 200


def test_a_job_id_in_range_still_works(client, auth, exchange):
    auth.login(exchange.ministry_clerk.email)
    assert client.get(f"/jobs/{first_job_of(exchange.document).id}").status_code == 200


def test_names_url_for_reads_itself_are_not_carried_to_the_next_page(client, auth, exchange,
                                                                     make, monkeypatch):
    from portal.deliveries import inbox

    make.document(exchange.ministry_clerk, [exchange.a])
    monkeypatch.setattr(inbox.inbox_page, "__defaults__", (1,))  # one delivery a page
    auth.login(exchange.a_clerk.email)
    response = client.get("/inbox/", query_string={
        "tab": "all", "endpoint": "x", "_scheme": "javascript", "_anchor": "a", "values": "v"})
    assert response.status_code == 200
    next_page = re.search(r'href="([^"]+)"[^>]*rel="next"', response.get_data(as_text=True))
    assert next_page and "tab=all" in next_page.group(1)
    assert not {"endpoint", "_scheme", "_anchor", "values", "#"} & set(
        re.split(r"[?&=]", next_page.group(1).replace("#", "&#")))


def test_the_audit_trails_older_page_carries_only_its_filters(client, auth, people, make):
    from portal.audit import services as audit

    auth.login(make.user(people.ministry, "admin").email)
    for n in range(audit.PAGE_SIZE + 1):
        audit.record("test.many", details={"n": n})
    db.session.commit()
    response = client.get("/audit/", query_string={"action": "test.many", "endpoint": "x",
                                                   "_external": "1", "_scheme": "javascript"})
    assert response.status_code == 200
    older = re.search(r'class="button" href="([^"]+)"', response.get_data(as_text=True))
    assert older and "action=test.many" in older.group(1)
    assert "javascript" not in older.group(1) and not older.group(1).startswith("http")


# Dates at the ends of the calendar.

def test_inbox_dates_at_the_calendars_ends_are_a_bad_filter(client, auth, people):
    auth.login(people.a_clerk.email)
    response = client.get("/inbox/?date_from=0001-01-01&date_to=9999-12-31")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert 'class="errors"' in page and "2100" in page


def test_inbox_dates_inside_the_bounds_still_filter(client, auth, exchange):
    auth.login(exchange.a_clerk.email)
    response = client.get("/inbox/?tab=all&date_from=1900-01-01&date_to=2100-12-31")
    assert response.status_code == 200
    assert exchange.document.notation in response.get_data(as_text=True)


@pytest.mark.parametrize("query", [
    "start=9999-12-30&working_days=365", "start=0001-01-01&working_days=1",
    "start=2026-01-05&working_days=99999999999999999999",
])
def test_calendar_api_refuses_dates_beyond_its_bounds(client, query):
    response = client.get(f"/api/v1/calendar/due-date?{query}")
    assert response.status_code == 400
    assert response.get_json()["error"]["message"]


def test_audit_dates_beyond_the_bounds_are_a_bad_filter(client, auth, people, make):
    auth.login(make.user(people.ministry, "admin").email)
    assert client.get("/audit/?date_from=0001-01-01&date_to=9999-12-31").status_code == 400


@pytest.mark.parametrize("query", ["from=0001-01-01&to=2026-01-31",
                                   "from=2026-01-01&to=9999-12-31"])
def test_leaderboard_period_beyond_the_bounds_is_refused(client, query):
    assert client.get(f"/leaderboard.csv?{query}").status_code == 400
    page = client.get(f"/leaderboard?{query}")
    assert page.status_code == 200 and "2100" in page.get_data(as_text=True)


# §5: an invisible subject, a deadline in the year 9999.

INVISIBLE_SUBJECTS = ["\u200b\u200b\u200b", "\u200b \u2060\ufeff", "\u202e\u200d", "\u3164"]


@pytest.mark.parametrize("subject", INVISIBLE_SUBJECTS)
def test_an_invisible_subject_is_refused_as_empty_in_the_form(client, auth, people, subject):
    auth.login(people.ministry_clerk.email)
    before = _count(Document)
    response = _compose(client, auth, subject=subject)
    assert response.status_code == 400
    assert _count(Document) == before


@pytest.mark.parametrize("subject", INVISIBLE_SUBJECTS)
def test_an_invisible_subject_is_refused_as_empty_in_the_api(client, people, subject):
    before = _count(Document)
    response = client.post("/api/v1/documents", headers=_bearer(people.ministry_clerk),
                           json={"type": "cong_van", "subject": subject, "recipients": ["DA"]})
    assert response.status_code in (400, 422)
    assert "subject" in response.get_json()["error"]["message"].lower()
    assert _count(Document) == before


def test_the_service_refuses_an_invisible_subject(people):
    from portal.documents import services as documents

    fields = documents.DraftFields(doc_type="cong_van", subject="\u200b\u2060",
                                   recipient_ids=(people.a.id,))
    with pytest.raises(documents.DocumentError), action():
        documents.save_draft(fields, actor=people.ministry_clerk)


def test_invisible_and_control_characters_are_taken_out_of_a_subject(client, auth, people):
    auth.login(people.ministry_clerk.email)
    response = _compose(client, auth, subject="Về\u200b việc\u202e báo\x07 cáo\u00ad")
    assert response.status_code == 302
    document = db.session.scalar(select(Document).order_by(Document.id.desc()))
    assert document.subject == "Về việc báo cáo"


def test_line_breaks_stay_in_the_body_and_controls_go(client, auth, people):
    auth.login(people.ministry_clerk.email)
    assert _compose(client, auth, body="Dòng 1\r\n\tDòng\x1b 2\x0bDòng 3").status_code == 302
    document = db.session.scalar(select(Document).order_by(Document.id.desc()))
    assert document.body == "Dòng 1\r\n\tDòng 2\nDòng 3"


def _two_years_on() -> date:
    today = local_today()
    return today.replace(year=today.year + 2) if (today.month, today.day) != (2, 29) \
        else date(today.year + 2, 3, 1)


@pytest.mark.parametrize("due_on", ["9999-12-31", "2101-01-01"])
def test_a_deadline_beyond_the_calendar_is_a_form_error(client, auth, people, due_on):
    auth.login(people.ministry_clerk.email)
    before = _count(Document)
    response = _compose(client, auth, deadline_kind="date", due_on=due_on)
    assert response.status_code == 400 and 'class="errors"' in response.get_data(as_text=True)
    assert _count(Document) == before


def test_a_deadline_more_than_two_years_ahead_is_refused(client, auth, people):
    auth.login(people.ministry_clerk.email)
    late = (_two_years_on() + timedelta(days=1)).isoformat()
    response = _compose(client, auth, deadline_kind="date", due_on=late)
    assert response.status_code == 400
    assert _count(Document) == 0
    assert _compose(client, auth, deadline_kind="date",
                    due_on=_two_years_on().isoformat()).status_code == 302


@pytest.mark.parametrize("due_on", ["9999-12-31", "0001-01-01", "far"])
def test_a_far_deadline_in_the_api_is_refused(client, people, due_on):
    before = _count(Document)
    response = client.post("/api/v1/documents", headers=_bearer(people.ministry_clerk),
                           json={"type": "cong_van", "subject": "x", "recipients": ["DA"],
                                 "due_on": due_on})
    assert response.status_code in (400, 422)
    assert response.get_json()["error"]["message"]
    assert _count(Document) == before


def test_a_deadline_more_than_two_years_ahead_is_422_in_the_api(client, people):
    late = (_two_years_on() + timedelta(days=1)).isoformat()
    response = client.post("/api/v1/documents", headers=_bearer(people.ministry_clerk),
                           json={"type": "cong_van", "subject": "x", "recipients": ["DA"],
                                 "due_on": late})
    assert response.status_code == 422
    assert _two_years_on().strftime("%d/%m/%Y") in response.get_json()["error"]["message"]


# An error page after a database error is still the portal's page.

def test_error_page_after_a_database_error_is_the_portals_page(app_config, make):
    from portal import create_app
    from portal.organisations.models import Organisation

    people = People(make)
    production = create_app({**app_config, "TESTING": False})

    @production.get("/broken")
    def broken():
        from flask_login import current_user

        assert current_user.is_authenticated
        db.session.add(Organisation(code=people.a.code, name="twin", kind="department"))
        db.session.flush()  # a unique code: IntegrityError, the transaction left broken

    client = production.test_client()
    page = client.get("/login").get_data(as_text=True)
    from tests.conftest import csrf_token_from

    client.post("/login", data={"email": people.a_clerk.email, "password": make.PASSWORD,
                                "csrf_token": csrf_token_from(page)})
    response = client.get("/broken")
    assert response.status_code == 500
    assert people.a.name in response.get_data(as_text=True)  # the signed-in page around it
    assert _count(AuditEvent) >= 1  # the database still answers


def test_an_htmx_filter_with_a_bad_date_gets_the_message_alone(client, auth, people):
    auth.login(people.a_clerk.email)
    response = client.get("/inbox/?date_from=9999-12-31", headers={"HX-Request": "true"})
    assert response.status_code == 400 and response.headers["HX-Reswap"] == "none"
    text = response.get_data(as_text=True)
    assert "2100" in text and "<form" not in text


def test_every_form_date_and_id_field_is_bounded(app):
    import wtforms

    import portal.forms

    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    fields = [(form.__name__, name, unbound.field_class)
              for form in subclasses(portal.forms.Form)
              for name, unbound in vars(form).items()
              if isinstance(unbound, wtforms.fields.core.UnboundField)]
    dates = [f for f in fields if issubclass(f[2], wtforms.DateField)]
    assert dates and all(issubclass(cls, portal.forms.DateField) for _form, _name, cls in dates)
    assert not [f for f in fields if f[2] is wtforms.IntegerField and f[1].endswith("id")]


@pytest.mark.parametrize("path", ["/api/v1/documents", "/api/v1/inbox", "/inbox/"])
def test_a_method_not_allowed_says_which_are(client, path):
    response = client.put(path)
    assert response.status_code == 405
    assert "GET" in response.headers["Allow"] or "POST" in response.headers["Allow"]


@pytest.mark.parametrize("query", ["type=memo", "urgency=slow", "tab=all&type="])
def test_api_inbox_filters_outside_their_values_are_bad_parameters(client, people, query):
    response = client.get(f"/api/v1/inbox?{query}", headers=_bearer(people.a_clerk))
    assert response.status_code == 400


def test_api_calendar_language_outside_its_values_is_a_bad_parameter(client):
    response = client.get("/api/v1/calendar/due-date?start=2026-02-13&working_days=3&lang=fr")
    assert response.status_code == 400


def test_api_timestamps_carry_their_offset(client, exchange):
    body = client.get(f"/api/v1/deliveries/{exchange.delivery.id}",
                      headers=_bearer(exchange.a_clerk)).get_json()
    assert body["received_at"].endswith("+00:00") or body["received_at"][-6] in "+-"
