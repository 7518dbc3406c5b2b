"""Early help requests a step-up: recorded here, linked to the step-down, and sent to the referral
service as ``stepup.requested`` (it becomes a referral with source 5D there)."""

from __future__ import annotations

import uuid
from dataclasses import asdict

from continuum.casework import clock
from continuum.casework.policy import CouncilPolicy
from continuum.persistence.idempotency import Replayed, idempotent
from continuum.persistence.uow import EventKey, Transaction, UnitOfWork
from stepdown import domain, repository
from stepdown.domain import StepUp
from stepdown.use_cases.commands import RequestStepUp
from stepdown.use_cases.steps import actor_of, read_one
from stepdown.views import step_up_view

PURPOSE = "request a step-up to social care"


async def _request(tx: Transaction, command: RequestStepUp, *, policy: CouncilPolicy) -> StepUp:
    stepdown = None
    if command.stepdown_id is not None:
        stepdown = await repository.visible_stepdown(tx, command.stepdown_id, purpose=PURPOSE, lock=True, receiving_only=True)
    team = command.team if command.team and policy.team(command.team) else policy.front_door_team.id
    child_known = stepdown is not None or await repository.child_known(tx, command.child_id)
    if not child_known:
        tx.audit_refusal("child.read", subject_type="child", subject_id=command.child_id, purpose=PURPOSE)
    now = clock.now()
    step_up, linked, events = domain.request_step_up(
        step_up_id=uuid.uuid4(),
        by=actor_of(tx),
        child_id=command.child_id,
        team=team,
        concerns=command.concerns,
        what_was_tried=command.what_was_tried,
        now=now,
        today=clock.london_date(now),
        stepdown=stepdown,
        child_known=child_known,
    )
    await repository.add_step_up(tx, step_up)
    if linked is not None:
        await repository.save_stepdown(tx, linked)
        await tx.publish_all(events, aggregate=linked)
        await tx.audit("stepdown.step_up", subject_type="stepdown", subject_id=linked.id, purpose=PURPOSE)
    else:
        await tx.publish_all(events, aggregate=EventKey(str(step_up.id), step_up.version))
    await tx.audit("step_up.create", subject_type="step_up", subject_id=step_up.id, purpose=PURPOSE)
    await tx.audit("child.read", subject_type="child", subject_id=step_up.child_id, purpose=PURPOSE)
    return step_up


async def request_step_up(
    uow: UnitOfWork, command: RequestStepUp, *, policy: CouncilPolicy, idempotency_key: str | None
) -> StepUp | Replayed:
    """The step-up, or (the same Idempotency-Key again) the answer the first request had."""
    async with uow as tx:

        async def replayed(stored: Replayed) -> None:
            await tx.audit(
                "child.read", subject_type="child", subject_id=stored.body["child_id"], purpose="Idempotency-Key replay"
            )

        # The request as its JSON body read (ids as text), so a replay is recognised whatever the client sent.
        request = {k: str(v) if isinstance(v, uuid.UUID) else v for k, v in asdict(command).items()}
        return await idempotent(
            tx,
            key=idempotency_key,
            scope=f"step-ups:{tx.principal_or_fail().sub}",
            request=request,
            run=lambda: _request(tx, command, policy=policy),
            present=lambda step_up: step_up_view(step_up).model_dump(mode="json"),
            on_replay=replayed,
        )


async def get_step_up(uow: UnitOfWork, *, step_up_id: uuid.UUID) -> StepUp:
    """A step-up: early help and the team it went to (or the step-down's teams) see it; else 404, audited."""
    return await read_one(uow, step_up_id, load=repository.visible_step_up, subject_type="step_up", purpose="view a step-up")
