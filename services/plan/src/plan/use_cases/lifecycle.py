"""Approval, which starts a plan (a child protection plan ends the case's child in need plan in
the same transaction: it replaces it), and its ending (a CP plan stepping down drafts its CIN plan
in the same transaction, through the same drafting as any other)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from continuum.casework.policy import CouncilPolicy
from continuum.contracts.plan import NextStep, PlanStatus, PlanType
from continuum.persistence.uow import Transaction, UnitOfWork
from plan import domain, repository
from plan.domain import Actor, Events, PlanState
from plan.schemas import ApprovalIn, EndingIn
from plan.use_cases.steps import actor_of, change_plan, save


async def _previous_cp_plans(tx: Transaction, plan: PlanState, start: date) -> int:
    """Census NumberOfPreviousCPP: the child's earlier CP plans here, and those recorded elsewhere."""
    here = await repository.earlier_cp_plans(tx, plan.child_id, plan_id=plan.id, starting=start)
    return here + await repository.previous_cp_plans_elsewhere(tx, plan.child_id)


async def _replace_cin_plan(tx: Transaction, cp: PlanState, *, by: Actor, now: datetime, policy: CouncilPolicy) -> None:
    """The case's active child in need plan ends on the CP plan's start date (escalate_cp), its
    ``plan.ended`` published before the CP plan's start."""
    cin = await repository.open_plan_of(tx, cp.case_id, PlanType.CIN)
    if cin is None or cin.status is not PlanStatus.ACTIVE:
        return
    assert cp.start_date is not None
    ended, events = domain.lifecycle.replaced_by_child_protection(cin, cp_start=cp.start_date, by=by, now=now)
    await save(tx, ended, change="plan.end", now=now, policy=policy)
    await tx.publish_all(events, aggregate=ended)
    await tx.audit("plan.end", subject_type="plan", subject_id=ended.id, purpose="a child protection plan replaced it")


async def approve(
    uow: UnitOfWork, *, plan_id: uuid.UUID, body: ApprovalIn, version: int, policy: CouncilPolicy
) -> dict[str, Any]:
    """A social-work-qualified manager approves the draft: the plan starts. A child protection
    plan starts on its initial conference's date, counts the child's previous CP plans, and
    replaces the case's child in need plan."""
    by = actor_of(uow.principal_or_fail())

    async def change(tx: Transaction, plan: PlanState, now: datetime, today: date) -> tuple[PlanState, Events]:
        child = await repository.child_identity(tx, plan.child_id)
        previous = 0
        if plan.plan_type is PlanType.CP and plan.conference_date is not None:
            previous = await _previous_cp_plans(tx, plan, plan.conference_date)
        started, events = domain.lifecycle.approve(
            plan,
            by=by,
            start_date=body.start_date,
            today=today,
            now=now,
            child=child,
            policy=policy,
            previous_cp_plans=previous,
        )
        if started.plan_type is PlanType.CP:
            await _replace_cin_plan(tx, started, by=by, now=now, policy=policy)
        return started, events

    return await change_plan(
        uow, plan_id=plan_id, version=version, purpose="approve the plan", action="plan.approve", change=change, policy=policy
    )


async def end_plan(uow: UnitOfWork, *, plan_id: uuid.UUID, body: EndingIn, version: int, policy: CouncilPolicy) -> dict[str, Any]:
    """End the plan with every action's final status, the reason, unmet need and the next step."""
    by = actor_of(uow.principal_or_fail())
    final = {p.action_id: (p.progress, p.note) for p in body.actions}

    async def change(tx: Transaction, plan: PlanState, now: datetime, today: date) -> tuple[PlanState, Events]:
        ended, events = domain.lifecycle.end(
            plan,
            by=by,
            end_date=body.end_date,
            today=today,
            now=now,
            reason=body.reason,
            unmet_need=body.unmet_need,
            next_step=body.next_step,
            final=final,
            reason_for_closure=body.reason_for_closure,
        )
        # Published here, so that the ending comes before the CIN plan a step-down drafts.
        await tx.publish_all(events, aggregate=ended)
        if body.next_step is NextStep.STEP_DOWN_CIN and await repository.open_plan_of(tx, plan.case_id, PlanType.CIN) is None:
            ids = [uuid.uuid4() for _ in ended.actions]
            cin, drafted = domain.lifecycle.step_down_to_cin(ended, plan_id=uuid.uuid4(), now=now, ids=ids)
            await save(tx, cin, change="plan.draft", now=now, policy=policy, new=True)
            await tx.publish_all(drafted, aggregate=cin)
            await tx.audit("plan.draft", subject_type="plan", subject_id=cin.id, purpose="step down to a CIN plan")
        return ended, []

    return await change_plan(
        uow, plan_id=plan_id, version=version, purpose="end the plan", action="plan.end", change=change, policy=policy
    )
