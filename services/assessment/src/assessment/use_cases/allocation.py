"""Allocating the lead practitioner (and reallocating, with a reason, or when a correction
requires it)."""

from __future__ import annotations

import uuid
from datetime import datetime

from assessment import domain, repository
from assessment.domain import AssessmentState, Events
from assessment.domain.policy import assessment_policy
from assessment.results import AssessmentRecord
from assessment.use_cases.steps import actor_of, change_assessment
from continuum.casework.policy import CouncilPolicy
from continuum.persistence.uow import Transaction, UnitOfWork

PURPOSE = "allocate the lead practitioner"


async def allocate(
    uow: UnitOfWork,
    *,
    assessment_id: uuid.UUID,
    lead_practitioner: str,
    role: str,
    reason: str | None,
    version: int,
    policy: CouncilPolicy,
) -> AssessmentRecord:
    """A social-work-qualified manager allocates the lead practitioner, or reallocates with a
    reason; the history keeps every allocation, with the reason."""
    by = actor_of(uow.principal_or_fail())

    async def change(tx: Transaction, state: AssessmentState, now: datetime) -> tuple[AssessmentState, Events]:
        allocated, events = domain.allocate(
            state,
            by=by,
            now=now,
            lead_practitioner=lead_practitioner,
            role=role,
            reason=reason,
            policy=assessment_policy(policy).lead_practitioners,
        )
        await repository.add_allocation(tx, before=state, after=allocated, reason=reason, by=by.id)
        return allocated, events

    return await change_assessment(
        uow,
        assessment_id=assessment_id,
        version=version,
        purpose=PURPOSE,
        action=lambda state: "assessment.reallocate" if state.lead else "assessment.allocate",
        change=change,
    )
