"""Section 47 enquiries: starting and concluding one (the lead social worker or a
social-work-qualified manager)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date, datetime

from assessment import domain
from assessment.domain import AssessmentState, Events, Section47State
from assessment.use_cases.steps import Enquiries, actor_of
from continuum.casework import clock
from continuum.contracts.assessment import Section47Outcome
from continuum.persistence.change import change_one
from continuum.persistence.uow import UnitOfWork

Step = Callable[[Section47State, AssessmentState, datetime], tuple[Section47State, Events]]


async def _change_section47(
    uow: UnitOfWork, *, section47_id: uuid.UUID, version: int, purpose: str, action: str, step: Step
) -> Section47State:
    now = clock.now()
    enquiries = Enquiries()

    async def decide(section47: Section47State) -> tuple[Section47State, Events]:
        return step(section47, enquiries.assessment_of[section47.id], now)

    async with uow as tx:
        changed = await change_one(tx, enquiries, id=section47_id, version=version, purpose=purpose, action=action, decide=decide)
        return changed


async def start_section47(
    uow: UnitOfWork, *, section47_id: uuid.UUID, strategy_discussion_date: date, start_date: date, version: int
) -> Section47State:
    """Record the strategy discussion and the enquiry's start; the conference is due 15 working days on."""
    by = actor_of(uow.principal_or_fail())

    def step(s47: Section47State, assessment: AssessmentState, now: datetime) -> tuple[Section47State, Events]:
        return domain.start_section47(
            s47,
            assessment=assessment,
            by=by,
            today=clock.london_date(now),
            strategy_discussion_date=strategy_discussion_date,
            start_date=start_date,
        )

    return await _change_section47(
        uow, section47_id=section47_id, version=version, purpose="start a section 47 enquiry", action="section47.start", step=step
    )


async def conclude_section47(
    uow: UnitOfWork,
    *,
    section47_id: uuid.UUID,
    icpc_date: date | None,
    icpc_not_required: bool,
    outcome: Section47Outcome,
    version: int,
) -> Section47State:
    """Conclude the enquiry with the conference's date (or none needed) and its outcome."""
    by = actor_of(uow.principal_or_fail())

    def step(s47: Section47State, assessment: AssessmentState, now: datetime) -> tuple[Section47State, Events]:
        return domain.conclude_section47(
            s47,
            assessment=assessment,
            by=by,
            now=now,
            today=clock.london_date(now),
            icpc_date=icpc_date,
            icpc_not_required=icpc_not_required,
            outcome=outcome,
        )

    return await _change_section47(
        uow,
        section47_id=section47_id,
        version=version,
        purpose="conclude a section 47 enquiry",
        action="section47.conclude",
        step=step,
    )
