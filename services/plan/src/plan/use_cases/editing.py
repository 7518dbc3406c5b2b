"""Changing what a plan says: its content, family network and (CP) category of abuse, its
actions, and its commissioned interventions."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from continuum.casework.policy import CouncilPolicy
from continuum.persistence.uow import Transaction, UnitOfWork
from plan import domain
from plan.domain import Content, Events, Family, FgdmMeeting, NetworkMember, PlanState
from plan.schemas import ActionChangeIn, ActionIn, InterventionIn, InterventionOutcomeIn, PlanEditIn
from plan.use_cases.steps import by_whom, change_plan


async def edit_plan(
    uow: UnitOfWork, *, plan_id: uuid.UUID, body: PlanEditIn, version: int, policy: CouncilPolicy
) -> dict[str, Any]:
    content = Content(**body.content.model_dump()) if body.content else None
    family = None
    if body.family is not None:
        family = Family(
            network=tuple(NetworkMember(m.name, m.relationship, m.support) for m in body.family.network),
            fgdm_meetings=tuple(FgdmMeeting(m.offered_on, m.held_on, m.declined) for m in body.family.fgdm_meetings),
            family_plan=body.family.family_plan,
        )
    agencies = tuple(body.agencies_involved) if body.agencies_involved is not None else None

    async def change(tx: Transaction, plan: PlanState, now: datetime, today: date) -> tuple[PlanState, Events]:
        return domain.content.edit(
            plan,
            today=today,
            by=by_whom(tx),
            content=content,
            agencies_involved=agencies,
            family=family,
            category=body.category_of_abuse,
        )

    return await change_plan(
        uow, plan_id=plan_id, version=version, purpose="edit the plan", action="plan.edit", change=change, policy=policy
    )


async def add_action(
    uow: UnitOfWork, *, plan_id: uuid.UUID, body: ActionIn, version: int, policy: CouncilPolicy, idempotency_key: str | None
) -> dict[str, Any]:
    """Add an action: every part required (refused naming the missing one), due from today."""

    async def change(tx: Transaction, plan: PlanState, now: datetime, today: date) -> tuple[PlanState, Events]:
        action = domain.content.new_action(
            action_id=uuid.uuid4(),
            description=body.description,
            owner_person=body.owner.person,
            owner_agency=body.owner.agency,
            success_measure=body.success_measure,
            due_date=body.due_date,
            today=today,
        )
        return domain.content.add_action(plan, action)

    return await change_plan(
        uow,
        plan_id=plan_id,
        version=version,
        purpose="add an action to the plan",
        action="plan.action.add",
        change=change,
        policy=policy,
        idempotency=(idempotency_key, body.model_dump(mode="json")),
    )


async def change_action(
    uow: UnitOfWork, *, plan_id: uuid.UUID, action_id: uuid.UUID, body: ActionChangeIn, version: int, policy: CouncilPolicy
) -> dict[str, Any]:
    async def change(tx: Transaction, plan: PlanState, now: datetime, today: date) -> tuple[PlanState, Events]:
        return domain.content.change_action(
            plan,
            action_id,
            description=body.description,
            owner_person=body.owner.person if body.owner else None,
            owner_agency=body.owner.agency if body.owner else None,
            success_measure=body.success_measure,
            due_date=body.due_date,
            progress=body.progress,
            note=body.note,
            today=today,
        )

    return await change_plan(
        uow,
        plan_id=plan_id,
        version=version,
        purpose="change an action",
        action="plan.action.change",
        change=change,
        policy=policy,
    )


async def add_intervention(
    uow: UnitOfWork, *, plan_id: uuid.UUID, body: InterventionIn, version: int, policy: CouncilPolicy, idempotency_key: str | None
) -> dict[str, Any]:
    async def change(tx: Transaction, plan: PlanState, now: datetime, today: date) -> tuple[PlanState, Events]:
        return domain.interventions.commission(plan, intervention_id=uuid.uuid4(), **body.model_dump())

    return await change_plan(
        uow,
        plan_id=plan_id,
        version=version,
        purpose="commission an intervention",
        action="plan.intervention.add",
        change=change,
        policy=policy,
        idempotency=(idempotency_key, body.model_dump(mode="json")),
    )


async def complete_intervention(
    uow: UnitOfWork,
    *,
    plan_id: uuid.UUID,
    intervention_id: uuid.UUID,
    body: InterventionOutcomeIn,
    version: int,
    policy: CouncilPolicy,
) -> dict[str, Any]:
    async def change(tx: Transaction, plan: PlanState, now: datetime, today: date) -> tuple[PlanState, Events]:
        return domain.interventions.complete(
            plan, intervention_id, actual_end_date=body.actual_end_date, score_after=body.score_after, today=today
        )

    return await change_plan(
        uow,
        plan_id=plan_id,
        version=version,
        purpose="record an intervention's outcome",
        action="plan.intervention.complete",
        change=change,
        policy=policy,
    )
