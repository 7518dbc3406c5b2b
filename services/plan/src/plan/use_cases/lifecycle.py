"""Approval, which starts a plan (a child protection plan ends the case's child in need plan in
the same transaction: it replaces it), and its ending (a CP plan stepping down drafts its CIN plan
in the same transaction, through the same drafting as any other)."""

from __future__ import annotations

import uuid
from datetime import date

from continuum.contracts.plan import NextStep, PlanType
from plan import commands, domain, repository
from plan.domain import Events, PlanState, PlanStatus
from plan.use_cases.steps import At, publish_change


async def _previous_cp_plans(at: At, plan: PlanState, start: date) -> int:
    """Census NumberOfPreviousCPP: the child's earlier CP plans here, and those recorded elsewhere."""
    here = await repository.earlier_cp_plans(at.tx, plan.child_id, plan_id=plan.id, starting=start)
    return here + await repository.previous_cp_plans_elsewhere(at.tx, plan.child_id)


async def _replace_cin_plan(at: At, cp: PlanState) -> None:
    """The case's active child in need plan ends on the CP plan's start date (escalate_cp), its
    ``plan.ended`` published before the CP plan's start."""
    cin = await repository.open_plan_of(at.tx, cp.case_id, PlanType.CIN)
    if cin is None or cin.status is not PlanStatus.ACTIVE:
        return
    assert cp.start_date is not None
    ended, events = domain.lifecycle.replaced_by_child_protection(cin, cp_start=cp.start_date, by=at.by, now=at.now)
    await publish_change(at.tx, ended, events, change="plan.end", at=at.now, purpose="a child protection plan replaced it")


async def approve(command: commands.Approve, at: At, plan: PlanState) -> tuple[PlanState, Events]:
    """A social-work-qualified manager approves the draft: the plan starts. A child protection
    plan starts on its initial conference's date, counts the child's previous CP plans, and
    replaces the case's child in need plan."""
    previous = 0
    if plan.plan_type is PlanType.CP and plan.conference_date is not None:
        previous = await _previous_cp_plans(at, plan, plan.conference_date)
    started, events = domain.lifecycle.approve(
        plan,
        by=at.by,
        start_date=command.start_date,
        today=at.today,
        now=at.now,
        child=await repository.child_identity(at.tx, plan.child_id),
        policy=at.policy,
        previous_cp_plans=previous,
    )
    if started.plan_type is PlanType.CP:
        await _replace_cin_plan(at, started)
    return started, events


async def end_plan(command: commands.EndPlan, at: At, plan: PlanState) -> tuple[PlanState, Events]:
    """End the plan with every action's final status, the reason, unmet need and the next step."""
    child = await repository.child_identity(at.tx, plan.child_id)
    ended, events = domain.lifecycle.end(
        plan,
        by=at.by,
        end_date=command.end_date,
        today=at.today,
        now=at.now,
        reason=command.reason,
        unmet_need=command.unmet_need,
        next_step=command.next_step,
        final={action_id: (progress, note) for action_id, progress, note in command.actions},
        reason_for_closure=command.reason_for_closure,
        died_on=child.date_of_death if child is not None else None,
    )
    # Published here, so that the ending comes before the CIN plan a step-down drafts.
    await at.tx.publish_all(events, aggregate=ended)
    if command.next_step is NextStep.STEP_DOWN_CIN and await repository.open_plan_of(at.tx, plan.case_id, PlanType.CIN) is None:
        ids = [uuid.uuid4() for _ in ended.actions]
        cin, drafted = domain.drafting.step_down_to_cin(ended, plan_id=uuid.uuid4(), now=at.now, ids=ids)
        await publish_change(at.tx, cin, drafted, change="plan.draft", at=at.now, purpose="step down to a CIN plan", new=True)
    return ended, []
