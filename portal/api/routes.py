"""The API's reference endpoints: its OpenAPI document, the caller, the organisations."""

from flask import g, jsonify

from portal import policy
from portal.api import bp
from portal.api.auth import token_required
from portal.api.openapi import openapi_document
from portal.organisations.models import final_successor
from portal.organisations.services import list_organisations


def organisation_json(organisation):
    return {
        "id": organisation.id,
        "code": organisation.code,
        "name": organisation.name,
        "kind": organisation.kind,
        "parent_id": organisation.parent_id,
        "merged_on": organisation.merged_on.isoformat() if organisation.merged_on else None,
        "successor_id": final_successor(organisation).id if organisation.successor_id else None,
        "organ_id": organisation.organ_id,
        "channel": organisation.channel,
        "address": organisation.address,
        "email": organisation.email,
        "telephone": organisation.telephone,
    }


@bp.get("/openapi.json")
def openapi():
    """The OpenAPI document of this API."""
    return jsonify(openapi_document())


@bp.get("/me")
@token_required
def me():
    """The caller: who they are, their role and organisation."""
    user = g.api_user
    return jsonify({
        "id": user.id,
        "email": user.email,
        "full_name": user.full_name,
        "role": user.role,
        "is_admin": policy.is_admin(user),
        "organisation": organisation_json(user.organisation),
    })


@bp.get("/organisations")
@token_required
def organisations():
    """Every organisation, merged ones included (with their successor)."""
    return jsonify({"organisations": [organisation_json(o) for o in list_organisations()]})
