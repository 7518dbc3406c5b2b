"""Commissioned services and interventions (a 12-week intensive family programme, say): start,
planned end, provider, and a before and after score on a named scale, so a council can show what
an intervention changed."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import date

from continuum.casework.errors import RuleBroken
from plan.domain.content import check_open
from plan.domain.lifecycle import check_day
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
) -> tuple[PlanState, Events]:
    """Add an intervention to an open plan: it ends after it starts, on a named scale with a score before."""
    check_open(plan)
    for field, value in (("name", name), ("provider", provider), ("scale", scale)):
        if not value.strip():
            raise RuleBroken(field, "is needed")
    if planned_end_date < start_date:
        raise RuleBroken("planned_end_date", "is before the start")
    if len(plan.interventions) >= 50:
        raise RuleBroken("interventions", "a plan holds at most 50 interventions")
    added = Intervention(
        id=intervention_id,
        name=name.strip(),
        provider=provider.strip(),
        start_date=start_date,
        planned_end_date=planned_end_date,
        scale=scale.strip(),
        score_before=score_before,
    )
    return replace(plan, interventions=(*plan.interventions, added), version=plan.version + 1), []


def complete(
    plan: PlanState, intervention_id: uuid.UUID, *, actual_end_date: date, score_after: float, today: date
) -> tuple[PlanState, Events]:
    """Record how it ended: the actual end (not before its start, not in the future) and the score after."""
    check_open(plan)
    found = next((i for i in plan.interventions if i.id == intervention_id), None)
    if found is None:
        raise RuleBroken("intervention_id", "is not an intervention of this plan", status=404, slug="not-found")
    check_day("actual_end_date", actual_end_date, today=today, not_before=found.start_date, what="its start")
    done = replace(found, actual_end_date=actual_end_date, score_after=score_after)
    interventions = tuple(done if i.id == intervention_id else i for i in plan.interventions)
    return replace(plan, interventions=interventions, version=plan.version + 1), []
