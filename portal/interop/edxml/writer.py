"""Write an edXML message (QCVN 102:2016) from the plain values of `model`.

The envelope (header and manifest) is built as a small tree, signed when asked, and written
first; the attachments follow it in `AttachmentEncoded`, base64 in lines of 76 characters,
read and encoded chunk by chunk so that a large attachment is never held whole as base64.
Each manifest Reference carries its attachment's size and SHA-256, so a signature over the
envelope binds the attachments too (docs/edxml.md).
"""

import base64
import hashlib
import io
import re
from collections.abc import Iterator
from typing import BinaryIO

from lxml import etree

from portal.interop.edxml.model import (
    NAMESPACE,
    Attachment,
    Business,
    DocumentPackage,
    Organ,
    ResponseFor,
    Signer,
    Staff,
    StatusMessage,
    Trace,
)
from portal.interop.edxml.signature import sign_envelope
from portal.interop.edxml.values import PREFIX, XLINK, format_date, format_moment, q

CHUNK = 57 * 1024  # a whole number of 57-byte groups: every line but the last is 76 characters
_NSMAP = {PREFIX: NAMESPACE, "xlink": XLINK}  # edXML: on every envelope element, as samples do


def write_package(package: DocumentPackage, out: BinaryIO, *, signing=None) -> None:
    """The package as edXML, onto `out`; signed by `signing` (signature.Signing) when given.
    Each attachment's `size` and `sha256` are set on the way (the manifest gives them)."""
    _measure(package.attachments)
    _write(_document_envelope(package), package.attachments, out, signing)


def package_bytes(package: DocumentPackage, signing=None) -> bytes:
    out = io.BytesIO()
    write_package(package, out, signing=signing)
    return out.getvalue()


def status_bytes(status: StatusMessage, signing=None) -> bytes:
    out = io.BytesIO()
    _write(_status_envelope(status), [], out, signing)
    return out.getvalue()


def _write(envelope, attachments: list[Attachment], out: BinaryIO, signing) -> None:
    if signing is not None:
        envelope = sign_envelope(envelope, signing)
    out.write(b'<?xml version="1.0" encoding="UTF-8"?>\n')
    out.write(f'<edXML xmlns="{NAMESPACE}" xmlns:{PREFIX}="{NAMESPACE}" '
              f'xmlns:xlink="{XLINK}">'.encode())
    out.write(etree.tostring(envelope, encoding="utf-8"))
    if attachments:
        out.write(b"<AttachmentEncoded>")
        for attachment in attachments:
            _write_attachment(attachment, out)
        out.write(b"</AttachmentEncoded>")
    out.write(b"</edXML>\n")


def _write_attachment(attachment: Attachment, out: BinaryIO) -> None:
    out.write(b"<Attachment>")
    for name, value in (("ContentId", attachment.content_id),
                        ("AttachmentName", attachment.name),
                        ("ContentType", attachment.content_type),
                        ("Description", attachment.description)):
        if value:
            out.write(_text_element(name, value))
    out.write(b"<ContentTransferEncoded>\n")
    for chunk in _chunks(attachment):
        out.write(base64.encodebytes(chunk))
    out.write(b"</ContentTransferEncoded></Attachment>")


def _text_element(name: str, value: str) -> bytes:
    element = etree.Element(name, nsmap={None: NAMESPACE})
    element.text = _NOT_XML.sub("", value)
    # Serialised alone it would repeat the namespace: the surrounding root declares it.
    return etree.tostring(element, encoding="utf-8").replace(
        f' xmlns="{NAMESPACE}"'.encode(), b"", 1)


def _chunks(attachment: Attachment) -> Iterator[bytes]:
    if attachment.data is not None:
        for start in range(0, len(attachment.data), CHUNK):
            yield attachment.data[start:start + CHUNK]
        return
    with open(attachment.path, "rb") as f:
        while chunk := f.read(CHUNK):
            yield chunk


def _measure(attachments: list[Attachment]) -> None:
    """Size and SHA-256 of each attachment, for the manifest (read once more, in chunks)."""
    for attachment in attachments:
        digest, size = hashlib.sha256(), 0
        for chunk in _chunks(attachment):
            digest.update(chunk)
            size += len(chunk)
        attachment.sha256, attachment.size = digest.hexdigest(), size


# The envelope -----------------------------------------------------------------------------

# Characters XML 1.0 cannot carry (text pasted from word processors has some): left out.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def _sub(parent, name: str, text=None):
    element = etree.SubElement(parent, q(name))
    if text is not None:
        element.text = _NOT_XML.sub("", str(text))
    return element


def _optional(parent, name: str, text) -> None:
    if text not in (None, ""):
        _sub(parent, name, text)


def _envelope():
    envelope = etree.Element(q("edXMLEnvelope"), nsmap=_NSMAP)
    header = _sub(envelope, "edXMLHeader")
    return envelope, header, _sub(header, "MessageHeader")


def _document_envelope(package: DocumentPackage):
    envelope, header, message = _envelope()
    _organ(message, "From", package.sender)
    for recipient in package.recipients:
        _organ(message, "To", recipient)
    code = _sub(message, "Code")
    _sub(code, "CodeNumber", package.code_number)
    _sub(code, "CodeNotation", package.code_notation)
    promulgation = _sub(message, "PromulgationInfo")
    _sub(promulgation, "Place", package.place)
    _sub(promulgation, "PromulgationDate", format_date(package.promulgation_date))
    kind = _sub(message, "DocumentType")
    _optional(kind, "Type", package.type_code)
    _optional(kind, "TypeDetail", package.type_detail)
    _sub(kind, "TypeName", package.type_name)
    _sub(message, "Subject", package.subject)
    _optional(message, "Content", package.content)
    if package.signer is not None:
        _signer(message, package.signer)
    if package.due_date is not None:
        _sub(message, "DueDate", format_date(package.due_date))
    if package.to_places:
        places = _sub(message, "ToPlaces")
        for place in package.to_places:
            _sub(places, "Place", place)
    _other_info(message, package)
    if package.response_for is not None and not package.response_for.empty:
        _response_for(message, package.response_for)
    _optional(message, "SteeringType", package.steering_type)
    _sub(message, "DocumentId", package.document_id)
    traces = _traces(header, package.traces)
    _business(traces, package.business)
    _manifest(envelope, package.attachments)
    return envelope


def _status_envelope(status: StatusMessage):
    envelope, header, message = _envelope()
    _organ(message, "From", status.sender)
    for recipient in status.recipients:
        _organ(message, "To", recipient)
    _response_for(message, status.response_for)
    if status.staff is not None:
        _staff(message, status.staff)
    _sub(message, "StatusCode", status.status_code)
    _optional(message, "Description", status.description)
    _sub(message, "Timestamp", format_moment(status.timestamp))
    _traces(header, status.traces)
    _sub(envelope, "edXMLBody")
    return envelope


def _organ(parent, name: str, organ: Organ) -> None:
    block = _sub(parent, name)
    _sub(block, "OrganId", organ.organ_id)
    for element, value in (("OrganizationInCharge", organ.in_charge),
                           ("OrganName", organ.name), ("OrganAdd", organ.address),
                           ("Email", organ.email), ("Telephone", organ.telephone),
                           ("Fax", organ.fax), ("Website", organ.website)):
        _optional(block, element, value)


def _signer(parent, signer: Signer) -> None:
    block = _sub(parent, "SignerInfo")
    _optional(block, "Competence", signer.competence)
    _optional(block, "Position", signer.position)
    _optional(block, "FullName", signer.full_name)


def _staff(parent, staff: Staff) -> None:
    block = _sub(parent, "StaffInfo")
    for element, value in (("Department", staff.department), ("Staff", staff.staff),
                           ("Mobile", staff.mobile), ("Email", staff.email)):
        _optional(block, element, value)


def _other_info(parent, package: DocumentPackage) -> None:
    block = _sub(parent, "OtherInfo")
    _sub(block, "Priority", package.priority)
    _optional(block, "SphereOfPromulgation", package.sphere)
    _optional(block, "TyperNotation", package.typer_notation)
    _optional(block, "PromulgationAmount", package.promulgation_amount)
    _optional(block, "PageAmount", package.page_amount)
    if package.appendixes:
        appendixes = _sub(block, "Appendixes")
        for appendix in package.appendixes:
            _sub(appendixes, "Appendix", appendix)


def _response_for(parent, response: ResponseFor) -> None:
    block = _sub(parent, "ResponseFor")
    _sub(block, "OrganId", response.organ_id)
    _sub(block, "Code", response.code)
    if response.promulgation_date is not None:
        _sub(block, "PromulgationDate", format_date(response.promulgation_date))
    _sub(block, "DocumentId", response.document_id)


def _traces(header, traces: list[Trace]):
    block = _sub(header, "TraceHeaderList")
    for trace in traces:
        entry = _sub(block, "TraceHeader")
        _sub(entry, "OrganId", trace.organ_id)
        _sub(entry, "Timestamp", format_moment(trace.timestamp))
    return block


def _business(parent, business: Business) -> None:
    block = _sub(parent, "Bussiness")
    _sub(block, "BussinessDocType", int(business.doc_type))
    _optional(block, "BussinessDocReason", business.reason)
    _optional(block, "DocumentId", business.document_id)
    _sub(block, "Paper", business.paper)
    if business.staff is not None:
        _staff(block, business.staff)
    if business.receivers:
        receivers = _sub(_sub(block, "BussinessDocumentInfo"), "ReceiverList")
        for receiver_type, organ_id in business.receivers:
            receiver = _sub(receivers, "Receiver")
            _sub(receiver, "ReceiverType", receiver_type)
            _sub(receiver, "OrganId", organ_id)
    if business.replaces:
        replacements = _sub(block, "ReplacementInfoList")
        for document_id in business.replaces:
            _sub(_sub(replacements, "ReplacementInfo"), "DocumentId", document_id)


def _manifest(envelope, attachments: list[Attachment]) -> None:
    manifest = _sub(_sub(envelope, "edXMLBody"), "edXMLManifest", None)
    manifest.set("version", "1.0")
    for attachment in attachments:
        reference = _sub(manifest, "Reference")
        reference.set(f"{{{XLINK}}}href", f"cid:{attachment.content_id}")
        reference.set(f"{{{XLINK}}}type", "simple")
        _sub(reference, "ContentId", f"cid:{attachment.content_id}")
        _sub(reference, "AttachmentName", attachment.name)
        _sub(reference, "ContentType", attachment.content_type)
        _optional(reference, "Description", attachment.description)
        _sub(reference, "Size", attachment.size)
        _sub(reference, "DigestValue", attachment.sha256).set("algorithm", "sha256")
