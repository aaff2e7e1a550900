"""Every route, visited as anonymous, as each role, and as a user of another organisation.

A department's objects answer 404 to other organisations (never revealing they exist);
pages a role may not use answer 403; anonymous visitors are sent to sign in.
"""

import pytest

from portal.auth.services import issue_token

VIEWERS = ["anonymous", "admin", "reviewer", "ministry_leader",
           "a_clerk", "a_specialist", "a_leader", "b_leader"]
A_MEMBERS = {"a_clerk", "a_specialist", "a_leader"}

# route name -> (method, path template, expected status by viewer)
ADMIN_ONLY = {"anonymous": 302, "admin": 200, "*": 403}
SIGNED_IN = {"anonymous": 302, "*": 200}
ROUTES = {
    "home.index": ("GET", "/", SIGNED_IN),
    "home.healthz": ("GET", "/healthz", {"*": 200}),
    "auth.login": ("GET", "/login", {"anonymous": 200, "*": 302}),
    "auth.logout": ("POST", "/logout", {"*": 302}),
    "auth.account": ("GET", "/account", SIGNED_IN),
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
    "audit.index": ("GET", "/audit/", ADMIN_ONLY),
    "api.openapi": ("GET", "/api/v1/openapi.json", {"*": 200}),
    "api.me": ("GET", "/api/v1/me", {"*": 401}),
    "api.organisations": ("GET", "/api/v1/organisations", {"*": 401}),
}


@pytest.fixture
def world(make):
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
    token, _secret = issue_token(users["a_clerk"], "a clerk's token")
    return {"users": users, "ids": {"a": a.id, "a_token": token.id}}


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
