"""A reorganisation applied as data: a file of dated renames and merges (the 2025 one is
portal/organisations/data/reorganisation-2025.csv), planned, then applied.

read_events(text) reads the file; plan_reorganisation(events) checks every event against
the organisations as the earlier events leave them (simulation.World) and says what each
would move, changing nothing; apply_reorganisation(events, actor=...) makes the plan's
changes within the caller's transaction. An event already applied (the same rename on the
same day, the same merge into the same successor on the same day) is nothing to do, so
applying a file twice changes nothing the second time. Any refusal names the event's line.
"""

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

from flask_babel import gettext as _
from sqlalchemy import select

from portal.audit import services as audit
from portal.clock import local_today
from portal.extensions import db
from portal.organisations import services
from portal.organisations.events import Event, ReorganisationError, clean, decode, read_events
from portal.organisations.models import Organisation, OrganisationKind
from portal.organisations.simulation import World, passing_deliveries

__all__ = ["REORGANISATION_2025", "Event", "Plan", "PlannedEvent", "ReorganisationError",
           "apply_reorganisation", "decode", "describe", "describe_totals", "outcome",
           "plan_reorganisation", "read_events"]

# The 2025 reorganisation (from the public resolutions; a copy of the shared data file).
REORGANISATION_2025 = Path(__file__).with_name("data") / "reorganisation-2025.csv"
COUNTED = ("people", "deliveries", "keys_retired", "keys_reissued", "registers_closed")


@dataclass
class PlannedEvent:
    """One event and what it would do; done_already: nothing to do (applied before)."""

    event: Event
    organisation_id: int
    result_id: int | None = None  # a merge's successor
    done_already: bool = False
    takes_effect: bool = True  # a merge whose day has come moves its work now
    people: int = 0
    deliveries: int = 0
    keys_retired: int = 0
    keys_reissued: int = 0
    registers_closed: int = 0
    code_from: str | None = None  # a ministry's code, changed with its name
    code_to: str | None = None
    notes: list[str] = field(default_factory=list)


@dataclass
class Plan:
    events: list[PlannedEvent]

    @property
    def to_do(self) -> list[PlannedEvent]:
        return [step for step in self.events if not step.done_already]

    @property
    def totals(self) -> dict[str, int]:
        return {name: sum(getattr(step, name) for step in self.events) for name in COUNTED}

    def fingerprint(self) -> str:
        """What the plan would do, as a digest: a confirmation must find the same."""
        steps = [(s.event.line, s.organisation_id, s.result_id, s.done_already)
                 for s in self.events]
        return hashlib.sha256(json.dumps(steps).encode()).hexdigest()


def plan_reorganisation(events: list[Event]) -> Plan:
    """Check every event in file order; ReorganisationError (with the line) for the first
    that cannot be applied. Nothing changes."""
    world, today = World(), local_today()
    steps = []
    for event in events:
        plan_event = _plan_rename if event.kind == "rename" else _plan_merge
        steps.append(plan_event(world, event, today))
    return Plan(steps)


def _one_named(world: World, event: Event, name: str):
    found = world.named(name, event.effective_on)
    if not found:
        raise ReorganisationError(event.line, _(
            "No organisation is called %(name)s on %(day)s.", name=name,
            day=event.effective_on.strftime("%d/%m/%Y")))
    if len(found) > 1:
        raise ReorganisationError(event.line, _(
            "%(n)s organisations are called %(name)s on %(day)s.", n=len(found), name=name,
            day=event.effective_on.strftime("%d/%m/%Y")))
    return found[0]


def _plan_rename(world: World, event: Event, today) -> PlannedEvent:
    day, new = event.effective_on, event.result
    if not world.named(event.organisation, day):
        done = world.renamed(event.organisation, new, day)
        if done is not None:
            return PlannedEvent(event, done.id, done_already=True)
    organisation = _one_named(world, event, event.organisation)
    if new == clean(organisation.name):
        raise ReorganisationError(event.line, _("The new name is the same as the current one"))
    if day <= organisation.names[-1][0]:
        raise ReorganisationError(event.line, _("A rename must take effect after the previous one"))
    if world.named(new, day):
        raise ReorganisationError(event.line, _(
            "Another organisation is called %(name)s on that day.", name=new))
    step = PlannedEvent(event, organisation.id)
    if organisation.kind == OrganisationKind.MINISTRY:
        code = services.ministry_code(new)[:20] or organisation.code
        if world.codes.get(code, organisation.id) != organisation.id:
            raise ReorganisationError(event.line, _("Code %(code)s is already used", code=code))
        if code != organisation.code:
            step.code_from, step.code_to = organisation.code, code
            organisation.code, world.codes[code] = code, organisation.id
    organisation.names.append((day, new))
    _plan_seal(organisation, step)
    return step


def _plan_seal(organisation, step: PlannedEvent) -> None:
    """A development seal is issued again under the new name; an imported or token key
    cannot be: someone must import one."""
    if not organisation.keys:
        return
    _key_id, source = organisation.keys[-1]
    if source == "development":
        step.keys_reissued = 1
        organisation.keys[-1] = (None, "development")
    else:
        step.notes.append(_("Its seal key (%(source)s) still bears the old name: re-import a "
                            "key under the new name.", source=source))


def _plan_merge(world: World, event: Event, today) -> PlannedEvent:
    day = event.effective_on
    organisation = _one_named(world, event, event.organisation)
    successor = _one_named(world, event, event.result)
    if organisation.successor_id == successor.id and organisation.merged_on == day:
        return PlannedEvent(event, organisation.id, successor.id, done_already=True,
                            takes_effect=day <= today)
    _check_merge(world, event, organisation, successor)
    step = PlannedEvent(event, organisation.id, successor.id, takes_effect=day <= today)
    organisation.successor_id, organisation.merged_on = successor.id, day
    heir = world.final_successor(organisation, max(day, today))
    step.people, step.registers_closed = organisation.people, organisation.registers
    step.keys_retired = len(organisation.keys)
    step.deliveries = (passing_deliveries(organisation.id, heir.id) if heir is not organisation
                       else 0) + organisation.passed_in
    if step.takes_effect and heir is not organisation:
        heir.people += organisation.people
        heir.passed_in += step.deliveries
        organisation.people = organisation.registers = organisation.passed_in = 0
        organisation.keys = []
    return step


def _check_merge(world: World, event: Event, organisation, successor) -> None:
    """services.check_merge's rules, on the organisations as the earlier events left them."""
    day, refuse = event.effective_on, _refusal(event)
    if organisation.id == successor.id:
        refuse(_("An organisation cannot be merged into itself"))
    if organisation.successor_id is not None:
        into = world.by_id[organisation.successor_id]
        refuse(_("%(name)s is already merged into %(successor)s from %(day)s.",
                 name=organisation.name, successor=into.name,
                 day=organisation.merged_on.strftime("%d/%m/%Y")))
    if any(o.id == organisation.id for o in world.successors_of(successor)):
        refuse(_("Merging %(name)s into %(successor)s would make a cycle",
                 name=organisation.name, successor=successor.name))
    if successor.is_merged(day):
        refuse(_("%(code)s has itself been merged; choose its successor", code=successor.code))
    later = [o for o in world.predecessors_of(organisation) if o.merged_on >= day]
    if later:
        refuse(_("%(name)s is merged into %(successor)s from %(day)s, when %(successor)s is "
                 "merged itself.", name=later[0].name, successor=organisation.name,
                 day=later[0].merged_on.strftime("%d/%m/%Y")))
    if organisation.kind != successor.kind:
        refuse(_("Only organisations of the same kind can be merged"))


def _refusal(event: Event):
    def refuse(reason: str):
        raise ReorganisationError(event.line, reason)
    return refuse


def apply_reorganisation(events: list[Event], *, actor=None) -> Plan:
    """Plan the events (refusing before any change), then apply them in file order, each
    audited with its legal basis, within the caller's transaction (flushed, not committed)."""
    # Two administrators applying at once: the second waits for the first and then plans on
    # what the first did (PostgreSQL; SQLite's single writer waits at its first write).
    db.session.execute(select(Organisation.id).with_for_update())
    plan = plan_reorganisation(events)
    for step in plan.to_do:
        try:
            _apply(step, actor)
        except services.OrganisationError as error:  # the plan should have said so first
            raise ReorganisationError(step.event.line, str(error)) from error
    if plan.to_do:
        audit.record("organisation.reorganised", actor=actor,
                     details={"applied": len(plan.to_do),
                              "already_done": len(plan.events) - len(plan.to_do)})
        db.session.flush()
    return plan


def _apply(step: PlannedEvent, actor) -> None:
    event = step.event
    organisation = db.session.get(Organisation, step.organisation_id)
    grounds = {"basis": event.basis, "certainty": event.certainty}
    if event.kind == "rename":
        services.rename_organisation(organisation, event.result, actor=actor,
                                     effective_on=event.effective_on, **grounds)
    else:
        services.merge_organisation(organisation, db.session.get(Organisation, step.result_id),
                                    effective_on=event.effective_on, actor=actor, **grounds)


def describe(step: PlannedEvent) -> str:
    """One line of the plan, as the command prints it."""
    event = step.event
    day = event.effective_on.strftime("%d/%m/%Y")
    if event.kind == "rename":
        what = _("%(day)s rename: %(name)s → %(result)s", day=day, name=event.organisation,
                 result=event.result)
    else:
        what = _("%(day)s merge: %(name)s into %(result)s", day=day, name=event.organisation,
                 result=event.result)
    line = _("line %(line)s", line=event.line)
    return f"{line} · {what} · {'; '.join(outcome(step))}"


def outcome(step: PlannedEvent) -> list[str]:
    """What the event would do, in words (the command's lines, the page's last column)."""
    if step.done_already:
        return [_("nothing to do (applied already)")]
    said = []
    if step.event.kind == "merge":
        said.append(_("%(people)s people, %(deliveries)s open documents, %(keys)s keys "
                      "retired, %(registers)s registers closed", people=step.people,
                      deliveries=step.deliveries, keys=step.keys_retired,
                      registers=step.registers_closed))
        if not step.takes_effect:
            said.append(_("on that day (flask organisations apply-merges)"))
    else:
        said.append(_("records before that day keep the old name"))
    if step.code_to:
        said.append(_("code %(old)s → %(new)s", old=step.code_from, new=step.code_to))
    if step.keys_reissued:
        said.append(_("seal issued again under the new name"))
    return said + step.notes


def describe_totals(plan: Plan, *, dry_run: bool) -> str:
    totals = plan.totals
    text = _("Total: %(events)s events, %(to_do)s to apply; %(people)s people, %(deliveries)s "
             "open documents, %(keys)s keys retired, %(reissued)s seals issued again, "
             "%(registers)s registers closed.", events=len(plan.events), to_do=len(plan.to_do),
             people=totals["people"], deliveries=totals["deliveries"],
             keys=totals["keys_retired"], reissued=totals["keys_reissued"],
             registers=totals["registers_closed"])
    return " ".join((text, _("Dry run: nothing was changed.") if dry_run else _("Applied.")))
