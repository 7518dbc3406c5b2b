"""Reviews, visits and meetings of a started plan (each saved as its own row beside the plan's
new state, in the same transaction), and the strategy discussions held during a CIN plan."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from continuum.casework.policy import CouncilPolicy
from continuum.persistence.uow import Transaction, UnitOfWork
from plan import domain, repository
from plan.domain import Events, PlanState
from plan.domain.visits import Invitee
from plan.schemas import AttendanceIn, MeetingIn, ReviewIn, StrategyDiscussionIn, VisitIn
from plan.use_cases.steps import actor_of, by_whom, change_plan


async def record_review(
    uow: UnitOfWork, *, plan_id: uuid.UUID, body: ReviewIn, version: int, policy: CouncilPolicy, idempotency_key: str | None
) -> dict[str, Any]:
    progress = {p.action_id: (p.progress, p.note) for p in body.progress}

    async def change(tx: Transaction, plan: PlanState, now: datetime, today: date) -> tuple[PlanState, Events]:
        reviewed, review, events = domain.reviews.record_review(
            plan,
            review_id=uuid.uuid4(),
            by=by_whom(tx),
            review_date=body.review_date,
            today=today,
            progress=progress,
            decision=body.decision,
            exit_criteria_met=body.exit_criteria_met,
            concerns_remain=body.concerns_remain,
            summary=body.summary,
            latest_category=body.latest_category_of_abuse,
            policy=policy,
        )
        await repository.add_review(tx, reviewed, review, at=now)
        return reviewed, events

    return await change_plan(
        uow,
        plan_id=plan_id,
        version=version,
        purpose="review the plan",
        action="plan.review",
        change=change,
        policy=policy,
        idempotency=(idempotency_key, body.model_dump(mode="json")),
    )


async def record_visit(
    uow: UnitOfWork, *, plan_id: uuid.UUID, body: VisitIn, version: int, policy: CouncilPolicy, idempotency_key: str | None
) -> dict[str, Any]:
    async def change(tx: Transaction, plan: PlanState, now: datetime, today: date) -> tuple[PlanState, Events]:
        visited, visit, events = domain.visits.record_visit(
            plan, visit_id=uuid.uuid4(), by=by_whom(tx), today=today, policy=policy, **body.model_dump()
        )
        await repository.add_visit(tx, visited, visit, at=now)
        return visited, events

    return await change_plan(
        uow,
        plan_id=plan_id,
        version=version,
        purpose="record a visit",
        action="plan.visit",
        change=change,
        policy=policy,
        idempotency=(idempotency_key, body.model_dump(mode="json")),
    )


async def schedule_meeting(
    uow: UnitOfWork, *, plan_id: uuid.UUID, body: MeetingIn, version: int, policy: CouncilPolicy, idempotency_key: str | None
) -> dict[str, Any]:
    invitees = tuple(Invitee(i.agency, i.name) for i in body.invitees)

    async def change(tx: Transaction, plan: PlanState, now: datetime, today: date) -> tuple[PlanState, Events]:
        scheduled, meeting, events = domain.visits.schedule_meeting(
            plan, meeting_id=uuid.uuid4(), by=by_whom(tx), kind=body.kind, on=body.meeting_date, invitees=invitees
        )
        await repository.add_meeting(tx, scheduled, meeting, at=now)
        return scheduled, events

    return await change_plan(
        uow,
        plan_id=plan_id,
        version=version,
        purpose="schedule a meeting",
        action="plan.meeting",
        change=change,
        policy=policy,
        idempotency=(idempotency_key, body.model_dump(mode="json")),
    )


async def record_attendance(
    uow: UnitOfWork, *, plan_id: uuid.UUID, meeting_id: uuid.UUID, body: AttendanceIn, version: int, policy: CouncilPolicy
) -> dict[str, Any]:
    attended = dict(enumerate(body.attended))

    async def change(tx: Transaction, plan: PlanState, now: datetime, today: date) -> tuple[PlanState, Events]:
        meeting = await repository.meeting(tx, plan.id, meeting_id)
        changed, recorded, events = domain.visits.record_attendance(plan, meeting, attended=attended, today=today)
        await repository.save_meeting(tx, recorded)
        return changed, events

    return await change_plan(
        uow,
        plan_id=plan_id,
        version=version,
        purpose="record who attended a meeting",
        action="plan.meeting.attendance",
        change=change,
        policy=policy,
    )


async def record_strategy_discussion(
    uow: UnitOfWork,
    *,
    plan_id: uuid.UUID,
    body: StrategyDiscussionIn,
    version: int,
    policy: CouncilPolicy,
    idempotency_key: str | None,
) -> dict[str, Any]:
    """A strategy discussion held during an active CIN plan (the assessment service starts the
    section 47 enquiry from its event)."""
    by = actor_of(uow.principal_or_fail())

    async def change(tx: Transaction, plan: PlanState, now: datetime, today: date) -> tuple[PlanState, Events]:
        return domain.lifecycle.record_strategy_discussion(plan, on=body.date, by=by, today=today, now=now)

    return await change_plan(
        uow,
        plan_id=plan_id,
        version=version,
        purpose="record a strategy discussion",
        action="plan.strategy_discussion",
        change=change,
        policy=policy,
        idempotency=(idempotency_key, body.model_dump(mode="json")),
    )
