"""The OpenAPI description of POST /api/v1/edxml (joined to portal.api.openapi's document)."""

from portal.api.schemas import ID, TEXT, exact_object, nullable

_ERROR = {"description": "Refused, with the reason; nothing of the message is kept",
          "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}

_DOCUMENT = exact_object({"id": ID, "notation": nullable(TEXT)})
_DELIVERY = exact_object({
    "id": ID, "status": {"type": "string", "pattern": "^[0-9]{2}$"},
    "recipient": exact_object({"id": ID, "name": TEXT, "organ_id": nullable(TEXT)})})
_ANSWER = exact_object({
    "status": {"type": "string", "enum": ["created", "updated", "recall_requested",
                                          "already_received", "applied", "unchanged"]},
    "document": _DOCUMENT,
    "deliveries": {"type": "array", "items": _DELIVERY},
    "delivery": _DELIVERY,
    "delivery_id": ID,
    "message_id": ID,
    "replaces": nullable(ID),
    "signature": {"type": "string", "enum": ["valid", "untrusted", "unsigned"]},
    "repairs": {"type": "array", "items": TEXT},
}, required=["status"])


def axis_paths(not_allowed: dict) -> dict:
    return {"/edxml": {"post": {
        "summary": "One edXML message from the national axis (the axis's token only)",
        "description": "A document package (BussinessDocType 0 new, 1 revocation, 2 update, "
        "3 replacement) or a status message (StatusCode with ResponseFor), as QCVN "
        "102:2016 writes them. Authenticate with the token `flask axis token` printed; a "
        "user's API token is refused (401). A new document is delivered to each `To` "
        "organisation whose people work here (201; `To` blocks naming others are ignored "
        "and said in `repairs`; none here is 422). The same message or DocumentId again "
        "is 200 and nothing new. A status moves the delivery of a document this portal "
        "sent (404 unknown, 409 a move the steps do not allow). Hostile or broken XML, "
        "a signature that does not verify, and a message over the size limit "
        "(EDXML_MAX_BYTES, 80 MB by default) are refused with 400, never 413: nothing is "
        "kept, and a sender this portal knows is sent status 02. `signature` says what "
        "the message's XML signature showed; `repairs` what was repaired or set aside.",
        "security": [{"axis": []}],
        "requestBody": {"required": True, "content": {
            "application/xml": {"schema": {"type": "string"}},
            "text/xml": {"schema": {"type": "string"}}}},
        "responses": {
            "200": {"description": "Nothing new, or a change applied",
                    "content": {"application/json": {"schema": _ANSWER}}},
            "201": {"description": "A document created and delivered",
                    "content": {"application/json": {"schema": _ANSWER}}},
            "400": _ERROR, "401": _ERROR, "404": _ERROR, "405": not_allowed, "409": _ERROR,
            "415": _ERROR, "422": _ERROR},
    }}}
