"""Pre-proceedings of a child protection plan heading to court."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from continuum.policy import CouncilPolicy
from continuum.uow import Transaction, UnitOfWork
from plan import domain
from plan.domain import Events, PlanState
from plan.schemas import PreproceedingsDecisionIn, PreproceedingsIn, PreproceedingsStartIn
from plan.use_cases.steps import change_plan


async def start(
    uow: UnitOfWork, *, plan_id: uuid.UUID, body: PreproceedingsStartIn, version: int, policy: CouncilPolicy
) -> dict[str, Any]:
    async def change(tx: Transaction, plan: PlanState, now: datetime, today: date) -> tuple[PlanState, Events]:
        return domain.preproceedings.start(plan, start_date=body.start_date, today=today)

    return await change_plan(
        uow,
        plan_id=plan_id,
        version=version,
        purpose="start pre-proceedings",
        action="plan.preproceedings.start",
        change=change,
        policy=policy,
    )


async def record(
    uow: UnitOfWork, *, plan_id: uuid.UUID, body: PreproceedingsIn, version: int, policy: CouncilPolicy
) -> dict[str, Any]:
    async def change(tx: Transaction, plan: PlanState, now: datetime, today: date) -> tuple[PlanState, Events]:
        values = body.model_dump()
        values["review_meeting_dates"] = tuple(values["review_meeting_dates"])
        return domain.preproceedings.record(plan, today=today, **values)

    return await change_plan(
        uow,
        plan_id=plan_id,
        version=version,
        purpose="record pre-proceedings",
        action="plan.preproceedings.record",
        change=change,
        policy=policy,
    )


async def decide(
    uow: UnitOfWork, *, plan_id: uuid.UUID, body: PreproceedingsDecisionIn, version: int, policy: CouncilPolicy
) -> dict[str, Any]:
    async def change(tx: Transaction, plan: PlanState, now: datetime, today: date) -> tuple[PlanState, Events]:
        return domain.preproceedings.decide(plan, today=today, **body.model_dump())

    return await change_plan(
        uow,
        plan_id=plan_id,
        version=version,
        purpose="decide at the end of pre-proceedings",
        action="plan.preproceedings.decide",
        change=change,
        policy=policy,
    )
