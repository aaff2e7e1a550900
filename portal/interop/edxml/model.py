"""An edXML message (QCVN 102:2016/BTTTT) as plain values: what the reader gives and the
writer takes. Nothing here knows the database; portal.interop maps these to documents,
deliveries and organisations. Element names are the standard's (../shared/EDXML.md).

Dates are `datetime.date`, moments aware `datetime.datetime`; text is NFC. A field the
message leaves out is None (or empty for lists).
"""

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import IntEnum
from pathlib import Path

NAMESPACE = "http://www.mic.gov.vn/TBT/QCVN_102_2016"


class BusinessType(IntEnum):
    """BussinessDocType: what a document package does."""

    NEW = 0
    REVOKE = 1  # thu hồi
    UPDATE = 2  # cập nhật
    REPLACE = 3  # thay thế


@dataclass
class Organ:
    """A From or To block (also ResponseFor's OrganId)."""

    organ_id: str
    name: str = ""  # OrganName
    in_charge: str = ""  # OrganizationInCharge
    address: str = ""  # OrganAdd
    email: str = ""
    telephone: str = ""
    fax: str = ""
    website: str = ""


@dataclass
class Signer:  # SignerInfo
    competence: str = ""  # e.g. "KT. BỘ TRƯỞNG"
    position: str = ""
    full_name: str = ""


@dataclass
class Staff:  # StaffInfo
    department: str = ""
    staff: str = ""
    mobile: str = ""
    email: str = ""


@dataclass
class Attachment:
    """One attachment. Written from `data` or `path`; read into `path` (a temporary file the
    reader decoded the base64 into, streamed: never the whole package in memory)."""

    content_id: str  # without "cid:"
    name: str
    content_type: str
    description: str = ""
    data: bytes | None = None
    path: Path | None = None
    size: int = 0  # bytes, once decoded
    sha256: str = ""  # of the decoded bytes, once read

    def read(self) -> bytes:
        return self.data if self.data is not None else self.path.read_bytes()


@dataclass
class Trace:  # one TraceHeader
    organ_id: str
    timestamp: datetime


@dataclass
class Business:  # Bussiness
    doc_type: BusinessType = BusinessType.NEW
    reason: str = ""  # BussinessDocReason
    document_id: str = ""  # the DocumentId the business concerns (revoked, updated…)
    paper: int = 0
    staff: Staff | None = None
    # ReceiverList of an update: (ReceiverType 0 removed / 1 added, organ id)
    receivers: list[tuple[int, str]] = field(default_factory=list)
    # ReplacementInfoList of a replacement: the DocumentIds replaced
    replaces: list[str] = field(default_factory=list)


@dataclass
class ResponseFor:
    organ_id: str = ""
    code: str = ""  # number/notation
    promulgation_date: date | None = None
    document_id: str = ""

    @property
    def empty(self) -> bool:
        return not (self.organ_id or self.code or self.document_id)


@dataclass
class DocumentPackage:
    """A package that carries a document (new, revoke, update, replace)."""

    sender: Organ  # From
    recipients: list[Organ]  # To, repeated
    document_id: str  # DocumentId: OrganId,yyyy/MM/dd,number/notation (or a UUID)
    code_number: str  # CodeNumber, e.g. "3657"
    code_notation: str  # CodeNotation, e.g. "BNNMT-VP"
    place: str  # PromulgationInfo/Place
    promulgation_date: date  # PromulgationInfo/PromulgationDate
    type_code: int | None  # DocumentType/Type
    type_name: str  # DocumentType/TypeName, e.g. "Công văn"
    subject: str
    content: str = ""
    type_detail: str = ""
    signer: Signer | None = None
    due_date: date | None = None
    to_places: list[str] = field(default_factory=list)
    priority: int = 0  # OtherInfo/Priority: 0 normal … 3 express (hỏa tốc), 4 timed express
    sphere: str = ""  # OtherInfo/SphereOfPromulgation
    typer_notation: str = ""
    promulgation_amount: int | None = None
    page_amount: int | None = None
    appendixes: list[str] = field(default_factory=list)
    steering_type: int | None = None
    response_for: ResponseFor | None = None  # a reply's document answered (empty blocks: None)
    business: Business = field(default_factory=Business)
    traces: list[Trace] = field(default_factory=list)
    attachments: list[Attachment] = field(default_factory=list)

    @property
    def notation(self) -> str:
        return f"{self.code_number}/{self.code_notation}" if self.code_notation \
            else self.code_number


@dataclass
class StatusMessage:
    """A status message: who reports (From), on which document (ResponseFor), what."""

    sender: Organ
    response_for: ResponseFor
    status_code: str  # "01" … "16"
    timestamp: datetime
    description: str = ""
    staff: Staff | None = None
    recipients: list[Organ] = field(default_factory=list)  # To, when the message names them
    traces: list[Trace] = field(default_factory=list)


@dataclass
class SignatureCheck:
    """What the reader found of the message's XML signature."""

    present: bool
    certificate: bytes | None = None  # DER of the signing certificate, when it verified
    # Set by the importer against the portal's trusted roots: whether the chain is trusted.
    trusted: bool | None = None
    # Whether the signature covers the whole message, attachments included (as some systems
    # sign), rather than the envelope with the manifest's digests (as the portal signs).
    whole_message: bool = False


@dataclass
class ReadMessage:
    """What the reader gives: the message, its signature's check, and what it repaired."""

    message: DocumentPackage | StatusMessage
    signature: SignatureCheck
    repairs: list[str] = field(default_factory=list)  # said in the answer and status message
