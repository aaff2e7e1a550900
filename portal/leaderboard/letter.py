"""The oversight letter: the ministry's 2019 letter on electronic documents, redrafted for any
period from the leaderboard and the published assessments, with the table as its appendix.

The draft is an ordinary document of the drafter's organisation, addressed to every department
and ministry unit; it is edited, signed and issued through the normal pipeline. The letter is
written in Vietnamese whatever the drafter's interface language: it is an official document.
"""

from flask_babel import gettext as _
from sqlalchemy import select

from portal import policy
from portal.audit import services as audit
from portal.collation import sort_key
from portal.documents.authority import default_authority
from portal.documents.models import Document, DocumentType
from portal.documents.services import DocumentError
from portal.documents.text import fold
from portal.extensions import db
from portal.leaderboard.exports import appendix_table, in_sector, vn_day, vn_number, vn_percent
from portal.leaderboard.models import AssessmentKind
from portal.leaderboard.services import (
    Leaderboard,
    Period,
    latest_published,
    leaderboard,
    short_name,
)
from portal.organisations.models import Organisation, OrganisationKind

SUBJECT = ("V/v đẩy mạnh thực hiện gửi, nhận, xử lý văn bản điện tử trong toàn ngành "
           "Tài nguyên và Môi trường")

REQUIREMENTS = (
    "1. Giám đốc các Sở Tài nguyên và Môi trường quán triệt, chịu trách nhiệm về việc thực hiện "
    "gửi, nhận 100% văn bản điện tử có xác thực chữ ký số với Bộ thông qua Trục liên thông văn "
    "bản quốc gia hoặc Hệ thống tương tác của Bộ.",
    "2. Thủ trưởng các đơn vị trực thuộc Bộ Tài nguyên và Môi trường chịu trách nhiệm, chỉ đạo "
    "trả lời văn bản của các Sở Tài nguyên và Môi trường, địa phương bảo đảm thời gian theo quy "
    "định; gửi, nhận văn bản điện tử có xác thực chữ ký số với Sở Tài nguyên và Môi trường qua "
    "hệ thống liên thông văn bản.",
    "3. Cục Chuyển đổi số và Thông tin dữ liệu tài nguyên môi trường vận hành Hệ thống tương "
    "tác bảo đảm việc xử lý văn bản kịp thời, thông suốt; tổng hợp việc tiếp nhận, xử lý văn "
    "bản của các đơn vị trực thuộc Bộ, các Sở Tài nguyên và Môi trường để làm căn cứ đánh giá "
    "kết quả công tác năm.",
    "4. Văn phòng Bộ định kỳ đôn đốc, báo cáo Bộ trưởng kết quả thực hiện của các đơn vị trực "
    "thuộc Bộ, các Sở Tài nguyên và Môi trường.",
)

def _names(names) -> str:
    return ", ".join(short_name(name) for name in names)


def body_of(board: Leaderboard, commended, criticised) -> str:
    """The letter's paragraphs (one per line), the 2019 letter's findings with this period's
    figures, the assessed departments, and its requirements."""
    total, period = board.total, board.period
    received = total["interaction_received_from_ministry"]
    paragraphs = [
        "Thực hiện Quyết định số 28/2018/QĐ-TTg ngày 12/7/2018 của Thủ tướng Chính phủ về việc "
        "gửi, nhận văn bản điện tử giữa các cơ quan trong hệ thống hành chính nhà nước, Bộ Tài "
        "nguyên và Môi trường đánh giá tình hình gửi, nhận, xử lý văn bản điện tử qua Hệ thống "
        f"tương tác và Trục liên thông văn bản quốc gia từ ngày {vn_day(period.first)} đến "
        f"ngày {vn_day(period.last)} như sau:",
        f"Trong kỳ, các Sở Tài nguyên và Môi trường đã tiếp nhận "
        f"{vn_number(total['total_received'])} văn bản của Bộ và các đơn vị trực thuộc Bộ và "
        f"đã gửi đến Bộ {vn_number(total['total_sent'])} văn bản; qua theo dõi, thống kê trên "
        f"Hệ thống tương tác, các Sở đã xử lý "
        f"{vn_number(total['interaction_processed'])}/{vn_number(received)} văn bản (đạt tỷ lệ "
        f"{vn_percent(total['interaction_processed'], received)}); đối với các văn bản phải trả "
        f"lời, có thời hạn đã trả lời {vn_number(total['deadline_replied'])} văn bản, trong đó "
        f"đúng hạn {vn_number(total['deadline_replied_on_time'])} văn bản, và chưa trả lời "
        f"{vn_number(total['deadline_not_replied'])} văn bản.",
    ]
    if commended:
        paragraphs.append("Các Sở Tài nguyên và Môi trường thực hiện tốt: "
                          f"{_names(commended)}.")
    if criticised:
        paragraphs.append("Các Sở Tài nguyên và Môi trường chưa thực hiện hoặc thực hiện chưa "
                          f"nghiêm túc: {_names(criticised)}.")
    flagged = [row.name for row in board.rows if row.overdue_flag]
    if flagged:
        paragraphs.append(
            "Các Sở Tài nguyên và Môi trường có tỷ lệ văn bản quá hạn trả lời trên "
            f"{board.settings.overdue_threshold_percent}%: {_names(flagged)}.")
    paragraphs += [
        "Chi tiết thống kê kết quả thực hiện tại Phụ lục kèm theo.",
        "Bộ biểu dương các Sở Tài nguyên và Môi trường làm tốt và phê bình các Sở Tài nguyên và "
        "Môi trường còn chưa thực hiện hoặc thực hiện chưa nghiêm túc. Để nâng cao hiệu quả hoạt "
        "động chỉ đạo, điều hành, tạo kênh tương tác trực tuyến, thực hiện tốt nhiệm vụ chính trị "
        "của toàn ngành, Bộ trưởng yêu cầu:",
        *REQUIREMENTS,
        "Bộ Tài nguyên và Môi trường yêu cầu Giám đốc các Sở Tài nguyên và Môi trường, Thủ "
        "trưởng các đơn vị trực thuộc Bộ nghiêm túc thực hiện./.",
    ]
    return in_sector("\n".join(paragraphs), board.standing.sector)


def _assessed(board: Leaderboard) -> tuple[list[str], list[str]]:
    """The names (as in the period) of the departments commended and criticised in their
    latest published assessment of exactly this period, in name order."""
    names, last = board.standing.names, board.period.last
    chosen = [(names.get(a.organisation_id) or a.organisation.name_on(last), a)
              for a in latest_published(board.period).values()]
    chosen.sort(key=lambda pair: sort_key(pair[0]))
    return ([name for name, a in chosen if a.kind == AssessmentKind.COMMEND],
            [name for name, a in chosen if a.kind == AssessmentKind.CRITICISE])


def draft_oversight_letter(period: Period, *, actor) -> Document:
    """A draft of the oversight letter for the period, to every department and ministry unit."""
    if not policy.can_draft_oversight_letter(actor):
        raise DocumentError(_("Only the ministry's reviewers and leaders draft the oversight "
                              "letter."))
    board = leaderboard(period)
    commended, criticised = _assessed(board)
    recipients = db.session.scalars(select(Organisation.id).where(
        Organisation.kind.in_((OrganisationKind.DEPARTMENT, OrganisationKind.MINISTRY_UNIT)),
        Organisation.successor_id.is_(None), Organisation.id != actor.organisation_id)
        .order_by(Organisation.id)).all()
    subject = in_sector(SUBJECT, board.standing.sector)
    letter = Document(issuer_id=actor.organisation_id, author_id=actor.id,
                      authority_id=default_authority(actor.organisation).id,
                      doc_type=DocumentType.OFFICIAL_LETTER, subject=subject,
                      body=body_of(board, commended, criticised),
                      recipient_ids=list(recipients), appendix=appendix_table(board, vn_number),
                      search_text=fold(subject))
    db.session.add(letter)
    db.session.flush()
    audit.record("oversight_letter.drafted", actor=actor, obj=letter,
                 details={"period": [period.first.isoformat(), period.last.isoformat()],
                          "commended": len(commended), "criticised": len(criticised)})
    db.session.flush()
    return letter
