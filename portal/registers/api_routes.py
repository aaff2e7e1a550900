"""The registers as JSON: GET /api/v1/registers/incoming?year=YYYY and …/outgoing?year=YYYY,
the caller's organisation's, the same rows the register pages list."""

from dataclasses import asdict
from datetime import date

from flask import g, jsonify, request

from portal.api import bp
from portal.api.auth import api_error, token_required
from portal.bounds import FIRST_DAY, LAST_DAY
from portal.clock import local_today
from portal.registers.services import incoming_rows, outgoing_rows


def _year() -> int | None:
    text = request.args.get("year") or str(local_today().year)
    if not text.isdigit() or not FIRST_DAY.year <= int(text) <= LAST_DAY.year:
        return None
    return int(text)


def _register(kind: str, rows_of):
    year = _year()
    if year is None:
        return api_error(400, f"year must be a year between {FIRST_DAY.year} and "
                              f"{LAST_DAY.year}")
    organisation = g.api_user.organisation
    return jsonify({"register": kind, "year": year,
                    "organisation": {"id": organisation.id, "code": organisation.code,
                                     "name": organisation.name},
                    "rows": [_json(row) for row in rows_of(organisation.id, year)]})


def _json(row) -> dict:
    return {name: value.isoformat() if isinstance(value, date) else value
            for name, value in asdict(row).items()}


@bp.get("/registers/incoming")
@token_required
def incoming_register():
    """The caller's organisation's incoming register for a year (by incoming number)."""
    return _register("incoming", incoming_rows)


@bp.get("/registers/outgoing")
@token_required
def outgoing_register():
    """The caller's organisation's outgoing register for a year (by number)."""
    return _register("outgoing", outgoing_rows)
