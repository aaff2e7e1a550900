"""Messages with every field of the model set, for the round trips and the hostile tests."""

from datetime import date, datetime

from portal.clock import LOCAL_TZ
from portal.interop.edxml.model import (
    Attachment,
    Business,
    BusinessType,
    DocumentPackage,
    Organ,
    ResponseFor,
    Signer,
    Staff,
    StatusMessage,
    Trace,
)

PDF = b"%PDF-1.7\n" + bytes(range(256)) * 40 + b"\n%%EOF\n"


def ministry() -> Organ:
    return Organ(organ_id="000.00.00.G22", name="Bộ Nông nghiệp và Môi trường",
                 in_charge="Chính phủ", address="10 Tôn Thất Thuyết, Hà Nội",
                 email="vanthu@mae.gov.vn", telephone="024 3795 6868", fax="024 3835 9221",
                 website="https://mae.gov.vn")


def full_package(**changes) -> DocumentPackage:
    values = dict(
        sender=ministry(),
        recipients=[Organ(organ_id="000.00.01.H01", name="Sở Nông nghiệp và Môi trường Hà Nội"),
                    Organ(organ_id="28.22.H17", name="Sở Nông nghiệp và Môi trường Huế",
                          email="snnmt@hue.gov.vn")],
        document_id="000.00.00.G22,2026/12/01,3657/BNNMT-VP",
        code_number="3657", code_notation="BNNMT-VP", place="Hà Nội",
        promulgation_date=date(2026, 12, 1), type_code=18, type_name="Công văn",
        subject="V/v đẩy mạnh gửi, nhận văn bản điện tử qua Trục liên thông",
        content="Đề nghị các Sở thực hiện trước ngày 15/12/2026.", type_detail="1",
        signer=Signer(competence="KT. BỘ TRƯỞNG", position="Thứ trưởng",
                      full_name="Nguyễn Văn Ấn"),
        due_date=date(2026, 12, 15), to_places=["Như trên", "Lưu: VT, VP."], priority=2,
        sphere="Lien thong van ban quoc gia", typer_notation="VP", promulgation_amount=3,
        page_amount=2, appendixes=["Phụ lục I", "Phụ lục II"], steering_type=1,
        response_for=ResponseFor(organ_id="000.00.01.H01", code="12/SNNMT-VP",
                                 promulgation_date=date(2026, 11, 20),
                                 document_id="000.00.01.H01,2026/11/20,12/SNNMT-VP"),
        business=Business(doc_type=BusinessType.REPLACE, reason="Thay thế văn bản có sai sót",
                          document_id="000.00.00.G22,2026/11/30,3650/BNNMT-VP", paper=1,
                          staff=Staff(department="Văn phòng", staff="Trần Thị Bé",
                                      mobile="0912345678", email="be@mae.gov.vn"),
                          receivers=[(1, "28.22.H17"), (0, "000.00.03.H03")],
                          replaces=["000.00.00.G22,2026/11/30,3650/BNNMT-VP"]),
        traces=[Trace(organ_id="000.00.00.G22",
                      timestamp=datetime(2026, 12, 1, 9, 30, 5, tzinfo=LOCAL_TZ))],
        attachments=[
            Attachment(content_id="a1", name="3657-BNNMT-VP.pdf", content_type="application/pdf",
                       description="Văn bản điện tử", data=PDF),
            Attachment(content_id="a2", name="Phụ lục.pdf", content_type="application/pdf",
                       data=PDF[::-1]),
        ],
    )
    values.update(changes)
    return DocumentPackage(**values)


def full_status(**changes) -> StatusMessage:
    values = dict(
        sender=Organ(organ_id="000.00.01.H01", name="Sở Nông nghiệp và Môi trường Hà Nội"),
        response_for=ResponseFor(organ_id="000.00.00.G22", code="3657/BNNMT-VP",
                                 promulgation_date=date(2026, 12, 1),
                                 document_id="000.00.00.G22,2026/12/01,3657/BNNMT-VP"),
        status_code="03", timestamp=datetime(2026, 12, 1, 14, 5, 0, tzinfo=LOCAL_TZ),
        description="Đã vào sổ văn bản đến số 1234",
        staff=Staff(department="Văn thư", staff="Lê Văn Cường", mobile="0987654321",
                    email="cuong@hanoi.gov.vn"),
        recipients=[ministry()],
        traces=[Trace(organ_id="000.00.01.H01",
                      timestamp=datetime(2026, 12, 1, 14, 5, 1, tzinfo=LOCAL_TZ))],
    )
    values.update(changes)
    return StatusMessage(**values)
