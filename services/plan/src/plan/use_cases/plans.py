"""A change of one plan, whichever the caller asks for: the command names the decision (``decide``
below), the audit action and the purpose; the pipeline (``steps.change_plan``) loads, checks the
version, decides, saves, publishes and audits. A create, with an Idempotency-Key, is done once."""

from __future__ import annotations

import uuid

from continuum.casework.policy import CouncilPolicy
from continuum.persistence.idempotency import Replayed
from continuum.persistence.uow import UnitOfWork
from plan.commands import (
    AddAction,
    AddIntervention,
    Approve,
    ChangeAction,
    CompleteIntervention,
    EditPlan,
    EndPlan,
    PlanCommand,
    RecordAttendance,
    RecordReview,
    RecordStrategyDiscussion,
    RecordVisit,
    ScheduleMeeting,
)
from plan.domain import Events, PlanState
from plan.results import PlanRecord
from plan.use_cases import casework, editing, lifecycle
from plan.use_cases.steps import At, change_plan
from plan.views import plan_json


async def decide(command: PlanCommand, at: At, plan: PlanState) -> tuple[PlanState, Events]:
    """The decision each command asks for."""
    match command:
        case EditPlan():
            return await editing.edit_plan(command, at, plan)
        case AddAction():
            return await editing.add_action(command, at, plan)
        case ChangeAction():
            return await editing.change_action(command, at, plan)
        case AddIntervention():
            return await editing.add_intervention(command, at, plan)
        case CompleteIntervention():
            return await editing.complete_intervention(command, at, plan)
        case Approve():
            return await lifecycle.approve(command, at, plan)
        case EndPlan():
            return await lifecycle.end_plan(command, at, plan)
        case RecordReview():
            return await casework.record_review(command, at, plan)
        case RecordVisit():
            return await casework.record_visit(command, at, plan)
        case ScheduleMeeting():
            return await casework.schedule_meeting(command, at, plan)
        case RecordAttendance():
            return await casework.record_attendance(command, at, plan)
        case RecordStrategyDiscussion():
            return await casework.record_strategy_discussion(command, at, plan)


async def change(
    uow: UnitOfWork,
    *,
    plan_id: uuid.UUID,
    command: PlanCommand,
    version: int,
    policy: CouncilPolicy,
    idempotency_key: str | None = None,
    create: bool = False,
) -> PlanRecord | Replayed:
    """Change the plan as ``command`` asks, at the version the caller read. A ``create`` (it adds
    a part of the plan: an action, a review...) is done once per Idempotency-Key: asked again, the
    first answer's body comes back as :class:`Replayed`."""

    async def decided(at: At, plan: PlanState) -> tuple[PlanState, Events]:
        return await decide(command, at, plan)

    return await change_plan(
        uow,
        plan_id=plan_id,
        version=version,
        purpose=command.purpose,
        action=command.action,
        decide=decided,
        policy=policy,
        present=plan_json,
        idempotency=(idempotency_key, command) if create else None,
    )
