"""Templates do not query: a page's route reads what it shows, in a number of queries that does
not grow with its attachments or its document's jobs, and no template global reads the
database."""

from portal.documents.models import DocumentAttachment
from portal.extensions import db
from portal.jobs.models import Job, JobState
from portal.jobs.services import first_job_of
from portal.signing.models import Verification
from portal.storage.services import store_bytes
from tests.deliveries.conftest import Exchange
from tests.pdfs import blank_pdf
from tests.queries import queries_of

# The callables templates may call: Flask's, Babel's, Flask-WTF's, the permission checks on
# the person (the user and their organisation, loaded once per request) and formatting.
# Labels (plain dicts) are fine anywhere. A function that reads the database is not a global:
# the route passes what it found.
CALLABLE_GLOBALS = {
    "_", "gettext", "ngettext", "pgettext", "npgettext", "get_locale", "url_for",
    "url_with_language", "get_flashed_messages", "csrf_token", "csrf_meta_tag", "request",
    "session", "g", "range", "dict", "lipsum", "cycler", "joiner", "namespace",
    "role_label", "now_local",
    "can_manage_organisations", "can_view_audit", "can_manage_calendar", "can_manage_jobs",
    "can_manage_keys", "can_reset_second_factor", "can_sign_documents", "can_oversee",
    "can_draft_oversight_letter", "can_manage_oversight_settings",
}


def test_no_template_global_is_a_function_thatqueries_of(app):
    callables = {name for name, value in app.jinja_env.globals.items() if callable(value)}
    assert callables <= CALLABLE_GLOBALS, callables - CALLABLE_GLOBALS


def _attach_verified(document, count: int) -> None:
    """More attachments to the document, each of its own file, each verified."""
    start = len(document.attachments)
    for n in range(start, start + count):
        stored = store_bytes(blank_pdf() + f"%{document.id}-{n}\n".encode())
        db.session.add(DocumentAttachment(document_id=document.id, file_id=stored.id,
                                          filename=f"phu-luc-{n}.pdf"))
        db.session.add(Verification(stored_file_id=stored.id, verdict="unsigned",
                                    report={"findings": ["no_signature"], "signatures": [],
                                            "detail": None}))
    db.session.commit()


def test_the_delivery_and_document_pages_take_the_same_queries_however_many_attachments(
        client, auth, make):
    exchange = Exchange(make)
    draft = make.document(exchange.ministry_clerk, [exchange.a], issue=False)
    _attach_verified(exchange.document, 1)
    _attach_verified(draft, 1)
    pages = {exchange.a_clerk.email: [f"/inbox/{exchange.delivery.id}"],
             exchange.ministry_clerk.email: [f"/documents/{exchange.document.id}",
                                             f"/documents/{draft.id}/edit"]}
    counts = {}
    for email, paths in pages.items():
        auth.login(email)
        for path in paths:
            queries_of(client, path)  # what a first request reads once (the calendar, ...)
            counts[path] = queries_of(client, path)
        auth.logout()
    _attach_verified(exchange.document, 3)
    _attach_verified(draft, 3)
    for email, paths in pages.items():
        auth.login(email)
        for path in paths:
            page = client.get(path).get_data(as_text=True)
            assert page.count("verdict-unsigned") >= 4, path  # the four attachments' badges
            assert queries_of(client, path) == counts[path], path
        auth.logout()


def test_a_jobs_fragment_takes_the_same_queries_however_long_its_run(client, auth, make):
    exchange = Exchange(make)  # its document ran render, sign, dispatch, verify
    auth.login(exchange.ministry_clerk.email)
    first = first_job_of(exchange.document)
    path = f"/jobs/{first.id}"
    queries_of(client, path)
    few = queries_of(client, path)
    for kind in ("render", "sign", "verify"):
        db.session.add(Job(kind=kind, document_id=exchange.document.id, state=JobState.DONE,
                           progress=100))
    db.session.commit()
    fragment = client.get(path).get_data(as_text=True)
    assert fragment.count('class="job ') == len(db.session.query(Job).filter_by(
        document_id=exchange.document.id).all())
    assert queries_of(client, path) == few
