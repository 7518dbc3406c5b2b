"""Early help requests a step-up: recorded here, linked to the step-down, and sent to the referral
service as ``stepup.requested`` (it becomes a referral with source 5D there)."""

from __future__ import annotations

import uuid
from typing import Any

from continuum.casework import clock
from continuum.casework.policy import CouncilPolicy
from continuum.persistence.idempotency import once
from continuum.persistence.uow import EventKey, StoredResponse, UnitOfWork
from stepdown import domain, repository
from stepdown.schemas import StepUpIn, StepUpOut
from stepdown.views import step_up_view


async def request_step_up(
    uow: UnitOfWork, *, data: StepUpIn, policy: CouncilPolicy, idempotency_key: str | None
) -> dict[str, Any]:
    purpose = "request a step-up to social care"
    now = clock.now()
    async with uow as tx:

        async def run() -> tuple[int, Any]:
            stepdown = None
            if data.stepdown_id is not None:
                stepdown = await repository.visible_stepdown(
                    tx, data.stepdown_id, purpose=purpose, lock=True, receiving_only=True
                )
            team = data.team if data.team and policy.team(data.team) else policy.front_door_team.id
            child_known = stepdown is not None or await repository.child_known(tx, data.child_id)
            if not child_known:
                tx.audit_refusal("child.read", subject_type="child", subject_id=data.child_id, purpose=purpose)
            step_up, linked, events = domain.request_step_up(
                step_up_id=uuid.uuid4(),
                by=domain.Actor(tx.principal_or_fail().sub),
                child_id=data.child_id,
                team=team,
                concerns=data.concerns,
                what_was_tried=data.what_was_tried,
                now=now,
                today=clock.london_date(now),
                stepdown=stepdown,
                child_known=child_known,
            )
            await repository.add_step_up(tx, step_up)
            if linked is not None:
                await repository.save_stepdown(tx, linked)
                await tx.publish_all(events, aggregate=linked)
                await tx.audit("stepdown.step_up", subject_type="stepdown", subject_id=linked.id, purpose=purpose)
            else:
                await tx.publish_all(events, aggregate=EventKey(str(step_up.id), step_up.version))
            await tx.audit("step_up.create", subject_type="step_up", subject_id=step_up.id, purpose=purpose)
            await tx.audit("child.read", subject_type="child", subject_id=step_up.child_id, purpose=purpose)
            row = await repository.step_up(tx, step_up.id)
            return 201, step_up_view(row).model_dump(mode="json")

        async def replayed(stored: StoredResponse) -> None:
            await tx.audit(
                "child.read", subject_type="child", subject_id=stored.body["child_id"], purpose="Idempotency-Key replay"
            )

        request = data.model_dump(mode="json") if idempotency_key else None
        scope = f"step-ups:{tx.principal_or_fail().sub}"
        _, body = await once(tx, key=idempotency_key, scope=scope, request=request, run=run, on_replay=replayed)
        return dict(body)


async def get_step_up(uow: UnitOfWork, *, step_up_id: uuid.UUID) -> StepUpOut:
    """A step-up: early help and the team it went to (or the step-down's teams) see it; else 404, audited."""
    purpose = "view a step-up"
    async with uow as tx:
        row = await repository.visible_step_up(tx, step_up_id, purpose=purpose)
        await tx.audit("step_up.read", subject_type="step_up", subject_id=row.id, purpose=purpose)
        await tx.audit("child.read", subject_type="child", subject_id=row.child_id, purpose=purpose)
        return step_up_view(row)
