"""A portal that receives from the axis: the ministry and a department here, a department on
the axis, an axis token; messages as the axis brings them (A's writer, or hand-written)."""

import base64
import io
import zipfile
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, select

from portal.clock import LOCAL_TZ, local_today
from portal.extensions import db
from portal.interop.edxml.model import (
    Attachment,
    Business,
    DocumentPackage,
    Organ,
    ResponseFor,
    Signer,
    Staff,
    StatusMessage,
)
from portal.interop.edxml.writer import package_bytes, status_bytes
from portal.interop.tokens import issue_axis_token
from portal.organisations.services import set_axis_details
from portal.transaction import action
from tests.pdfs import blank_pdf

MINISTRY_ID = "000.00.00.G14"
HERE_ID = "000.00.12.H01"  # a department whose people work here
AXIS_ID = "000.00.12.H02"  # a department whose own system receives through the axis
ELSEWHERE_ID = "000.00.99.H99"  # known nowhere here
SENDER_ID = "000.00.00.G10"  # Bộ Nội vụ: never seen before it writes


@dataclass
class World:
    ministry: object
    here: object
    on_axis: object
    ministry_clerk: object
    here_clerk: object
    here_leader: object
    secret: str


def build_world(make) -> World:
    ministry = make.ministry()
    here = make.organisation(code="HN", name="Sở Nông nghiệp và Môi trường Hà Nội")
    on_axis = make.organisation(code="LC", name="Sở Nông nghiệp và Môi trường Lai Châu")
    with action():
        set_axis_details(ministry, organ_id=MINISTRY_ID, channel="portal")
        set_axis_details(here, organ_id=HERE_ID, channel="portal")
        set_axis_details(on_axis, organ_id=AXIS_ID, channel="axis")
    with action():
        _token, secret = issue_axis_token()
    return World(ministry=ministry, here=here, on_axis=on_axis,
                 ministry_clerk=make.user(ministry, "clerk"), here_clerk=make.user(here, "clerk"),
                 here_leader=make.user(here, "leader"), secret=secret)


def post(client, world, body: bytes, content_type="application/xml"):
    return client.post("/api/v1/edxml", data=body, content_type=content_type,
                       headers={"Authorization": f"Bearer {world.secret}"})


def zip_bytes() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("bang-so-lieu.txt", "Số liệu quý IV")
    return out.getvalue()


DOC_BYTES = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504  # an OLE2 (.doc) header


def sender() -> Organ:
    return Organ(organ_id=SENDER_ID, name="Bộ Nội vụ", address="8 Tôn Thất Thuyết, Hà Nội",
                 email="vanthu@moha.gov.vn", telephone="024 6282 1018")


def package(number="712", *, business=None, attachments=None, recipients=None, **changes):
    due = local_today() + timedelta(days=20)
    values = dict(
        sender=sender(),
        recipients=recipients if recipients is not None else [
            Organ(organ_id=HERE_ID, name="Sở Nông nghiệp và Môi trường Hà Nội"),
            Organ(organ_id=ELSEWHERE_ID, name="UBND tỉnh Không Có")],
        document_id=f"{SENDER_ID},2026/11/28,{number}/BNV-VP", code_number=number,
        code_notation="BNV-VP", place="Hà Nội", promulgation_date=date(2026, 11, 28),
        type_code=18, type_name="Công văn",
        subject="V/v rà soát vị trí việc làm năm 2027", content="Đề nghị các Sở báo cáo.",
        signer=Signer(competence="KT. BỘ TRƯỞNG", position="Thứ trưởng",
                      full_name="Trương Hải Long"),
        due_date=due, to_places=["Như trên", "Lưu: VT, VP."], priority=1,
        business=business or Business(),
        attachments=attachments if attachments is not None else [
            Attachment(content_id="a1", name=f"{number}-BNV-VP.pdf",
                       content_type="application/pdf", data=blank_pdf()),
            Attachment(content_id="a2", name="Phụ lục.doc", content_type="application/zip",
                       data=DOC_BYTES),
            Attachment(content_id="a3", name="Số liệu.zip", content_type="application/zip",
                       data=zip_bytes())])
    values.update(changes)
    return DocumentPackage(**values)


def package_xml(*args, signing=None, **kwargs) -> bytes:
    return package_bytes(package(*args, **kwargs), signing=signing)


def business(kind, document_id, reason="", **changes):
    return Business(doc_type=kind, reason=reason, document_id=document_id, **changes)


def status(code, document_id, *, reporter=AXIS_ID, minute=5, description="Đã vào sổ"):
    return status_bytes(StatusMessage(
        sender=Organ(organ_id=reporter, name="Sở Nông nghiệp và Môi trường Lai Châu"),
        response_for=ResponseFor(organ_id=MINISTRY_ID, code="1/BNNMT-VP",
                                 document_id=document_id),
        status_code=code, timestamp=datetime(2026, 12, 1, 14, minute, tzinfo=LOCAL_TZ),
        description=description,
        staff=Staff(department="Văn thư", staff="Lò Văn Sáng", mobile="0912000111"),
        recipients=[Organ(organ_id=MINISTRY_ID)]))


def row_counts() -> dict[str, int]:
    """Every table's number of rows."""
    return {table.name: db.session.scalar(select(func.count()).select_from(table))
            for table in db.metadata.sorted_tables}


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


