"""Security headers on every response.

A handful of fixed headers; written here rather than through a library because the whole
policy fits on one screen and stays next to the htmx settings it depends on
(templates/base.html configures htmx to run without eval or inline scripts).
"""

from flask import current_app

CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])

# In production the portal is reached only over HTTPS (nginx terminates TLS): browsers are told
# to keep to HTTPS for a year, subdomains included (docs/deployment.md sends it from nginx too).
STRICT_TRANSPORT_SECURITY = "max-age=31536000; includeSubDomains"


def add_security_headers(response):
    response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers.setdefault("X-Frame-Options", "DENY")
    if current_app.config["PORTAL_ENV"] == "production":
        response.headers["Strict-Transport-Security"] = STRICT_TRANSPORT_SECURITY
    response.headers.add("Vary", "HX-Request")
    return response
