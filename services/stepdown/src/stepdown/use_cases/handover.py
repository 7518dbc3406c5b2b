"""Social care's handover, early help's answer, the family's engagement, early help's outcome and
the manager's closure: each a change of one step-down."""

from __future__ import annotations

from datetime import date, datetime

from continuum.casework import clock
from continuum.casework.policy import CouncilPolicy
from continuum.persistence.uow import UnitOfWork
from stepdown import domain
from stepdown.domain import ChildFacts, Events, Stepdown
from stepdown.use_cases.commands import Accept, Close, Decline, RecordEngagement, RecordHandover, RecordOutcome
from stepdown.use_cases.steps import Step, actor_of, change_stepdown

HANDOVER = Step("record the handover to early help", "stepdown.handover")
ACCEPT = Step("accept a handover to early help", "stepdown.accept", receiving_only=True)
DECLINE = Step("decline a handover to early help", "stepdown.decline", receiving_only=True)
ENGAGEMENT = Step("record the family's engagement with early help", "stepdown.engagement", receiving_only=True)
OUTCOME = Step("record early help's outcome", "stepdown.outcome", receiving_only=True)
CLOSE = Step("close the episode", "stepdown.close")


async def record_handover(uow: UnitOfWork, command: RecordHandover, *, policy: CouncilPolicy) -> Stepdown:
    def change(s: Stepdown, _now: datetime, _child: ChildFacts | None) -> tuple[Stepdown, Events]:
        return domain.record_handover(s, handover=command.handover)

    return await change_stepdown(uow, command, HANDOVER, change=change, policy=policy)


async def accept(uow: UnitOfWork, command: Accept, *, policy: CouncilPolicy) -> Stepdown:
    """Early help takes the family: the episode closes (and partners are told, if the child is known)."""
    by = actor_of(uow)

    def change(s: Stepdown, now: datetime, _child: ChildFacts | None) -> tuple[Stepdown, Events]:
        return domain.accept(s, by=by, now=now, today=clock.london_date(now))

    return await change_stepdown(uow, command, ACCEPT, change=change, policy=policy)


async def decline(uow: UnitOfWork, command: Decline, *, policy: CouncilPolicy) -> Stepdown:
    """Early help declines, saying why; the handover goes to the team manager's worklist."""
    by = actor_of(uow)

    def change(s: Stepdown, now: datetime, _child: ChildFacts | None) -> tuple[Stepdown, Events]:
        return domain.decline(s, by=by, now=now, reason=command.reason, detail=command.detail)

    return await change_stepdown(uow, command, DECLINE, change=change, policy=policy)


def _accepted_on(s: Stepdown) -> date:
    return clock.london_date(s.answered_at) if s.answered_at else s.stepped_down_on


async def record_engagement(uow: UnitOfWork, command: RecordEngagement, *, policy: CouncilPolicy) -> Stepdown:
    def change(s: Stepdown, now: datetime, _child: ChildFacts | None) -> tuple[Stepdown, Events]:
        today = clock.london_date(now)
        on = command.on or today
        return domain.record_engagement(s, engagement=command.engagement, on=on, accepted_on=_accepted_on(s), today=today)

    return await change_stepdown(uow, command, ENGAGEMENT, change=change, policy=policy)


async def record_outcome(uow: UnitOfWork, command: RecordOutcome, *, policy: CouncilPolicy) -> Stepdown:
    def change(s: Stepdown, now: datetime, _child: ChildFacts | None) -> tuple[Stepdown, Events]:
        on, today = command.closed_on, clock.london_date(now)
        return domain.record_outcome(s, outcome=command.outcome, closed_on=on, accepted_on=_accepted_on(s), today=today)

    return await change_stepdown(uow, command, OUTCOME, change=change, policy=policy)


async def close(uow: UnitOfWork, command: Close, *, policy: CouncilPolicy) -> Stepdown:
    """The manager closes the episode, with the census reason (RC2 needs the child's date of death)."""

    def change(s: Stepdown, now: datetime, child: ChildFacts | None) -> tuple[Stepdown, Events]:
        on, died = command.on or s.ended_on, child.date_of_death if child else None
        today = clock.london_date(now)
        return domain.close_by_manager(
            s, reason=command.reason, on=on, unmet_need=command.unmet_need, now=now, today=today, date_of_death=died
        )

    return await change_stepdown(uow, command, CLOSE, change=change, policy=policy)
