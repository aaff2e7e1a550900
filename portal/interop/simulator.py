"""A small national axis for development and tests (`flask axis simulate`).

It takes edXML messages as the real axis does (POST, `Content-Type: application/xml`, a bearer
token the senders are given), keeps each one in a directory (a SQLite file and the XML as
received), and forwards it from a background thread to the portal registered for each
recipient's identifier (`POST {portal}/api/v1/edxml` with that portal's axis token), trying
again with backoff while the portal is down. `GET /` lists what it holds.

It is its own small Flask app, not the portal's: it shares nothing with the portal but the
templates and translations. It reads only what it routes by, from the envelope's header, as
the axis does; everything else is the receiving portal's to check.
"""

import hmac
import secrets
from datetime import datetime
from pathlib import Path

from flask import Flask, abort, jsonify, render_template, request, send_file
from flask_babel import Babel
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import RequestEntityTooLarge

from portal.clock import as_local
from portal.config import ROOT_DIR
from portal.i18n import LANGUAGES
from portal.interop.edxml.header import UnreadableMessage, read_envelope
from portal.interop.simulator_store import (
    DELIVERED,
    FAILED,
    REFUSED,
    UNROUTED,
    WAITING,
    Forwarder,
    Route,
    Settings,
    Store,
    load_routes_file,
    parse_route,
)

__all__ = ["Route", "Settings", "create_simulator", "load_routes_file", "parse_route", "serve"]

CHUNK = 64 * 1024


FORWARD_STATE_LABELS = {
    WAITING: _l("waiting"),
    DELIVERED: _l("delivered"),
    REFUSED: _l("refused by the portal"),
    FAILED: _l("not delivered"),
    UNROUTED: _l("no portal is registered for this identifier"),
}
KIND_LABELS = {"document": _l("Document"), "status": _l("Status message")}
BUSINESS_LABELS = {None: _l("A new document"), 0: _l("A new document"), 1: _l("Revocation"),
                   2: _l("Update"), 3: _l("Replacement")}


CONTENT_SECURITY_POLICY = "default-src 'none'; style-src 'self'; img-src 'self'; " \
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"


def create_simulator(data_dir: Path, settings: Settings) -> tuple[Flask, Forwarder]:
    """The simulator's app and its forwarder (not started)."""
    store = Store(data_dir)
    forwarder = Forwarder(store, settings)
    app = Flask("portal.interop.simulator", template_folder=str(ROOT_DIR / "templates"),
                static_folder=str(ROOT_DIR / "static"))
    app.config["MAX_CONTENT_LENGTH"] = settings.max_bytes
    Babel(app, locale_selector=_locale,
          default_translation_directories=str(ROOT_DIR / "portal" / "translations"))
    app.jinja_env.globals.update(
        get_locale=_locale, languages=LANGUAGES, state_labels=FORWARD_STATE_LABELS,
        kind_labels=KIND_LABELS, business_labels=BUSINESS_LABELS)
    app.jinja_env.filters["local_time"] = _local_time
    app.extensions["axis_simulator"] = (store, forwarder)

    @app.post("/")
    @app.post("/messages")
    def take_message():
        """Take one message as the axis does: keep it, answer 201 with its id."""
        if not _known(_bearer_token(), settings.tokens):
            return jsonify(error="unknown or missing bearer token"), 401
        if request.mimetype not in ("application/xml", "text/xml"):
            return jsonify(error="Content-Type must be application/xml"), 415
        message_id = secrets.token_hex(8)
        path = store.xml_path(message_id)
        try:
            size = _receive_into(path, settings.max_bytes)
            envelope = read_envelope(path)
        except UnreadableMessage as error:
            path.unlink(missing_ok=True)
            return jsonify(error=str(error)), 400
        except (_TooLarge, RequestEntityTooLarge):
            path.unlink(missing_ok=True)
            return jsonify(error=f"larger than {settings.max_bytes} bytes"), 413
        store.add(message_id, envelope, size)
        forwarder.wake.set()
        return jsonify(id=message_id, to=envelope.to_organ_ids), 201

    @app.get("/")
    def list_messages():
        """Every message the simulator holds, with how its forwarding went."""
        return render_template("interop/simulator.html", messages=store.messages(),
                               routes=settings.routes)

    @app.get("/messages/<message_id>.xml")
    def message_xml(message_id):
        """The XML of one message, as received."""
        if not message_id.isalnum() or not store.exists(message_id):
            abort(404)
        return send_file(store.xml_path(message_id), mimetype="application/xml")

    @app.errorhandler(413)
    def too_large(_error):
        return jsonify(error=f"larger than {settings.max_bytes} bytes"), 413

    @app.after_request
    def headers(response):
        response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response

    return app, forwarder


def _local_time(text: str) -> str:
    return as_local(datetime.fromisoformat(text)).strftime("%d/%m/%Y %H:%M:%S")


def _locale() -> str:
    requested = request.args.get("lang") if request else None
    return requested if requested in LANGUAGES else LANGUAGES[0]


def _known(token: str, tokens: set[str]) -> bool:
    """Whether the token is one the senders were given (compared in constant time)."""
    given = token.encode()
    return bool(given) and any(hmac.compare_digest(given, known.encode()) for known in tokens)


def _bearer_token() -> str:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


class _TooLarge(Exception):
    pass


def _receive_into(path: Path, max_bytes: int) -> int:
    """Stream the request's body into PATH; its size."""
    size = 0
    with open(path, "wb") as out:
        while chunk := request.stream.read(CHUNK):
            size += len(chunk)
            if size > max_bytes:
                raise _TooLarge
            out.write(chunk)
    if size == 0:
        raise UnreadableMessage("an empty body")
    return size


def serve(app: Flask, forwarder: Forwarder, host: str, port: int):
    """A threaded WSGI server for the simulator, with its forwarder started; the caller runs
    `server.serve_forever()` (and `server.shutdown()`, `forwarder.stop()` to end)."""
    from werkzeug.serving import make_server

    server = make_server(host, port, app, threaded=True)
    forwarder.start()
    return server
