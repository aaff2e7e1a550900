"""POST /api/v1/edxml: the axis hands the portal one edXML message (portal.interop.inbound).

The body is streamed to a temporary file under the instance directory, never held whole;
past `EDXML_MAX_BYTES` it is refused (400, as the issue says of packages over the limit).
The message is read (portal.interop.edxml.reader) and applied in one action: refused, it
leaves nothing behind, and a status 02 goes back to its sender in a transaction of its own.
"""

import hashlib
import shutil
import tempfile
from pathlib import Path

from flask import current_app, jsonify, request
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError
from werkzeug.exceptions import RequestEntityTooLarge

from portal.api import bp
from portal.api.auth import api_error
from portal.interop import inbound
from portal.interop.edxml.reader import EdxmlError, read_message
from portal.interop.tokens import axis_token_required
from portal.rules import PortalError
from portal.signing.keys import trusted_roots
from portal.transaction import action

XML_TYPES = ("application/xml", "text/xml")
CHUNK = 1024 * 1024
ENDPOINT = "api.receive_edxml"


class TooLargeError(PortalError):
    pass


@bp.url_value_preprocessor
def _edxml_size_limit(endpoint, _values):
    """The message's limit, not the uploads' (MAX_CONTENT_LENGTH, which Flask would answer
    413 for before any view runs, from the request hooks that read the body's form), and
    above any length the request declares: the view refuses past EDXML_MAX_BYTES with 400,
    by the declared length or by counting as it streams."""
    if endpoint == ENDPOINT:
        request.max_content_length = max(current_app.config["EDXML_MAX_BYTES"],
                                         request.content_length or 0) + 1


@bp.post("/edxml")
@axis_token_required
def receive_edxml():
    """One edXML message from the axis: a document, a change to one, or a status."""
    if request.mimetype not in XML_TYPES:
        return api_error(415, "the body must be application/xml (or text/xml)")
    max_bytes = current_app.config["EDXML_MAX_BYTES"]
    if request.content_length is not None and request.content_length > max_bytes:
        return api_error(400, _too_large(max_bytes))
    workdir = Path(tempfile.mkdtemp(prefix="edxml-", dir=_incoming_dir()))
    try:
        try:
            path, digest = _spool(workdir / "message.xml", max_bytes)
        except TooLargeError as error:
            return api_error(400, str(error))
        return _receive(path, digest, workdir, max_bytes)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def _incoming_dir() -> Path:
    directory = Path(current_app.config["INSTANCE_DIR"]) / "edxml-incoming"
    directory.mkdir(parents=True, exist_ok=True)
    return directory


def _too_large(max_bytes: int) -> str:
    return _("The message is larger than %(mb)s MB.", mb=max_bytes // (1024 * 1024))


def _spool(path: Path, max_bytes: int) -> tuple[Path, str]:
    """The body into a file, chunk by chunk, with its SHA-256; refused past the limit."""
    digest, size = hashlib.sha256(), 0
    with path.open("wb") as out:
        while True:
            try:
                chunk = request.stream.read(CHUNK)
            except RequestEntityTooLarge:
                raise TooLargeError(_too_large(max_bytes)) from None
            if not chunk:
                break
            size += len(chunk)
            if size > max_bytes:
                raise TooLargeError(_too_large(max_bytes))
            digest.update(chunk)
            out.write(chunk)
    return path, digest.hexdigest()


def _receive(path: Path, digest: str, workdir: Path, max_bytes: int):
    try:
        with path.open("rb") as source:
            read = read_message(source, workdir=workdir, max_bytes=max_bytes)
    except EdxmlError as error:
        _refuse_back(inbound.addressing_of_file(path), str(error), digest)
        return api_error(400, str(error))
    try:
        with action():
            earlier = inbound.already_received(digest)
            if earlier is not None:
                received = inbound.answer_again(earlier)
            else:
                verdict = inbound.signature_verdict(read, trusted_roots())
                received = inbound.receive(read, path, verdict)
    except IntegrityError:  # the same message, applied meanwhile by a concurrent request
        earlier = inbound.already_received(digest)
        if earlier is None:
            raise
        received = inbound.answer_again(earlier)
    except inbound.InboundError as error:
        if error.status in (400, 422):
            _refuse_back(inbound.addressing_of_package(read.message), str(error), digest)
        return api_error(error.status, str(error))
    except PortalError as error:
        _refuse_back(inbound.addressing_of_package(read.message), str(error), digest)
        return api_error(400, str(error))
    response = jsonify(received.body)
    response.status_code = received.status
    return response


def _refuse_back(addressing, reason: str, digest: str) -> None:
    """Status 02 to the sender of a refused package, when it is known (own transaction)."""
    if addressing is None:
        return
    try:
        with action():
            inbound.refusal_back(addressing, reason, digest)
    except Exception:  # the refusal stands whatever becomes of its answer (logged)
        current_app.logger.exception("status 02 for a refused message could not be queued")
