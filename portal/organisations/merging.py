"""What a merge does on its day, and undoing a merge entered by mistake.

On its effective day a merge (take_effect) moves the merged organisation's people to its
successor (their past documents and audit keep the old organisation), retires its signing
keys (they still verify what they signed) and closes its number registers (nothing more is
numbered in its name; its people issue under the successor's code and register); its open
deliveries pass to its successor:
the same rows (history kept), a DeliveryEvent and the audit saying so, the organisation the
document was addressed to kept in `Delivery.addressed_to_id` (the leaderboard counts it
there). Reply drafts move with them, so the successor answers in its own name. A merge may
be undone while nothing has been done under it; it then gives every passed delivery back,
and the people, keys and registers the merge moved, retired and closed.
"""

from dataclasses import dataclass, field
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import func, select, update

from portal.audit import services as audit
from portal.audit.models import AuditEvent
from portal.auth.models import User
from portal.clock import local_today, utcnow
from portal.deliveries.inbox import recount_tallies
from portal.deliveries.models import OPEN_STATUSES, Delivery, DeliveryEvent
from portal.documents.models import Document, DocumentState, NumberRegister
from portal.extensions import db
from portal.organisations.models import Organisation, final_successor, successors_from
from portal.rules import PortalError
from portal.signing.models import SigningIdentity


class MergeError(PortalError):
    """A merge that cannot be undone now; the message says why."""


def take_effect(organisation: Organisation, *, actor=None) -> dict:
    """What a merge does on its day: the one function for a merge made on or after it
    (services.merge_organisation, organisations.reorganisation) and for one entered ahead of
    it (`flask organisations apply-merges`). Safe to run again: it moves what is still there.

    Returns what it did: people moved, deliveries passed on, keys retired, registers closed.
    """
    successor = final_successor(organisation)
    if successor.id == organisation.id:
        return {"people": [], "passed_on": [], "keys_retired": [], "registers_closed": []}
    people = people_of(organisation)
    for person in people:
        person.organisation_id = successor.id
    keys = active_keys_of(organisation)
    for key in keys:
        key.retired_on = organisation.merged_on
    registers = open_registers_of(organisation)
    for register in registers:
        register.closed_on = organisation.merged_on
    done = {"people": [p.id for p in people], "keys_retired": [k.id for k in keys],
            "registers_closed": [r.year for r in registers]}
    if any(done.values()):
        audit.record("organisation.merge_took_effect", actor=actor, obj=organisation,
                     organisation=organisation, details={"into": successor.code, **done})
    db.session.flush()
    done["passed_on"] = pass_on_open_deliveries(organisation, actor=actor)
    return done


def people_of(organisation: Organisation) -> list[User]:
    return list(db.session.scalars(select(User).where(User.organisation_id == organisation.id)
                                   .order_by(User.id)))


def active_keys_of(organisation: Organisation) -> list[SigningIdentity]:
    """The organisation's signing keys not retired (its seal; people's keys go with them)."""
    return list(db.session.scalars(select(SigningIdentity).where(
        SigningIdentity.organisation_id == organisation.id,
        SigningIdentity.retired_on.is_(None)).order_by(SigningIdentity.id)))


def open_registers_of(organisation: Organisation) -> list[NumberRegister]:
    return list(db.session.scalars(select(NumberRegister).where(
        NumberRegister.organisation_id == organisation.id, NumberRegister.closed_on.is_(None))
        .order_by(NumberRegister.year)))


def open_deliveries_of(organisation: Organisation) -> list[Delivery]:
    return list(db.session.scalars(select(Delivery).where(
        Delivery.recipient_id == organisation.id, Delivery.status.in_(OPEN_STATUSES))
        .order_by(Delivery.id)))


def pass_on_open_deliveries(organisation: Organisation, *, actor=None) -> list[int]:
    """Give a merged organisation's open deliveries to the organisation carrying its work.

    A document the successor also received stays where it is (one delivery per recipient);
    it is named in the audit. Safe to run again: it passes only what is still there.
    """
    successor = final_successor(organisation)
    if successor.id == organisation.id:
        return []
    held = set(db.session.scalars(select(Delivery.document_id).where(
        Delivery.recipient_id == successor.id)))
    passed, kept = [], []
    for delivery in open_deliveries_of(organisation):
        if delivery.document_id in held:
            kept.append(delivery.id)
            continue
        delivery.addressed_to_id = delivery.addressed_to_id or organisation.id
        delivery.recipient_id = successor.id
        _event(delivery, "passed_on", actor, _("From %(old)s to %(new)s, which it was merged into",
                                               old=organisation.name, new=successor.name))
        passed.append(delivery.id)
    _move_reply_drafts(passed, organisation.id, successor.id)
    recount_tallies((organisation.id, successor.id))
    if passed or kept:
        audit.record("organisation.deliveries_passed_on", actor=actor, obj=organisation,
                     organisation=organisation,
                     details={"into": successor.code, "passed_on": passed,
                              "kept_received_by_both": kept})
    db.session.flush()
    return passed


def _event(delivery, action, actor, note):
    db.session.add(DeliveryEvent(delivery_id=delivery.id, actor_id=actor.id if actor else None,
                                 action=action, note=note))


def _move_reply_drafts(delivery_ids, from_id, to_id) -> None:
    if delivery_ids:
        db.session.execute(update(Document).where(
            Document.reply_to_id.in_(delivery_ids), Document.issuer_id == from_id,
            Document.state != DocumentState.ISSUED).values(issuer_id=to_id)
            .execution_options(synchronize_session="fetch"))


@dataclass
class MergePreview:
    """What a merge will do, told on its confirmation page before it is made."""

    passing: int  # open deliveries that pass to the successor
    kept: int  # open deliveries of documents the successor received too: they stay
    people: int  # people of the merged organisation (they move to the successor on the day)
    takes_effect_now: bool


def preview_merge(organisation: Organisation, successor: Organisation,
                  effective_on: date) -> MergePreview:
    held = set(db.session.scalars(select(Delivery.document_id).where(
        Delivery.recipient_id == successor.id)))
    waiting = open_deliveries_of(organisation)
    kept = sum(1 for d in waiting if d.document_id in held)
    people = db.session.scalar(select(func.count()).select_from(User).where(
        User.organisation_id == organisation.id))
    return MergePreview(passing=len(waiting) - kept, kept=kept, people=people,
                        takes_effect_now=effective_on <= local_today())


@dataclass
class UndoCheck:
    """What undoing the merge would give back, and what stands in its way."""

    passed: list[Delivery] = field(default_factory=list)
    obstacles: list[str] = field(default_factory=list)


def _passed_deliveries(organisation: Organisation) -> list[Delivery]:
    """The deliveries this organisation's merge passed on (the last event of each)."""
    passed = []
    for delivery in db.session.scalars(select(Delivery).where(
            Delivery.recipient_id == organisation.successor_id,
            Delivery.addressed_to_id.is_not(None)).order_by(Delivery.id)):
        event = next((e for e in reversed(delivery.events) if e.action == "passed_on"), None)
        if event is not None and _passed_from(delivery, organisation):
            passed.append(delivery)
    return passed


def _passed_from(delivery, organisation) -> bool:
    """Whether the delivery reached the successor through this organisation."""
    holder = db.session.get(Organisation, delivery.addressed_to_id)
    return any(o.id == organisation.id for o in successors_from(holder))


def check_undo(organisation: Organisation) -> UndoCheck:
    """May the merge be undone? Only while nothing has been done under it."""
    check = UndoCheck()
    if organisation.successor_id is None:
        check.obstacles.append(_("%(name)s is not merged.", name=organisation.name))
        return check
    since = organisation.merge_recorded_at
    check.passed = _passed_deliveries(organisation)
    worked = [d for d in check.passed if d.events and d.events[-1].action != "passed_on"]
    if worked:
        check.obstacles.append(_("%(n)s of the documents passed to %(name)s have been handled "
                                 "there since.", n=len(worked), name=organisation.successor.name))
    drafts = db.session.scalar(select(func.count()).select_from(Document).where(
        Document.reply_to_id.in_([d.id for d in check.passed]),
        Document.updated_at > since)) if check.passed and since else 0
    if drafts:
        check.obstacles.append(_("Replies to %(n)s of the passed documents have been written "
                                 "since.", n=drafts))
    arrived = _received_in_its_name_since(organisation, since)
    if arrived:
        check.obstacles.append(_("%(n)s documents sent to %(name)s since the merge have "
                                 "reached %(successor)s.", n=arrived, name=organisation.name,
                                 successor=organisation.successor.name))
    issued = db.session.scalar(select(func.count()).select_from(Document).where(
        Document.issuer_id == organisation.id, Document.issued_at > since)) if since else 0
    if issued:
        check.obstacles.append(_("%(n)s documents have been issued in the name of %(name)s "
                                 "since the merge.", n=issued, name=organisation.name))
    return check


def _received_in_its_name_since(organisation, since) -> int:
    if since is None:
        return 0
    arrived = db.session.scalars(select(Document).join(
        Delivery, Delivery.document_id == Document.id).where(
        Delivery.recipient_id == organisation.successor_id, Delivery.received_at > since))
    return sum(1 for document in arrived if organisation.id in (document.recipient_ids or []))


def undo_merge(organisation: Organisation, *, actor) -> int:
    """Undo a merge entered by mistake: the organisation stands alone again and gets back
    every delivery the merge passed on. Refused once anything was done under the merge."""
    check = check_undo(organisation)
    if check.obstacles:
        raise MergeError(" ".join([_("The merge can no longer be undone:"), *check.obstacles]))
    successor = organisation.successor
    ids = []
    for delivery in check.passed:
        delivery.recipient_id = organisation.id
        if delivery.addressed_to_id == organisation.id:
            delivery.addressed_to_id = None
        _event(delivery, "passed_back", actor, _("Back from %(new)s to %(old)s",
                                                 new=successor.name, old=organisation.name))
        ids.append(delivery.id)
    _move_reply_drafts(ids, successor.id, organisation.id)
    people = _give_back_what_it_took(organisation)
    audit.record("organisation.merge_undone", actor=actor, obj=organisation,
                 organisation=organisation,
                 details={"from": successor.code, "effective_on": organisation.merged_on
                          .isoformat(), "given_back": ids, "people_back": people,
                          "undone_at": utcnow().isoformat()})
    organisation.successor_id = None
    organisation.merged_on = None
    organisation.merge_recorded_at = None
    db.session.flush()
    recount_tallies((organisation.id, successor.id))
    db.session.flush()
    return len(ids)


def _give_back_what_it_took(organisation: Organisation) -> list[int]:
    """The people the merge moved come back (those still in its successors), its keys are
    no longer retired and its registers open again; returns the people's ids."""
    successors, holder = set(), organisation.successor
    while holder is not None and holder.id not in successors:
        successors.add(holder.id)
        holder = holder.successor
    query = select(AuditEvent).where(
        AuditEvent.action == "organisation.merge_took_effect",
        AuditEvent.object_type == "Organisation", AuditEvent.object_id == str(organisation.id))
    if organisation.merge_recorded_at is not None:  # this merge's, not an undone one's
        query = query.where(AuditEvent.occurred_at >= organisation.merge_recorded_at)
    back = []
    for event in db.session.scalars(query):
        for person in _all(User, event.details.get("people", [])):
            if person.organisation_id in successors:
                person.organisation_id = organisation.id
                back.append(person.id)
        for key in _all(SigningIdentity, event.details.get("keys_retired", [])):
            key.retired_on = None
        db.session.execute(update(NumberRegister).where(
            NumberRegister.organisation_id == organisation.id,
            NumberRegister.year.in_(event.details.get("registers_closed", [])))
            .values(closed_on=None))
    return back


def _all(model, ids):
    return db.session.scalars(select(model).where(model.id.in_(ids))) if ids else []
