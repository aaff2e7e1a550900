"""A message's addressing read from its header alone: From, To, StatusCode, ResponseFor,
DocumentId, Code and BussinessDocType. The simulator routes by it; the portal answers a
message its reader refused by it (portal.interop.inbound.addressing_of_file).

Parsed with lxml without DTDs, entities or the network, stopping at the end of `edXMLHeader`:
the attachments after it are the receiving portal's to check.
"""

from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from portal.interop.edxml.model import NAMESPACE

# The header a message is routed by is small; a message whose header runs past this is refused.
HEADER_MAX_BYTES = 1024 * 1024


class UnreadableMessage(ValueError):
    """The header cannot be read (its text says why)."""


@dataclass
class Envelope:
    kind: str  # "document" or "status"
    from_organ_id: str
    to_organ_ids: list[str]
    document_id: str = ""
    business_type: int | None = None
    status_code: str = ""
    code: str = ""  # number/notation, from Code


def _local(tag) -> str:
    return etree.QName(tag).localname if isinstance(tag, str) else ""


def _skip_to_markup(source):
    """Public samples carry bytes before the XML declaration; the axis passes them on, and so
    does the simulator: it only reads past them (to the first '<')."""
    head = source.read(4096)
    start = head.find(b"<")
    if start < 0:
        raise UnreadableMessage("not XML: no markup in the first 4 kB")
    source.seek(start)


def read_envelope(path: Path) -> Envelope:
    """Read From, To, DocumentId, BussinessDocType and StatusCode from the message's header,
    parsing without DTDs, entities or the network, and stopping at the header's end (the
    attachments that follow are the receiving portal's to check)."""
    found: dict[str, list[str]] = {}
    where: list[str] = []
    with open(path, "rb") as source:
        _skip_to_markup(source)
        events = etree.iterparse(source, events=("start", "end"), resolve_entities=False,
                                 no_network=True, load_dtd=False, huge_tree=False)
        try:
            for event, element in events:
                if event == "start":
                    if element.getroottree().docinfo.internalDTD is not None:
                        raise UnreadableMessage("a DTD: refused (entities are not taken)")
                    where.append(_local(element.tag))
                    if len(where) == 1 and (etree.QName(element).namespace != NAMESPACE
                                            or where[0] not in ("edXML", "edXMLEnvelope")):
                        raise UnreadableMessage("not an edXML message (root or namespace)")
                    continue
                _note(found, where, element)
                where.pop()
                if _local(element.tag) == "edXMLHeader":
                    break
                if source.tell() > HEADER_MAX_BYTES:
                    raise UnreadableMessage("the header runs past 1 MB")
        except etree.XMLSyntaxError as error:
            raise UnreadableMessage(f"not well-formed XML: {error}") from error
    return _envelope_from(found)


ROUTED_BY = {"From/OrganId", "To/OrganId", "ResponseFor/OrganId", "ResponseFor/DocumentId",
             "DocumentId", "StatusCode", "Bussiness/BussinessDocType", "Bussiness/DocumentId",
             "Code/CodeNumber", "Code/CodeNotation"}


def _note(found: dict[str, list[str]], where: list[str], element) -> None:
    """Keep the text of the header's elements the simulator routes by, keyed by their path
    below MessageHeader (e.g. "From/OrganId", "ResponseFor/OrganId") or from Bussiness on
    (wherever the header holds it)."""
    for anchor, skip in (("Bussiness", 0), ("MessageHeader", 1)):
        if anchor in where:
            key = "/".join(where[where.index(anchor) + skip:])
            if key in ROUTED_BY:
                found.setdefault(key, []).append((element.text or "").strip())
            return


def _envelope_from(found: dict[str, list[str]]) -> Envelope:
    def first(key):
        return next((value for value in found.get(key, []) if value), "")

    sender = first("From/OrganId")
    if not sender:
        raise UnreadableMessage("no From/OrganId in the MessageHeader")
    recipients = [value for value in found.get("To/OrganId", []) if value]
    status_code = first("StatusCode")
    if status_code:
        # A status message goes to the system that sent the document it answers.
        to = recipients or [first("ResponseFor/OrganId")]
        if not to[0]:
            raise UnreadableMessage("a status message naming neither To nor ResponseFor/OrganId")
        return Envelope("status", sender, to, first("ResponseFor/DocumentId"),
                        status_code=status_code)
    if not recipients:
        raise UnreadableMessage("a document with no To/OrganId")
    doc_type = first("Bussiness/BussinessDocType")
    if doc_type and not doc_type.isdigit():
        raise UnreadableMessage(f"BussinessDocType {doc_type!r} is not a number")
    code = "/".join(part for part in (first("Code/CodeNumber"), first("Code/CodeNotation"))
                    if part)
    return Envelope("document", sender, recipients,
                    first("DocumentId") or first("Bussiness/DocumentId"),
                    business_type=int(doc_type) if doc_type else None, code=code)
