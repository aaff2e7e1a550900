"""An API action run once per `Idempotency-Key`, and its answer sent back as the response."""

from collections.abc import Callable

from flask import current_app, g, request

from portal.once import Answer, fingerprint, once
from portal.transaction import action


def acting_once(scope: str, perform: Callable[[], Answer]) -> Answer:
    """Run the action; with an `Idempotency-Key` header, once for that key: a request sent
    again with it (after a timeout, say) answers as the first did, without acting."""
    key = request.headers.get("Idempotency-Key")
    if key is None:
        with action():
            return perform()
    return once(g.api_user, scope, key, perform, request_fingerprint=fingerprint(
        request.method, request.path, request.get_data()))


def respond(answer: Answer):
    response = current_app.response_class(answer.body, status=answer.status,
                                          mimetype="application/json")
    if answer.location:
        response.headers["Location"] = answer.location
    if answer.repeated:
        response.headers["Idempotent-Replayed"] = "true"
    return response

