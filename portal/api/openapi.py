"""The OpenAPI 3.1 document of /api/v1, kept beside the routes it describes.

A test checks that every /api/v1 route appears here and that the document is valid, and
Schemathesis (tests/api/test_schemathesis.py) checks that the API answers as it says: every
status, header and body. So the document is exact: enums are the values the API enforces,
`minLength` marks what it refuses empty, responses list every field (and no other), and ids
and dates carry the bounds the portal holds them to (portal.bounds).
"""

from portal.bounds import FIRST_DAY, LAST_DAY, MAX_ID
from portal.calendar.services import MAX_WORKING_DAYS
from portal.deliveries.inbox import SORTS, TABS
from portal.deliveries.models import Status
from portal.deliveries.steps import STEPS
from portal.documents.models import DocumentState, DocumentType, Urgency
from portal.organisations.models import OrganisationKind
from portal.policy import Role


def _ref(name):
    return {"$ref": f"#/components/schemas/{name}"}


def _object(properties: dict, required=None) -> dict:
    """An object with exactly these properties, all of them present unless `required` says."""
    return {"type": "object", "additionalProperties": False, "properties": properties,
            "required": list(properties) if required is None else required}


def _nullable(schema: dict) -> dict:
    return {**schema, "type": [schema["type"], "null"]}


_ID = {"type": "integer", "minimum": 1, "maximum": MAX_ID}
_TEXT = {"type": "string"}
_MOMENT = {"type": "string", "format": "date-time"}
_DAY = {"type": "string", "format": "date"}
_BOUNDED_DAY = {**_DAY, "description": f"Between {FIRST_DAY.isoformat()} and "
                                       f"{LAST_DAY.isoformat()}"}
_DOCUMENT_TYPE = {"type": "string", "enum": [t.value for t in DocumentType]}
_URGENCY = {"type": "string", "enum": [u.value for u in Urgency]}
_WORKING_DAYS = {"type": "integer", "minimum": 1, "maximum": MAX_WORKING_DAYS}

_ERROR = {
    "description": "Error",
    "content": {"application/json": {"schema": _ref("Error")}},
}
_NOT_ALLOWED = {
    "description": "The method is not allowed here",
    "headers": {"Allow": {"required": True, "schema": {"type": "string"},
                          "description": "The methods this address takes"}},
    "content": {"application/json": {"schema": _ref("Error")}},
}

_ORGANISATION = _object({
    "id": _ID,
    "code": {"type": "string", "description": "Short code used in document notations"},
    "name": {"type": "string", "description": "Current name"},
    "kind": {"type": "string", "enum": [k.value for k in OrganisationKind]},
    "parent_id": _nullable(_ID),
    "merged_on": _nullable(_DAY),
    "successor_id": {**_nullable(_ID),
                     "description": "The organisation that carries this one's work after a "
                                    "merge"},
})

_DOCUMENT_SUMMARY = _object({
    "id": _ID,
    "notation": {"type": ["string", "null"], "description": "Số / ký hiệu, e.g. 12/BTNMT-VP"},
    "subject": _TEXT,
    "type": _DOCUMENT_TYPE,
    "urgency": _URGENCY,
    "issuer": _object({"id": _ID, "code": _TEXT}),
})

_DOCUMENT = _object({
    "id": _ID,
    "notation": _DOCUMENT_SUMMARY["properties"]["notation"],
    "number": {"type": ["integer", "null"]},
    "year": {"type": ["integer", "null"]},
    "type": _DOCUMENT_TYPE,
    "subject": _TEXT,
    "body": _TEXT,
    "urgency": _URGENCY,
    "issuer": _object({"id": _ID, "code": _TEXT, "name": _TEXT}),
    "authority": {**_object({"id": _ID, "code": _TEXT, "name": _TEXT}),
                  "description": "The issuing authority (cơ quan ban hành): its header, "
                                 "register and seal; the issuer drafted it"},
    "signer": {**_nullable(_object({"name": _TEXT, "title": _TEXT, "lines": {
        "type": "array", "items": _TEXT,
        "description": "Printed above the name, e.g. KT. BỘ TRƯỞNG, THỨ TRƯỞNG"}})),
        "description": "The person of the signature chain who signs (a reply: the leader "
                       "who approved it); null when nobody signs it"},
    "state": {"type": "string", "enum": [s.value for s in DocumentState]},
    "issued_at": _nullable(_MOMENT),
    "dispatched_at": {**_nullable(_MOMENT),
                      "description": "When the recipients received it: null while its PDF is "
                                     "still being made and signed."},
    "due_on": _nullable(_DAY),
    "due_working_days": _nullable(_WORKING_DAYS),
    "reply_to_delivery_id": _nullable(_ID),
    "attachments": {"type": "array", "items": _object({
        "id": _ID, "filename": _TEXT, "sha256": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
        "size": {"type": "integer", "minimum": 0},
        "main": {"type": "boolean",
                 "description": "the document itself as a PDF, not an appendix"}})},
})

_STATUS = {"type": "string", "enum": [s.value for s in Status],
           "description": "QCVN 102 code: 01 received, 02 refused, 03 acknowledged, "
                          "04 assigned, 05 in progress, 06 done, 13 recall requested, "
                          "15 recalled, 16 recall refused"}

_DELIVERY_PROPERTIES = {
    "id": _ID,
    "status": _STATUS,
    "recipient": _object({"id": _ID, "code": _TEXT}),
    "received_at": _MOMENT,
    "acknowledged_at": _nullable(_MOMENT),
    "assigned_at": _nullable(_MOMENT),
    "done_at": _nullable(_MOMENT),
    "replied_at": _nullable(_MOMENT),
    "due_on": {**_nullable(_DAY),
               "description": "The reply is due by the end of this Vietnamese day"},
    "due_working_days": _nullable(_WORKING_DAYS),
    "deadline_state": {"type": ["string", "null"], "enum": [
        "open", "due_soon", "overdue", "on_time", "late", None]},
    "allowed_steps": {"type": "array", "description": "The steps the person asking may take "
                      "on the delivery now, as its page offers them",
                      "items": {"type": "string", "enum": list(STEPS)}},
    "reply_document_id": _nullable(_ID),
    "refusal_reason": {"type": ["string", "null"]},
    "document": _ref("DocumentSummary"),
}
_DELIVERY = _object(_DELIVERY_PROPERTIES)
_DELIVERY_DETAIL = _object({
    **_DELIVERY_PROPERTIES,
    "document": _ref("Document"),
    "history": {"type": "array", "items": _object({
        "at": _MOMENT, "action": _TEXT, "from": {"type": ["string", "null"]},
        "to": {"type": ["string", "null"]}, "note": {"type": ["string", "null"]}})},
})


def _ok(description, schema):
    return {"description": description,
            "content": {"application/json": {"schema": schema}}}


def _path_id(name):
    return {"name": name, "in": "path", "required": True, "schema": _ID, "example": 1}


def _query(name, schema, description=""):
    return {"name": name, "in": "query", "schema": schema, "description": description}


def _json_body(schema):
    return {"required": True, "content": {"application/json": {"schema": schema}}}


_DELIVERY_ID = [_path_id("delivery_id")]
_IDEMPOTENCY_KEY = {
    "name": "Idempotency-Key", "in": "header", "required": False,
    "schema": {"type": "string", "pattern": "^[A-Za-z0-9_-]{8,100}$"},
    "description": "Send the request again with the same key (after a timeout, say) and it "
    "does not act again: the first answer comes back, with `Idempotent-Replayed: true`. The "
    "same key with another request is refused (422). Keys are kept seven days."}
_REPLAYED = {"Idempotent-Replayed": {"required": False, "schema": {"type": "string",
                                                                   "enum": ["true"]}}}


def _exchange_paths() -> dict:
    return {
        "/documents": {"post": {
            "summary": "Issue a document (the organisation's clerk)",
            "description": "Drafts and issues in one call: the document is numbered from the "
            "organisation's register; background jobs lay it out, seal it and then deliver it "
            "to every recipient (`dispatched_at`, see GET /documents/{document_id}). "
            "Confidential documents are refused (422) and nothing is stored. Control and "
            "invisible characters are taken out of the text; a NUL is refused (400).",
            "parameters": [_IDEMPOTENCY_KEY],
            "requestBody": _json_body({
                "type": "object",
                "required": ["type", "subject", "recipients"],
                "properties": {
                    "type": _DOCUMENT_TYPE,
                    "subject": {"type": "string", "minLength": 1, "description":
                                "Trích yếu; refused when it shows nothing"},
                    "body": _TEXT,
                    "urgency": _URGENCY,
                    "confidentiality": {"type": "string", "enum": ["none"],
                                        "description": "mat, toi_mat, tuyet_mat are refused"},
                    "authority": {"type": "string", "description": "The code of the "
                                  "organisation in whose name it is issued: a ministry unit "
                                  "may issue in the ministry's name (its default) or its "
                                  "own; else its own"},
                    "recipients": {"type": "array", "minItems": 1,
                                   "items": {"type": "string", "minLength": 1},
                                   "description": "Organisation codes"},
                    "due_on": {**_nullable(_DAY), "description": "The reply deadline: from "
                               "today, and within two years (else 422); null for none"},
                    "due_working_days": {**_nullable(_WORKING_DAYS),
                                         "description": "Or the deadline in working days"},
                },
                "example": {"type": "bao_cao", "subject": "Báo cáo kết quả thực hiện quý IV",
                            "body": "Kính gửi Bộ Tài nguyên và Môi trường.",
                            "recipients": ["BTNMT"], "due_working_days": 5}}),
            "responses": {"201": {**_ok("The issued document", _ref("Document")),
                                  "headers": {"Location": {"required": True,
                                                           "schema": {"type": "string"}},
                                              **_REPLAYED}},
                          "400": _ERROR, "401": _ERROR, "403": _ERROR, "405": _NOT_ALLOWED,
                          "422": _ERROR},
        }},
        "/documents/{document_id}": {"get": {
            "summary": "A document as its sender sees it (404 for anyone else's; recipients "
                       "read it through their delivery)",
            "parameters": [_path_id("document_id")],
            "responses": {"200": _ok("The document", _ref("Document")), "401": _ERROR,
                          "404": _ERROR, "405": _NOT_ALLOWED},
        }},
        "/inbox": {"get": {
            "summary": "The caller's organisation's deliveries, newest first, by pages",
            "parameters": [
                _query("tab", {"type": "string", "enum": list(TABS)}),
                _query("sort", {"type": "string", "enum": list(SORTS)}),
                _query("sender_id", _ID),
                _query("type", _DOCUMENT_TYPE),
                _query("urgency", _URGENCY),
                _query("from", _BOUNDED_DAY, "Received from"),
                _query("to", _BOUNDED_DAY, "Received to"),
                _query("q", {"type": "string"}, "Words of the number or subject"),
                _query("after", {"type": "string"}, "The `next` value of the previous page"),
                _query("limit", {"type": "integer", "minimum": 1, "maximum": 100}),
            ],
            "responses": {"200": _ok("One page", _object({
                "deliveries": {"type": "array", "items": _ref("Delivery")},
                "next": {"type": ["string", "null"]}})), "400": _ERROR, "401": _ERROR,
                "405": _NOT_ALLOWED},
        }},
        "/deliveries/{delivery_id}": {"get": {
            "summary": "One delivery, with its document and history",
            "parameters": _DELIVERY_ID,
            "responses": {"200": _ok("The delivery", _ref("DeliveryDetail")), "401": _ERROR,
                          "404": _ERROR, "405": _NOT_ALLOWED},
        }},
        "/deliveries/{delivery_id}/acknowledge": {"post": {
            "summary": "Acknowledge receipt (01 → 03): the clerk or a leader",
            "parameters": [*_DELIVERY_ID, _IDEMPOTENCY_KEY],
            "responses": {"200": {**_ok("The delivery", _ref("DeliveryDetail")),
                                  "headers": _REPLAYED},
                          "400": _ERROR, "401": _ERROR, "403": _ERROR, "404": _ERROR,
                          "405": _NOT_ALLOWED, "409": _ERROR, "422": _ERROR},
        }},
        "/deliveries/{delivery_id}/reply": {"post": {
            "summary": "Reply (a leader): numbered, sent to the sender, delivery done (06)",
            "parameters": [*_DELIVERY_ID, _IDEMPOTENCY_KEY],
            "requestBody": _json_body({
                "type": "object", "required": ["body"],
                "properties": {"body": {"type": "string", "minLength": 1}},
                "example": {"body": "Sở đã nhận và sẽ báo cáo trước hạn."}}),
            "responses": {"200": {**_ok("The delivery", _ref("DeliveryDetail")),
                                  "headers": _REPLAYED},
                          "400": _ERROR, "401": _ERROR, "403": _ERROR, "404": _ERROR,
                          "405": _NOT_ALLOWED, "409": _ERROR, "422": _ERROR},
        }},
        "/calendar/due-date": {"get": {
            "summary": "The day N working days after a start day (no sign-in needed)",
            "description": "Counted as the Civil Code counts: the start day is not counted; "
            "weekends, public holidays (Tết included) and administrators' days off are "
            "skipped; Saturdays worked in exchange count.",
            "security": [],
            "parameters": [
                {**_query("start", _BOUNDED_DAY), "required": True, "example": "2026-02-13"},
                {**_query("working_days", _WORKING_DAYS), "required": True, "example": 3},
                _query("lang", {"type": "string", "enum": ["vi", "en"]},
                       "Language of the reasons"),
            ],
            "responses": {"200": _ok("The due date and the days skipped", _object({
                "start": _DAY,
                "working_days": _WORKING_DAYS,
                "due_on": _DAY,
                "skipped": {"type": "array", "items": _object({
                    "date": _DAY, "reason": _TEXT})}})),
                "400": _ERROR, "405": _NOT_ALLOWED},
        }},
    }


def openapi_document() -> dict:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Ministry–department interaction portal API",
            "version": "1",
            "description": "JSON API for e-office systems. Authenticate with "
            "`Authorization: Bearer <token>`; tokens are created on the account page or with "
            "`flask users token EMAIL`.",
        },
        "servers": [{"url": "/api/v1"}],
        "security": [{"bearer": []}],
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {
                "Error": _object({"error": _object({"status": {"type": "integer"},
                                                    "message": {"type": "string"}})}),
                "Organisation": _ORGANISATION,
                "DocumentSummary": _DOCUMENT_SUMMARY,
                "Document": _DOCUMENT,
                "Delivery": _DELIVERY,
                "DeliveryDetail": _DELIVERY_DETAIL,
            },
        },
        "paths": {
            "/me": {"get": {
                "summary": "The caller's identity, role and organisation",
                "responses": {
                    "200": _ok("The caller", _object({
                        "id": _ID,
                        "email": _TEXT,
                        "full_name": _TEXT,
                        "role": {"type": "string", "enum": [r.value for r in Role]},
                        "is_admin": {"type": "boolean"},
                        "organisation": _ref("Organisation"),
                    })),
                    "401": _ERROR, "405": _NOT_ALLOWED,
                },
            }},
            "/organisations": {"get": {
                "summary": "Every organisation, merged ones included",
                "responses": {
                    "200": _ok("The organisations", _object({
                        "organisations": {"type": "array", "items": _ref("Organisation")}})),
                    "401": _ERROR, "405": _NOT_ALLOWED,
                },
            }},
            **_exchange_paths(),
            "/openapi.json": {"get": {
                "summary": "This document",
                "security": [],
                "responses": {"200": {"description": "The OpenAPI document",
                                      "content": {"application/json": {"schema": {
                                          "type": "object", "required": ["openapi", "paths"]}}}},
                              "405": _NOT_ALLOWED},
            }},
        },
    }
