"""Schemathesis against the API's own document (/api/v1/openapi.json), in-process.

Every operation is called with generated requests, valid and invalid, as a department's clerk
(a real bearer token: the authenticated routes run their code, not only the 401; the
document's examples issue real documents). The run fails on any 5xx and on any answer that
differs from the document: status, content type, headers (`Allow` on 405), body schema; and
on a request the document calls invalid that the API accepts. Not checked: that every
schema-valid request is accepted (`positive_data_acceptance`), since the API's rules reach
beyond a schema by design (recipients must exist, a deadline lie within two years, a delivery
be in the right state for the step). Bounded: a fixed number of examples per operation and
Hypothesis derandomised, so a run costs seconds and repeats itself.
"""

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from portal.api.openapi import openapi_document
from tests.deliveries.conftest import Exchange

EXAMPLES_PER_OPERATION = 25


@pytest.fixture
def exchange(make):
    return Exchange(make)  # the ministry, two departments, and a delivery to department A


# The document as the app serves it (a pure function: no app is needed to collect the tests).
schema = schemathesis.openapi.from_dict(openapi_document())
_clerk = {}  # the running test's clerk's token


@pytest.fixture
def clerk_bearer(exchange, make):
    """The clerk's token for the running test (the axis's, for the one route that takes
    only that: POST /edxml); the test counts the calls that carried it."""
    from portal.interop.tokens import issue_axis_token
    from portal.transaction import action

    _token, _clerk["secret"] = make.token(exchange.a_clerk, "schemathesis")
    with action():
        _axis_token, _clerk["axis"] = issue_axis_token()
    carried = []
    yield carried
    _clerk.clear()
    assert carried, "no call carried the clerk's token"


def _secret_for(case) -> str | None:
    return _clerk.get("axis" if case.operation.path == "/edxml" else "secret")


@schema.auth(refresh_interval=None)  # a new token in each test's database: never kept
class ClerkToken:
    """The clerk's bearer token, given as authentication: Schemathesis's own checks remove
    or spoil it to prove that a call without it is refused."""

    def get(self, case, context):
        return _secret_for(case)  # None while collecting: no test runs then

    def set(self, case, data, context):
        case.headers = {**(case.headers or {}), "Authorization": f"Bearer {data}"}


@schema.parametrize()
@settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, derandomize=True, database=None,
          suppress_health_check=list(HealthCheck))
def test_api_answers_as_its_document_says(app, case, clerk_bearer):
    # This test's app (and database), for the request and for the checks' own probes.
    case.operation.app = case.operation.schema.app = app
    response = case.call_and_validate(excluded_checks=[positive_data_acceptance])
    if (case.headers or {}).get("Authorization") == f"Bearer {_secret_for(case)}":
        clerk_bearer.append(response.status_code)
        assert response.status_code != 401  # a good token always gets past authentication


def test_the_document_tested_is_the_one_served(client):
    assert client.get("/api/v1/openapi.json").get_json() == openapi_document()
