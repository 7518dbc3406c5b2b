"""The assessment service's HTTP API (thin: parse, call the use case, shape the response)."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse

from assessment import service
from assessment.schemas import (
    AllocationIn,
    AssessmentOut,
    AuthorisationIn,
    MeasuresOut,
    RecordIn,
    ReturnIn,
    Section47ConclusionIn,
    Section47Out,
    Section47StartIn,
    WorklistPage,
)
from continuum.http import (
    PROBLEM_RESPONSES,
    IfMatch,
    PolicyDep,
    UnitOfWorkDep,
    expected_version,
    with_etag,
)
from continuum.policy import TEAM_PATTERN

router = APIRouter(prefix="/v1")


def _assessment(a: AssessmentOut) -> JSONResponse:
    return with_etag(a.model_dump(mode="json"), a.version)


def _section47(s: Section47Out) -> JSONResponse:
    return with_etag(s.model_dump(mode="json"), s.version)


@router.get(
    "/assessments/worklist",
    response_model=WorklistPage,
    responses=PROBLEM_RESPONSES,
    tags=["worklist"],
    summary="Open assessments, fewest working days left first",
)
async def worklist(
    uow: UnitOfWorkDep,
    policy: PolicyDep,
    team: Annotated[
        str | None, Query(pattern=TEAM_PATTERN, max_length=50, description="only this team (default: all yours)")
    ] = None,
    cursor: Annotated[str | None, Query(max_length=200, description="next_cursor from the previous page")] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> WorklistPage:
    """The team's open assessments ordered by working days left to the 45-working-day limit; those
    past it come first, flagged ``overdue``."""
    return await service.worklist(uow, policy, team=team, cursor=cursor, limit=limit)


@router.get(
    "/assessments/measures",
    response_model=MeasuresOut,
    responses=PROBLEM_RESPONSES,
    tags=["measures"],
    summary="Timeliness and outcomes of completed assessments",
)
async def measures(
    uow: UnitOfWorkDep,
    policy: PolicyDep,
    date_from: Annotated[date, Query(alias="from", description="first authorisation date counted")],
    date_to: Annotated[date, Query(alias="to", description="last authorisation date counted")],
    team: Annotated[str | None, Query(pattern=TEAM_PATTERN, max_length=50, description="only this team")] = None,
) -> MeasuresOut:
    """Assessments authorised in the range: how many, median working days, the share within 45
    working days of the referral, the outcomes, and the same by team."""
    return await service.measures(uow, policy, date_from=date_from, date_to=date_to, team=team)


@router.get(
    "/assessments/{assessment_id}",
    response_model=AssessmentOut,
    responses=PROBLEM_RESPONSES,
    tags=["assessments"],
    summary="Read an assessment",
)
async def get_assessment(assessment_id: uuid.UUID, uow: UnitOfWorkDep) -> JSONResponse:
    return _assessment(await service.get_assessment(uow, assessment_id))


@router.post(
    "/assessments/{assessment_id}/allocation",
    response_model=AssessmentOut,
    responses=PROBLEM_RESPONSES,
    tags=["assessments"],
    summary="Allocate the lead practitioner",
)
async def allocate(
    assessment_id: uuid.UUID,
    body: AllocationIn,
    uow: UnitOfWorkDep,
    policy: PolicyDep,
    if_match: IfMatch = None,
) -> JSONResponse:
    """A social-work-qualified manager allocates (or, with a reason, reallocates) the lead
    practitioner. Section 47 work may only go to a social-work role."""
    return _assessment(await service.allocate(uow, assessment_id, body, policy, expected_version(if_match)))


@router.patch(
    "/assessments/{assessment_id}",
    response_model=AssessmentOut,
    responses=PROBLEM_RESPONSES,
    tags=["assessments"],
    summary="Record the assessment",
)
async def record(
    assessment_id: uuid.UUID,
    body: RecordIn,
    uow: UnitOfWorkDep,
    if_match: IfMatch = None,
) -> JSONResponse:
    """The lead practitioner records start date, when the child was seen (and alone), factors,
    primary need, specialist assessments and the recommendation. Omitted fields keep their value."""
    return _assessment(await service.record(uow, assessment_id, body, expected_version(if_match)))


@router.post(
    "/assessments/{assessment_id}/submission",
    response_model=AssessmentOut,
    responses=PROBLEM_RESPONSES,
    tags=["assessments"],
    summary="Submit for authorisation",
)
async def submit(assessment_id: uuid.UUID, uow: UnitOfWorkDep, if_match: IfMatch = None) -> JSONResponse:
    return _assessment(await service.submit(uow, assessment_id, expected_version(if_match)))


@router.post(
    "/assessments/{assessment_id}/return",
    response_model=AssessmentOut,
    responses=PROBLEM_RESPONSES,
    tags=["assessments"],
    summary="Return to the lead practitioner",
)
async def return_assessment(
    assessment_id: uuid.UUID,
    body: ReturnIn,
    uow: UnitOfWorkDep,
    if_match: IfMatch = None,
) -> JSONResponse:
    return _assessment(await service.return_assessment(uow, assessment_id, body, expected_version(if_match)))


@router.post(
    "/assessments/{assessment_id}/authorisation",
    response_model=AssessmentOut,
    responses=PROBLEM_RESPONSES,
    tags=["assessments"],
    summary="Authorise the assessment",
)
async def authorise(
    assessment_id: uuid.UUID,
    body: AuthorisationIn,
    uow: UnitOfWorkDep,
    policy: PolicyDep,
    if_match: IfMatch = None,
) -> JSONResponse:
    """A social-work-qualified manager authorises with the authorisation date (not before the start
    date) and the outcome: NFA closes the episode (RC8), early help closes it to step-down (RC9)."""
    return _assessment(await service.authorise(uow, assessment_id, body, policy, expected_version(if_match)))


@router.get(
    "/section47/{section47_id}",
    response_model=Section47Out,
    responses=PROBLEM_RESPONSES,
    tags=["section 47"],
    summary="Read a section 47 enquiry",
)
async def get_section47(section47_id: uuid.UUID, uow: UnitOfWorkDep) -> JSONResponse:
    return _section47(await service.get_section47(uow, section47_id))


@router.post(
    "/section47/{section47_id}/start",
    response_model=Section47Out,
    responses=PROBLEM_RESPONSES,
    tags=["section 47"],
    summary="Start the enquiry",
)
async def start_section47(
    section47_id: uuid.UUID,
    body: Section47StartIn,
    uow: UnitOfWorkDep,
    if_match: IfMatch = None,
) -> JSONResponse:
    """Records the strategy discussion and the enquiry's start; the initial child protection
    conference is due 15 working days after the strategy discussion."""
    return _section47(await service.start_section47(uow, section47_id, body, expected_version(if_match)))


@router.post(
    "/section47/{section47_id}/conclusion",
    response_model=Section47Out,
    responses=PROBLEM_RESPONSES,
    tags=["section 47"],
    summary="Conclude the enquiry",
)
async def conclude_section47(
    section47_id: uuid.UUID,
    body: Section47ConclusionIn,
    uow: UnitOfWorkDep,
    if_match: IfMatch = None,
) -> JSONResponse:
    return _section47(await service.conclude_section47(uow, section47_id, body, expected_version(if_match)))


__all__ = ["router"]
