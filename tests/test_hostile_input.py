"""Hostile values to every parameter of every route: never a 5xx.

Every rule of the URL map, with each of its methods, is requested by someone it lets in (the
access matrix of tests/test_access.py says who), signed in, with the CSRF token, so the request
reaches the view. Which names a view reads (query string, form, files) is not written down
here: a first request records them, through a request class whose parameter dicts note every
name looked up. The API's parameters and bodies come from its OpenAPI document.

Then, for each class of hostile value, one request per route and method carries that value in
every name the view reads (and, for the numbers, in every id of its path). With the app in
testing mode an exception reaches the test instead of becoming a 500 page, so "no 5xx" also
means "no exception". One request per route and value class, not the cross product: seconds.
"""

import io
import re
from xml.sax.saxutils import escape

import pytest
from werkzeug.datastructures import FileStorage, ImmutableMultiDict

from portal.api.openapi import openapi_document
from portal.interop.tokens import issue_axis_token
from portal.once import new_key
from portal.transaction import action
from tests import test_access
from tests.conftest import AuthActions
from tests.interop.hand_written import message as edxml_message
from tests.test_access import ROUTES

# The access matrix's world (built once for this module too, on an app of its own).
app, built_world, world = test_access.app, test_access.built_world, test_access.world

HOSTILE = {
    "nul": "a\x00b",
    "controls_and_bidi": "a\x01\x08\x1b[31m\x7f\x85\u202einvoice\u2066fdp.exe\u200fb\r\nc",
    "zero_width_only": "\u200b\u200c\u200d\u2060\ufeff",
    "long": "x" * 100_000,
    "huge_number": "9223372036854775808" * 2,
    "negative_number": "-2147483649",
    "far_date": "9999-12-31",
    "wrong_type": None,  # a file for a form field, a repeated name in a query, an object in JSON
}
NUMBER_CLASSES = {"huge_number", "negative_number"}
SKIPPED_NAMES = {"csrf_token", "once"}  # sent valid, so that the request reaches the view
IGNORED_METHODS = {"HEAD", "OPTIONS"}
API_PREFIX = "/api/v1"

_recorded: set[str] | None = None


class _RecordingDict(ImmutableMultiDict):
    """A request's args, form or files, noting each name a view looks up (while recording)."""

    def _note(self, key):
        if _recorded is not None and isinstance(key, str):
            _recorded.add(key)

    def __contains__(self, key):
        self._note(key)
        return super().__contains__(key)

    def __getitem__(self, key):
        self._note(key)
        return super().__getitem__(key)

    def getlist(self, key, type=None):  # noqa: A002  (MultiDict's own signature)
        self._note(key)
        return super().getlist(key, type)


# Department A's people first: the document and the delivery of the world are theirs to act on.
PREFERRED_VIEWERS = ["a_leader", "a_clerk", "a_specialist", "ministry_leader", "reviewer",
                     "admin", "b_leader", "anonymous"]


def _reaching_viewer(endpoint: str) -> str:
    """Someone the access matrix lets into the view (a page, a refusal with a message)."""
    _method, _template, expected = ROUTES[endpoint]
    for wanted in (200, 400, 302):
        for viewer in PREFERRED_VIEWERS:
            if expected.get(viewer, expected.get("*")) == wanted \
                    and not (viewer == "anonymous" and wanted == 302):
                return viewer
    raise AssertionError(f"nobody reaches {endpoint}")


def _web_targets(app) -> list[tuple[str, str]]:
    return sorted((rule.endpoint, method) for rule in app.url_map.iter_rules()
                  if rule.endpoint in ROUTES and not rule.rule.startswith(API_PREFIX)
                  for method in rule.methods - IGNORED_METHODS)


class Visitors:
    """One signed-in test client per viewer (with its CSRF token), signed in again after
    signing out."""

    def __init__(self, app, users):
        self.app, self.users, self.clients, self.tokens = app, users, {}, {}

    def client(self, viewer):
        if viewer not in self.clients:
            client = self.app.test_client()
            auth = AuthActions(client)
            if viewer != "anonymous":
                assert auth.login(self.users[viewer].email).status_code == 302
            self.clients[viewer] = client
            self.tokens[viewer] = auth.csrf_token("/login" if viewer == "anonymous"
                                                  else "/account")
        return self.clients[viewer]

    def csrf_token(self, viewer):
        self.client(viewer)
        return self.tokens[viewer]

    def forget(self, viewer):
        self.clients.pop(viewer, None)


def _send(visitors, endpoint, method, viewer, path, values: dict, record=False):
    """The request, as `viewer`; with record=True, the names its view reads (only those: the
    sign-in and the page that gives the CSRF token come before the recording)."""
    global _recorded
    client = visitors.client(viewer)
    query, form = (values or None, None) if method == "GET" else (
        None, {**values, "csrf_token": visitors.csrf_token(viewer), "once": new_key()})
    _recorded = set() if record else None
    try:
        response = client.open(path, method=method, query_string=query, data=form)
        names = _recorded
    finally:
        _recorded = None
    if endpoint == "auth.logout":
        visitors.forget(viewer)
    return names if record else response


_names_read: dict[tuple[str, str], set[str]] = {}


def _names_read_by(visitors, ids, endpoint, method) -> set[str]:
    """The parameter names the view reads, recorded from a plain request (once per run)."""
    key = (endpoint, method)
    if key not in _names_read:
        template_method, template, _expected = ROUTES[endpoint]
        path = template.format(**ids)
        if method != template_method:
            path = path.split("?")[0]
        names = _send(visitors, endpoint, method, _reaching_viewer(endpoint), path, {},
                      record=True)
        _names_read[key] = names - SKIPPED_NAMES
    return _names_read[key]


def _form_value(kind: str):
    if kind == "wrong_type":
        return FileStorage(io.BytesIO(b"%PDF-1.4 not really"), filename="x.pdf")
    return HOSTILE[kind]


def _path_with(template: str, ids: dict, kind: str) -> str:
    path = template.split("?")[0]
    if kind in NUMBER_CLASSES:
        return path.format(**dict.fromkeys(ids, HOSTILE[kind]))
    return path.format(**ids)


@pytest.fixture
def recording_app(app):
    """The app, its requests' parameters noting the names looked up (the htmx extension's
    request class kept beneath)."""
    kept = app.request_class
    app.request_class = type("RecordingRequest", (kept,),
                             {"parameter_storage_class": _RecordingDict})
    yield app
    app.request_class = kept  # the app is the module's (the world's, built once)


@pytest.mark.parametrize("kind", sorted(HOSTILE))
def test_no_page_answers_5xx_to_hostile_values(recording_app, world, kind):  # noqa: F811
    visitors = Visitors(recording_app, world["users"])
    failures = []
    for endpoint, method in _web_targets(recording_app):
        names = _names_read_by(visitors, world["ids"], endpoint, method)
        path = _path_with(ROUTES[endpoint][1], world["ids"], kind)
        if method == "GET" and kind == "wrong_type":
            values = {name: ["1", "x"] for name in names}
        elif method == "GET":
            values = dict.fromkeys(names, HOSTILE[kind])
        else:
            values = {name: _form_value(kind) for name in names}
        response = _send(visitors, endpoint, method, _reaching_viewer(endpoint), path, values)
        if response.status_code >= 500:
            failures.append((method, path[:80], sorted(names), response.status_code))
    assert not failures
    # The recording found what the views read (else the values above went nowhere).
    assert {"subject", "body", "due_on", "recipients"} <= _names_read[("documents.create",
                                                                        "POST")]
    assert {"q", "date_from", "sender"} <= _names_read[("deliveries.index", "GET")]


# The API: its parameters and bodies, as its document lists them.

def _json_value(kind: str, schema: dict):
    if kind == "wrong_type":
        return {"$ne": [None, True, 1.5, {"deep": ["x"]}]}
    if kind in NUMBER_CLASSES and schema.get("type") in ("integer", ["integer", "null"]):
        return int(HOSTILE[kind])
    if schema.get("type") == "array":
        return [HOSTILE[kind]]
    return HOSTILE[kind]


def _api_operations():
    document = openapi_document()
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            body = operation.get("requestBody", {}).get("content", {}).get(
                "application/json", {}).get("schema", {})
            yield (method.upper(), API_PREFIX + path, operation.get("parameters", []),
                   body.get("properties", {}))


@pytest.mark.parametrize("kind", sorted(HOSTILE))
def test_no_api_call_answers_5xx_to_hostile_values(client, make, world, kind):  # noqa: F811
    tokens = {name: make.token(world["users"][name], "hostile")[1]
              for name in ("a_clerk", "a_leader")}
    with action():
        tokens["axis"] = issue_axis_token()[1]
    ids = {"document_id": world["ids"]["doc"], "delivery_id": world["ids"]["delivery"]}
    if kind in NUMBER_CLASSES:
        ids = dict.fromkeys(ids, HOSTILE[kind])
    failures = []
    for method, path, parameters, properties in _api_operations():
        query = {p["name"]: (HOSTILE[kind] if kind != "wrong_type" else ["1", "x"])
                 for p in parameters if p["in"] == "query"}
        url = re.sub(r"\{(\w+)\}", lambda m: str(ids[m.group(1)]), path)
        body = {name: _json_value(kind, schema) for name, schema in properties.items()}
        if path.endswith("/edxml"):  # the axis's route: the value in an edXML message
            response = client.post(url, data=edxml_message(subject=escape(str(HOSTILE[kind]))),
                                   content_type="application/xml",
                                   headers={"Authorization": f"Bearer {tokens['axis']}"})
        else:
            token = tokens["a_clerk" if path.endswith("/documents") else "a_leader"]
            response = client.open(url, method=method, query_string=query,
                                   json=body if method == "POST" else None,
                                   headers={"Authorization": f"Bearer {token}"})
        if response.status_code >= 500 or response.status_code == 401:  # 401: not reached
            failures.append((method, url[:80], response.status_code))
    assert not failures
