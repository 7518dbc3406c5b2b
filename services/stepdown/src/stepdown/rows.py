"""Rows of the step-down service's tables to domain states and back: facts gathered from other
services' events are JSONB (dates and ids as ISO text), status and code columns read back as the
domain's enums."""

from __future__ import annotations

import uuid
from dataclasses import fields
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


def _kept(state: type[Any], *converted: str) -> list[str]:
    """A state's fields kept in its row's columns of the same name, as they are: all but ``converted``."""
    return [f.name for f in fields(state) if f.name not in converted]


#: An episode's fields kept as they are (its case id apart: the insert names it, an update keeps it;
#: the facts gathered are JSONB, the statutory work a list).
_EPISODE_COLUMNS = _kept(Episode, "case_id", "front_door", "assessment", "plan_end", "statutory_work")
#: A step-down's fields kept as they are (its id apart: the insert names it, an update keeps it).
_STEPDOWN_COLUMNS = _kept(Stepdown, "id", "actions", "handover", "closure", "statutory_work")


def episode_state(row: Row[Any]) -> Episode:
    fd, a, p = row.front_door, row.assessment, row.plan_end
    return Episode(
        **{name: getattr(row, name) for name in _EPISODE_COLUMNS},
        case_id=row.case_id,
        front_door=FrontDoorDecision(
            uuid.UUID(fd["referral_id"]),
            datetime.fromisoformat(fd["decided_at"]),
            # Rows written before the front door's NFA came here were early help decisions.
            FrontDoorOutcome(fd.get("outcome", FrontDoorOutcome.EARLY_HELP)),
            imported=fd.get("imported", False),
        )
        if fd
        else None,
        assessment=AssessmentFacts(
            assessment_id=uuid.UUID(a["assessment_id"]),
            outcome=AssessmentOutcome(a["outcome"]),
            authorisation_date=date.fromisoformat(a["authorisation_date"]),
            lead_practitioner=a["lead_practitioner"],
            imported=a.get("imported", False),
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
            imported=p.get("imported", False),
        )
        if p
        else None,
        statutory_work=frozenset(row.statutory_work),
    )


def episode_values(e: Episode) -> dict[str, Any]:
    return {name: getattr(e, name) for name in _EPISODE_COLUMNS} | {
        "front_door": _json(vars(e.front_door)) if e.front_door else None,
        "assessment": _json(vars(e.assessment)) if e.assessment else None,
        "plan_end": _json(vars(e.plan_end) | {"actions": e.plan_end.actions.model_dump()}) if e.plan_end else None,
        "statutory_work": sorted(e.statutory_work),
    }


def stepdown_state(row: Row[Any]) -> Stepdown:
    h = row.handover
    return Stepdown(
        **{name: getattr(row, name) for name in _STEPDOWN_COLUMNS},
        id=row.id,
        actions=ActionSummary.model_validate(row.actions) if row.actions else None,
        handover=Handover(**h) if h else None,
        closure=ClosureRecord(row.closure_date, row.closure_reason, row.unmet_need, row.closed_at) if row.closure_date else None,
        statutory_work=frozenset(row.statutory_work),
    )


def stepdown_values(s: Stepdown) -> dict[str, Any]:
    c = s.closure
    return {name: getattr(s, name) for name in _STEPDOWN_COLUMNS} | {
        "actions": s.actions.model_dump() if s.actions else None,
        "handover": vars(s.handover) if s.handover else None,
        "closure_date": c.closure_date if c else None,
        "closure_reason": c.reason if c else None,
        "closed_at": c.closed_at if c else None,
        "statutory_work": sorted(s.statutory_work),
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
