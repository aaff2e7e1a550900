"""The JSON API (/api/v1) for e-office systems: its blueprint, which its modules' routes join.

portal.api.routes: the OpenAPI document, the caller and the organisations; portal.api.exchange:
documents and deliveries. Callers authenticate by bearer token (portal.api.auth).
"""

from flask import Blueprint

from portal.extensions import csrf

bp = Blueprint("api", __name__, url_prefix="/api/v1")

# The API authenticates by bearer token, never by cookie, so CSRF does not apply.
csrf.exempt(bp)
