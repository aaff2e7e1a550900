"""Read an edXML message (QCVN 102:2016) safely and in bounded memory.

The bytes are fed in chunks to lxml's parser with a target (no tree of the whole message):
entities are not resolved, DTDs are neither loaded nor allowed (any DOCTYPE is refused), the
network is off and no text node may be huge. The attachments' base64 is decoded as it arrives
into files under `workdir`, hashed on the way; only the envelope (header and manifest, small)
is kept, and once it has closed it is parsed again on its own as a tree, with the prefixes
as written, to be read and its signature checked. What the reader accepts, repairs (saying
so in `ReadMessage.repairs`) and refuses is in docs/edxml.md.
"""

import base64
import binascii
import hashlib
import re
import unicodedata
from pathlib import Path
from typing import BinaryIO

from flask_babel import gettext as _
from lxml import etree

from portal.interop.edxml.errors import EdxmlError
from portal.interop.edxml.model import (
    NAMESPACE,
    Attachment,
    Business,
    BusinessType,
    DocumentPackage,
    Organ,
    ReadMessage,
    ResponseFor,
    SignatureCheck,
    Signer,
    Staff,
    StatusMessage,
    Trace,
)
from portal.interop.edxml.signature import WHOLE_LIMIT, verify_envelope
from portal.interop.edxml.sniff import sniff_content_type
from portal.interop.edxml.values import XLINK, XMLDSIG, parse_date, parse_moment, q

__all__ = ["EdxmlError", "read_message"]

FEED = 64 * 1024  # bytes read and given to the parser at a time
DECODE_BATCH = 64 * 1024  # base64 characters decoded (and written) at a time
# The envelope is kept and parsed again as a tree: bounded, as libxml2 bounds a text node.
ENVELOPE_LIMIT = 8 * 1024 * 1024
JUNK_LIMIT = 4096  # bytes before the XML that are skipped (and said); more is not an edXML file
FIELD_LIMIT = 64 * 1024  # characters of an attachment's name, type, id or description
BOM = b"\xef\xbb\xbf"
_SAFE = dict(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False,
             remove_comments=True, remove_pis=True)
_ENVELOPE_END = re.compile(rb"</(?:[A-Za-z_][\w.\-]*:)?edXMLEnvelope\s*>")
_ROOT_START = re.compile(rb"<([A-Za-z_][\w.\-]*(?::[A-Za-z_][\w.\-]*)?)[\s/>]")
_UNDECLARED = re.compile(r"Namespace prefix (\w+)")
_ATTACHMENT_FIELDS = {"ContentId", "AttachmentName", "ContentType", "Description"}


def read_message(source: BinaryIO, *, workdir: Path, max_bytes: int) -> ReadMessage:
    """The message in `source`, its signature's check and the repairs made; `EdxmlError`
    with the reason when it is refused. Attachments are decoded into files under `workdir`
    (the caller's to remove)."""
    repairs = _Repairs()
    head, attachments, whole = _stream(source, Path(workdir), max_bytes, repairs)
    envelope = _envelope_tree(head, repairs)
    header = _child(envelope, "edXMLHeader", "edXMLHeader")
    message_header = _child(header, "MessageHeader", "MessageHeader")
    signature = _check_signature(envelope, header, repairs, whole)
    fields = _Fields(repairs)
    if message_header.find(q("StatusCode")) is not None:
        message = _status(message_header, header, fields)
        if attachments:
            raise EdxmlError(_("A status message carries no attachments; this one has %(count)d.",
                               count=len(attachments)))
    else:
        message = _document(message_header, header, fields)
        message.attachments = _bind_attachments(envelope, attachments, signature, repairs)
    return ReadMessage(message=message, signature=signature, repairs=list(repairs))


class _Repairs(list):
    def say(self, words: str) -> None:
        if words not in self:
            self.append(words)


# The stream ---------------------------------------------------------------------------------

def _stream(source, workdir: Path, max_bytes: int, repairs):
    """Feed the bytes to the parser; return the bytes up to the envelope's end, the
    attachments decoded, and the whole message as kept on disk when it may be needed to
    check a signature over all of it."""
    target = _Target(workdir, repairs)
    parser = etree.XMLParser(target=target, **_SAFE)
    head, total, first = bytearray(), 0, True
    whole = _Whole(workdir / "message.xml")
    try:
        while chunk := source.read(FEED):
            total += len(chunk)
            if total > max_bytes:
                raise EdxmlError(_("The message is larger than the %(mb)s MB this portal "
                                   "takes.", mb=max_bytes // (1024 * 1024)))
            if first:
                chunk, first = _skip_before_xml(chunk, repairs), False
            if not target.envelope_closed:
                head += chunk
                if len(head) > ENVELOPE_LIMIT:
                    raise EdxmlError(_("The message's envelope (its header and manifest) is "
                                       "larger than %(mb)s MB.",
                                       mb=ENVELOPE_LIMIT // (1024 * 1024)))
            parser.feed(chunk)
            whole.keep(chunk, head, target.envelope_closed, total)
        if first:
            raise EdxmlError(_("The message is empty."))
        parser.close()
    except etree.XMLSyntaxError as error:
        raise EdxmlError(_("The message is not well-formed XML: %(reason)s",
                           reason=error.msg)) from error
    finally:
        target.abandon()
        whole.close()
    if not target.envelope_closed:
        raise EdxmlError(_("The message has no edXMLEnvelope."))
    return bytes(head), target.attachments, whole


class _Whole:
    """The message's bytes on disk, from the envelope's end on, for a signed message of at
    most WHOLE_LIMIT: a signature over the whole message can only be checked on all of it."""

    def __init__(self, path: Path):
        self.path, self.file, self.kept, self.given_up = path, None, False, False
        self.too_large = False

    def keep(self, chunk: bytes, head: bytearray, envelope_closed: bool, total: int) -> None:
        if self.given_up or not envelope_closed:
            return
        if self.file is None and XMLDSIG.encode() not in head:
            self.given_up = True  # unsigned: nothing to check on the whole
        elif total > WHOLE_LIMIT:
            self.given_up, self.too_large, self.kept = True, True, False
            self.close()
            self.path.unlink(missing_ok=True)
        elif self.file is None:
            self.file = open(self.path, "wb")  # noqa: SIM115 (closed in close)
            self.file.write(head)  # up to and with this chunk
            self.kept = True
        else:
            self.file.write(chunk)

    def close(self) -> None:
        if self.file is not None:
            self.file.close()
            self.file = None


def _skip_before_xml(chunk: bytes, repairs) -> bytes:
    if chunk.startswith(BOM):  # allowed by XML itself: nothing to say
        chunk = chunk[len(BOM):]
    start = chunk.find(b"<?xml")
    if start < 0:
        start = chunk.find(b"<")
    if start < 0 or start > JUNK_LIMIT:
        raise EdxmlError(_("The message is not XML: it does not begin with an XML "
                           "declaration or an element."))
    if start:
        repairs.say(_("%(count)d bytes before the XML declaration were ignored.", count=start))
    return chunk[start:]


class _Target:
    """The parser's target: checks the root, notes where the envelope ends, and decodes the
    attachments into files as their text arrives."""

    def __init__(self, workdir: Path, repairs):
        self.workdir, self.repairs = workdir, repairs
        self.defaults: list[str | None] = []  # the default namespace in scope, per depth
        self.names: list[str] = []
        self.envelope_closed = False
        self.attachments: list[tuple[Attachment, bytes]] = []  # each with its first bytes
        self.fields: dict[str, str] | None = None
        self.field: str | None = None
        self.decoder: _Decoder | None = None

    def doctype(self, *_args):
        raise EdxmlError(_("The message declares a DOCTYPE (a DTD or entities); edXML has none "
                           "and the portal does not read them."))

    def start(self, tag, attrib, nsmap=None):
        namespace, name = _split(tag)
        depth = len(self.names)
        declared = dict(nsmap or {})
        default = declared.get("", declared.get(None, self.defaults[-1] if self.defaults
                                                 else None))
        if namespace is None and default == NAMESPACE and depth:
            # A prefix the parser could not resolve, inside the edXML default namespace: the
            # edXML: prefix used after the element that declared it closed.
            self.repairs.say(_("The edXML: prefix was used outside the element that declared "
                               "it; those elements were read in the edXML namespace."))
            namespace = NAMESPACE
        self.defaults.append(default)
        self.names.append(name)
        if depth == 0:
            _check_root(namespace, name)
        elif self.envelope_closed and namespace == NAMESPACE:
            self._start_attachment_part(depth, name)

    def _start_attachment_part(self, depth: int, name: str) -> None:
        path = self.names[1:depth]
        if depth == 2 and path == ["AttachmentEncoded"] and name == "Attachment":
            self.fields = {}
        elif depth == 3 and self.fields is not None:
            if name == "ContentTransferEncoded":
                if self.decoder is not None or "path" in self.fields:
                    raise EdxmlError(_("An attachment has more than one ContentTransferEncoded."))
                self.decoder = _Decoder(self.workdir / f"attachment-{len(self.attachments) + 1}")
            elif name in _ATTACHMENT_FIELDS:
                self.field = name
                self.fields[name] = ""

    def data(self, text):
        if self.decoder is not None:
            self.decoder.feed(text)
        elif self.field is not None:
            if len(self.fields[self.field]) + len(text) > FIELD_LIMIT:
                raise EdxmlError(_("An attachment's %(field)s is too long.", field=self.field))
            self.fields[self.field] += text

    def end(self, tag):
        depth = len(self.names) - 1
        name = self.names.pop()
        self.defaults.pop()
        if depth == 1 and name == "edXMLEnvelope":
            self.envelope_closed = True
        elif depth == 3 and self.decoder is not None and name == "ContentTransferEncoded":
            self.fields.update(self.decoder.finish())
            self.decoder = None
        elif depth == 3:
            self.field = None
        elif depth == 2 and self.fields is not None and name == "Attachment":
            self.attachments.append(_attachment(self.fields))
            self.fields = None

    def close(self):
        return None

    def abandon(self):
        if self.decoder is not None:
            self.decoder.file.close()


def _split(tag: str) -> tuple[str | None, str]:
    if tag.startswith("{"):
        namespace, _sep, name = tag[1:].partition("}")
        return namespace, name
    return None, tag


def _check_root(namespace: str | None, name: str) -> None:
    if name != "edXML":
        raise EdxmlError(_("The message is not edXML: its root element is %(name)s, not edXML.",
                           name=name))
    if namespace is None:
        raise EdxmlError(_("The message has no namespace: edXML's is %(namespace)s.",
                           namespace=NAMESPACE))
    if namespace != NAMESPACE:
        raise EdxmlError(_("The message is in the namespace %(found)s, not edXML's "
                           "%(namespace)s.", found=namespace, namespace=NAMESPACE))


class _Decoder:
    """Base64 text, as it arrives, into a file: decoded four characters at a time, strictly
    (nothing but the alphabet and line breaks; padding only at the end)."""

    def __init__(self, path: Path):
        self.path = path
        self.file = open(path, "wb")  # noqa: SIM115 (closed in finish or abandon)
        self.digest = hashlib.sha256()
        self.size = 0
        self.rest = b""
        self.pending: list[str] = []  # text not yet decoded, up to DECODE_BATCH characters
        self.pending_size = 0
        self.ended = False
        self.start = b""

    def feed(self, text: str) -> None:
        self.pending.append(text)
        self.pending_size += len(text)
        if self.pending_size >= DECODE_BATCH:
            self._flush()

    def _flush(self) -> None:
        text, self.pending, self.pending_size = "".join(self.pending), [], 0
        try:
            data = self.rest + text.encode("ascii").translate(None, b" \t\r\n")
        except UnicodeEncodeError:
            raise _bad_base64() from None
        cut = len(data) - len(data) % 4
        self.rest = data[cut:]
        if cut:
            self._decode(data[:cut])

    def _decode(self, data: bytes) -> None:
        if self.ended:
            raise _bad_base64()
        try:
            raw = base64.b64decode(data, validate=True)
        except binascii.Error:
            raise _bad_base64() from None
        self.ended = data.endswith(b"=")
        if len(self.start) < 16:
            self.start += raw[:16 - len(self.start)]
        self.digest.update(raw)
        self.size += len(raw)
        self.file.write(raw)

    def finish(self) -> dict:
        self._flush()
        self.file.close()
        if self.rest:
            raise _bad_base64()
        return {"path": self.path, "size": self.size, "sha256": self.digest.hexdigest(),
                "start": self.start}


def _bad_base64() -> EdxmlError:
    return EdxmlError(_("An attachment's ContentTransferEncoded is not valid base64."))


def _attachment(fields: dict) -> tuple[Attachment, bytes]:
    if "path" not in fields:
        raise EdxmlError(_("An attachment has no ContentTransferEncoded."))
    content_id = _nfc(fields.get("ContentId", ""))
    return Attachment(
        content_id=content_id.removeprefix("cid:"), name=_nfc(fields.get("AttachmentName", "")),
        content_type=_nfc(fields.get("ContentType", "")),
        description=_nfc(fields.get("Description", "")), path=fields["path"],
        size=fields["size"], sha256=fields["sha256"], data=None,
    ), fields["start"]


def _nfc(text: str | None) -> str:
    return unicodedata.normalize("NFC", (text or "").strip())


# The envelope -------------------------------------------------------------------------------

def _envelope_tree(head: bytes, repairs):
    """The envelope parsed on its own (with the root around it), as written: a prefix the
    message uses undeclared (edXML:, xlink:) is declared on the root, and said."""
    end = _ENVELOPE_END.search(head)
    root = _ROOT_START.search(head)
    if end is None or root is None:
        raise EdxmlError(_("The end of the message's edXMLEnvelope cannot be found."))
    text = head[:end.end()] + b"</" + root[1] + b">"
    declared = set()
    while True:
        try:
            document = etree.fromstring(text, etree.XMLParser(**_SAFE))
            break
        except etree.XMLSyntaxError as error:
            prefix = _UNDECLARED.match(error.msg or "")
            known = {"edXML": NAMESPACE, "xlink": XLINK}
            if prefix is None or prefix[1] not in known or prefix[1] in declared:
                raise EdxmlError(_("The message is not well-formed XML: %(reason)s",
                                   reason=error.msg)) from error
            declared.add(prefix[1])
            at = root.end(1)
            text = (text[:at] + f' xmlns:{prefix[1]}="{known[prefix[1]]}"'.encode()
                    + text[at:])
            repairs.say(_("The %(prefix)s: prefix was used without being declared; it was "
                          "read as %(namespace)s.", prefix=prefix[1],
                          namespace=known[prefix[1]]))
    envelope = document.find(q("edXMLEnvelope"))
    if envelope is None:
        raise EdxmlError(_("The message has no edXMLEnvelope in the edXML namespace."))
    return envelope


def _child(parent, name: str, label: str):
    found = parent.find(q(name))
    if found is None:
        raise EdxmlError(_("The message lacks %(field)s.", field=label))
    return found


def _check_signature(envelope, header, repairs, whole) -> SignatureCheck:
    signatures = envelope.findall(f".//{{{XMLDSIG}}}Signature")
    if not signatures:
        lookalikes = [*header.iter(q("Signature"), q("DigitalSignature"))]
        if any(len(element) or _nfc(element.text) for element in lookalikes):
            repairs.say(_("The message's Signature is in the edXML namespace, not XML "
                          "Signature's: it cannot be verified, and the message was treated "
                          "as unsigned."))
        return SignatureCheck(present=False)
    if len(signatures) > 1:
        raise EdxmlError(_("The message carries more than one XML signature."))
    return verify_envelope(envelope, whole=whole.path if whole.kept else None,
                           whole_too_large=whole.too_large)


class _Fields:
    """Reading the header's fields: text NFC and trimmed; dates in the standard's form or
    with dashes (said); a missing required field named."""

    def __init__(self, repairs):
        self.repairs = repairs
        self.missing: list[str] = []

    def text(self, parent, path: str) -> str:
        if parent is None:
            return ""
        found = parent.find(_path(path))
        return _nfc(found.text) if found is not None else ""

    def required(self, parent, path: str, label: str) -> str:
        value = self.text(parent, path)
        if not value:
            self.missing.append(label)
        return value

    def check_missing(self) -> None:
        if self.missing:
            raise EdxmlError(_("The message lacks %(fields)s.", fields=", ".join(self.missing)))

    def date(self, parent, path: str, label: str, *, required=False):
        value = self.required(parent, path, label) if required else self.text(parent, path)
        if not value:
            return None
        parsed = parse_date(value)
        if parsed is None:
            raise EdxmlError(_("%(field)s is not a date (yyyy/MM/dd): %(value)s.", field=label,
                               value=value))
        if parsed[1]:
            self.repairs.say(_("Dates written as yyyy-MM-dd were read as yyyy/MM/dd."))
        return parsed[0]

    def moment(self, parent, path: str, label: str, *, required=False):
        value = self.required(parent, path, label) if required else self.text(parent, path)
        if not value:
            return None
        parsed = parse_moment(value)
        if parsed is None:
            raise EdxmlError(_("%(field)s is not a moment (yyyy/MM/dd HH:mm:ss): %(value)s.",
                               field=label, value=value))
        if parsed[1]:
            self.repairs.say(_("Dates written as yyyy-MM-dd were read as yyyy/MM/dd."))
        return parsed[0]

    def number(self, parent, path: str, label: str) -> int | None:
        value = self.text(parent, path)
        if not value:
            return None
        if not re.fullmatch(r"-?\d+", value):
            raise EdxmlError(_("%(field)s is not a number: %(value)s.", field=label,
                               value=value))
        return int(value)


def _path(path: str) -> str:
    return "/".join(q(part) for part in path.split("/"))


def _organ(fields: _Fields, block, label: str) -> Organ:
    return Organ(organ_id=fields.required(block, "OrganId", f"{label}/OrganId"),
                 name=fields.text(block, "OrganName"),
                 in_charge=fields.text(block, "OrganizationInCharge"),
                 address=fields.text(block, "OrganAdd"), email=fields.text(block, "Email"),
                 telephone=fields.text(block, "Telephone"), fax=fields.text(block, "Fax"),
                 website=fields.text(block, "Website"))


def _recipients(fields: _Fields, message_header) -> list[Organ]:
    return [_organ(fields, block, "To") for block in message_header.findall(q("To"))]


def _staff(fields: _Fields, block) -> Staff | None:
    if block is None:
        return None
    return Staff(department=fields.text(block, "Department"), staff=fields.text(block, "Staff"),
                 mobile=fields.text(block, "Mobile"), email=fields.text(block, "Email"))


def _response_for(fields: _Fields, block) -> ResponseFor | None:
    if block is None:
        return None
    return ResponseFor(organ_id=fields.text(block, "OrganId"), code=fields.text(block, "Code"),
                       promulgation_date=fields.date(block, "PromulgationDate",
                                                     "ResponseFor/PromulgationDate"),
                       document_id=fields.text(block, "DocumentId"))


def _traces(fields: _Fields, header) -> list[Trace]:
    return [Trace(organ_id=fields.text(entry, "OrganId"),
                  timestamp=fields.moment(entry, "Timestamp", "TraceHeader/Timestamp",
                                          required=True))
            for entry in header.iterfind(_path("TraceHeaderList/TraceHeader"))]


def _status(message_header, header, fields: _Fields) -> StatusMessage:
    sender = _organ(fields, _child(message_header, "From", "From"), "From")
    response = _response_for(fields, message_header.find(q("ResponseFor")))
    if response is None or not response.document_id:
        fields.missing.append("ResponseFor/DocumentId")
    code = fields.required(message_header, "StatusCode", "StatusCode")
    timestamp = fields.moment(message_header, "Timestamp", "Timestamp", required=True)
    fields.check_missing()
    if not re.fullmatch(r"\d{1,2}", code):
        raise EdxmlError(_("StatusCode is not a status code (two digits): %(value)s.",
                           value=code))
    if len(code) == 1:
        fields.repairs.say(_("StatusCode %(value)s was read as %(code)s.", value=code,
                             code=code.zfill(2)))
    return StatusMessage(sender=sender, response_for=response, status_code=code.zfill(2),
                         timestamp=timestamp,
                         description=fields.text(message_header, "Description"),
                         staff=_staff(fields, message_header.find(q("StaffInfo"))),
                         recipients=_recipients(fields, message_header),
                         traces=_traces(fields, header))


def _document(message_header, header, fields: _Fields) -> DocumentPackage:
    sender_block = message_header.find(q("From"))
    if sender_block is None:
        fields.missing.append("From")
    sender = _organ(fields, sender_block, "From")
    recipients = _recipients(fields, message_header)
    if not recipients:
        fields.missing.append("To")
    code = message_header.find(q("Code"))
    promulgation = message_header.find(q("PromulgationInfo"))
    kind = message_header.find(q("DocumentType"))
    other = message_header.find(q("OtherInfo"))
    signer = message_header.find(q("SignerInfo"))
    response = _response_for(fields, message_header.find(q("ResponseFor")))
    package = DocumentPackage(
        sender=sender, recipients=recipients,
        document_id=fields.required(message_header, "DocumentId", "DocumentId"),
        code_number=fields.required(code, "CodeNumber", "Code/CodeNumber"),
        code_notation=fields.text(code, "CodeNotation"),
        place=fields.text(promulgation, "Place"),
        promulgation_date=fields.date(promulgation, "PromulgationDate",
                                      "PromulgationInfo/PromulgationDate", required=True),
        type_code=fields.number(kind, "Type", "DocumentType/Type"),
        type_name=fields.text(kind, "TypeName"), type_detail=fields.text(kind, "TypeDetail"),
        subject=fields.required(message_header, "Subject", "Subject"),
        content=fields.text(message_header, "Content"),
        signer=None if signer is None else Signer(
            competence=fields.text(signer, "Competence"),
            position=fields.text(signer, "Position"), full_name=fields.text(signer, "FullName")),
        due_date=fields.date(message_header, "DueDate", "DueDate"),
        to_places=[_nfc(place.text) for place in message_header.iterfind(
            _path("ToPlaces/Place")) if _nfc(place.text)],
        priority=fields.number(other, "Priority", "OtherInfo/Priority") or 0,
        sphere=fields.text(other, "SphereOfPromulgation"),
        typer_notation=fields.text(other, "TyperNotation"),
        promulgation_amount=fields.number(other, "PromulgationAmount",
                                          "OtherInfo/PromulgationAmount"),
        page_amount=fields.number(other, "PageAmount", "OtherInfo/PageAmount"),
        appendixes=[] if other is None else [
            _nfc(item.text) for item in other.iterfind(_path("Appendixes/Appendix"))
            if _nfc(item.text)],
        steering_type=fields.number(message_header, "SteeringType", "SteeringType"),
        response_for=None if response is None or response.empty else response,
        business=_business(fields, header.find(f".//{q('Bussiness')}")),
        traces=_traces(fields, header),
    )
    fields.check_missing()
    return package


def _business(fields: _Fields, block) -> Business:
    if block is None:
        return Business()
    doc_type = fields.number(block, "BussinessDocType", "Bussiness/BussinessDocType") or 0
    if doc_type not in BusinessType._value2member_map_:
        raise EdxmlError(_("Bussiness/BussinessDocType is not 0, 1, 2 or 3: %(value)s.",
                           value=doc_type))
    return Business(
        doc_type=BusinessType(doc_type), reason=fields.text(block, "BussinessDocReason"),
        document_id=fields.text(block, "DocumentId"),
        paper=fields.number(block, "Paper", "Bussiness/Paper") or 0,
        staff=_staff(fields, block.find(q("StaffInfo"))),
        receivers=[(fields.number(receiver, "ReceiverType", "ReceiverType") or 0,
                    fields.text(receiver, "OrganId"))
                   for receiver in block.iterfind(_path(
                       "BussinessDocumentInfo/ReceiverList/Receiver"))],
        replaces=[document_id for entry in block.iterfind(_path(
            "ReplacementInfoList/ReplacementInfo"))
            if (document_id := fields.text(entry, "DocumentId"))],
    )


# Attachments against the manifest ---------------------------------------------------------

def _bind_attachments(envelope, decoded, signature: SignatureCheck, repairs):
    """Each attachment with what the manifest says of it: its digest checked, its name and
    type filled in where the attachment left them out, its real type sniffed."""
    references = {}
    for reference in envelope.iterfind(_path("edXMLBody/edXMLManifest/Reference")):
        content_id = _nfc(reference.findtext(q("ContentId")) or reference.get(
            f"{{{XLINK}}}href") or reference.get("href")).removeprefix("cid:")
        references[content_id] = reference
    attachments = []
    for attachment, start in decoded:
        reference = references.pop(attachment.content_id, None)
        _complete(attachment, reference, signature)
        _sniff(attachment, start, repairs)
        attachments.append(attachment)
    if references:
        raise EdxmlError(_("The manifest lists an attachment the message does not carry: "
                           "%(names)s.", names=", ".join(references)))
    return attachments


def _complete(attachment: Attachment, reference, signature: SignatureCheck) -> None:
    uncovered = signature.present and not signature.whole_message
    if reference is None:
        if uncovered:
            raise EdxmlError(_("The attachment %(name)s is not in the manifest, so the "
                               "signature does not cover it.", name=attachment.name))
        return
    attachment.name = attachment.name or _nfc(reference.findtext(q("AttachmentName")))
    attachment.content_type = (attachment.content_type
                               or _nfc(reference.findtext(q("ContentType"))))
    attachment.description = (attachment.description
                              or _nfc(reference.findtext(q("Description"))))
    digest = reference.find(q("DigestValue"))
    if digest is None:
        if uncovered:
            raise EdxmlError(_("The manifest gives no digest for the attachment %(name)s, so "
                               "the signature does not cover it.", name=attachment.name))
        return
    if (digest.get("algorithm") or "sha256").lower() != "sha256":
        raise EdxmlError(_("The manifest's digest of %(name)s is not SHA-256.",
                           name=attachment.name))
    if _nfc(digest.text).lower() != attachment.sha256:
        raise EdxmlError(_("The attachment %(name)s does not match its digest in the "
                           "manifest: it was changed or damaged on the way.",
                           name=attachment.name))


_MEDIA_TYPE = re.compile(r"[A-Za-z0-9][\w.+-]*/[A-Za-z0-9][\w.+-]*(;.*)?")
MEDIA_TYPE_LIMIT = 100  # StoredFile.content_type's length
UNKNOWN_TYPE = "application/octet-stream"


def _sniff(attachment: Attachment, start: bytes, repairs) -> None:
    found = sniff_content_type(start, attachment.name, attachment.path)
    labelled = attachment.content_type
    if found and found != labelled:
        repairs.say(_("%(name)s was labelled %(labelled)s, but its bytes are %(found)s; it "
                      "was kept as %(found)s.", name=attachment.name,
                      labelled=labelled or "—", found=found))
        attachment.content_type = found
    elif not found and not (_MEDIA_TYPE.fullmatch(labelled)
                            and len(labelled) <= MEDIA_TYPE_LIMIT):
        repairs.say(_("%(name)s has no usable content type (%(labelled)s); it was kept as "
                      "%(unknown)s.", name=attachment.name, labelled=labelled[:40] or "—",
                      unknown=UNKNOWN_TYPE))
        attachment.content_type = UNKNOWN_TYPE
