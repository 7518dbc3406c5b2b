"""Checks every plan transition shares (where a plan stands, who may act, which days may be
recorded, how actions' progress is applied) and what every plan event says of the plan it is about.

A refusal is a domain error (``continuum.casework.errors``); the web room gives it its status.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import replace
from datetime import date
from typing import Any

from continuum.casework.errors import Conflict, DomainError, Invalid, NotFound, Refused
from continuum.casework.principal import Principal
from continuum.contracts.plan import ActionSummary, NextStep, PlanType, ReviewDecision
from plan.domain.states import Action, ActionProgress, Actor, PlanHeading, PlanState, PlanStatus


def naming(cls: type[Refused] | type[NotFound], field: str, reason: str, *, slug: str) -> DomainError:
    """A refusal (403) or a not-found (404) that names the field at fault and why, like a conflict
    does: the problem the plan API has always answered for these (title the reason, detail
    ``field: reason``, the field in ``errors``)."""
    error = cls.__new__(cls)
    DomainError.__init__(error, reason, field=field, slug=slug)
    return error


def may_see(principal: Principal, team: str, lead_practitioner: str | None) -> bool:
    """Practitioners and managers see their teams' plans (and the ones they lead); auditors all."""
    return principal.can_see_team(team) or (lead_practitioner is not None and principal.sub == lead_practitioner)


def about(plan: PlanHeading) -> dict[str, Any]:
    """What every plan event says of its plan: which plan, case, child and team."""
    return {"plan_id": plan.id, "case_id": plan.case_id, "child_id": plan.child_id, "team": plan.team}


def check_open(plan: PlanState) -> None:
    if plan.status is PlanStatus.ENDED:
        raise Conflict("has ended; it can no longer change", field="plan", slug="plan-ended")


def check_sw_qualified_manager(by: Actor, doing: str) -> None:
    if not by.sw_qualified_manager:
        raise naming(Refused, "approved_by", f"{doing} needs a social-work-qualified manager", slug="not-sw-qualified")


def check_started(plan: PlanState, doing: str) -> None:
    """Reviews, visits, meetings and the ending belong to a started plan."""
    check_open(plan)
    if plan.status is not PlanStatus.ACTIVE:
        raise Conflict(f"is not approved yet: {doing} needs a started plan", field="plan", slug="plan-not-started")


def check_day(name: str, on: date, *, today: date, not_before: date | None, what: str) -> None:
    """A date a practitioner records: not in the future (London's today) and not before ``not_before``."""
    if on > today:
        raise Invalid(name, f"is in the future (today is {today.isoformat()})")
    if not_before is not None and on < not_before:
        raise Invalid(name, f"is before {what} ({not_before.isoformat()})")


def check_after_cp_start(plan: PlanState, name: str, on: date, doing: str, rule: str) -> None:
    """A child protection plan's review or ending falls after its start day, never on it (census
    rules 8840 and 8841: the plan starts at its initial conference, which is not a review)."""
    if plan.plan_type is PlanType.CP and plan.start_date is not None and on <= plan.start_date:
        raise Invalid(
            name,
            f"{doing} of a child protection plan falls after the day it started ({plan.start_date.isoformat()},"
            f" its initial conference): census rule {rule}",
        )


def check_next_step(plan_type: PlanType, step: NextStep | ReviewDecision, name: str) -> None:
    """Escalation is for a CIN plan, a step down to CIN for a CP plan (a review's decision and an
    ending's next step name them alike)."""
    if step in (NextStep.ESCALATE_CP, ReviewDecision.ESCALATE_CP) and plan_type is PlanType.CP:
        raise Invalid(name, "a child protection plan cannot escalate to child protection")
    if step in (NextStep.STEP_DOWN_CIN, ReviewDecision.STEP_DOWN_CIN) and plan_type is PlanType.CIN:
        raise Invalid(name, "only a child protection plan steps down to a CIN plan")


def end_floor(plan: PlanState) -> tuple[date, str]:
    """The earliest day the plan may end: its start, or its last review when later."""
    assert plan.start_date is not None
    if plan.last_review is not None and plan.last_review.on > plan.start_date:
        return plan.last_review.on, "the last review"
    return plan.start_date, "the plan's start"


def action_summary(actions: tuple[Action, ...]) -> ActionSummary:
    counts = {p: sum(a.progress is p for a in actions) for p in ActionProgress}
    return ActionSummary(
        total=len(actions),
        done=counts[ActionProgress.DONE],
        in_progress=counts[ActionProgress.IN_PROGRESS],
        not_started=counts[ActionProgress.NOT_STARTED],
        dropped=counts[ActionProgress.DROPPED],
    )


def apply_progress(
    plan: PlanState, progress: Mapping[uuid.UUID, tuple[ActionProgress, str | None]], *, field: str, every: bool
) -> tuple[Action, ...]:
    """The plan's actions with ``progress`` applied; ``every``: each action needs an entry
    (else each unfinished one does). An entry for no action of the plan is refused."""
    for action_id in progress:
        if plan.action(action_id) is None:
            raise Invalid(field, f"{action_id} is not an action of this plan")
    for a in plan.actions:
        if a.id not in progress and (every or not a.finished):
            raise Invalid(field, f"give the progress of action {a.id} ({a.description[:60]})")
    return tuple(
        replace(a, progress=progress[a.id][0], note=progress[a.id][1] or a.note) if a.id in progress else a for a in plan.actions
    )
