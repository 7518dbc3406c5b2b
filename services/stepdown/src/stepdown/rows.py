"""Rows of the step-down service's tables to domain states and back: facts gathered from other
services' events are JSONB (dates and ids as ISO text), status and code columns read back as the
domain's enums."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import Row

from continuum.contracts.assessment import AssessmentOutcome
from continuum.contracts.codes import ReasonForClosure
from continuum.contracts.plan import ActionSummary, NextStep
from stepdown.domain import (
    AssessmentFacts,
    ClosureRecord,
    Episode,
    EscalatedHandover,
    FrontDoorDecision,
    FrontDoorOutcome,
    Handover,
    PlanEnd,
    Stepdown,
    StepUp,
)


def _json(value: Any) -> Any:
    """A domain value as JSON for a JSONB column (dates and ids as ISO strings)."""
    if isinstance(value, dict):
        return {k: _json(v) for k, v in value.items()}
    if isinstance(value, date | datetime | uuid.UUID):
        return value.isoformat() if not isinstance(value, uuid.UUID) else str(value)
    return value


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


def episode_values(e: Episode) -> dict[str, Any]:
    return {
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


def stepdown_values(s: Stepdown) -> dict[str, Any]:
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


def escalated_handover(row: Row[Any]) -> EscalatedHandover:
    return EscalatedHandover(**{name: getattr(row, name) for name in EscalatedHandover.__dataclass_fields__})


def step_up_state(row: Row[Any]) -> StepUp:
    values = {k: getattr(row, k) for k in StepUp.__dataclass_fields__ if k != "within_12_months_of_step_down"}
    return StepUp(**values, within_12_months_of_step_down=row.within_12_months)


def step_up_values(s: StepUp) -> dict[str, Any]:
    values = vars(s).copy()
    values["within_12_months"] = values.pop("within_12_months_of_step_down")
    return values
