"""store_path: a file kept under its SHA-256, as store_bytes keeps bytes, one row per content."""

import hashlib
import os

from portal.extensions import db
from portal.storage.models import StoredFile
from portal.storage.services import path_of, read_bytes, store_bytes, store_path


def test_a_file_is_kept_under_its_digest(app, tmp_path):
    body = os.urandom(3 * 1024 * 1024 + 17)  # more than one chunk
    source = tmp_path / "attachment-1"
    source.write_bytes(body)
    stored = store_path(source, "application/msword")
    db.session.commit()
    assert stored.sha256 == hashlib.sha256(body).hexdigest()
    assert (stored.size, stored.content_type) == (len(body), "application/msword")
    assert read_bytes(stored) == body
    assert source.read_bytes() == body  # still the caller's


def test_the_same_content_is_one_row_by_either_way(app, tmp_path):
    source = tmp_path / "a.pdf"
    source.write_bytes(b"%PDF-1.7 the same bytes")
    first = store_bytes(b"%PDF-1.7 the same bytes")
    second = store_path(source, "application/pdf")
    db.session.commit()
    assert first.id == second.id
    assert db.session.query(StoredFile).count() == 1
    assert path_of(second).read_bytes() == b"%PDF-1.7 the same bytes"


def test_a_file_already_stored_is_not_written_again(app, tmp_path):
    source = tmp_path / "b.pdf"
    source.write_bytes(b"%PDF-1.7 kept once")
    stored = store_path(source, "application/pdf")
    kept = path_of(stored).stat()
    again = store_path(source, "application/pdf")
    assert again.id == stored.id
    assert path_of(again).stat().st_mtime_ns == kept.st_mtime_ns
    assert not [p for p in path_of(stored).parent.iterdir() if p.name.startswith(".incoming")]


def test_a_digest_the_reader_computed_is_the_one_kept_and_the_bytes_read_once(app, tmp_path):
    """The edXML reader hashes an attachment as it decodes it; store_path takes that digest
    instead of reading the file again, and the row says the file's real size."""
    body = os.urandom(200_000)
    source = tmp_path / "attachment-2"
    source.write_bytes(body)
    digest = hashlib.sha256(body).hexdigest()
    stored = store_path(source, "application/pdf", sha256=digest)
    db.session.commit()
    assert (stored.sha256, stored.size) == (digest, len(body))
    assert store_path(source, "application/pdf").id == stored.id  # hashed: the same row
