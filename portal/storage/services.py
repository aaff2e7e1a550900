"""Keep files by content: the same bytes are stored once, written atomically, never changed.

The storage directory is outside the web root (STORAGE_DIR); files are served only through
routes that check who may see them.
"""

import hashlib
import os
import tempfile
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from portal.extensions import db
from portal.storage.models import StoredFile

PDF_MAGIC = b"%PDF-"


class UploadError(ValueError):
    """A file the portal refuses; the message says why."""


def storage_root() -> Path:
    return Path(current_app.config["STORAGE_DIR"])


def path_of(stored: StoredFile) -> Path:
    return storage_root() / stored.sha256[:2] / stored.sha256[2:4] / stored.sha256


def check_pdf(data: bytes, filename: str) -> None:
    """Refuse anything that is not a PDF within the size limit (by its bytes, not its name)."""
    limit = current_app.config["MAX_ATTACHMENT_BYTES"]
    if len(data) > limit:
        raise UploadError(_("%(name)s is larger than %(mb)s MB.", name=filename,
                            mb=limit // (1024 * 1024)))
    if not data:
        raise UploadError(_("%(name)s is empty.", name=filename))
    if not data.startswith(PDF_MAGIC):
        raise UploadError(_("%(name)s is not a PDF file. Only PDF attachments are accepted.",
                            name=filename))


def store_bytes(data: bytes, content_type: str = "application/pdf") -> StoredFile:
    """Write the bytes once under their SHA-256 and return their row (caller commits)."""
    digest = hashlib.sha256(data).hexdigest()
    stored = db.session.scalar(select(StoredFile).where(StoredFile.sha256 == digest))
    if stored is None:
        stored = StoredFile(sha256=digest, size=len(data), content_type=content_type)
        db.session.add(stored)
        db.session.flush()
    target = path_of(stored)
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".incoming-")
        with os.fdopen(handle, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(temporary, target)
    return stored


def read_bytes(stored: StoredFile) -> bytes:
    return path_of(stored).read_bytes()
