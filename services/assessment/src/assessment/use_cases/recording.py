"""The lead practitioner's record of the assessment, and its submission for authorisation."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from assessment import domain, repository
from assessment.domain import KEEP, AssessmentState, Events, FindingsChange, SpecialistAssessment
from assessment.schemas import AssessmentOut, RecordIn
from assessment.use_cases.steps import actor_of, change_assessment
from continuum.persistence.uow import Transaction, UnitOfWork


def findings_change(body: RecordIn) -> FindingsChange:
    """What the request changes: the fields it sent (``null`` clears one); the others are kept."""
    sent = body.model_fields_set
    values: dict[str, Any] = {name: getattr(body, name) if name in sent else KEEP for name in RecordIn.model_fields}
    if "specialist_assessments" in sent and body.specialist_assessments is not None:
        values["specialist_assessments"] = [
            SpecialistAssessment(s.kind, s.date, s.completed_by, s.score_or_summary) for s in body.specialist_assessments
        ]
    return FindingsChange(**values)


async def record(uow: UnitOfWork, *, assessment_id: uuid.UUID, body: RecordIn, version: int) -> AssessmentOut:
    """The lead practitioner records what the assessment found, a little at a time if need be; a
    change of the start date, the date the child was seen or the primary need is published
    (``assessment.recorded``)."""
    by = actor_of(uow.principal_or_fail())
    changes = findings_change(body)

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


async def submit(uow: UnitOfWork, *, assessment_id: uuid.UUID, version: int) -> AssessmentOut:
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
