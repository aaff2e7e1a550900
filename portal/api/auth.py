"""Bearer-token authentication and JSON errors for the API."""

from functools import wraps

from flask import g, jsonify, request

from portal.auth.services import user_for_token


def api_error(status: int, message: str):
    response = jsonify({"error": {"status": status, "message": message}})
    response.status_code = status
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="portal"'
    return response


def token_required(view):
    """Authenticate the request by its `Authorization: Bearer …` token; g.api_user is the caller."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        scheme, _, secret = request.headers.get("Authorization", "").partition(" ")
        user = user_for_token(secret.strip()) if scheme.lower() == "bearer" and secret else None
        if user is None:
            return api_error(401, "a valid bearer token is required")
        g.api_user = user
        return view(*args, **kwargs)

    return wrapped

