"""Every query of the step-down service: rows to domain states and back, the visible-to-this-caller
loads (another team's record answers 404, audited), the scheduler's claim, lists and measures."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any, cast

from sqlalchemy import Row, Table, and_, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert

from continuum.casework.errors import NotFound
from continuum.casework.principal import Principal
from continuum.contracts.assessment import AssessmentOutcome
from continuum.contracts.codes import ReasonForClosure
from continuum.contracts.plan import ActionSummary, NextStep
from continuum.persistence.uow import Transaction
from continuum.web.pagination import decode_cursor
from stepdown.domain import (
    AssessmentFacts,
    ChildFacts,
    ClosureRecord,
    Episode,
    EscalatedHandover,
    FrontDoorDecision,
    FrontDoorOutcome,
    Handover,
    PlanEnd,
    Stepdown,
    StepdownStatus,
    StepUp,
)
from stepdown.tables import AuditSampleItem, Child, EpisodeRow, Escalation, StepdownRow, StepUpRow

EPISODES, STEPDOWNS, ESCALATIONS = (cast(Table, m.__table__) for m in (EpisodeRow, StepdownRow, Escalation))
STEP_UPS, SAMPLE, CHILDREN = (cast(Table, m.__table__) for m in (StepUpRow, AuditSampleItem, Child))


def _json(value: Any) -> Any:
    """A domain value as JSON for a JSONB column (dates and ids as ISO strings)."""
    if isinstance(value, dict):
        return {k: _json(v) for k, v in value.items()}
    if isinstance(value, date | datetime | uuid.UUID):
        return value.isoformat() if not isinstance(value, uuid.UUID) else str(value)
    return value


# --- episodes ---------------------------------------------------------------------------------------


def episode_state(row: Row[Any]) -> Episode:
    fd, a, p = row.front_door, row.assessment, row.plan_end
    return Episode(
        case_id=row.case_id,
        child_id=row.child_id,
        team=row.team,
        referral_date=row.referral_date,
        front_door=FrontDoorDecision(
            uuid.UUID(fd["referral_id"]),
            datetime.fromisoformat(fd["decided_at"]),
            # Rows written before the front door's NFA came here were early help decisions.
            FrontDoorOutcome(fd.get("outcome", FrontDoorOutcome.EARLY_HELP)),
        )
        if fd
        else None,
        assessment=AssessmentFacts(
            assessment_id=uuid.UUID(a["assessment_id"]),
            outcome=AssessmentOutcome(a["outcome"]),
            authorisation_date=date.fromisoformat(a["authorisation_date"]),
            lead_practitioner=a["lead_practitioner"],
        )
        if a
        else None,
        plan_end=PlanEnd(
            plan_id=uuid.UUID(p["plan_id"]),
            end_date=date.fromisoformat(p["end_date"]),
            next_step=NextStep(p["next_step"]),
            unmet_need=p["unmet_need"],
            actions=ActionSummary.model_validate(p["actions"]),
            reason_for_closure=ReasonForClosure(p["reason_for_closure"]) if p.get("reason_for_closure") else None,
        )
        if p
        else None,
        statutory_work=frozenset(row.statutory_work),
        stepdown_id=row.stepdown_id,
        version=row.version,
    )


async def episode(tx: Transaction, case_id: uuid.UUID) -> Episode | None:
    """The episode, locked: the events of one case are applied one at a time."""
    found = (await tx.session.execute(select(EPISODES).where(EPISODES.c.case_id == case_id).with_for_update())).first()
    return episode_state(found) if found else None


async def episodes_of_child(tx: Transaction, child_id: uuid.UUID) -> list[Episode]:
    stmt = select(EPISODES).where(EPISODES.c.child_id == child_id).order_by(EPISODES.c.referral_date, EPISODES.c.case_id)
    return [episode_state(r) for r in (await tx.session.execute(stmt)).all()]


async def save_episode(tx: Transaction, e: Episode) -> None:
    values = {
        "child_id": e.child_id,
        "team": e.team,
        "referral_date": e.referral_date,
        "front_door": _json(vars(e.front_door)) if e.front_door else None,
        "assessment": _json(vars(e.assessment)) if e.assessment else None,
        "plan_end": _json(vars(e.plan_end) | {"actions": e.plan_end.actions.model_dump()}) if e.plan_end else None,
        "statutory_work": sorted(e.statutory_work),
        "stepdown_id": e.stepdown_id,
        "version": e.version,
    }
    stmt = pg_insert(EPISODES).values(case_id=e.case_id, **values)
    await tx.session.execute(stmt.on_conflict_do_update(index_elements=[EPISODES.c.case_id], set_=values))


# --- step-downs -------------------------------------------------------------------------------------


def stepdown_state(row: Row[Any]) -> Stepdown:
    h = row.handover
    return Stepdown(
        id=row.id,
        case_id=row.case_id,
        child_id=row.child_id,
        team=row.team,
        kind=row.kind,
        trigger=row.trigger,
        status=row.status,
        referral_date=row.referral_date,
        ended_on=row.ended_on,
        assessed=row.assessed,
        unmet_need=row.unmet_need,
        actions=ActionSummary.model_validate(row.actions) if row.actions else None,
        lead_practitioner=row.lead_practitioner,
        receiving_team=row.receiving_team,
        requested_at=row.requested_at,
        stepped_down_on=row.stepped_down_on,
        response_due=row.response_due,
        handover=Handover(**h) if h else None,
        answered_at=row.answered_at,
        answered_by=row.answered_by,
        decline_reason=row.decline_reason,
        decline_detail=row.decline_detail,
        escalated_at=row.escalated_at,
        escalation_reason=row.escalation_reason,
        engagement=row.engagement,
        engagement_recorded_on=row.engagement_recorded_on,
        outcome=row.outcome,
        early_help_closed_on=row.early_help_closed_on,
        closure=ClosureRecord(row.closure_date, row.closure_reason, row.unmet_need, row.closed_at) if row.closure_date else None,
        step_up_id=row.step_up_id,
        re_referred_on=row.re_referred_on,
        statutory_work=frozenset(row.statutory_work),
        reopened_at=row.reopened_at,
        version=row.version,
    )


def _stepdown_values(s: Stepdown) -> dict[str, Any]:
    c = s.closure
    return {
        "case_id": s.case_id,
        "child_id": s.child_id,
        "team": s.team,
        "kind": s.kind,
        "trigger": s.trigger,
        "status": s.status,
        "referral_date": s.referral_date,
        "ended_on": s.ended_on,
        "assessed": s.assessed,
        "unmet_need": s.unmet_need,
        "actions": s.actions.model_dump() if s.actions else None,
        "lead_practitioner": s.lead_practitioner,
        "receiving_team": s.receiving_team,
        "requested_at": s.requested_at,
        "stepped_down_on": s.stepped_down_on,
        "response_due": s.response_due,
        "handover": vars(s.handover) if s.handover else None,
        "answered_at": s.answered_at,
        "answered_by": s.answered_by,
        "decline_reason": s.decline_reason,
        "decline_detail": s.decline_detail,
        "escalated_at": s.escalated_at,
        "escalation_reason": s.escalation_reason,
        "engagement": s.engagement,
        "engagement_recorded_on": s.engagement_recorded_on,
        "outcome": s.outcome,
        "early_help_closed_on": s.early_help_closed_on,
        "closure_date": c.closure_date if c else None,
        "closure_reason": c.reason if c else None,
        "closed_at": c.closed_at if c else None,
        "step_up_id": s.step_up_id,
        "re_referred_on": s.re_referred_on,
        "statutory_work": sorted(s.statutory_work),
        "reopened_at": s.reopened_at,
        "version": s.version,
    }


async def add_stepdown(tx: Transaction, s: Stepdown) -> None:
    await tx.session.execute(pg_insert(STEPDOWNS).values(id=s.id, **_stepdown_values(s)))


async def save_stepdown(tx: Transaction, s: Stepdown) -> None:
    await tx.session.execute(update(STEPDOWNS).where(STEPDOWNS.c.id == s.id).values(**_stepdown_values(s)))


def may_see(principal: Principal, team: str, receiving_team: str | None) -> bool:
    """The social-care team's and the receiving early help team's people see a step-down."""
    return principal.can_see_team(team) or (receiving_team is not None and principal.can_see_team(receiving_team))


async def visible_stepdown(
    tx: Transaction, stepdown_id: uuid.UUID, *, purpose: str, lock: bool = False, receiving_only: bool = False
) -> Stepdown:
    """The step-down if the caller may see it (``receiving_only``: as the receiving early help
    team); else 404, audited, whether it is missing or another team's."""
    stmt = select(STEPDOWNS).where(STEPDOWNS.c.id == stepdown_id)
    row = (await tx.session.execute(stmt.with_for_update() if lock else stmt)).first()
    principal = tx.principal_or_fail()
    allowed = row is not None and (
        principal.can_see_team(row.receiving_team)
        if receiving_only and row.receiving_team
        else may_see(principal, row.team, row.receiving_team)
    )
    if row is None or not allowed:
        tx.audit_refusal("stepdown.read", subject_type="stepdown", subject_id=stepdown_id, purpose=purpose)
        raise NotFound("Step-down")
    return stepdown_state(row)


async def stepdowns_of_child(tx: Transaction, child_id: uuid.UUID) -> list[Stepdown]:
    stmt = select(STEPDOWNS).where(STEPDOWNS.c.child_id == child_id).order_by(STEPDOWNS.c.requested_at).with_for_update()
    return [stepdown_state(r) for r in (await tx.session.execute(stmt)).all()]


async def child_facts(tx: Transaction, child_id: uuid.UUID) -> ChildFacts | None:
    """What the local copy of the child holds that the rules read (``None``: no copy yet)."""
    stmt = select(CHILDREN.c.nhs_number, CHILDREN.c.date_of_birth, CHILDREN.c.date_of_death).where(CHILDREN.c.id == child_id)
    found = (await tx.session.execute(stmt)).first()
    return ChildFacts(found.nhs_number, found.date_of_birth, found.date_of_death) if found else None


async def child_known(tx: Transaction, child_id: uuid.UUID) -> bool:
    """Children's social care knows the child: its copy is here, or an episode of theirs is."""
    known = (
        select(CHILDREN.c.id)
        .where(CHILDREN.c.id == child_id)
        .union_all(select(EPISODES.c.case_id).where(EPISODES.c.child_id == child_id))
    )
    return (await tx.session.execute(known.limit(1))).first() is not None


def _of_teams(teams: list[str]) -> Any:
    return or_(STEPDOWNS.c.team.in_(teams), STEPDOWNS.c.receiving_team.in_(teams))


def _of_record(stmt: Any, *, child_id: uuid.UUID | None, case_id: uuid.UUID | None) -> Any:
    if child_id is not None:
        stmt = stmt.where(STEPDOWNS.c.child_id == child_id)
    if case_id is not None:
        stmt = stmt.where(STEPDOWNS.c.case_id == case_id)
    return stmt


async def list_stepdowns(
    tx: Transaction,
    *,
    teams: list[str] | None,
    status: StepdownStatus | None,
    child_id: uuid.UUID | None = None,
    case_id: uuid.UUID | None = None,
    cursor: str | None,
    limit: int,
) -> Sequence[Any]:
    """Step-downs of ``teams`` (as the social-care or the receiving team; ``None``: all), of one
    child or case if asked, newest first."""
    stmt = _of_record(select(STEPDOWNS), child_id=child_id, case_id=case_id)
    if teams is not None:
        stmt = stmt.where(_of_teams(teams))
    if status is not None:
        stmt = stmt.where(STEPDOWNS.c.status == status)
    if cursor:
        at, last = decode_cursor(cursor, datetime.fromisoformat)
        stmt = stmt.where(or_(STEPDOWNS.c.requested_at < at, and_(STEPDOWNS.c.requested_at == at, STEPDOWNS.c.id < last)))
    stmt = stmt.order_by(STEPDOWNS.c.requested_at.desc(), STEPDOWNS.c.id.desc()).limit(limit + 1)
    return (await tx.session.execute(stmt)).all()


async def hidden_children(
    tx: Transaction, *, teams: list[str], child_id: uuid.UUID | None, case_id: uuid.UUID | None
) -> list[uuid.UUID]:
    """The children of the step-downs of that child or case the caller may not see (their refusal
    is audited; the answer leaves them out and never says they exist)."""
    stmt = _of_record(select(STEPDOWNS.c.child_id).distinct(), child_id=child_id, case_id=case_id)
    return list((await tx.session.execute(stmt.where(~_of_teams(teams)))).scalars())


async def stepdowns_by_ids(tx: Transaction, ids: list[uuid.UUID]) -> list[Stepdown]:
    if not ids:
        return []
    return [stepdown_state(r) for r in (await tx.session.execute(select(STEPDOWNS).where(STEPDOWNS.c.id.in_(ids)))).all()]


# --- escalation -------------------------------------------------------------------------------------


async def claim_overdue(tx: Transaction, *, today: date, batch_size: int) -> list[Stepdown]:
    """Pending handovers past their deadline and not escalated, locked; rows another replica holds
    are skipped, and one it escalated and committed no longer matches."""
    stmt = (
        select(STEPDOWNS)
        .where(
            STEPDOWNS.c.status == StepdownStatus.PENDING,
            STEPDOWNS.c.escalated_at.is_(None),
            STEPDOWNS.c.response_due < today,
        )
        .order_by(STEPDOWNS.c.response_due, STEPDOWNS.c.id)
        .limit(batch_size)
        .with_for_update(skip_locked=True)
    )
    return [stepdown_state(r) for r in (await tx.session.execute(stmt)).all()]


async def add_escalation(tx: Transaction, s: Stepdown) -> bool:
    """The manager's worklist item; ``False`` when the handover had one already (the unique key:
    a racing replica's insert does nothing, and its transaction then publishes nothing)."""
    assert s.escalated_at is not None and s.escalation_reason is not None and s.response_due is not None
    stmt = (
        pg_insert(ESCALATIONS)
        .values(
            id=uuid.uuid4(),
            stepdown_id=s.id,
            case_id=s.case_id,
            child_id=s.child_id,
            team=s.team,
            reason=s.escalation_reason,
            response_due=s.response_due,
            escalated_at=s.escalated_at,
        )
        .on_conflict_do_nothing(index_elements=[ESCALATIONS.c.stepdown_id])
        .returning(ESCALATIONS.c.id)
    )
    return (await tx.session.execute(stmt)).first() is not None


async def escalations(tx: Transaction, *, teams: list[str] | None, cursor: str | None, limit: int) -> Sequence[Any]:
    """Escalated handovers not closed yet, oldest first: the team manager's worklist. A withdrawn one
    (the front door corrected its decision) is not early help's any more, and leaves it."""
    stmt = (
        select(ESCALATIONS, STEPDOWNS.c.status, STEPDOWNS.c.version)
        .join(STEPDOWNS, STEPDOWNS.c.id == ESCALATIONS.c.stepdown_id)
        .where(
            STEPDOWNS.c.closure_date.is_(None),
            STEPDOWNS.c.status.not_in([StepdownStatus.ACCEPTED, StepdownStatus.WITHDRAWN]),
        )
    )
    if teams is not None:
        stmt = stmt.where(ESCALATIONS.c.team.in_(teams))
    if cursor:
        at, last = decode_cursor(cursor, datetime.fromisoformat)
        stmt = stmt.where(or_(ESCALATIONS.c.escalated_at > at, and_(ESCALATIONS.c.escalated_at == at, ESCALATIONS.c.id > last)))
    return (await tx.session.execute(stmt.order_by(ESCALATIONS.c.escalated_at, ESCALATIONS.c.id).limit(limit + 1))).all()


def escalated_handover(row: Row[Any]) -> EscalatedHandover:
    return EscalatedHandover(**{name: getattr(row, name) for name in EscalatedHandover.__dataclass_fields__})


# --- step-ups ---------------------------------------------------------------------------------------


async def add_step_up(tx: Transaction, s: StepUp) -> None:
    values = vars(s).copy()
    values["within_12_months"] = values.pop("within_12_months_of_step_down")
    await tx.session.execute(pg_insert(STEP_UPS).values(**values))


def step_up_state(row: Row[Any]) -> StepUp:
    values = {k: getattr(row, k) for k in StepUp.__dataclass_fields__ if k != "within_12_months_of_step_down"}
    return StepUp(**values, within_12_months_of_step_down=row.within_12_months)


async def step_up(tx: Transaction, step_up_id: uuid.UUID) -> Any:
    return (await tx.session.execute(select(STEP_UPS).where(STEP_UPS.c.id == step_up_id))).first()


async def visible_step_up(tx: Transaction, step_up_id: uuid.UUID, *, purpose: str) -> StepUp:
    """The step-up if the caller asked for it, or sees its team or the step-down it followed; else
    404, audited."""
    row = await step_up(tx, step_up_id)
    principal = tx.principal_or_fail()
    visible = row is not None and (row.requested_by == principal.sub or principal.can_see_team(row.team))
    if row is not None and not visible and row.stepdown_id is not None:
        linked = await stepdown_row(tx, row.stepdown_id)
        visible = linked is not None and may_see(principal, linked.team, linked.receiving_team)
    if row is None or not visible:
        tx.audit_refusal("step_up.read", subject_type="step_up", subject_id=step_up_id, purpose=purpose)
        raise NotFound("Step-up")
    return step_up_state(row)


async def stepdown_locked(tx: Transaction, stepdown_id: uuid.UUID) -> Stepdown | None:
    """A step-down for a consumer to change (no caller to check: the event decides), locked."""
    row = (await tx.session.execute(select(STEPDOWNS).where(STEPDOWNS.c.id == stepdown_id).with_for_update())).first()
    return None if row is None else stepdown_state(row)


async def stepdown_row(tx: Transaction, stepdown_id: uuid.UUID) -> Any:
    return (await tx.session.execute(select(STEPDOWNS).where(STEPDOWNS.c.id == stepdown_id))).first()
