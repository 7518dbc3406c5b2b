"""The lead practitioner's record of the assessment, and its submission for authorisation."""

from __future__ import annotations

import uuid
from datetime import datetime

from assessment import domain, repository
from assessment.domain import AssessmentState, Events, FindingsChange
from assessment.results import AssessmentRecord
from assessment.use_cases.steps import actor_of, change_assessment
from continuum.persistence.uow import Transaction, UnitOfWork


async def record(uow: UnitOfWork, *, assessment_id: uuid.UUID, changes: FindingsChange, version: int) -> AssessmentRecord:
    """The lead practitioner records what the assessment found, a little at a time if need be; a
    change of the start date, the date the child was seen or the primary need is published
    (``assessment.recorded``)."""
    by = actor_of(uow.principal_or_fail())

    async def change(tx: Transaction, state: AssessmentState, now: datetime) -> tuple[AssessmentState, Events]:
        return domain.record(state, by=by, now=now, changes=changes)

    return await change_assessment(
        uow,
        assessment_id=assessment_id,
        version=version,
        purpose="record the assessment",
        action="assessment.record",
        change=change,
    )


async def submit(uow: UnitOfWork, *, assessment_id: uuid.UUID, version: int) -> AssessmentRecord:
    """The lead practitioner submits the complete record to the manager."""
    by = actor_of(uow.principal_or_fail())

    async def change(tx: Transaction, state: AssessmentState, now: datetime) -> tuple[AssessmentState, Events]:
        child = await repository.child_identity(tx, state.child_id)
        return domain.submit(state, by=by, now=now, child=child)

    return await change_assessment(
        uow,
        assessment_id=assessment_id,
        version=version,
        purpose="submit the assessment for authorisation",
        action="assessment.submit",
        change=change,
    )
