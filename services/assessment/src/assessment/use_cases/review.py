"""The manager's review of a submitted assessment: return it with reasons, or authorise it."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from assessment import domain, repository
from assessment.domain import AssessmentState, Events
from assessment.results import AssessmentRecord
from assessment.use_cases.steps import actor_of, change_assessment
from continuum.casework import clock
from continuum.contracts.assessment import AssessmentOutcome
from continuum.persistence.uow import Transaction, UnitOfWork


async def return_assessment(uow: UnitOfWork, *, assessment_id: uuid.UUID, reasons: str, version: int) -> AssessmentRecord:
    """A social-work-qualified manager sends the assessment back to the lead practitioner."""
    by = actor_of(uow.principal_or_fail())

    async def change(tx: Transaction, state: AssessmentState, now: datetime) -> tuple[AssessmentState, Events]:
        returned, events = domain.return_(state, by=by, now=now, reasons=reasons)
        await repository.add_return(tx, state=returned, reasons=reasons, by=by.id, at=now)
        return returned, events

    return await change_assessment(
        uow,
        assessment_id=assessment_id,
        version=version,
        purpose="return the assessment to the lead practitioner",
        action="assessment.return",
        change=change,
    )


async def authorise(
    uow: UnitOfWork,
    *,
    assessment_id: uuid.UUID,
    authorisation_date: date,
    outcome: AssessmentOutcome,
    version: int,
) -> AssessmentRecord:
    """A social-work-qualified manager authorises the assessment and decides the outcome; a section
    47 assessment waits for its enquiry and follows its conference (decision 24)."""
    by = actor_of(uow.principal_or_fail())

    async def change(tx: Transaction, state: AssessmentState, now: datetime) -> tuple[AssessmentState, Events]:
        return domain.authorise(
            state,
            section47=await repository.current_section47(tx, state.id, lock=True),
            episode_had_section47=await repository.episode_had_section47(tx, state.case_id),
            by=by,
            now=now,
            today=clock.london_date(now),
            outcome=outcome,
            on=authorisation_date,
        )

    return await change_assessment(
        uow,
        assessment_id=assessment_id,
        version=version,
        purpose="authorise the assessment",
        action="assessment.authorise",
        change=change,
    )
