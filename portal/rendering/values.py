"""The plain values a document's PDF shows: strings and lists, never ORM objects.

The PDF templates run in a sandbox and see only what this module hands them.
"""

import re
from datetime import date

from sqlalchemy import select

from portal.clock import as_local, local_today
from portal.collation import by_name
from portal.documents.authority import formal_name, full_name, header_lines, place_of
from portal.documents.models import DocumentState, DocumentType, Urgency
from portal.documents.numbering import notation_for
from portal.documents.text import nfc
from portal.extensions import db
from portal.organisations.models import Organisation, OrganisationKind, sector_on
from portal.signing.models import DATE_FIELD, NUMBER_FIELD
from portal.signing.titles import head_title, printed_signer

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
# Every department, as a letter addresses them: "Các Sở Nông nghiệp và Môi trường các tỉnh…".
ALL_DEPARTMENTS = "Các Sở {sector} các tỉnh, thành phố trực thuộc Trung ương"
LISTED_RECIPIENTS = 6  # more than this many are named as a group
# A document signed before it is numbered leaves the number, day and month blank; the clerk's
# seal carries them (as on the ministry's 2019 letter: "Số:      /BTNMT-VP").
BLANK = "\u00a0" * 7


def vietnamese_date(day: date) -> str:
    """"ngày 05 tháng 02 năm 2026": days below 10 and January, February take a leading 0."""
    month = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"ngày {day.day:02d} tháng {month} năm {day.year}"


def _recipient_lines(document, departments_total: int) -> list[str]:
    if document.reply_to is not None:  # to the authority that asked, through its unit
        answered = document.reply_to.document
        unit = f" ({nfc(answered.issuer.name)})" if answered.issuer_id != answered.authority_id \
            else ""
        return [f"{formal_name(answered.authority)}{unit}"]
    recipients = list(db.session.scalars(
        select(Organisation).where(Organisation.id.in_(document.recipient_ids or []))
        .order_by(by_name(Organisation.name), Organisation.id)))
    departments = [o for o in recipients if o.kind == OrganisationKind.DEPARTMENT]
    others = [o.name for o in recipients if o.kind != OrganisationKind.DEPARTMENT]
    if departments and len(departments) == departments_total:
        return [*others, ALL_DEPARTMENTS.format(sector=sector_on(local_today()))]
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
    return (f"Phúc đáp văn bản số {answered.notation} ngày {day} của "
            f"{formal_name(answered.authority)} về việc "
            f"{_without_prefix(nfc(answered.subject))}, {formal_name(document.authority)} báo "
            f"cáo như sau:")


# Lines that have a form of their own in the body (Decree 30, Appendix I).
ARTICLE = re.compile(r"^(Điều\s+\d+\.)\s*(.*)$")
GROUND = re.compile(r"^(Căn cứ|Xét|Theo đề nghị)\b")
DECIDES = re.compile(r"^QUYẾT ĐỊNH\s*:$")
INVITATION_FIELD = re.compile(r"^(Thời gian|Địa điểm|Thành phần|Nội dung|Kính mời)\s*:\s*(.*)$")


def decision_authority(authority: Organisation) -> str:
    """In whose name a decision is taken: the head's title and the authority's full name
    ("BỘ TRƯỞNG BỘ TÀI NGUYÊN VÀ MÔI TRƯỜNG", "GIÁM ĐỐC SỞ TÀI NGUYÊN VÀ MÔI TRƯỜNG")."""
    name = full_name(authority)
    if name.endswith(" Bộ") and authority.parent is not None:  # "Văn phòng Bộ": whose
        name = f"{name.removesuffix(' Bộ')} {nfc(authority.parent.name)}"
    head = head_title(authority)
    if head.startswith("Chánh ") and name.startswith(head.removeprefix("Chánh ")):
        head = "Chánh"  # "Chánh Văn phòng Bộ …", not "Chánh Văn phòng Văn phòng …"
    return f"{head} {name}".strip().upper()


def body_paragraphs(body: str, doc_type: str) -> list[dict]:
    """The body's lines, each with its form: an article ("Điều 1."), a decision's grounds
    ("Căn cứ …") and its "QUYẾT ĐỊNH:", an invitation's time and place; else plain."""
    paragraphs = []
    for line in (p.strip() for p in nfc(body or "").split("\n")):
        if not line:
            continue
        label, kind = "", "plain"
        if doc_type == DocumentType.DECISION and DECIDES.match(line):
            kind = "decides"
        elif doc_type == DocumentType.DECISION and GROUND.match(line):
            kind = "ground"
        elif match := ARTICLE.match(line):
            kind, label, line = "article", match.group(1), match.group(2)
        elif doc_type == DocumentType.INVITATION and (match := INVITATION_FIELD.match(line)):
            kind, label, line = "field", f"{match.group(1)}:", match.group(2)
        paragraphs.append({"kind": kind, "label": label, "text": line})
    return paragraphs


def appendix_values(appendix: dict | None) -> dict | None:
    """A table after the signature (phụ lục): its title, header rows, rows and total, as the
    document stores them; rows may be marked "bold" or "italic" (a reviewer's mark)."""
    if not appendix:
        return None
    return {
        "title": nfc(appendix.get("title", "")),
        "subtitle": nfc(appendix.get("subtitle", "")),
        "header": _header_without_rowspans(appendix.get("header", [])),
        "rows": [{"cells": [nfc(str(c)) for c in row.get("cells", [])],
                  "style": row.get("style") if row.get("style") in ("bold", "italic") else ""}
                 for row in appendix.get("rows", [])],
        "total": [nfc(str(c)) for c in appendix.get("total", [])],
    }


def _header_without_rowspans(rows: list[list[dict]]) -> list[list[dict]]:
    """The appendix's header rows with every cell one row high: a cell spanning rows becomes
    an open-bottomed empty cell on each row but its last, which holds its text. WeasyPrint
    drops rowspan cells from a header it repeats on the next pages."""
    grid = []
    spanning: dict[int, dict] = {}  # column → a cell reaching down into this row
    for r, row in enumerate(rows):
        sources, here, spanning, cells, column = iter(row), spanning, {}, [], 0
        while True:
            if column not in here:
                source = next(sources, None)
                if source is None:
                    if not here:
                        break
                    column = min(here)  # cells reaching down past the row's own last one
                else:
                    here[column] = {"text": nfc(str(source.get("text", ""))),
                                    "colspan": int(source.get("colspan", 1)),
                                    "rows_left": min(int(source.get("rowspan", 1)), len(rows) - r),
                                    "continued": False}
            cell = here.pop(column)
            last = cell["rows_left"] == 1
            cells.append({"text": cell["text"] if last else "", "colspan": cell["colspan"],
                          "open": "" if last else "open-bottom",
                          "continued": cell["continued"]})
            if not last:
                spanning[column] = {**cell, "rows_left": cell["rows_left"] - 1,
                                    "continued": True}
            column += cell["colspan"]
        grid.append(cells)
    return grid


def document_values(document, signer=None) -> dict:
    """Everything the PDF of this document shows, as plain values. `signer`: the person who
    would sign, for a preview before they are in the chain (a reply before its approval)."""
    issuer, authority = document.issuer, document.authority
    departments_total = db.session.scalar(
        select(db.func.count(Organisation.id)).where(
            Organisation.kind == OrganisationKind.DEPARTMENT, Organisation.successor_id.is_(None)))
    in_chain = document.notation is None and document.state in (DocumentState.SIGNING,
                                                                DocumentState.SIGNED)
    issued_on = as_local(document.issued_at).date() if document.issued_at else local_today()
    if document.notation:
        notation, written_on = document.notation, vietnamese_date(issued_on)
    elif in_chain:
        notation = notation_for(BLANK, document.doc_type, issuer, authority)
        written_on = f"ngày{BLANK}tháng{BLANK}năm {issued_on.year}"
    else:
        notation = notation_for("...", document.doc_type, issuer, authority)
        written_on = vietnamese_date(issued_on)
    recipients = _recipient_lines(document, departments_total)
    letter = document.doc_type == DocumentType.OFFICIAL_LETTER
    decision = document.doc_type == DocumentType.DECISION
    header = header_lines(authority)
    signature = printed_signer(document, signer) or {"name": "", "lines": []}
    place_and_date = f"{place_of(authority)}, {written_on}"
    return {
        "title": f"{document.notation} {nfc(document.subject)}" if document.notation
        else nfc(document.subject),
        # Signed before it is numbered: the number and the date are fields the clerk's step
        # fills (signing/form.py), shown blank until then.
        "fill_in": {NUMBER_FIELD: f"Số: {notation}", DATE_FIELD: place_and_date}
        if in_chain else {},
        "authority": header[0],  # alone, or the governing body over the unit
        "unit": header[1] if len(header) > 1 else "",
        "notation": notation,
        "place_and_date": place_and_date,
        "letter": letter,
        "heading": TYPE_HEADINGS.get(document.doc_type, ""),
        "deciding_authority": decision_authority(authority) if decision else "",
        "subject": _without_prefix(nfc(document.subject)),
        "urgency": URGENCY_STAMPS.get(document.urgency, ""),
        "addressees": recipients if letter else [],
        "reply_to": _reply_line(document),
        "paragraphs": body_paragraphs(document.body, document.doc_type),
        "copies_to": [*(["Như trên"] if letter else recipients)],
        "archive": f"Lưu: VT, {issuer.code}",
        "signer_title": signature["lines"],
        "signer_name": signature["name"],
        "draft": document.notation is None and not in_chain,
        "appendix": appendix_values(document.appendix),
    }
