"""Where the current action comes from (an address, or the command line).

The web layer binds the client's address once per request; services then write audit entries
without knowing anything of HTTP.
"""

from contextvars import ContextVar

_origin: ContextVar[str | None] = ContextVar("audit_origin", default=None)


def bind_origin(origin: str | None) -> None:
    _origin.set(origin)


def current_origin() -> str | None:
    return _origin.get()
