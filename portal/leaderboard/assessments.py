"""Commendations and criticisms (biểu dương / phê bình) of departments, for a period.

A reviewer records one as a draft, with a note; the department's leaderboard row at that moment
is kept with it as evidence. A ministry leader publishes it (the department and the public page
then see it) or withdraws it. Every step is audited. The latest published assessment of a
department for exactly a period gives its row's mark in that period's appendix.
"""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.orm import selectinload

from portal import policy
from portal.audit import services as audit
from portal.clock import utcnow
from portal.documents.text import nfc
from portal.extensions import db
from portal.leaderboard.models import Assessment, AssessmentKind, AssessmentState
from portal.leaderboard.services import (
    APPENDIX_COLUMNS,
    Period,
    forget_public_pages,
    leaderboard,
    row_of,
)
from portal.leaderboard.standing import last_name_of
from portal.organisations.models import Organisation, OrganisationKind, final_successor
from portal.rules import PortalError
from portal.transaction import after_commit

KIND_LABELS = {
    AssessmentKind.COMMEND: _l("Commendation"),
    AssessmentKind.CRITICISE: _l("Criticism"),
}
STATE_LABELS = {
    AssessmentState.DRAFT: _l("Draft"),
    AssessmentState.PUBLISHED: _l("Published"),
    AssessmentState.WITHDRAWN: _l("Withdrawn"),
}
APPENDIX_STYLES = {
    "": _l("Not marked"),
    "bold": _l("Bold"),
    "italic": _l("Italic"),
}
MAX_NOTE = 2000


class AssessmentError(PortalError):
    """An assessment the portal refuses as asked; the message says why."""


def evidence_of(organisation: Organisation, period: Period) -> dict:
    """The department's row of the period's leaderboard, now: rank, figures, rates, flags."""
    board = leaderboard(period)
    rank, row = row_of(board, organisation)
    return {
        "rank": rank,
        "departments": len(board.rows),
        "figures": {column: row[column] for column in APPENDIX_COLUMNS},
        "overdue_rate": row.overdue_rate,
        "unsigned_rate": row.unsigned_rate,
        "overdue_flag": row.overdue_flag,
        "unsigned_flag": row.unsigned_flag,
        "counted_at": utcnow().isoformat(),
    }


def record_assessment(organisation: Organisation, period: Period, *, kind: str, note: str,
                      appendix_style: str, actor) -> Assessment:
    """A reviewer's draft assessment, with the department's figures kept as evidence."""
    if not policy.can_assess(actor):
        raise AssessmentError(_("Only the ministry's reviewers record assessments."))
    if organisation.kind != OrganisationKind.DEPARTMENT:
        raise AssessmentError(_("Only a current department can be assessed."))
    if organisation.is_merged(period.last):
        # Judged on the period's last day: a department stood in the periods before its merger.
        raise AssessmentError(_(
            "%(name)s was merged into %(successor)s on %(day)s: it has no row in a period "
            "ending on or after that day. Assess %(successor)s, whose row includes it, or "
            "choose a period that ends before the merger.",
            name=last_name_of(organisation),
            successor=final_successor(organisation, on=period.last).name_on(period.last),
            day=organisation.merged_on.strftime("%d/%m/%Y")))
    if kind not in AssessmentKind.__members__.values():
        raise AssessmentError(_("Choose commendation or criticism."))
    if appendix_style not in APPENDIX_STYLES:
        raise AssessmentError(_("Unknown mark for the appendix."))
    note = nfc(note or "").strip()
    if not note:
        raise AssessmentError(_("Write what the assessment is for."))
    if len(note) > MAX_NOTE:
        raise AssessmentError(_("The note is longer than %(max)s characters.", max=MAX_NOTE))
    assessment = Assessment(organisation_id=organisation.id, period_first=period.first,
                            period_last=period.last, kind=kind, note=note,
                            appendix_style=appendix_style, author_id=actor.id,
                            evidence=evidence_of(organisation, period))
    db.session.add(assessment)
    db.session.flush()
    audit.record("assessment.recorded", actor=actor, obj=assessment,
                 details={"department": organisation.code, "kind": kind,
                          "period": [period.first.isoformat(), period.last.isoformat()]})
    db.session.flush()
    return assessment


def publish_assessment(assessment: Assessment, *, actor) -> None:
    _decide(assessment, actor, AssessmentState.PUBLISHED, allowed_from=(AssessmentState.DRAFT,),
            published_at=utcnow())


def withdraw_assessment(assessment: Assessment, *, actor, reason: str) -> None:
    reason = nfc(reason or "").strip()
    if not reason:
        raise AssessmentError(_("Say why the assessment is withdrawn."))
    _decide(assessment, actor, AssessmentState.WITHDRAWN,
            allowed_from=(AssessmentState.DRAFT, AssessmentState.PUBLISHED),
            withdrawn_at=utcnow(), withdrawal_reason=reason[:1000])


def _decide(assessment, actor, to_state, *, allowed_from, **values) -> None:
    """Move the assessment on, once: a second click or a concurrent decision changes nothing."""
    if not policy.can_decide_assessments(actor):
        raise AssessmentError(_("Only a ministry leader publishes or withdraws assessments."))
    moved = db.session.execute(
        update(Assessment)
        .where(Assessment.id == assessment.id, Assessment.state.in_(allowed_from))
        .values(state=to_state, decided_by_id=actor.id, **values))
    if moved.rowcount != 1:
        raise AssessmentError(_("This assessment has already been decided."))
    audit.record(f"assessment.{to_state}", actor=actor, obj=assessment,
                 organisation=actor.organisation,
                 details={"department_id": assessment.organisation_id,
                          **({"reason": values["withdrawal_reason"]}
                             if "withdrawal_reason" in values else {})})
    after_commit(forget_public_pages)
    db.session.refresh(assessment)


def assessments_of(organisation: Organisation, *, published_only: bool) -> list[Assessment]:
    query = (select(Assessment).where(Assessment.organisation_id == organisation.id)
             .order_by(Assessment.period_last.desc(), Assessment.id.desc()))
    if published_only:
        query = query.where(Assessment.state == AssessmentState.PUBLISHED)
    return list(db.session.scalars(query))


def assessments_overlapping(period: Period) -> list[Assessment]:
    """The published assessments of periods that share a day with this one, newest first."""
    return list(db.session.scalars(
        select(Assessment)
        .where(Assessment.period_first <= period.last, Assessment.period_last >= period.first,
               Assessment.state == AssessmentState.PUBLISHED)
        .order_by(Assessment.period_last.desc(), Assessment.organisation_id, Assessment.id)))


def names_in_their_periods(found: list[Assessment]) -> dict[int, str]:
    """Assessment id → the department's name on its period's last day."""
    organisations = {o.id: o for o in db.session.scalars(
        select(Organisation).where(Organisation.id.in_({a.organisation_id for a in found}))
        .options(selectinload(Organisation.names)))}
    return {a.id: organisations[a.organisation_id].name_on(a.period_last) for a in found}
