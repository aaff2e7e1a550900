"""The plain values a document's PDF shows: strings and lists, never ORM objects.

The PDF templates run in a sandbox and see only what this module hands them.
"""

import re
from datetime import date

from sqlalchemy import select

from portal.clock import as_local, local_today
from portal.documents.models import DocumentState, DocumentType, Urgency
from portal.documents.numbering import notation_for
from portal.documents.text import nfc
from portal.extensions import db
from portal.organisations.models import Organisation, OrganisationKind

# The type's name as the heading of a document that is not a letter (Decree 30, Appendix I).
TYPE_HEADINGS = {
    DocumentType.DECISION: "QUYẾT ĐỊNH",
    DocumentType.NOTICE: "THÔNG BÁO",
    DocumentType.PLAN: "KẾ HOẠCH",
    DocumentType.REPORT: "BÁO CÁO",
    DocumentType.SUBMISSION: "TỜ TRÌNH",
    DocumentType.INVITATION: "GIẤY MỜI",
    DocumentType.GUIDANCE: "HƯỚNG DẪN",
}
URGENCY_STAMPS = {Urgency.URGENT: "KHẨN", Urgency.VERY_URGENT: "THƯỢNG KHẨN",
                  Urgency.FLASH: "HỎA TỐC"}
ALL_DEPARTMENTS = "Các Sở Tài nguyên và Môi trường các tỉnh, thành phố trực thuộc Trung ương"
MINISTRY_PLACE = "Hà Nội"
LISTED_RECIPIENTS = 6  # more than this many are named as a group
# A document signed before it is numbered leaves the number, day and month blank; the clerk's
# seal carries them (as on the ministry's 2019 letter: "Số:      /BTNMT-VP").
BLANK = "\u00a0" * 7


def vietnamese_date(day: date) -> str:
    """"ngày 05 tháng 02 năm 2026": days below 10 and January, February take a leading 0."""
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"ngày {day.day:02d} tháng {month} năm {day.year}"


def place_of(organisation: Organisation) -> str:
    """Where the organisation writes from: its province, or Hà Nội for the ministry's side."""
    if organisation.kind != OrganisationKind.DEPARTMENT:
        return MINISTRY_PLACE
    match = re.search(r"(?:tỉnh|TP\.|thành phố)\s+(.+)$", organisation.name)
    place = match.group(1).strip() if match else organisation.name
    return f"TP. {place}" if re.search(r"TP\.|thành phố", organisation.name) else place


def _recipient_lines(document, departments_total: int) -> list[str]:
    recipients = list(db.session.scalars(
        select(Organisation).where(Organisation.id.in_(document.recipient_ids or []))
        .order_by(Organisation.name)))
    departments = [o for o in recipients if o.kind == OrganisationKind.DEPARTMENT]
    others = [o.name for o in recipients if o.kind != OrganisationKind.DEPARTMENT]
    if departments and len(departments) == departments_total:
        return [*others, ALL_DEPARTMENTS]
    names = others + [o.name for o in departments]
    if len(names) > LISTED_RECIPIENTS:
        return [f"{len(names)} cơ quan (danh sách kèm theo)"]
    return names


def _without_prefix(subject: str) -> str:
    """The subject without the "V/v" the letter template writes itself."""
    return re.sub(r"^\s*(V/v|v/v|Về việc)\s+", "", subject)


def _reply_line(document) -> str:
    """"Phúc đáp Công văn số … ngày … của …": a reply names the document it answers."""
    if document.reply_to is None:
        return ""
    answered = document.reply_to.document
    day = as_local(answered.issued_at).strftime("%d/%m/%Y")
    return (f"Phúc đáp văn bản số {answered.notation} ngày {day} của {nfc(answered.issuer.name)} "
            f"về việc {_without_prefix(nfc(answered.subject))}, "
            f"{nfc(document.issuer.name)} báo cáo như sau:")


def document_values(document) -> dict:
    """Everything the PDF of this document shows, as plain values."""
    issuer = document.issuer
    authority = issuer.parent or issuer
    departments_total = db.session.scalar(
        select(db.func.count(Organisation.id)).where(
            Organisation.kind == OrganisationKind.DEPARTMENT, Organisation.successor_id.is_(None)))
    in_chain = document.notation is None and document.state in (DocumentState.SIGNING,
                                                                DocumentState.SIGNED)
    issued_on = as_local(document.issued_at).date() if document.issued_at else local_today()
    if document.notation:
        notation, written_on = document.notation, vietnamese_date(issued_on)
    elif in_chain:
        notation = notation_for(BLANK, document.doc_type, issuer)
        written_on = f"ngày{BLANK}tháng{BLANK}năm {issued_on.year}"
    else:
        notation = notation_for("...", document.doc_type, issuer)
        written_on = vietnamese_date(issued_on)
    recipients = _recipient_lines(document, departments_total)
    letter = document.doc_type == DocumentType.OFFICIAL_LETTER
    return {
        "authority": nfc(authority.name).upper(),
        "unit": nfc(issuer.name).upper() if issuer.parent is not None and not letter else "",
        "notation": notation,
        "place_and_date": f"{place_of(authority)}, {written_on}",
        "letter": letter,
        "heading": TYPE_HEADINGS.get(document.doc_type, ""),
        "subject": _without_prefix(nfc(document.subject)),
        "urgency": URGENCY_STAMPS.get(document.urgency, ""),
        "addressees": recipients if letter else [],
        "reply_to": _reply_line(document),
        "paragraphs": [p.strip() for p in nfc(document.body or "").split("\n") if p.strip()],
        "copies_to": [*(["Như trên"] if letter else recipients)],
        "archive": f"Lưu: VT, {issuer.code}",
        "signer_title": nfc(document.signer_title or "").upper(),
        "signer_name": nfc(document.signer_name or ""),
        "draft": document.notation is None and not in_chain,
    }
