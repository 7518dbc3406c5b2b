"""Social care's handover, early help's answer, the family's engagement, early help's outcome and
the manager's closure: each a change of one step-down."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from continuum.casework import clock
from continuum.casework.policy import CouncilPolicy
from continuum.contracts.codes import ReasonForClosure
from continuum.persistence.uow import UnitOfWork
from stepdown import domain
from stepdown.domain import ChildFacts, DeclineReason, EarlyHelpOutcome, Engagement, Handover, Stepdown
from stepdown.schemas import StepdownOut
from stepdown.use_cases.steps import actor_of, change_stepdown


async def record_handover(
    uow: UnitOfWork, *, stepdown_id: uuid.UUID, handover: Handover, version: int, policy: CouncilPolicy
) -> StepdownOut:
    return await change_stepdown(
        uow,
        stepdown_id=stepdown_id,
        version=version,
        purpose="record the handover to early help",
        action="stepdown.handover",
        change=lambda s, _now, _child: domain.record_handover(s, handover=handover),
        policy=policy,
    )


async def accept(uow: UnitOfWork, *, stepdown_id: uuid.UUID, version: int, policy: CouncilPolicy) -> StepdownOut:
    by = actor_of(uow)
    return await change_stepdown(
        uow,
        stepdown_id=stepdown_id,
        version=version,
        purpose="accept a handover to early help",
        action="stepdown.accept",
        change=lambda s, now, _child: domain.accept(s, by=by, now=now, today=clock.london_date(now)),
        policy=policy,
        receiving_only=True,
    )


async def decline(
    uow: UnitOfWork, *, stepdown_id: uuid.UUID, reason: DeclineReason, detail: str, version: int, policy: CouncilPolicy
) -> StepdownOut:
    """Early help declines, saying why; the handover goes to the team manager's worklist (the
    detail stays in the service: the event carries the reason code only)."""
    by = actor_of(uow)
    return await change_stepdown(
        uow,
        stepdown_id=stepdown_id,
        version=version,
        purpose="decline a handover to early help",
        action="stepdown.decline",
        change=lambda s, now, _child: domain.decline(s, by=by, now=now, reason=reason, detail=detail),
        policy=policy,
        receiving_only=True,
    )


def _accepted_on(s: Stepdown) -> date:
    return clock.london_date(s.answered_at) if s.answered_at else s.stepped_down_on


async def record_engagement(
    uow: UnitOfWork, *, stepdown_id: uuid.UUID, engagement: Engagement, on: date | None, version: int, policy: CouncilPolicy
) -> StepdownOut:
    def change(s: Stepdown, now: datetime, _child: ChildFacts | None) -> tuple[Stepdown, domain.Events]:
        today = clock.london_date(now)
        return domain.record_engagement(s, engagement=engagement, on=on or today, accepted_on=_accepted_on(s), today=today)

    return await change_stepdown(
        uow,
        stepdown_id=stepdown_id,
        version=version,
        purpose="record the family's engagement with early help",
        action="stepdown.engagement",
        change=change,
        policy=policy,
        receiving_only=True,
    )


async def record_outcome(
    uow: UnitOfWork, *, stepdown_id: uuid.UUID, outcome: EarlyHelpOutcome, closed_on: date, version: int, policy: CouncilPolicy
) -> StepdownOut:
    def change(s: Stepdown, now: datetime, _child: ChildFacts | None) -> tuple[Stepdown, domain.Events]:
        return domain.record_outcome(
            s, outcome=outcome, closed_on=closed_on, accepted_on=_accepted_on(s), today=clock.london_date(now)
        )

    return await change_stepdown(
        uow,
        stepdown_id=stepdown_id,
        version=version,
        purpose="record early help's outcome",
        action="stepdown.outcome",
        change=change,
        policy=policy,
        receiving_only=True,
    )


async def close(
    uow: UnitOfWork,
    *,
    stepdown_id: uuid.UUID,
    reason: ReasonForClosure,
    on: date | None,
    unmet_need: bool,
    version: int,
    policy: CouncilPolicy,
) -> StepdownOut:
    def change(s: Stepdown, now: datetime, child: ChildFacts | None) -> tuple[Stepdown, domain.Events]:
        return domain.close_by_manager(
            s,
            reason=reason,
            on=on or s.ended_on,
            unmet_need=unmet_need,
            now=now,
            today=clock.london_date(now),
            date_of_death=child.date_of_death if child else None,
        )

    return await change_stepdown(
        uow,
        stepdown_id=stepdown_id,
        version=version,
        purpose="close the episode",
        action="stepdown.close",
        change=change,
        policy=policy,
    )
