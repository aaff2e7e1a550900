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
            "/openapi.json": {
                "get": {
                    "summary": "This document",
                    "security": [],
                    "responses": {"200": {"description": "The OpenAPI document"}},
                }
            },
        },
    }
