"""Plans built with the domain alone (no database, no clock): for the domain's unit tests and for
tests that save a state they built. Every date is given; nothing sleeps."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any

from continuum.casework.errors import DomainError
from continuum.casework.policy import CouncilPolicy, load_policy
from continuum.contracts.codes import CategoryOfAbuse
from continuum.contracts.plan import Agency, DraftedFrom, PlanType
from continuum.web.errors import problem_for
from plan import domain
from plan.domain import Action, ActionProgress, Actor, Content, PlanState

POLICY = load_policy()
MANAGER = Actor("manager-1", sw_qualified_manager=True)
PRACTITIONER = Actor("sw-1")
#: A Monday.
DRAFTED_ON = date(2026, 1, 5)

CONTENT = Content(
    worries="Arguments at home frighten Sam; Sam has missed school.",
    working_well="Sam's grandmother visits every weekend and Sam trusts her.",
    outcomes_for_child="Sam feels safe at home and goes to school every day.",
    expectations_of_parents="No arguments in front of Sam; parents attend the domestic abuse programme.",
    exit_criteria="Three months with no police call-outs and school attendance above 95%.",
)


def policy(**plan_section: Any) -> CouncilPolicy:
    """The development council's policy with these settings in its ``plan:`` section."""
    return CouncilPolicy.model_validate({**POLICY.model_dump(), "plan": {**POLICY.model_dump().get("plan", {}), **plan_section}})


def at(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def action(
    *,
    description: str = "Attend the 12-week domestic abuse programme at the family centre",
    person: str = "Jo Parent",
    agency: Agency = Agency.FAMILY,
    measure: str = "Attends at least 10 of the 12 weekly sessions",
    due: date = date(2026, 4, 30),
    today: date = DRAFTED_ON,
) -> Action:
    return domain.content.new_action(
        action_id=uuid.uuid4(),
        description=description,
        owner_person=person,
        owner_agency=agency,
        success_measure=measure,
        due_date=due,
        today=today,
    )


def drafted(
    plan_type: PlanType = PlanType.CIN, *, on: date = DRAFTED_ON, actions: int = 2, conference: date | None = None
) -> PlanState:
    """A draft ready to approve; a CP plan drafted by its conference, held on ``conference``
    (default: the day it is drafted)."""
    cp = plan_type is PlanType.CP
    plan, _ = domain.drafting.draft(
        plan_id=uuid.uuid4(),
        case_id=uuid.uuid4(),
        child_id=uuid.uuid4(),
        team="north",
        plan_type=plan_type,
        drafted_from=DraftedFrom.SECTION47 if cp else DraftedFrom.ASSESSMENT,
        now=at(on),
        content=CONTENT,
        section47_id=uuid.uuid4() if cp else None,
        conference_date=(conference or on) if cp else None,
    )
    for n in range(actions):
        plan, _ = domain.content.add_action(plan, action(due=date(2026, 3, 1 + n), today=on), today=on, policy=POLICY)
    if cp:
        plan, _ = domain.content.edit(plan, today=on, policy=POLICY, by="sw-1", category=CategoryOfAbuse.NEGLECT)
    return plan


def started(
    plan_type: PlanType = PlanType.CIN, *, start: date = DRAFTED_ON, actions: int = 2, council: CouncilPolicy = POLICY
) -> PlanState:
    plan, _ = domain.lifecycle.approve(
        drafted(plan_type, on=start, actions=actions),
        by=MANAGER,
        start_date=start if plan_type is PlanType.CIN else None,
        today=start,
        now=at(start),
        child=domain.ChildIdentity("9434765919", date(2016, 3, 14)),
        policy=council,
    )
    return plan


def reviewed(
    plan: PlanState,
    *,
    on: date,
    progress: ActionProgress = ActionProgress.IN_PROGRESS,
    decision: str = "continue",
    exit_criteria_met: bool = False,
    concerns_remain: bool = True,
    council: CouncilPolicy = POLICY,
) -> PlanState:
    from continuum.contracts.plan import ReviewDecision

    done, _, _ = domain.reviews.record_review(
        plan,
        review_id=uuid.uuid4(),
        by="sw-1",
        review_date=on,
        today=on,
        progress={a.id: (progress, None) for a in plan.actions if not a.finished},
        decision=ReviewDecision(decision),
        exit_criteria_met=exit_criteria_met,
        concerns_remain=concerns_remain,
        summary=None,
        latest_category=None,
        policy=council,
    )
    return done


def status_of(error: DomainError) -> int:
    """The HTTP status the web room answers a domain error with (its one table)."""
    return problem_for(error).status


def with_actions_done(plan: PlanState) -> PlanState:
    return replace(plan, actions=tuple(replace(a, progress=ActionProgress.DONE) for a in plan.actions))
