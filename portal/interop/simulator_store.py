"""The axis simulator's registry of portals, what it holds (a SQLite file and the XML as
received), and the thread that forwards it to the portals (portal.interop.simulator)."""

import json
import sqlite3
import threading
import time
import urllib.error
import urllib.request
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from portal.interop.edxml.header import Envelope

DEFAULT_MAX_BYTES = 80 * 1024 * 1024


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
