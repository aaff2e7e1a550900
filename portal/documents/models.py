"""Official documents (văn bản), their attachments and the number registers they are issued from."""

from enum import StrEnum

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.ext.hybrid import hybrid_property

from portal.clock import as_local, utcnow
from portal.deliveries.models import Delivery
from portal.extensions import db


class DocumentType(StrEnum):
    OFFICIAL_LETTER = "cong_van"  # công văn
    DECISION = "quyet_dinh"  # quyết định
    NOTICE = "thong_bao"  # thông báo
    PLAN = "ke_hoach"  # kế hoạch
    REPORT = "bao_cao"  # báo cáo
    SUBMISSION = "to_trinh"  # tờ trình
    INVITATION = "giay_moi"  # giấy mời
    GUIDANCE = "huong_dan"  # hướng dẫn


# Abbreviations in the notation (Decree 30/2020, Appendix III); a công văn has none.
TYPE_ABBREVIATIONS = {
    DocumentType.OFFICIAL_LETTER: "",
    DocumentType.DECISION: "QĐ",
    DocumentType.NOTICE: "TB",
    DocumentType.PLAN: "KH",
    DocumentType.REPORT: "BC",
    DocumentType.SUBMISSION: "TTr",
    DocumentType.INVITATION: "GM",
    DocumentType.GUIDANCE: "HD",
}

TYPE_LABELS = {
    DocumentType.OFFICIAL_LETTER: _l("Official letter"),
    DocumentType.DECISION: _l("Decision"),
    DocumentType.NOTICE: _l("Notice"),
    DocumentType.PLAN: _l("Plan"),
    DocumentType.REPORT: _l("Report"),
    DocumentType.SUBMISSION: _l("Submission"),
    DocumentType.INVITATION: _l("Invitation"),
    DocumentType.GUIDANCE: _l("Guidance"),
}


class Urgency(StrEnum):
    NORMAL = "normal"  # Thường
    URGENT = "urgent"  # Khẩn
    VERY_URGENT = "very_urgent"  # Thượng khẩn
    FLASH = "flash"  # Hỏa tốc


URGENCY_LABELS = {
    Urgency.NORMAL: _l("Normal"),
    Urgency.URGENT: _l("Urgent"),
    Urgency.VERY_URGENT: _l("Very urgent"),
    Urgency.FLASH: _l("Flash"),
}


class Confidentiality(StrEnum):  # độ mật: only NONE may travel through the portal
    NONE = "none"
    MAT = "mat"  # Mật
    TOI_MAT = "toi_mat"  # Tối mật
    TUYET_MAT = "tuyet_mat"  # Tuyệt mật


CONFIDENTIALITY_LABELS = {
    Confidentiality.NONE: _l("Not confidential"),
    Confidentiality.MAT: _l("Secret (Mật)"),
    Confidentiality.TOI_MAT: _l("Top secret (Tối mật)"),
    Confidentiality.TUYET_MAT: _l("Highest secret (Tuyệt mật)"),
}


class DocumentState(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"  # a reply waiting for the leader's approval
    SIGNING = "signing"  # laid out without a number, travelling the signature chain (trình ký)
    SIGNED = "signed"  # every signature of the chain is on it: the clerk may issue it
    ISSUED = "issued"  # numbered (phát hành); delivered once its PDF is final (dispatched_at)


STATE_LABELS = {
    DocumentState.DRAFT: _l("Draft"),
    DocumentState.SUBMITTED: _l("With the leader"),
    DocumentState.SIGNING: _l("Being signed"),
    DocumentState.SIGNED: _l("Signed, waiting to be issued"),
    DocumentState.ISSUED: _l("Issued"),
}


def _drafting_organisation(context) -> int:
    return context.get_current_parameters()["issuer_id"]


class Document(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    # The drafting organisation (đơn vị soạn thảo): its people draft, track and issue it.
    issuer_id = db.Column(db.Integer, db.ForeignKey("organisation.id"), nullable=False,
                          index=True)
    # The issuing authority (cơ quan ban hành): the document is in its name, under its header,
    # numbered in its register and sealed with its key. The drafting organisation itself, or
    # (a ministry unit's document in the ministry's name) its parent: 12/BTNMT-VP. Unless
    # given, the drafting organisation (documents.authority chooses it for drafts).
    authority_id = db.Column(db.Integer, db.ForeignKey("organisation.id"), nullable=False,
                             index=True, default=_drafting_organisation)
    # Who drafted it here; None for a document received through the axis.
    author_id = db.Column(db.Integer, db.ForeignKey("user.id"))
    doc_type = db.Column(db.String(20), nullable=False)
    subject = db.Column(db.String(500), nullable=False)  # trích yếu
    body = db.Column(db.Text, nullable=False, default="")
    urgency = db.Column(db.String(20), nullable=False, default=Urgency.NORMAL)
    state = db.Column(db.String(20), nullable=False, default=DocumentState.DRAFT)
    # Recipients chosen while drafting; on issue each becomes a Delivery.
    recipient_ids = db.Column(db.JSON, nullable=False, default=list)
    # Reply deadline: a date, or N working days from receipt (hạn trả lời).
    due_on = db.Column(db.Date)
    due_working_days = db.Column(db.Integer)
    review_note = db.Column(db.String(1000))  # the leader's word when returning a reply
    number = db.Column(db.Integer)  # số
    year = db.Column(db.Integer)
    notation = db.Column(db.String(100))  # số / ký hiệu, e.g. 1234/BTNMT-VP
    issued_at = db.Column(db.DateTime(timezone=True))
    issued_by_id = db.Column(db.Integer, db.ForeignKey("user.id"))
    # Notation and subject folded to lowercase ASCII, for search with or without diacritics.
    search_text = db.Column(db.String(700), nullable=False, default="")
    # The PDF of record: rendered after issuing (a job), or the uploaded main PDF.
    pdf_file_id = db.Column(db.Integer, db.ForeignKey("stored_file.id"))
    # When the organisation's signature (its seal, with number and date) was applied; None:
    # the document went out unsigned (counted as such).
    sealed_at = db.Column(db.DateTime(timezone=True))
    # A table printed after the signature (phụ lục): title, header rows, rows, total; see
    # rendering.values.appendix_values. The oversight letter carries the leaderboard so.
    appendix = db.Column(db.JSON)
    # When the dispatch job delivered it (its PDF of record final); None: not yet delivered.
    dispatched_at = db.Column(db.DateTime(timezone=True))
    created_at = db.Column(db.DateTime(timezone=True), nullable=False, default=utcnow)
    updated_at = db.Column(db.DateTime(timezone=True), nullable=False, default=utcnow,
                           onupdate=utcnow)

    issuer = db.relationship("Organisation", foreign_keys=[issuer_id])
    authority = db.relationship("Organisation", foreign_keys=[authority_id])
    author = db.relationship("User", foreign_keys=[author_id])
    issued_by = db.relationship("User", foreign_keys=[issued_by_id])
    pdf_file = db.relationship("StoredFile")
    # A reply answers one delivery, which names it (Delivery.reply_document_id, the one link).
    reply_to = db.relationship(
        "Delivery", primaryjoin="Document.id == foreign(Delivery.reply_document_id)",
        viewonly=True, uselist=False)
    # The document itself first (when it was uploaded as a PDF), then the appendices.
    attachments = db.relationship("DocumentAttachment",
                                  order_by="(DocumentAttachment.is_main.desc(), "
                                           "DocumentAttachment.id)",
                                  back_populates="document", cascade="all, delete-orphan")

    __table_args__ = (
        db.UniqueConstraint("authority_id", "year", "number"),
        db.Index("ix_document_state_issuer", "issuer_id", "state"),
        # A department's documents newest first (its leaderboard page's list, keyset paged).
        db.Index("ix_document_issuer_issued", "issuer_id", "issued_at", "id"),
    )

    @hybrid_property
    def reply_to_id(self) -> int | None:
        """The id of the delivery this document answers (None: not a reply)."""
        return self.reply_to.id if self.reply_to is not None else None

    @reply_to_id.inplace.expression
    @classmethod
    def _reply_to_id_expression(cls):
        return (select(Delivery.id).where(Delivery.reply_document_id == cls.id)
                .scalar_subquery())

    def names_then(self) -> tuple[str, str]:
        """The authority's and the drafting unit's names on the day the document went out (or
        was last changed, while a draft): a record keeps the names of its day."""
        day = as_local(self.issued_at or self.updated_at or utcnow()).date()
        return self.authority.name_on(day), self.issuer.name_on(day)

    def __repr__(self):
        return f"<Document {self.notation or self.id}>"


class DocumentAttachment(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    document_id = db.Column(db.Integer, db.ForeignKey("document.id", ondelete="CASCADE"),
                            nullable=False, index=True)
    file_id = db.Column(db.Integer, db.ForeignKey("stored_file.id"), nullable=False)
    filename = db.Column(db.String(255), nullable=False)
    # The document itself as a PDF (instead of, or besides, its text); at most one per document.
    is_main = db.Column(db.Boolean, nullable=False, default=False, server_default=db.false())
    added_at = db.Column(db.DateTime(timezone=True), nullable=False, default=utcnow)

    document = db.relationship("Document", back_populates="attachments")
    file = db.relationship("StoredFile")


class NumberRegister(db.Model):
    """The last number an issuing authority gave in a calendar year (sổ đăng ký văn bản đi)."""

    organisation_id = db.Column(db.Integer, db.ForeignKey("organisation.id"), primary_key=True)
    year = db.Column(db.Integer, primary_key=True, autoincrement=False)
    last_number = db.Column(db.Integer, nullable=False, default=0)
    # Closed on its organisation's merge: from this day nothing is numbered in its name.
    closed_on = db.Column(db.Date)
