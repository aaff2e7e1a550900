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

import json
import secrets
import sqlite3
import threading
import time
import urllib.error
import urllib.request
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from flask import Flask, abort, jsonify, render_template, request, send_file
from flask_babel import Babel
from flask_babel import lazy_gettext as _l
from lxml import etree

from portal.clock import as_local
from portal.config import ROOT_DIR
from portal.i18n import LANGUAGES
from portal.interop.edxml.model import NAMESPACE

CHUNK = 64 * 1024
DEFAULT_MAX_BYTES = 80 * 1024 * 1024
# The header a message is routed by is small; a message whose header runs past this is refused.
HEADER_MAX_BYTES = 1024 * 1024


class UnreadableMessage(ValueError):
    """The simulator cannot route this message (its text says why)."""


@dataclass
class Route:
    url: str  # the portal's base URL, e.g. http://127.0.0.1:5001
    token: str  # the token that portal's `flask axis token` printed

    def __post_init__(self):
        self.url = self.url.strip().rstrip("/")
        if not self.url.startswith(("http://", "https://")):
            raise ValueError(f"a portal's URL is http:// or https://, not {self.url!r}")


@dataclass
class Settings:
    tokens: set[str] = field(default_factory=set)  # the bearer tokens senders may present
    routes: dict[str, Route] = field(default_factory=dict)  # organ id → portal
    retry_seconds: float = 2.0  # the first wait before trying a portal again; doubles
    max_retry_seconds: float = 300.0
    max_tries: int = 20
    timeout_seconds: float = 30.0
    max_bytes: int = DEFAULT_MAX_BYTES


def parse_route(text: str) -> tuple[str, Route]:
    """`ORGAN_ID=URL,TOKEN` (the command line's --route)."""
    organ_id, sep, rest = text.partition("=")
    url, comma, token = rest.rpartition(",")
    if not (sep and comma and organ_id.strip() and url.strip() and token.strip()):
        raise ValueError(f"a route is ORGAN_ID=URL,TOKEN, not {text!r}")
    return organ_id.strip(), Route(url, token.strip())


def load_routes_file(path: Path) -> tuple[dict[str, Route], set[str]]:
    """A JSON file: {"tokens": [...], "routes": {"ORGAN_ID": {"url": ..., "token": ...}}}."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    routes = {organ_id: Route(entry["url"], entry["token"])
              for organ_id, entry in data.get("routes", {}).items()}
    return routes, set(data.get("tokens", []))


# --- Reading what a message is routed by -------------------------------------------------

@dataclass
class Envelope:
    kind: str  # "document" or "status"
    from_organ_id: str
    to_organ_ids: list[str]
    document_id: str = ""
    business_type: int | None = None
    status_code: str = ""


def _local(tag) -> str:
    return etree.QName(tag).localname if isinstance(tag, str) else ""


def _skip_to_markup(source):
    """Public samples carry bytes before the XML declaration; the axis passes them on, and so
    does the simulator: it only reads past them (to the first '<')."""
    head = source.read(4096)
    start = head.find(b"<")
    if start < 0:
        raise UnreadableMessage("not XML: no markup in the first 4 kB")
    source.seek(start)


def read_envelope(path: Path) -> Envelope:
    """Read From, To, DocumentId, BussinessDocType and StatusCode from the message's header,
    parsing without DTDs, entities or the network, and stopping at the header's end (the
    attachments that follow are the receiving portal's to check)."""
    found: dict[str, list[str]] = {}
    where: list[str] = []
    with open(path, "rb") as source:
        _skip_to_markup(source)
        events = etree.iterparse(source, events=("start", "end"), resolve_entities=False,
                                 no_network=True, load_dtd=False, huge_tree=False)
        try:
            for event, element in events:
                if event == "start":
                    if element.getroottree().docinfo.internalDTD is not None:
                        raise UnreadableMessage("a DTD: refused (entities are not taken)")
                    where.append(_local(element.tag))
                    if len(where) == 1 and (etree.QName(element).namespace != NAMESPACE
                                            or where[0] not in ("edXML", "edXMLEnvelope")):
                        raise UnreadableMessage("not an edXML message (root or namespace)")
                    continue
                _note(found, where, element)
                where.pop()
                if _local(element.tag) == "edXMLHeader":
                    break
                if source.tell() > HEADER_MAX_BYTES:
                    raise UnreadableMessage("the header runs past 1 MB")
        except etree.XMLSyntaxError as error:
            raise UnreadableMessage(f"not well-formed XML: {error}") from error
    return _envelope_from(found)


ROUTED_BY = {"From/OrganId", "To/OrganId", "ResponseFor/OrganId", "ResponseFor/DocumentId",
             "DocumentId", "StatusCode", "Bussiness/BussinessDocType", "Bussiness/DocumentId"}


def _note(found: dict[str, list[str]], where: list[str], element) -> None:
    """Keep the text of the header's elements the simulator routes by, keyed by their path
    below MessageHeader (e.g. "From/OrganId", "ResponseFor/OrganId") or from Bussiness on
    (wherever the header holds it)."""
    for anchor, skip in (("Bussiness", 0), ("MessageHeader", 1)):
        if anchor in where:
            key = "/".join(where[where.index(anchor) + skip:])
            if key in ROUTED_BY:
                found.setdefault(key, []).append((element.text or "").strip())
            return


def _envelope_from(found: dict[str, list[str]]) -> Envelope:
    def first(key):
        return next((value for value in found.get(key, []) if value), "")

    sender = first("From/OrganId")
    if not sender:
        raise UnreadableMessage("no From/OrganId in the MessageHeader")
    recipients = [value for value in found.get("To/OrganId", []) if value]
    status_code = first("StatusCode")
    if status_code:
        # A status message goes to the system that sent the document it answers.
        to = recipients or [first("ResponseFor/OrganId")]
        if not to[0]:
            raise UnreadableMessage("a status message naming neither To nor ResponseFor/OrganId")
        return Envelope("status", sender, to, first("ResponseFor/DocumentId"),
                        status_code=status_code)
    if not recipients:
        raise UnreadableMessage("a document with no To/OrganId")
    doc_type = first("Bussiness/BussinessDocType")
    if doc_type and not doc_type.isdigit():
        raise UnreadableMessage(f"BussinessDocType {doc_type!r} is not a number")
    return Envelope("document", sender, recipients,
                    first("DocumentId") or first("Bussiness/DocumentId"),
                    business_type=int(doc_type) if doc_type else None)


# --- What the simulator holds --------------------------------------------------------------

SCHEMA = """
CREATE TABLE IF NOT EXISTS message (
    id TEXT PRIMARY KEY, received_at TEXT NOT NULL, kind TEXT NOT NULL,
    from_organ_id TEXT NOT NULL, to_organ_ids TEXT NOT NULL, document_id TEXT NOT NULL,
    business_type INTEGER, status_code TEXT NOT NULL, size INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS forward (
    message_id TEXT NOT NULL REFERENCES message(id), organ_id TEXT NOT NULL,
    state TEXT NOT NULL, tries INTEGER NOT NULL DEFAULT 0, http_status INTEGER,
    reason TEXT NOT NULL DEFAULT '', next_try_at REAL NOT NULL, last_try_at TEXT,
    PRIMARY KEY (message_id, organ_id));
"""

WAITING, DELIVERED, REFUSED, FAILED = "waiting", "delivered", "refused", "failed"
UNROUTED = "unrouted"  # no portal is registered for the recipient's identifier

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


def _now_text() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class Store:
    """The messages in DIR/axis.db and their XML in DIR/messages/<id>.xml."""

    def __init__(self, directory: Path):
        self.directory = Path(directory)
        self.xml_dir = self.directory / "messages"
        self.xml_dir.mkdir(parents=True, exist_ok=True)
        self.path = self.directory / "axis.db"
        self._lock = threading.Lock()
        with self._connection() as conn:
            conn.executescript(SCHEMA)

    @contextmanager
    def _connection(self):
        with self._lock, closing(sqlite3.connect(self.path)) as conn:
            conn.row_factory = sqlite3.Row
            with conn:
                yield conn

    def xml_path(self, message_id: str) -> Path:
        return self.xml_dir / f"{message_id}.xml"

    def add(self, message_id: str, envelope: Envelope, size: int) -> None:
        with self._connection() as conn:
            conn.execute(
                "INSERT INTO message VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (message_id, _now_text(), envelope.kind, envelope.from_organ_id,
                 json.dumps(envelope.to_organ_ids), envelope.document_id,
                 envelope.business_type, envelope.status_code, size))
            for organ_id in dict.fromkeys(envelope.to_organ_ids):
                conn.execute("INSERT INTO forward (message_id, organ_id, state, next_try_at) "
                             "VALUES (?, ?, ?, 0)", (message_id, organ_id, WAITING))

    def due(self, now: float) -> list[sqlite3.Row]:
        with self._connection() as conn:
            return conn.execute("SELECT * FROM forward WHERE state = ? AND next_try_at <= ? "
                                "ORDER BY rowid", (WAITING, now)).fetchall()

    def next_due(self) -> float | None:
        with self._connection() as conn:
            return conn.execute("SELECT min(next_try_at) FROM forward WHERE state = ?",
                                (WAITING,)).fetchone()[0]

    def record_try(self, message_id, organ_id, *, state, http_status, reason, next_try_at=0):
        with self._connection() as conn:
            conn.execute("UPDATE forward SET state = ?, tries = tries + 1, http_status = ?, "
                         "reason = ?, next_try_at = ?, last_try_at = ? "
                         "WHERE message_id = ? AND organ_id = ?",
                         (state, http_status, reason[:500], next_try_at, _now_text(),
                          message_id, organ_id))

    def route_again(self, organ_ids) -> None:
        """Forwards that found no portal wait again for those that now have one (a restart
        with the missing --route)."""
        with self._connection() as conn:
            conn.executemany("UPDATE forward SET state = ?, next_try_at = 0 "
                             "WHERE state = ? AND organ_id = ?",
                             [(WAITING, UNROUTED, organ_id) for organ_id in organ_ids])

    def messages(self) -> list[dict]:
        """Every message, newest first, each with its forwards."""
        with self._connection() as conn:
            rows = conn.execute("SELECT rowid, * FROM message ORDER BY rowid DESC").fetchall()
            forwards = conn.execute("SELECT * FROM forward ORDER BY rowid").fetchall()
        by_message: dict[str, list[dict]] = {}
        for forward in forwards:
            by_message.setdefault(forward["message_id"], []).append(dict(forward))
        return [{**dict(row), "to_organ_ids": json.loads(row["to_organ_ids"]),
                 "forwards": by_message.get(row["id"], [])} for row in rows]

    def exists(self, message_id: str) -> bool:
        with self._connection() as conn:
            return conn.execute("SELECT 1 FROM message WHERE id = ?",
                                (message_id,)).fetchone() is not None


# --- Forwarding ---------------------------------------------------------------------------

class Forwarder(threading.Thread):
    """Forwards what waits, in the background; wakes when a message comes in."""

    def __init__(self, store: Store, settings: Settings):
        super().__init__(name="axis-forwarder", daemon=True)
        self.store, self.settings = store, settings
        self.wake = threading.Event()
        self.stopping = threading.Event()

    def stop(self) -> None:
        self.stopping.set()
        self.wake.set()

    def run(self) -> None:
        self.store.route_again(list(self.settings.routes))
        while not self.stopping.is_set():
            for forward in self.store.due(time.time()):
                if self.stopping.is_set():
                    return
                self.forward(forward)
            self.wake.wait(self._wait())
            self.wake.clear()

    def _wait(self) -> float:
        next_due = self.store.next_due()
        return 60.0 if next_due is None else min(60.0, max(0.05, next_due - time.time()))

    def forward(self, forward) -> None:
        message_id, organ_id = forward["message_id"], forward["organ_id"]
        route = self.settings.routes.get(organ_id)
        if route is None:
            self.store.record_try(message_id, organ_id, state=UNROUTED, http_status=None,
                                  reason="")
            return
        status, reason = self._post(self.store.xml_path(message_id), route)
        if status is not None and 200 <= status < 300:
            self.store.record_try(message_id, organ_id, state=DELIVERED, http_status=status,
                                  reason=reason)
        elif status is not None and 400 <= status < 500 and status not in (401, 408, 429):
            # The portal read it and said no: trying again would get the same answer.
            self.store.record_try(message_id, organ_id, state=REFUSED, http_status=status,
                                  reason=reason)
        elif forward["tries"] + 1 >= self.settings.max_tries:
            self.store.record_try(message_id, organ_id, state=FAILED, http_status=status,
                                  reason=reason)
        else:
            wait = min(self.settings.max_retry_seconds,
                       self.settings.retry_seconds * 2 ** forward["tries"])
            self.store.record_try(message_id, organ_id, state=WAITING, http_status=status,
                                  reason=reason, next_try_at=time.time() + wait)

    def _post(self, xml_path: Path, route: Route) -> tuple[int | None, str]:
        """POST the XML as received; (the HTTP status or None, what the portal said)."""
        with open(xml_path, "rb") as body:
            outgoing = urllib.request.Request(  # noqa: S310  (Route: http or https only)
                f"{route.url}/api/v1/edxml", data=body, method="POST",
                headers={"Content-Type": "application/xml",
                         "Authorization": f"Bearer {route.token}",
                         "Content-Length": str(xml_path.stat().st_size)})
            try:
                with urllib.request.urlopen(  # noqa: S310  (Route: http or https only)
                        outgoing, timeout=self.settings.timeout_seconds) as answer:
                    return answer.status, _said(answer.read(2000))
            except urllib.error.HTTPError as error:
                return error.code, _said(error.read(2000))
            except (OSError, ValueError) as error:  # refused, unreachable, timed out
                return None, str(getattr(error, "reason", error))


def _said(body: bytes) -> str:
    """What a portal's answer says: its JSON "error" or "message" when it has one."""
    text = body.decode("utf-8", "replace")
    try:
        data = json.loads(text)
    except ValueError:
        return text.strip()[:500]
    if isinstance(data, dict):
        for key in ("error", "message", "detail"):
            if isinstance(data.get(key), str):
                return data[key]
    return text.strip()[:500]


# --- The web side -------------------------------------------------------------------------

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
        if _bearer_token() not in settings.tokens:
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
        except _TooLarge:
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
