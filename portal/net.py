"""Helpers about the HTTP request that several features share."""

from urllib.parse import urlsplit

from flask import request


def client_address() -> str:
    """Return the client's IP address (ProxyFix has already applied X-Forwarded-For)."""
    return request.remote_addr or "unknown"


def safe_next_url(target: str | None) -> str | None:
    """Return target if it is a path on this site, else None (no open redirects)."""
    if not target or not isinstance(target, str) or len(target) > 2000:
        return None
    if "\\" in target or any(ord(c) < 32 for c in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target
