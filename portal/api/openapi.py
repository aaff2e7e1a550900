"""The OpenAPI 3.1 document of /api/v1, kept beside the routes it describes: its paths here,
its schemas in portal.api.schemas.

A test checks that every /api/v1 route appears here and that the document is valid, and
Schemathesis (tests/api/test_schemathesis.py) checks that the API answers as it says: every
status, header and body. So the document is exact: enums are the values the API enforces,
`minLength` marks what it refuses empty, responses list every field (and no other), and ids
and dates carry the bounds the portal holds them to (portal.bounds).
"""

from portal.api.schemas import (
    BOUNDED_DAY,
    DAY,
    DOCUMENT_TYPE,
    ID,
    SCHEMAS,
    TEXT,
    URGENCY,
    WORKING_DAYS,
    exact_object,
    nullable,
    ref,
)
from portal.deliveries.inbox import SORTS, TABS
from portal.interop.openapi import axis_paths
from portal.policy import Role

_ERROR = {
    "description": "Error",
    "content": {"application/json": {"schema": ref("Error")}},
}
_NOT_ALLOWED = {
    "description": "The method is not allowed here",
    "headers": {"Allow": {"required": True, "schema": {"type": "string"},
                          "description": "The methods this address takes"}},
    "content": {"application/json": {"schema": ref("Error")}},
}


def _ok(description, schema):
    return {"description": description,
            "content": {"application/json": {"schema": schema}}}


def _path_id(name):
    return {"name": name, "in": "path", "required": True, "schema": ID, "example": 1}


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
                    "type": DOCUMENT_TYPE,
                    "subject": {"type": "string", "minLength": 1, "description":
                                "Trích yếu; refused when it shows nothing"},
                    "body": TEXT,
                    "urgency": URGENCY,
                    "confidentiality": {"type": "string", "enum": ["none"],
                                        "description": "mat, toi_mat, tuyet_mat are refused"},
                    "authority": {"type": "string", "description": "The code of the "
                                  "organisation in whose name it is issued: a ministry unit "
                                  "may issue in the ministry's name (its default) or its "
                                  "own; else its own"},
                    "recipients": {"type": "array", "minItems": 1,
                                   "items": {"type": "string", "minLength": 1},
                                   "description": "Organisation codes"},
                    "due_on": {**nullable(DAY), "description": "The reply deadline: from "
                               "today, and within two years (else 422); null for none"},
                    "due_working_days": {**nullable(WORKING_DAYS),
                                         "description": "Or the deadline in working days"},
                },
                "example": {"type": "bao_cao", "subject": "Báo cáo kết quả thực hiện quý IV",
                            "body": "Kính gửi Bộ Tài nguyên và Môi trường.",
                            "recipients": ["BTNMT"], "due_working_days": 5}}),
            "responses": {"201": {**_ok("The issued document", ref("Document")),
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
            "responses": {"200": _ok("The document, with each recipient's delivery",
                                     ref("TrackedDocument")), "401": _ERROR,
                          "404": _ERROR, "405": _NOT_ALLOWED},
        }},
        "/documents/{document_id}/edxml": {"get": {
            "summary": "An issued document as its edXML package (QCVN 102:2016), to all its "
                       "recipients, signed by its authority's key when it has one",
            "description": "The same visibility as GET /documents/{document_id}. 409 while "
            "the document is not issued, or when its authority has no national identifier.",
            "parameters": [_path_id("document_id")],
            "responses": {"200": {"description": "The edXML package",
                                  "content": {"application/xml": {"schema": {
                                      "type": "string"}}}},
                          "401": _ERROR, "404": _ERROR, "405": _NOT_ALLOWED, "409": _ERROR},
        }},
        "/inbox": {"get": {
            "summary": "The caller's organisation's deliveries, newest first, by pages",
            "parameters": [
                _query("tab", {"type": "string", "enum": list(TABS)}),
                _query("sort", {"type": "string", "enum": list(SORTS)}),
                _query("sender_id", ID),
                _query("type", DOCUMENT_TYPE),
                _query("urgency", URGENCY),
                _query("from", BOUNDED_DAY, "Received from"),
                _query("to", BOUNDED_DAY, "Received to"),
                _query("q", {"type": "string"}, "Words of the number or subject"),
                _query("after", {"type": "string"}, "The `next` value of the previous page"),
                _query("limit", {"type": "integer", "minimum": 1, "maximum": 100}),
            ],
            "responses": {"200": _ok("One page", exact_object({
                "deliveries": {"type": "array", "items": ref("Delivery")},
                "next": {"type": ["string", "null"]}})), "400": _ERROR, "401": _ERROR,
                "405": _NOT_ALLOWED},
        }},
        "/deliveries/{delivery_id}": {"get": {
            "summary": "One delivery, with its document and history",
            "parameters": _DELIVERY_ID,
            "responses": {"200": _ok("The delivery", ref("DeliveryDetail")), "401": _ERROR,
                          "404": _ERROR, "405": _NOT_ALLOWED},
        }},
        "/deliveries/{delivery_id}/acknowledge": {"post": {
            "summary": "Acknowledge receipt (01 → 03): the clerk or a leader",
            "parameters": [*_DELIVERY_ID, _IDEMPOTENCY_KEY],
            "responses": {"200": {**_ok("The delivery", ref("DeliveryDetail")),
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
            "responses": {"200": {**_ok("The delivery", ref("DeliveryDetail")),
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
                {**_query("start", BOUNDED_DAY), "required": True, "example": "2026-02-13"},
                {**_query("working_days", WORKING_DAYS), "required": True, "example": 3},
                _query("lang", {"type": "string", "enum": ["vi", "en"]},
                       "Language of the reasons"),
            ],
            "responses": {"200": _ok("The due date and the days skipped", exact_object({
                "start": DAY,
                "working_days": WORKING_DAYS,
                "due_on": DAY,
                "skipped": {"type": "array", "items": exact_object({
                    "date": DAY, "reason": TEXT})}})),
                "400": _ERROR, "405": _NOT_ALLOWED},
        }},
    }


def _register_paths() -> dict:
    year = _query("year", {"type": "integer", "minimum": 1900, "maximum": 2100},
                  "The calendar year (default: this year, Vietnam time)")
    organisation = exact_object({"id": ID, "code": TEXT, "name": TEXT})
    day, nullable_text = {"type": "string", "format": "date"}, {"type": ["string", "null"]}
    rows = {
        "incoming": exact_object({
            "incoming_number": {"type": "integer"}, "received_on": day, "sender": TEXT,
            "notation": TEXT, "document_date": {**day, "type": ["string", "null"]},
            "subject": TEXT, "assigned_to": nullable_text}),
        "outgoing": exact_object({
            "notation": TEXT, "issued_on": day, "subject": TEXT, "signer": nullable_text,
            "recipients": {"type": "array", "items": TEXT}}),
    }
    return {f"/registers/{kind}": {"get": {
        "summary": f"The caller's organisation's {kind} register for a year (Decree 30/2020, "
                   "Art. 22)",
        "parameters": [year],
        "responses": {
            "200": _ok(f"The {kind} register", exact_object({
                "register": {"type": "string", "enum": [kind]},
                "year": {"type": "integer"}, "organisation": organisation,
                "rows": {"type": "array", "items": row}})),
            "400": _ERROR, "401": _ERROR, "405": _NOT_ALLOWED},
    }} for kind, row in rows.items()}


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
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"},
                                "axis": {"type": "http", "scheme": "bearer",
                                         "description": "The axis's token (flask axis "
                                         "token), for POST /edxml only"}},
            "schemas": SCHEMAS,
        },
        "paths": {
            "/me": {"get": {
                "summary": "The caller's identity, role and organisation",
                "responses": {
                    "200": _ok("The caller", exact_object({
                        "id": ID,
                        "email": TEXT,
                        "full_name": TEXT,
                        "role": {"type": "string", "enum": [r.value for r in Role]},
                        "is_admin": {"type": "boolean"},
                        "organisation": ref("Organisation"),
                    })),
                    "401": _ERROR, "405": _NOT_ALLOWED,
                },
            }},
            "/organisations": {"get": {
                "summary": "Every organisation, merged ones included",
                "responses": {
                    "200": _ok("The organisations", exact_object({
                        "organisations": {"type": "array", "items": ref("Organisation")}})),
                    "401": _ERROR, "405": _NOT_ALLOWED,
                },
            }},
            **_exchange_paths(),
            **axis_paths(_NOT_ALLOWED),
            **_register_paths(),
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
