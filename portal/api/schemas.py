"""The OpenAPI document's schemas: what the API's answers and fields hold, exactly.

Enums are the values the API enforces, responses list every field (and no other), and ids and
dates carry the bounds the portal holds them to (portal.bounds). The paths that use them are
in portal.api.openapi.
"""

from portal.bounds import FIRST_DAY, LAST_DAY, MAX_ID
from portal.calendar.services import MAX_WORKING_DAYS
from portal.deliveries.models import Status
from portal.deliveries.steps import STEPS
from portal.documents.models import DocumentState, DocumentType, Urgency
from portal.organisations.models import OrganisationChannel, OrganisationKind


def ref(name):
    return {"$ref": f"#/components/schemas/{name}"}


def exact_object(properties: dict, required=None) -> dict:
    """An object with exactly these properties, all of them present unless `required` says."""
    return {"type": "object", "additionalProperties": False, "properties": properties,
            "required": list(properties) if required is None else required}


def nullable(schema: dict) -> dict:
    return {**schema, "type": [schema["type"], "null"]}


ID = {"type": "integer", "minimum": 1, "maximum": MAX_ID}
TEXT = {"type": "string"}
_MOMENT = {"type": "string", "format": "date-time"}
DAY = {"type": "string", "format": "date"}
BOUNDED_DAY = {**DAY, "description": f"Between {FIRST_DAY.isoformat()} and "
                                     f"{LAST_DAY.isoformat()}"}
DOCUMENT_TYPE = {"type": "string", "enum": [t.value for t in DocumentType]}
URGENCY = {"type": "string", "enum": [u.value for u in Urgency]}
WORKING_DAYS = {"type": "integer", "minimum": 1, "maximum": MAX_WORKING_DAYS}

_ORGANISATION = exact_object({
    "id": ID,
    "code": {"type": "string", "description": "Short code used in document notations"},
    "name": {"type": "string", "description": "Current name"},
    "kind": {"type": "string", "enum": [k.value for k in OrganisationKind]},
    "parent_id": nullable(ID),
    "merged_on": nullable(DAY),
    "successor_id": {**nullable(ID),
                     "description": "The organisation that carries this one's work after a "
                                    "merge"},
    "organ_id": {"type": ["string", "null"],
                 "description": "The national identifier (mã định danh), e.g. 000.00.00.G22"},
    "channel": {"type": "string", "enum": [c.value for c in OrganisationChannel],
                "description": "portal: its people work here; axis: its own system receives "
                               "through the national axis"},
    "address": {"type": ["string", "null"]},
    "email": {"type": ["string", "null"]},
    "telephone": {"type": ["string", "null"]},
})

_DOCUMENT_SUMMARY = exact_object({
    "id": ID,
    "notation": {"type": ["string", "null"], "description": "Số / ký hiệu, e.g. 12/BTNMT-VP"},
    "subject": TEXT,
    "type": DOCUMENT_TYPE,
    "urgency": URGENCY,
    "issuer": exact_object({"id": ID, "code": TEXT}),
})

_DOCUMENT = exact_object({
    "id": ID,
    "notation": _DOCUMENT_SUMMARY["properties"]["notation"],
    "number": {"type": ["integer", "null"]},
    "year": {"type": ["integer", "null"]},
    "type": DOCUMENT_TYPE,
    "subject": TEXT,
    "body": TEXT,
    "urgency": URGENCY,
    "issuer": exact_object({"id": ID, "code": TEXT, "name": TEXT}),
    "authority": {**exact_object({"id": ID, "code": TEXT, "name": TEXT}),
                  "description": "The issuing authority (cơ quan ban hành): its header, "
                                 "register and seal; the issuer drafted it"},
    "signer": {**nullable(exact_object({"name": TEXT, "title": TEXT, "lines": {
        "type": "array", "items": TEXT,
        "description": "Printed above the name, e.g. KT. BỘ TRƯỞNG, THỨ TRƯỞNG"}})),
        "description": "The person of the signature chain who signs (a reply: the leader "
                       "who approved it); null when nobody signs it"},
    "state": {"type": "string", "enum": [s.value for s in DocumentState]},
    "issued_at": nullable(_MOMENT),
    "dispatched_at": {**nullable(_MOMENT),
                      "description": "When the recipients received it: null while its PDF is "
                                     "still being made and signed."},
    "due_on": nullable(DAY),
    "due_working_days": nullable(WORKING_DAYS),
    "reply_to_delivery_id": nullable(ID),
    "attachments": {"type": "array", "items": exact_object({
        "id": ID, "filename": TEXT, "sha256": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
        "size": {"type": "integer", "minimum": 0},
        "main": {"type": "boolean",
                 "description": "the document itself as a PDF, not an appendix"}})},
})

_CHANNEL = {"type": "string", "enum": ["portal", "axis"],
            "description": "How the delivery reached its recipient: the portal, or the "
                           "national axis (edXML)"}

_STATUS = {"type": "string", "enum": [s.value for s in Status],
           "description": "QCVN 102 code: 01 received, 02 refused, 03 acknowledged, "
                          "04 assigned, 05 in progress, 06 done, 13 recall requested, "
                          "15 recalled, 16 recall refused"}

_TRACKED_DOCUMENT = exact_object({
    **_DOCUMENT["properties"],
    "deliveries": {"type": "array", "description": "Each recipient's delivery, as the sender "
                   "follows it (the status of an axis recipient is what its system reported)",
                   "items": exact_object({
                       "id": ID,
                       "recipient": exact_object({"id": ID, "code": TEXT, "name": TEXT,
                                                  "organ_id": {"type": ["string", "null"]}}),
                       "channel": _CHANNEL,
                       "status": _STATUS})},
})

_DELIVERY_PROPERTIES = {
    "id": ID,
    "status": _STATUS,
    "recipient": exact_object({"id": ID, "code": TEXT}),
    "received_at": _MOMENT,
    "acknowledged_at": nullable(_MOMENT),
    "incoming_number": {"type": ["integer", "null"],
                        "description": "Số đến: its number in the recipient's incoming "
                        "register of incoming_year, given when acknowledged"},
    "incoming_year": {"type": ["integer", "null"]},
    "assigned_at": nullable(_MOMENT),
    "done_at": nullable(_MOMENT),
    "replied_at": nullable(_MOMENT),
    "due_on": {**nullable(DAY),
               "description": "The reply is due by the end of this Vietnamese day"},
    "due_working_days": nullable(WORKING_DAYS),
    "deadline_state": {"type": ["string", "null"], "enum": [
        "open", "due_soon", "overdue", "on_time", "late", None]},
    "allowed_steps": {"type": "array", "description": "The steps the person asking may take "
                      "on the delivery now, as its page offers them",
                      "items": {"type": "string", "enum": list(STEPS)}},
    "reply_document_id": nullable(ID),
    "refusal_reason": {"type": ["string", "null"]},
    "document": ref("DocumentSummary"),
}
_DELIVERY = exact_object(_DELIVERY_PROPERTIES)
_DELIVERY_DETAIL = exact_object({
    **_DELIVERY_PROPERTIES,
    "document": ref("Document"),
    "history": {"type": "array", "items": exact_object({
        "at": _MOMENT, "action": TEXT, "from": {"type": ["string", "null"]},
        "to": {"type": ["string", "null"]}, "note": {"type": ["string", "null"]}})},
})


# The components' schemas, by the names the paths refer to.
SCHEMAS = {
    "Error": exact_object({"error": exact_object({"status": {"type": "integer"},
                                                  "message": {"type": "string"}})}),
    "Organisation": _ORGANISATION,
    "DocumentSummary": _DOCUMENT_SUMMARY,
    "Document": _DOCUMENT,
    "TrackedDocument": _TRACKED_DOCUMENT,
    "Delivery": _DELIVERY,
    "DeliveryDetail": _DELIVERY_DETAIL,
}
