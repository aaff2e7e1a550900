"""Files the portal keeps (PDFs), addressed by their SHA-256; the bytes live under STORAGE_DIR."""

from portal.clock import utcnow
from portal.extensions import db


class StoredFile(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    sha256 = db.Column(db.String(64), nullable=False, unique=True)
    size = db.Column(db.Integer, nullable=False)
    content_type = db.Column(db.String(100), nullable=False)
    created_at = db.Column(db.DateTime(timezone=True), nullable=False, default=utcnow)
