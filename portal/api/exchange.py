"""The document-exchange API: issue, inbox, deliveries, acknowledge, reply; and due dates.

The same services, permission checks and audit as the web pages; errors are JSON. What it
answers is shaped in portal.api.shapes; an action sent with an `Idempotency-Key` runs once
(portal.api.idempotency).
"""

import tempfile

from flask import current_app, g, jsonify, request, send_file
from sqlalchemy import select

from portal import policy
from portal.api import bp
from portal.api.auth import api_error, token_required
from portal.api.idempotency import acting_once, respond
from portal.api.shapes import delivery_json, document_json, tracked_document_json
from portal.bounds import OutOfBounds, parse_day, parse_id
from portal.calendar.services import CalendarError, due_date
from portal.clock import local_today
from portal.deliveries import deadlines, inbox, replies, steps
from portal.deliveries import services as deliveries
from portal.deliveries.models import Delivery
from portal.documents import services as documents
from portal.documents.models import Document, DocumentState, DocumentType, Urgency
from portal.documents.text import clean_line, clean_text, is_blank
from portal.extensions import db
from portal.i18n import LANGUAGES
from portal.interop import outbound
from portal.interop.edxml import writer
from portal.once import Answer, KeyReusedError, MalformedKeyError
from portal.organisations.models import Organisation
from portal.rules import PortalError

INBOX_LIMIT = 100


class BadRequest(PortalError):
    """A request the API cannot read (400)."""


def _today_and_soon():
    today = local_today()
    return today, deadlines.due_soon_until(today)


def _json_body() -> dict:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise BadRequest("the body must be a JSON object")
    return body


def _string(body, name, required=False, default="", multiline=False):
    """A string field, cleaned as the forms clean typed text (portal.documents.text)."""
    value = body.get(name, default)
    if not isinstance(value, str):
        raise BadRequest(f"{name} must be a{' non-empty' if required else ''} string")
    value = clean_text(value) if multiline else clean_line(value)
    if required and is_blank(value):
        raise BadRequest(f"{name} must be a non-empty string")
    return value


def _optional_date(value, name):
    if value is None:
        return None
    try:
        return parse_day(value)
    except OutOfBounds as error:
        raise BadRequest(f"{name}: {error}") from None


def _optional_int(value, name):
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise BadRequest(f"{name} must be an integer")
    return value


def _optional_id(value, name):
    if not value:
        return None
    try:
        return parse_id(value)
    except OutOfBounds as error:
        raise BadRequest(f"{name}: {error}") from None


def _recipient_ids(codes) -> tuple[int, ...]:
    if not isinstance(codes, list) or not codes or not all(isinstance(c, str) for c in codes):
        raise BadRequest("recipients must be a non-empty list of organisation codes")
    wanted = {c.strip().upper() for c in codes}
    found = dict(db.session.execute(select(Organisation.code, Organisation.id)
                                    .where(Organisation.code.in_(wanted))).all())
    unknown = sorted(wanted - set(found))
    if unknown:
        raise BadRequest(f"unknown recipients: {', '.join(unknown)}")
    return tuple(found.values())


def _authority_id(code) -> int | None:
    if code is None:
        return None
    if not isinstance(code, str):
        raise BadRequest("authority must be an organisation code")
    found = db.session.scalar(select(Organisation.id).where(
        Organisation.code == code.strip().upper()))
    if found is None:
        raise BadRequest(f"unknown authority: {code.strip()[:20]}")
    return found


def _fields(body) -> documents.DraftFields:
    return documents.DraftFields(
        doc_type=_string(body, "type", required=True),
        subject=_string(body, "subject", required=True),
        body=_string(body, "body", multiline=True),
        urgency=_string(body, "urgency", default="normal"),
        confidentiality=_string(body, "confidentiality", default="none"),
        authority_id=_authority_id(body.get("authority")),
        recipient_ids=_recipient_ids(body.get("recipients")),
        due_on=_optional_date(body.get("due_on"), "due_on"),
        due_working_days=_optional_int(body.get("due_working_days"), "due_working_days"),
    )


@bp.post("/documents")
@token_required
def issue_document():
    """Draft and issue a document in one call (the organisation's clerk)."""
    user = g.api_user
    try:
        body = _json_body()
        # Refused before anything else is read or stored.
        documents.refuse_confidential(_string(body, "confidentiality", default="none"))
        fields = _fields(body)
    except documents.ConfidentialDocumentError as error:
        return api_error(422, str(error))
    except BadRequest as error:
        return api_error(400, str(error))
    if user.role != policy.Role.CLERK:
        return api_error(403, "only the organisation's clerk can issue documents")

    def issue() -> Answer:
        document = documents.save_draft(fields, actor=user)
        documents.issue_document(document, actor=user)
        return Answer(201, f"/api/v1/documents/{document.id}",
                      current_app.json.dumps(document_json(document)))

    try:
        return respond(acting_once("api.documents", issue))
    except MalformedKeyError as error:
        return api_error(400, str(error))
    except PortalError as error:
        return api_error(422, str(error))


@bp.get("/documents/<int:document_id>")
@token_required
def document_detail(document_id):
    """A document the caller follows as its sender: its organisation's own, or the ministry's
    for a reviewer (policy.can_track_document); 404 for any other. Recipients read a
    document through their delivery."""
    document = policy.visible_or_404(Document, document_id, policy.can_track_document,
                                     user=g.api_user, message="no such document")
    return jsonify(tracked_document_json(document))


@bp.get("/documents/<int:document_id>/edxml")
@token_required
def document_edxml(document_id):
    """The issued document as its edXML package to all its recipients, signed when its
    authority has a key; the same visibility as the document (404 otherwise)."""
    document = policy.visible_or_404(Document, document_id, policy.can_track_document,
                                     user=g.api_user, message="no such document")
    if document.state != DocumentState.ISSUED:
        return api_error(409, "the document is not issued yet")
    recipients = list(db.session.scalars(select(Organisation).where(
        Organisation.id.in_(document.recipient_ids)).order_by(Organisation.id)))
    try:
        package = outbound.package_of(document, recipients)
    except PortalError as error:
        return api_error(409, str(error))
    out = tempfile.TemporaryFile()  # noqa: SIM115 (send_file closes it once sent)
    writer.write_package(package, out, signing=outbound.open_key(document.authority))
    out.seek(0)
    return send_file(out, mimetype="application/xml", download_name=f"{document.id}.edxml.xml")


@bp.get("/inbox")
@token_required
def inbox_list():
    """The caller's organisation's deliveries: tab, filters, keyset pages."""
    args = request.args
    try:
        tab = args.get("tab", "all")
        sort = args.get("sort", "newest")
        if tab not in inbox.TABS or sort not in inbox.SORTS:
            raise BadRequest(f"tab must be one of {', '.join(inbox.TABS)}; "
                             f"sort one of {', '.join(inbox.SORTS)}")
        if args.get("type", DocumentType.OFFICIAL_LETTER) not in DocumentType.__members__.values() \
                or args.get("urgency", Urgency.NORMAL) not in Urgency.__members__.values():
            raise BadRequest("type and urgency must be among the document types and urgencies")
        limit = int(args.get("limit", inbox.PAGE_SIZE))
        if not 1 <= limit <= INBOX_LIMIT:
            raise BadRequest(f"limit must be between 1 and {INBOX_LIMIT}")
        query = inbox.InboxQuery(
            tab=tab, sort=sort, q=args.get("q", "")[:200], after=args.get("after") or None,
            sender_id=_optional_id(args.get("sender_id"), "sender_id"),
            doc_type=args.get("type"), urgency=args.get("urgency"),
            date_from=_optional_date(args.get("from"), "from"),
            date_to=_optional_date(args.get("to"), "to"))
        today, soon_until = _today_and_soon()
        rows, next_cursor = inbox.inbox_page(g.api_user.organisation_id, query, today,
                                             soon_until, limit=limit)
    except (BadRequest, inbox.CursorError) as error:
        return api_error(400, f"bad parameter: {error}")
    except ValueError:
        return api_error(400, "limit must be an integer")
    return jsonify({"deliveries": [delivery_json(d, today, soon_until) for d in rows],
                    "next": next_cursor})


def _delivery_or_404(delivery_id):
    return policy.visible_or_404(Delivery, delivery_id, policy.can_view_delivery,
                                 user=g.api_user, message="no such delivery")


@bp.get("/deliveries/<int:delivery_id>")
@token_required
def delivery_detail(delivery_id):
    """One delivery with its document and history (404 for another organisation's)."""
    delivery = _delivery_or_404(delivery_id)
    return jsonify(delivery_json(delivery, *_today_and_soon(), full=True))


def _step(delivery_id, step_name, perform):
    delivery = _delivery_or_404(delivery_id)
    if not steps.role_allows(step_name, g.api_user, delivery):
        return api_error(403, "your role does not allow this step")

    def step() -> Answer:
        perform(delivery)
        db.session.flush()
        db.session.refresh(delivery)
        return Answer(200, body=current_app.json.dumps(
            delivery_json(delivery, *_today_and_soon(), full=True)))

    try:
        return respond(acting_once(f"api.{request.endpoint}.{delivery_id}", step))
    except (BadRequest, MalformedKeyError) as error:
        return api_error(400, str(error))
    except KeyReusedError as error:
        return api_error(422, str(error))
    except PortalError as error:
        return api_error(409, str(error))


@bp.post("/deliveries/<int:delivery_id>/acknowledge")
@token_required
def acknowledge(delivery_id):
    """Acknowledge receipt (status 01 → 03)."""
    return _step(delivery_id, "acknowledge",
                 lambda d: deliveries.acknowledge_delivery(d, actor=g.api_user))


@bp.post("/deliveries/<int:delivery_id>/reply")
@token_required
def reply(delivery_id):
    """Reply and close the delivery (a leader: written, approved and sent in one step)."""
    def perform(delivery):
        text = _string(_json_body(), "body", required=True, multiline=True)
        replies.answer_delivery(delivery, actor=g.api_user, body=text)

    return _step(delivery_id, "reply", perform)


@bp.get("/calendar/due-date")
def calendar_due_date():
    """The day N working days after a start day, with the days skipped; no sign-in needed."""
    try:
        start = parse_day(request.args["start"])
        working_days = int(request.args["working_days"])
        language = request.args.get("lang", "vi")
        if language not in LANGUAGES:
            raise BadRequest(f"lang must be one of {', '.join(LANGUAGES)}")
        result = due_date(start, working_days, language=language)
    except KeyError as error:
        return api_error(400, f"missing parameter {error.args[0]}")
    except (CalendarError, OutOfBounds, BadRequest) as error:
        return api_error(400, str(error))
    except ValueError:
        return api_error(400, "start must be a date as YYYY-MM-DD and working_days an integer")
    return jsonify({"start": result.start.isoformat(), "working_days": result.working_days,
                    "due_on": result.due_on.isoformat(),
                    "skipped": [{"date": s.day.isoformat(), "reason": s.reason}
                                for s in result.skipped]})
