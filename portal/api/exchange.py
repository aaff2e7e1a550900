"""The document-exchange API: issue, inbox, deliveries, acknowledge, reply; and due dates.

The same services, permission checks and audit as the web pages; errors are JSON.
"""

from collections.abc import Callable
from datetime import date

from flask import current_app, g, jsonify, request
from sqlalchemy import select

from portal import policy
from portal.api.auth import api_error, token_required
from portal.api.routes import bp
from portal.bounds import OutOfBounds, parse_day, parse_id
from portal.calendar.services import CalendarError, due_date
from portal.clock import aware_utc, local_today
from portal.deliveries import deadlines, inbox, steps
from portal.deliveries import services as deliveries
from portal.deliveries.models import Delivery
from portal.documents import services as documents
from portal.documents.models import Document, DocumentType, Urgency
from portal.documents.text import clean_line, clean_text, is_blank
from portal.extensions import db
from portal.i18n import LANGUAGES
from portal.once import Answer, KeyReusedError, MalformedKeyError, fingerprint, once
from portal.organisations.models import Organisation
from portal.rules import PortalError
from portal.signing.titles import printed_signer
from portal.transaction import action

INBOX_LIMIT = 100


class BadRequest(PortalError):
    """A request the API cannot read (400)."""


def _moment(value):
    return aware_utc(value).isoformat() if value else None  # RFC 3339: with its offset


def _day(value):
    return value.isoformat() if value else None


def document_json(document: Document) -> dict:
    return {
        "id": document.id,
        "notation": document.notation,
        "number": document.number,
        "year": document.year,
        "type": document.doc_type,
        "subject": document.subject,
        "body": document.body,
        "urgency": document.urgency,
        "issuer": {"id": document.issuer.id, "code": document.issuer.code,
                   "name": document.issuer.name},
        "authority": {"id": document.authority.id, "code": document.authority.code,
                      "name": document.authority.name},
        "signer": printed_signer(document),  # name, title, lines; null: nobody signs it
        "state": document.state,
        "issued_at": _moment(document.issued_at),
        "dispatched_at": _moment(document.dispatched_at),  # null until delivered
        "due_on": _day(document.due_on),
        "due_working_days": document.due_working_days,
        "reply_to_delivery_id": document.reply_to_id,
        "attachments": [{"id": a.id, "filename": a.filename, "sha256": a.file.sha256,
                         "size": a.file.size, "main": a.is_main} for a in document.attachments],
    }


def delivery_json(delivery: Delivery, today: date, soon_until: date, full=False) -> dict:
    body = {
        "id": delivery.id,
        "status": delivery.status,
        "recipient": {"id": delivery.recipient_id, "code": delivery.recipient.code},
        "received_at": _moment(delivery.received_at),
        "acknowledged_at": _moment(delivery.acknowledged_at),
        "assigned_at": _moment(delivery.assigned_at),
        "done_at": _moment(delivery.done_at),
        "replied_at": _moment(delivery.replied_at),
        "due_on": _day(delivery.due_on),
        "due_working_days": delivery.due_working_days,
        "deadline_state": deadlines.deadline_state(delivery, today, soon_until),
        # What the person asking may do next (portal.deliveries.steps, as the page offers).
        "allowed_steps": steps.allowed_steps(g.api_user, delivery),
        "reply_document_id": delivery.reply_document_id,
        "refusal_reason": delivery.refusal_reason,
        "document": document_json(delivery.document) if full else {
            "id": delivery.document.id, "notation": delivery.document.notation,
            "subject": delivery.document.subject, "type": delivery.document.doc_type,
            "urgency": delivery.document.urgency,
            "issuer": {"id": delivery.document.issuer_id,
                       "code": delivery.document.issuer.code}},
    }
    if full:
        body["history"] = [{"at": _moment(e.occurred_at), "action": e.action,
                            "from": e.from_status, "to": e.to_status, "note": e.note}
                           for e in delivery.events]
    return body


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
        return _response(_acting_once("api.documents", issue))
    except MalformedKeyError as error:
        return api_error(400, str(error))
    except PortalError as error:
        return api_error(422, str(error))


def _acting_once(scope: str, perform: Callable[[], Answer]) -> Answer:
    """Run the action; with an `Idempotency-Key` header, once for that key: a request sent
    again with it (after a timeout, say) answers as the first did, without acting."""
    key = request.headers.get("Idempotency-Key")
    if key is None:
        with action():
            return perform()
    return once(g.api_user, scope, key, perform, request_fingerprint=fingerprint(
        request.method, request.path, request.get_data()))


def _response(answer: Answer):
    response = current_app.response_class(answer.body, status=answer.status,
                                          mimetype="application/json")
    if answer.location:
        response.headers["Location"] = answer.location
    if answer.repeated:
        response.headers["Idempotent-Replayed"] = "true"
    return response


@bp.get("/documents/<int:document_id>")
@token_required
def document_detail(document_id):
    """A document the caller follows as its sender: its organisation's own, or the ministry's
    for a reviewer (policy.can_track_document); 404 for any other. Recipients read a
    document through their delivery."""
    document = policy.visible_or_404(Document, document_id, policy.can_track_document,
                                     user=g.api_user, message="no such document")
    return jsonify(document_json(document))


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
        return _response(_acting_once(f"api.{request.endpoint}.{delivery_id}", step))
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
        documents.answer_delivery(delivery, actor=g.api_user, body=text)

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
