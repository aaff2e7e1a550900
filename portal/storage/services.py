"""Keep files by content: the same bytes are stored once, written atomically, never changed.

The storage directory is outside the web root (STORAGE_DIR); files are served only through
routes that check who may see them.
"""

import hashlib
import io
import os
import secrets
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _
from pypdf import PdfReader
from sqlalchemy import select

from portal.clock import utcnow
from portal.extensions import db, insert_for_dialect
from portal.rules import PortalError
from portal.storage.active_content import active_content
from portal.storage.models import StoredFile

PDF_MAGIC = b"%PDF-"


class UploadError(PortalError):
    """A file the portal refuses; the message says why."""


class ActiveContentError(UploadError):
    """A PDF that could run code or carry other files (see storage.active_content)."""


def storage_root() -> Path:
    return Path(current_app.config["STORAGE_DIR"])


def path_of(stored: StoredFile) -> Path:
    return storage_root() / stored.sha256[:2] / stored.sha256[2:4] / stored.sha256


@dataclass(frozen=True)
class PdfSummary:
    pages: int
    first_page_text: str


def check_pdf(data: bytes, filename: str) -> PdfSummary:
    """Refuse anything that is not a readable, plain PDF within the size limit (by its bytes):
    damaged, protected by a password, or carrying active content."""
    limit = current_app.config["MAX_ATTACHMENT_BYTES"]
    if len(data) > limit:
        raise UploadError(_("%(name)s is larger than %(mb)s MB.", name=filename,
                            mb=limit // (1024 * 1024)))
    if not data:
        raise UploadError(_("%(name)s is empty.", name=filename))
    if not data.startswith(PDF_MAGIC):
        raise UploadError(_("%(name)s is not a PDF file. Only PDF attachments are accepted.",
                            name=filename))
    return _read_pdf(data, filename)


def _read_pdf(data: bytes, filename: str) -> PdfSummary:
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise UploadError(_("%(name)s is protected by a password. Send it without one.",
                                name=filename))
        found = active_content(reader)
        pages = len(reader.pages)
        text = reader.pages[0].extract_text() if pages else ""
    except UploadError:
        raise
    except Exception as error:  # a damaged file can fail pypdf in many ways; all mean the same
        # (so does one too big to be checked for active content: storage.active_content)
        raise UploadError(_("%(name)s cannot be read as a PDF: the file is damaged or "
                            "incomplete.", name=filename)) from error
    if found:
        raise ActiveContentError(_(
            "%(name)s is not accepted: it contains %(found)s. An official document has no "
            "reason to run code or carry other files; save or print it again as a plain PDF "
            "and attach that. Nothing has been stored.",
            name=filename, found=", ".join(str(kind) for kind in found)))
    if pages == 0:
        raise UploadError(_("%(name)s has no pages.", name=filename))
    return PdfSummary(pages=pages, first_page_text=text)


def store_bytes(data: bytes, content_type: str = "application/pdf") -> StoredFile:
    """Write the bytes once under their SHA-256 and return their row (caller commits)."""
    return _keep(hashlib.sha256(data).hexdigest(), len(data), content_type,
                 lambda f: f.write(data))


def store_path(path: Path, content_type: str, *, sha256: str | None = None) -> StoredFile:
    """Keep the file at `path` under its SHA-256 and return its row (caller commits), in
    chunks: never wholly in memory. The file is linked into storage where it can be (same
    file system), copied otherwise; `path` stays where it is, and the caller must not write
    to it afterwards (it may be the stored file itself). `sha256`: the digest the portal's
    own code computed while it wrote the file (the edXML reader does, decoding), so that the
    bytes are not read twice; never a digest a sender claimed."""
    if sha256 is None:
        digest = hashlib.sha256()
        with open(path, "rb") as f:
            while chunk := f.read(CHUNK):
                digest.update(chunk)
        sha256 = digest.hexdigest()
    return _keep(sha256, os.stat(path).st_size, content_type, lambda out: _copy(path, out),
                 link_from=Path(path))


CHUNK = 1024 * 1024


def _copy(path: Path, out) -> None:
    with open(path, "rb") as f:
        shutil.copyfileobj(f, out, CHUNK)


def _keep(digest: str, size: int, content_type: str, write, link_from: Path | None = None):
    """The row of these bytes, made if new, and the file under its digest, written atomically
    (a temporary file renamed) if it is not there yet."""
    # One statement for new content; and two transactions storing the same bytes at once
    # meet in the unique index (the second waits, then finds the first's row) instead of
    # one of them failing.
    stored = db.session.scalar(
        insert_for_dialect(StoredFile)
        .values(sha256=digest, size=size, content_type=content_type, created_at=utcnow())
        .on_conflict_do_nothing(index_elements=[StoredFile.sha256])
        .returning(StoredFile))
    if stored is None:
        stored = db.session.scalar(select(StoredFile).where(StoredFile.sha256 == digest))
    target = path_of(stored)
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        if link_from is None or not _link(link_from, target):
            handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".incoming-")
            with os.fdopen(handle, "wb") as f:
                write(f)
                f.flush()
                os.fsync(f.fileno())
            os.replace(temporary, target)
    return stored


def _link(source: Path, target: Path) -> bool:
    """A hard link to `source` under `target`'s name, atomically; False where the file
    systems differ (or links are not allowed) and the bytes must be copied."""
    temporary = target.parent / f".incoming-{os.getpid()}-{secrets.token_hex(8)}"
    try:
        os.link(source, temporary)
    except OSError:
        return False
    os.replace(temporary, target)
    return True


def read_bytes(stored: StoredFile) -> bytes:
    return path_of(stored).read_bytes()
