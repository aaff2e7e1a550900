"""Every route, visited as anonymous, as each role, and as a user of another organisation.

A department's objects answer 404 to other organisations (never revealing they exist);
pages a role may not use answer 403; anonymous visitors are sent to sign in.
"""

from datetime import date

import pytest
from sqlalchemy import select

from portal.auth.models import User
from portal.calendar.services import add_override
from portal.documents import services as documents
from portal.extensions import db
from portal.jobs.services import first_job_of
from portal.leaderboard.assessments import record_assessment
from portal.leaderboard.services import Period
from portal.signing.keys import init_development_pki
from portal.signing.models import TrustedRoot
from portal.transaction import action
from tests.conftest import jobs_runner
from tests.factories import Factory
from tests.pdfs import blank_pdf
from tests.worlds import Snapshot

VIEWERS = ["anonymous", "admin", "reviewer", "ministry_leader",
           "a_clerk", "a_specialist", "a_leader", "b_leader"]
A_MEMBERS = {"a_clerk", "a_specialist", "a_leader"}

# route name -> (method, path template, expected status by viewer)
ADMIN_ONLY = {"anonymous": 302, "admin": 200, "*": 403}
SIGNED_IN = {"anonymous": 302, "*": 200}
# A department's draft: its own people only; everyone else gets 404.
A_ONLY = {"anonymous": 302, **dict.fromkeys(A_MEMBERS, 200), "*": 404}
A_ONLY_POST = {"anonymous": 302, **dict.fromkeys(A_MEMBERS, 302), "*": 404}
# The ministry's tracking of its document: the ministry's people only.
MINISTRY_ONLY = {"anonymous": 302, "admin": 200, "reviewer": 200, "ministry_leader": 200,
                 "*": 404}
# An assessment's decision: the overseers get the page back (done, or a message why not).
OVERSEERS_REDIRECTED = dict.fromkeys(["admin", "reviewer", "ministry_leader"], 302)
# A step on a delivery: refused as 404 outside the recipient and the sender; otherwise the
# step answers with a redirect (done, or a message saying why not).
DELIVERY_STEP = {"anonymous": 302, "b_leader": 404, "*": 302}
ROUTES = {
    "home.index": ("GET", "/", SIGNED_IN),
    "home.healthz": ("GET", "/healthz", {"*": 200}),
    "auth.login": ("GET", "/login", {"anonymous": 200, "*": 302}),
    "auth.logout": ("POST", "/logout", {"*": 302}),
    "auth.login_code": ("GET", "/login/code", {"*": 302}),  # nobody between the two steps
    "auth.login_enrol": ("GET", "/login/enrol", {"*": 302}),
    "auth.account": ("GET", "/account", SIGNED_IN),
    "auth.change_password": ("GET", "/account/password", SIGNED_IN),
    "auth.set_up_second_factor": ("GET", "/account/two-factor", SIGNED_IN),
    "auth.recovery_codes": ("GET", "/account/recovery-codes", {"*": 302}),  # none to show
    "auth.turn_off_second_factor": ("POST", "/account/two-factor/off",
                                    {"anonymous": 302, "*": 400}),  # no password given
    "auth.reset_second_factor": ("POST", "/people/{a_person}/two-factor/reset",
                                 {"anonymous": 302, "admin": 302, "*": 403}),
    "auth.create_token": ("POST", "/account/tokens", SIGNED_IN),
    "auth.revoke_token": ("POST", "/account/tokens/{a_token}/revoke",
                          {"anonymous": 302, "a_clerk": 302, "*": 404}),
    "organisations.index": ("GET", "/organisations/", SIGNED_IN),
    "organisations.show": ("GET", "/organisations/{a}",
                           {"anonymous": 302, "admin": 200, **dict.fromkeys(A_MEMBERS, 200),
                            "*": 404}),
    "organisations.create": ("GET", "/organisations/new", ADMIN_ONLY),
    "organisations.rename": ("GET", "/organisations/{a}/rename", ADMIN_ONLY),
    "organisations.merge": ("GET", "/organisations/{a}/merge", ADMIN_ONLY),
    "organisations.unmerge": ("GET", "/organisations/{a}/unmerge", ADMIN_ONLY),
    "organisations.notation": ("GET", "/organisations/{a}/notation", ADMIN_ONLY),
    "organisations.axis": ("GET", "/organisations/{a}/axis", ADMIN_ONLY),
    "organisations.reorganise": ("GET", "/organisations/reorganise", ADMIN_ONLY),
    # No file carried back: the page says so (400), for those allowed.
    "organisations.reorganise_confirm": ("POST", "/organisations/reorganise/confirm",
                                         {"anonymous": 302, "admin": 400, "*": 403}),
    "organisations.person_title": ("GET", "/organisations/people/{a_person}/title",
                                    ADMIN_ONLY),
    "audit.index": ("GET", "/audit/", ADMIN_ONLY),
    "signing.index": ("GET", "/signing/", ADMIN_ONLY),
    "signing.import_key": ("POST", "/signing/keys", {"anonymous": 302, "admin": 400, "*": 403}),
    "signing.trust_root": ("POST", "/signing/roots", {"anonymous": 302, "admin": 400, "*": 403}),
    "signing.register_token_key": ("POST", "/signing/token-keys",
                                   {"anonymous": 302, "admin": 400, "*": 403}),
    # No file sent: the page comes back saying so (a redirect), for those allowed.
    "signing.upload_seal_image": ("POST", "/signing/organisations/{a}/seal-image",
                                  {"anonymous": 302, "admin": 302, "*": 403}),
    "signing.upload_person_image": ("POST", "/signing/organisations/{a}/signature-image",
                                    {"anonymous": 302, "admin": 302, "*": 403}),
    "signing.upload_own_image": ("POST", "/signing/account/signature-image", {"*": 302}),
    "signing.remove_root": ("POST", "/signing/roots/{root}/delete",
                            {"anonymous": 302, "admin": 302, "*": 403}),
    "calendar.index": ("GET", "/calendar/", ADMIN_ONLY),
    "calendar.delete_override": ("POST", "/calendar/overrides/{override}/delete",
                                 {"anonymous": 302, "admin": 302, "*": 403}),
    "calendar.explain": ("GET", "/calendar/explain?due_working_days=3", SIGNED_IN),
    "documents.index": ("GET", "/documents/", SIGNED_IN),
    "documents.create": ("GET", "/documents/new",
                         {"anonymous": 302, "admin": 403, "reviewer": 403, "*": 200}),
    "documents.edit": ("GET", "/documents/{draft}/edit", A_ONLY),
    "documents.add_attachment": ("POST", "/documents/{draft}/attachments", A_ONLY_POST),
    "documents.remove_attachment": ("POST", "/documents/{draft}/attachments/{draft_file}/delete",
                                    A_ONLY_POST),
    "documents.issue": ("POST", "/documents/{draft}/issue", A_ONLY_POST),
    "documents.submit_for_signing": ("POST", "/documents/{draft}/signing", A_ONLY_POST),
    "documents.sign": ("POST", "/documents/{draft}/sign", A_ONLY_POST),
    "documents.return_to_draft": ("POST", "/documents/{draft}/return", A_ONLY_POST),
    "documents.to_sign": ("GET", "/documents/to-sign",
                          {"anonymous": 302, "ministry_leader": 200, "a_leader": 200,
                           "b_leader": 200, "*": 403}),
    "documents.download_attachment": ("GET", "/documents/{doc}/attachments/{doc_file}",
                                      {"anonymous": 302, "b_leader": 404, "*": 200}),
    "documents.show": ("GET", "/documents/{doc}", MINISTRY_ONLY),
    "documents.pdf": ("GET", "/documents/{doc}/pdf", {"anonymous": 302, "b_leader": 404, "*": 200}),
    "documents.preview": ("GET", "/documents/{doc}/preview",
                          {"anonymous": 302, "b_leader": 404, "*": 200}),
    "jobs.index": ("GET", "/jobs/", ADMIN_ONLY),
    "jobs.show": ("GET", "/jobs/{job}", MINISTRY_ONLY),
    "jobs.retry": ("POST", "/jobs/{job}/retry",
                   {**MINISTRY_ONLY, **dict.fromkeys(["admin", "reviewer", "ministry_leader"],
                                                     302)}),
    "documents.recipients_csv": ("GET", "/documents/{doc}/recipients.csv", MINISTRY_ONLY),
    "documents.recall_confirmation": ("GET", "/documents/{doc}/recall", MINISTRY_ONLY),
    "documents.recall": ("POST", "/documents/{doc}/recall",
                         {**MINISTRY_ONLY, **dict.fromkeys(["admin", "reviewer",
                                                            "ministry_leader"], 302)}),
    "documents.open_for": ("GET", "/documents/open-for/{a}",
                           {"anonymous": 302, "b_leader": 404, "*": 200}),
    "deliveries.index": ("GET", "/inbox/", SIGNED_IN),
    "deliveries.show": ("GET", "/inbox/{delivery}", {"anonymous": 302, "b_leader": 404, "*": 200}),
    **{f"deliveries.{name}": ("POST", f"/inbox/{{delivery}}/{path}", DELIVERY_STEP)
       for name, path in [("acknowledge", "acknowledge"), ("refuse", "refuse"),
                          ("assign", "assign"), ("claim", "claim"), ("close", "close"),
                          ("answer_recall", "recall/agree"), ("save_reply", "reply"),
                          ("add_reply_attachment", "reply/attachments"),
                          ("remove_reply_attachment", "reply/attachments/{doc_file}/delete"),
                          ("submit_reply", "reply/submit"), ("return_reply", "reply/return"),
                          ("send_reply", "reply/send")]},
    "leaderboard.index": ("GET", "/oversight/", SIGNED_IN),
    "leaderboard.public": ("GET", "/leaderboard", {"*": 200}),
    "leaderboard.export": ("GET", "/leaderboard.xlsx?from=2026-01-01&to=2026-01-31",
                           {"*": 200}),
    "leaderboard.department": ("GET", "/oversight/departments/{a}",
                               {**MINISTRY_ONLY, **dict.fromkeys(A_MEMBERS, 200)}),
    "leaderboard.assess": ("POST", "/oversight/departments/{a}/assessments",
                           {"anonymous": 302, "reviewer": 302, "*": 403}),
    "leaderboard.publish_assessment": ("POST", "/oversight/assessments/{assessment}/publish",
                                       {**MINISTRY_ONLY, **OVERSEERS_REDIRECTED}),
    "leaderboard.withdraw_assessment": ("POST", "/oversight/assessments/{assessment}/withdraw",
                                        {**MINISTRY_ONLY, **OVERSEERS_REDIRECTED}),
    "leaderboard.assessment_list": ("GET", "/oversight/assessments/",
                                    {**MINISTRY_ONLY, "*": 403}),
    "leaderboard.draft_letter": ("POST", "/oversight/letter",
                                 {"anonymous": 302, "reviewer": 302, "ministry_leader": 302,
                                  "*": 403}),
    "leaderboard.thresholds": ("GET", "/oversight/settings", ADMIN_ONLY),
    "api.openapi": ("GET", "/api/v1/openapi.json", {"*": 200}),
    "api.issue_document": ("POST", "/api/v1/documents", {"*": 401}),
    "api.document_detail": ("GET", "/api/v1/documents/{draft}", {"*": 401}),
    "api.document_edxml": ("GET", "/api/v1/documents/{doc}/edxml", {"*": 401}),
    "api.inbox_list": ("GET", "/api/v1/inbox", {"*": 401}),
    "api.incoming_register": ("GET", "/api/v1/registers/incoming", {"*": 401}),
    "api.outgoing_register": ("GET", "/api/v1/registers/outgoing", {"*": 401}),
    "api.delivery_detail": ("GET", "/api/v1/deliveries/{delivery}", {"*": 401}),
    "api.acknowledge": ("POST", "/api/v1/deliveries/{delivery}/acknowledge", {"*": 401}),
    "api.reply": ("POST", "/api/v1/deliveries/{delivery}/reply", {"*": 401}),
    "api.calendar_due_date": ("GET", "/api/v1/calendar/due-date", {"*": 400}),
    "api.me": ("GET", "/api/v1/me", {"*": 401}),
    "api.organisations": ("GET", "/api/v1/organisations", {"*": 401}),
    # The axis's token only (tests/interop/test_tokens.py: a user's API token is 401 too).
    "api.receive_edxml": ("POST", "/api/v1/edxml", {"*": 401}),
}


@pytest.fixture(scope="module")
def app(module_app):
    """One app for the module, so that its world is built once (`world` puts it back before
    every case)."""
    return module_app


@pytest.fixture(scope="module")
def built_world(app):
    make, run_jobs = Factory(), jobs_runner(app)
    ministry = make.ministry()
    a, b = make.organisation(code="DA"), make.organisation(code="DB")
    users = {
        "admin": make.user(ministry, "admin"),
        "reviewer": make.user(ministry, "reviewer"),
        "ministry_leader": make.user(ministry, "leader"),
        "a_clerk": make.user(a, "clerk"),
        "a_specialist": make.user(a, "specialist"),
        "a_leader": make.user(a, "leader"),
        "b_leader": make.user(b, "leader"),
    }
    token, _secret = make.token(users["a_clerk"], "a clerk's token")
    pdf = blank_pdf()
    ministry_clerk = make.user(ministry, "clerk")
    doc = make.document(ministry_clerk, [a], due_working_days=5, issue=False)
    # Uploaded as the document itself, so its PDF of record needs no rendering (quick).
    with action():
        doc_file = documents.add_attachment(doc, actor=ministry_clerk, filename="a.pdf", data=pdf,
                                            main=True)
    with action():
        documents.issue_document(doc, actor=ministry_clerk)
    draft = make.document(users["a_specialist"], [ministry], issue=False)
    with action():
        draft_file = documents.add_attachment(draft, actor=users["a_specialist"], filename="b.pdf",
                                              data=blank_pdf(2))
    with action():
        override = add_override(day=date(2030, 1, 7), kind="day_off", reason="matrix",
                                actor=users["admin"])
    run_jobs()  # the document's PDF of record exists
    with action():
        init_development_pki()
    with action():
        assessment = record_assessment(a, Period(date(2026, 1, 1), date(2026, 1, 31)),
                                       kind="criticise", note="matrix", appendix_style="",
                                       actor=users["reviewer"])
    ids = {
        "a": a.id, "a_person": users["a_specialist"].id, "a_token": token.id, "doc": doc.id,
        "doc_file": doc_file.id,
        "delivery": make.delivery(doc, a).id, "draft": draft.id, "draft_file": draft_file.id,
        "override": override.id, "job": first_job_of(doc).id, "assessment": assessment.id,
        "root": db.session.scalar(select(TrustedRoot.id))}
    people = {viewer: user.id for viewer, user in users.items()}
    return Snapshot(app), people, ids


@pytest.fixture
def world(built_world):
    """The world as it was built, whatever the cases before did to it: its rows and ids, its
    files, its queue and rate-limit counters (tests.worlds). Signing in again within the same
    30 seconds is as in a fresh world: each person's last accepted code is put back too."""
    snapshot, people, ids = built_world
    snapshot.restore()
    return {"users": {viewer: db.session.get(User, id) for viewer, id in people.items()},
            "ids": ids}


def test_the_matrix_covers_every_route(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()} - {"static"}
    assert endpoints == set(ROUTES)


@pytest.mark.parametrize("viewer", VIEWERS)
@pytest.mark.parametrize("endpoint", sorted(ROUTES))
def test_route_answers_each_viewer_as_policy_says(client, auth, world, endpoint, viewer):
    method, template, expected = ROUTES[endpoint]
    if viewer != "anonymous":
        assert auth.login(world["users"][viewer].email).status_code == 302
    path = template.format(**world["ids"])
    if method == "POST":
        page = "/login" if viewer == "anonymous" else "/account"
        data = {"csrf_token": auth.csrf_token(page), "name": "matrix"}
        response = client.post(path, data=data)
    else:
        response = client.get(path)
    assert response.status_code == expected.get(viewer, expected.get("*")), response.location


def test_refused_access_is_audited(client, auth, world):
    from sqlalchemy import select

    from portal.audit.models import AuditEvent
    from portal.extensions import db

    auth.login(world["users"]["b_leader"].email)
    assert client.get(f"/organisations/{world['ids']['a']}").status_code == 404
    assert client.get("/audit/").status_code == 403
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "access.refused")
                                .order_by(AuditEvent.id)).all()
    assert [(e.details["status"], e.details["path"]) for e in events] == [
        (404, f"/organisations/{world['ids']['a']}"), (403, "/audit/")]
    assert all(e.actor_id == world["users"]["b_leader"].id for e in events)
