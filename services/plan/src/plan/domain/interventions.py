"""Commissioned services and interventions (a 12-week intensive family programme, say): start,
planned end, provider, and a before and after score on a named scale, so a council can show what
an intervention changed."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import date

from continuum.casework.errors import Invalid, NotFound
from continuum.casework.policy import CouncilPolicy
from plan.domain.drift import checked
from plan.domain.rules import check_day, check_open, naming
from plan.domain.states import Events, Intervention, PlanState


def commission(
    plan: PlanState,
    *,
    intervention_id: uuid.UUID,
    name: str,
    provider: str,
    start_date: date,
    planned_end_date: date,
    scale: str,
    score_before: float,
    today: date,
    policy: CouncilPolicy,
) -> tuple[PlanState, Events]:
    """Add an intervention to an open plan: it ends after it starts, on a named scale with a score before."""
    check_open(plan)
    for field, value in (("name", name), ("provider", provider), ("scale", scale)):
        if not value.strip():
            raise Invalid(field, "is needed")
    if planned_end_date < start_date:
        raise Invalid("planned_end_date", "is before the start")
    if len(plan.interventions) >= 50:
        raise Invalid("interventions", "a plan holds at most 50 interventions")
    added = Intervention(
        id=intervention_id,
        name=name.strip(),
        provider=provider.strip(),
        start_date=start_date,
        planned_end_date=planned_end_date,
        scale=scale.strip(),
        score_before=score_before,
    )
    commissioned = replace(plan, interventions=(*plan.interventions, added), version=plan.version + 1)
    return checked(commissioned, today=today, policy=policy), []


def complete(
    plan: PlanState, intervention_id: uuid.UUID, *, actual_end_date: date, score_after: float, today: date, policy: CouncilPolicy
) -> tuple[PlanState, Events]:
    """Record how it ended: the actual end (not before its start, not in the future) and the score after."""
    check_open(plan)
    found = next((i for i in plan.interventions if i.id == intervention_id), None)
    if found is None:
        raise naming(NotFound, "intervention_id", "is not an intervention of this plan", slug="not-found")
    check_day("actual_end_date", actual_end_date, today=today, not_before=found.start_date, what="its start")
    done = replace(found, actual_end_date=actual_end_date, score_after=score_after)
    interventions = tuple(done if i.id == intervention_id else i for i in plan.interventions)
    return checked(replace(plan, interventions=interventions, version=plan.version + 1), today=today, policy=policy), []
