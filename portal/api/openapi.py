"""The OpenAPI 3.1 document of /api/v1, kept beside the routes it describes.

A test checks that every /api/v1 route appears here and that the document is valid.
"""

_ERROR = {
    "description": "Error",
    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
}

_ORGANISATION = {
    "type": "object",
    "required": ["id", "code", "name", "kind"],
    "properties": {
        "id": {"type": "integer"},
        "code": {"type": "string", "description": "Short code used in document notations"},
        "name": {"type": "string", "description": "Current name"},
        "kind": {"type": "string", "enum": ["ministry", "ministry_unit", "department"]},
        "parent_id": {"type": ["integer", "null"]},
        "merged_on": {"type": ["string", "null"], "format": "date"},
        "successor_id": {
            "type": ["integer", "null"],
            "description": "The organisation that carries this one's work after a merge",
        },
    },
}


_DOCUMENT = {
    "type": "object",
    "required": ["id", "notation", "type", "subject", "issuer", "state"],
    "properties": {
        "id": {"type": "integer"},
        "notation": {"type": ["string", "null"], "description": "Số / ký hiệu, e.g. 12/BTNMT-VP"},
        "number": {"type": ["integer", "null"]},
        "year": {"type": ["integer", "null"]},
        "type": {"type": "string", "enum": ["cong_van", "quyet_dinh", "thong_bao", "ke_hoach",
                                            "bao_cao", "to_trinh", "giay_moi", "huong_dan"]},
        "subject": {"type": "string"},
        "body": {"type": "string"},
        "urgency": {"type": "string", "enum": ["normal", "urgent", "very_urgent", "flash"]},
        "issuer": {"type": "object"},
        "state": {"type": "string", "enum": ["draft", "submitted", "signing", "signed", "issued"]},
        "issued_at": {"type": ["string", "null"], "format": "date-time"},
        "dispatched_at": {"type": ["string", "null"], "format": "date-time",
                          "description": "When the recipients received it: null while its "
                                         "PDF is still being made and signed."},
        "due_on": {"type": ["string", "null"], "format": "date"},
        "due_working_days": {"type": ["integer", "null"]},
        "attachments": {"type": "array", "items": {"type": "object", "properties": {
            "id": {"type": "integer"}, "filename": {"type": "string"},
            "sha256": {"type": "string"}, "size": {"type": "integer"},
            "main": {"type": "boolean",
                     "description": "the document itself as a PDF, not an appendix"}}}},
    },
}

_DELIVERY = {
    "type": "object",
    "required": ["id", "status", "received_at", "document"],
    "properties": {
        "id": {"type": "integer"},
        "status": {"type": "string", "description": "QCVN 102 code: 01 received, 02 refused, "
                   "03 acknowledged, 04 assigned, 05 in progress, 06 done, 13 recall "
                   "requested, 15 recalled, 16 recall refused"},
        "received_at": {"type": "string", "format": "date-time"},
        "acknowledged_at": {"type": ["string", "null"], "format": "date-time"},
        "replied_at": {"type": ["string", "null"], "format": "date-time"},
        "due_on": {"type": ["string", "null"], "format": "date",
                   "description": "The reply is due by the end of this Vietnamese day"},
        "deadline_state": {"type": ["string", "null"], "enum": [
            "open", "due_soon", "overdue", "on_time", "late", None]},
        "document": {"type": "object"},
        "history": {"type": "array", "items": {"type": "object"}},
    },
}


def _ok(description, schema):
    return {"description": description,
            "content": {"application/json": {"schema": schema}}}


def _ref(name):
    return {"$ref": f"#/components/schemas/{name}"}


_DELIVERY_ID = [{"name": "delivery_id", "in": "path", "required": True,
                 "schema": {"type": "integer"}}]


def _query(name, schema, description=""):
    return {"name": name, "in": "query", "schema": schema, "description": description}


def _exchange_paths() -> dict:
    return {
        "/documents": {"post": {
            "summary": "Issue a document (the organisation's clerk)",
            "description": "Drafts and issues in one call: the document is numbered from the "
            "organisation's register; background jobs lay it out, seal it and then deliver it "
            "to every recipient (`dispatched_at`, see GET /documents/{document_id}). "
            "Confidential documents are refused (422) and nothing is stored.",
            "requestBody": {"required": True, "content": {"application/json": {"schema": {
                "type": "object",
                "required": ["type", "subject", "recipients"],
                "properties": {
                    "type": _DOCUMENT["properties"]["type"],
                    "subject": {"type": "string"},
                    "body": {"type": "string"},
                    "urgency": _DOCUMENT["properties"]["urgency"],
                    "confidentiality": {"type": "string", "enum": ["none"],
                                        "description": "mat, toi_mat, tuyet_mat are refused"},
                    "signer_name": {"type": "string"},
                    "signer_title": {"type": "string"},
                    "recipients": {"type": "array", "items": {"type": "string"},
                                   "description": "Organisation codes"},
                    "due_on": {"type": "string", "format": "date"},
                    "due_working_days": {"type": "integer", "minimum": 1, "maximum": 365},
                }}}}},
            "responses": {"201": _ok("The issued document", _ref("Document")),
                          "400": _ERROR, "401": _ERROR, "403": _ERROR, "422": _ERROR},
        }},
        "/documents/{document_id}": {"get": {
            "summary": "A document as its sender sees it (404 for anyone else's; recipients "
                       "read it through their delivery)",
            "parameters": [{"name": "document_id", "in": "path", "required": True,
                            "schema": {"type": "integer"}}],
            "responses": {"200": _ok("The document", _ref("Document")), "401": _ERROR,
                          "404": _ERROR},
        }},
        "/inbox": {"get": {
            "summary": "The caller's organisation's deliveries, newest first, by pages",
            "parameters": [
                _query("tab", {"type": "string", "enum": ["new", "in_progress", "due_soon",
                                                          "overdue", "done", "all"]}),
                _query("sort", {"type": "string", "enum": ["newest", "oldest", "deadline"]}),
                _query("sender_id", {"type": "integer"}),
                _query("type", {"type": "string"}),
                _query("urgency", {"type": "string"}),
                _query("from", {"type": "string", "format": "date"}, "Received from"),
                _query("to", {"type": "string", "format": "date"}, "Received to"),
                _query("q", {"type": "string"}, "Words of the number or subject"),
                _query("after", {"type": "string"}, "The `next` value of the previous page"),
                _query("limit", {"type": "integer", "minimum": 1, "maximum": 100}),
            ],
            "responses": {"200": _ok("One page", {"type": "object", "properties": {
                "deliveries": {"type": "array", "items": _ref("Delivery")},
                "next": {"type": ["string", "null"]}}}), "400": _ERROR, "401": _ERROR},
        }},
        "/deliveries/{delivery_id}": {"get": {
            "summary": "One delivery, with its document and history",
            "parameters": _DELIVERY_ID,
            "responses": {"200": _ok("The delivery", _ref("Delivery")), "401": _ERROR,
                          "404": _ERROR},
        }},
        "/deliveries/{delivery_id}/acknowledge": {"post": {
            "summary": "Acknowledge receipt (01 → 03): the clerk or a leader",
            "parameters": _DELIVERY_ID,
            "responses": {"200": _ok("The delivery", _ref("Delivery")), "401": _ERROR,
                          "403": _ERROR, "404": _ERROR, "409": _ERROR},
        }},
        "/deliveries/{delivery_id}/reply": {"post": {
            "summary": "Reply (a leader): numbered, sent to the sender, delivery done (06)",
            "parameters": _DELIVERY_ID,
            "requestBody": {"required": True, "content": {"application/json": {"schema": {
                "type": "object", "required": ["body"],
                "properties": {"body": {"type": "string"}}}}}},
            "responses": {"200": _ok("The delivery", _ref("Delivery")), "400": _ERROR,
                          "401": _ERROR, "403": _ERROR, "404": _ERROR, "409": _ERROR},
        }},
        "/calendar/due-date": {"get": {
            "summary": "The day N working days after a start day (no sign-in needed)",
            "description": "Counted as the Civil Code counts: the start day is not counted; "
            "weekends, public holidays (Tết included) and administrators' days off are "
            "skipped; Saturdays worked in exchange count.",
            "security": [],
            "parameters": [
                {**_query("start", {"type": "string", "format": "date"}), "required": True},
                {**_query("working_days", {"type": "integer", "minimum": 1, "maximum": 365}),
                 "required": True},
                _query("lang", {"type": "string", "enum": ["vi", "en"]},
                       "Language of the reasons"),
            ],
            "responses": {"200": _ok("The due date and the days skipped", {
                "type": "object", "properties": {
                    "due_on": {"type": "string", "format": "date"},
                    "skipped": {"type": "array", "items": {"type": "object", "properties": {
                        "date": {"type": "string", "format": "date"},
                        "reason": {"type": "string"}}}}}}),
                "400": _ERROR},
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
                "Error": {
                    "type": "object",
                    "properties": {
                        "error": {
                            "type": "object",
                            "properties": {
                                "status": {"type": "integer"},
                                "message": {"type": "string"},
                            },
                        }
                    },
                },
                "Organisation": _ORGANISATION,
                "Document": _DOCUMENT,
                "Delivery": _DELIVERY,
            },
        },
        "paths": {
            "/me": {
                "get": {
                    "summary": "The caller's identity, role and organisation",
                    "responses": {
                        "200": {
                            "description": "The caller",
                            "content": {"application/json": {"schema": {
                                "type": "object",
                                "properties": {
                                    "id": {"type": "integer"},
                                    "email": {"type": "string"},
                                    "full_name": {"type": "string"},
                                    "role": {"type": "string", "enum": [
                                        "clerk", "specialist", "leader", "reviewer", "admin"]},
                                    "is_admin": {"type": "boolean"},
                                    "organisation": {"$ref": "#/components/schemas/Organisation"},
                                },
                            }}},
                        },
                        "401": _ERROR,
                    },
                }
            },
            "/organisations": {
                "get": {
                    "summary": "Every organisation, merged ones included",
                    "responses": {
                        "200": {
                            "description": "The organisations",
                            "content": {"application/json": {"schema": {
                                "type": "object",
                                "properties": {"organisations": {
                                    "type": "array",
                                    "items": {"$ref": "#/components/schemas/Organisation"},
                                }},
                            }}},
                        },
                        "401": _ERROR,
                    },
                }
            },
            **_exchange_paths(),
            "/openapi.json": {
                "get": {
                    "summary": "This document",
                    "security": [],
                    "responses": {"200": {"description": "The OpenAPI document"}},
                }
            },
        },
    }
