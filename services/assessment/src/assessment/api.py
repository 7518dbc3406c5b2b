"""The assessment service's HTTP API (thin: parse, call the use case, shape the response)."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, Request
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
from continuum.auth import CurrentPrincipal
from continuum.errors import invalid
from continuum.policy import TEAM_PATTERN, CouncilPolicy
from continuum.service_app import RuntimeDep
from continuum.uow import UnitOfWork

router = APIRouter(prefix="/v1")

PROBLEMS: dict[int | str, dict[str, Any]] = {
    code: {"description": text, "content": {"application/problem+json": {}}}
    for code, text in {
        401: "No valid bearer token",
        403: "Your role may not do this (or a social-work-qualified manager must)",
        404: "Not found, or not visible to you",
        409: "Conflicts with the record's state",
        412: "If-Match does not match the current version",
        422: "Bad input: the errors list names each field and why",
        428: "Send If-Match with the version you read",
    }.items()
}


def _uow(runtime: RuntimeDep, principal: CurrentPrincipal, request: Request) -> UnitOfWork:
    return runtime.unit_of_work(principal, request)


def _policy(runtime: RuntimeDep) -> CouncilPolicy:
    policy: CouncilPolicy = runtime.extras["policy"]
    return policy


def _version(if_match: str | None) -> int | None:
    """If-Match carries the version as an ETag: ``"3"`` (or ``W/"3"``)."""
    if if_match is None:
        return None
    raw = if_match.removeprefix("W/").strip().strip('"')
    if not raw.isdigit():
        raise invalid("If-Match", 'send the ETag you read, e.g. "3"')
    return int(raw)


def _with_etag(body: Any, version: int, status_code: int = 200) -> JSONResponse:
    return JSONResponse(body, status_code=status_code, headers={"ETag": f'"{version}"'})


IfMatch = Annotated[str | None, Header(alias="If-Match", description='The version you read, as its ETag: "3"')]


def _assessment(a: AssessmentOut) -> JSONResponse:
    return _with_etag(a.model_dump(mode="json"), a.version)


def _section47(s: Section47Out) -> JSONResponse:
    return _with_etag(s.model_dump(mode="json"), s.version)


@router.get(
    "/assessments/worklist",
    response_model=WorklistPage,
    responses=PROBLEMS,
    tags=["worklist"],
    summary="Open assessments, fewest working days left first",
)
async def worklist(
    runtime: RuntimeDep,
    principal: CurrentPrincipal,
    request: Request,
    team: Annotated[str | None, Query(pattern=TEAM_PATTERN, description="only this team (default: all yours)")] = None,
    cursor: Annotated[str | None, Query(description="next_cursor from the previous page")] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> WorklistPage:
    """The team's open assessments ordered by working days left to the 45-working-day limit; those
    past it come first, flagged ``overdue``."""
    return await service.worklist(_uow(runtime, principal, request), _policy(runtime), team=team, cursor=cursor, limit=limit)


@router.get(
    "/assessments/measures",
    response_model=MeasuresOut,
    responses=PROBLEMS,
    tags=["measures"],
    summary="Timeliness and outcomes of completed assessments",
)
async def measures(
    runtime: RuntimeDep,
    principal: CurrentPrincipal,
    request: Request,
    date_from: Annotated[date, Query(alias="from", description="first authorisation date counted")],
    date_to: Annotated[date, Query(alias="to", description="last authorisation date counted")],
    team: Annotated[str | None, Query(pattern=TEAM_PATTERN, description="only this team")] = None,
) -> MeasuresOut:
    """Assessments authorised in the range: how many, median working days, the share within 45
    working days of the referral, the outcomes, and the same by team."""
    return await service.measures(
        _uow(runtime, principal, request), _policy(runtime), date_from=date_from, date_to=date_to, team=team
    )


@router.get(
    "/assessments/{assessment_id}",
    response_model=AssessmentOut,
    responses=PROBLEMS,
    tags=["assessments"],
    summary="Read an assessment",
)
async def get_assessment(
    assessment_id: uuid.UUID, runtime: RuntimeDep, principal: CurrentPrincipal, request: Request
) -> JSONResponse:
    return _assessment(await service.get_assessment(_uow(runtime, principal, request), assessment_id))


@router.post(
    "/assessments/{assessment_id}/allocation",
    response_model=AssessmentOut,
    responses=PROBLEMS,
    tags=["assessments"],
    summary="Allocate the lead practitioner",
)
async def allocate(
    assessment_id: uuid.UUID,
    body: AllocationIn,
    runtime: RuntimeDep,
    principal: CurrentPrincipal,
    request: Request,
    if_match: IfMatch = None,
) -> JSONResponse:
    """A social-work-qualified manager allocates (or, with a reason, reallocates) the lead
    practitioner. Section 47 work may only go to a social-work role."""
    uow = _uow(runtime, principal, request)
    return _assessment(await service.allocate(uow, assessment_id, body, _policy(runtime), _version(if_match)))


@router.patch(
    "/assessments/{assessment_id}",
    response_model=AssessmentOut,
    responses=PROBLEMS,
    tags=["assessments"],
    summary="Record the assessment",
)
async def record(
    assessment_id: uuid.UUID,
    body: RecordIn,
    runtime: RuntimeDep,
    principal: CurrentPrincipal,
    request: Request,
    if_match: IfMatch = None,
) -> JSONResponse:
    """The lead practitioner records start date, when the child was seen (and alone), factors,
    primary need, specialist assessments and the recommendation. Omitted fields keep their value."""
    return _assessment(await service.record(_uow(runtime, principal, request), assessment_id, body, _version(if_match)))


@router.post(
    "/assessments/{assessment_id}/submission",
    response_model=AssessmentOut,
    responses=PROBLEMS,
    tags=["assessments"],
    summary="Submit for authorisation",
)
async def submit(
    assessment_id: uuid.UUID, runtime: RuntimeDep, principal: CurrentPrincipal, request: Request, if_match: IfMatch = None
) -> JSONResponse:
    return _assessment(await service.submit(_uow(runtime, principal, request), assessment_id, _version(if_match)))


@router.post(
    "/assessments/{assessment_id}/return",
    response_model=AssessmentOut,
    responses=PROBLEMS,
    tags=["assessments"],
    summary="Return to the lead practitioner",
)
async def return_assessment(
    assessment_id: uuid.UUID,
    body: ReturnIn,
    runtime: RuntimeDep,
    principal: CurrentPrincipal,
    request: Request,
    if_match: IfMatch = None,
) -> JSONResponse:
    return _assessment(
        await service.return_assessment(_uow(runtime, principal, request), assessment_id, body, _version(if_match))
    )


@router.post(
    "/assessments/{assessment_id}/authorisation",
    response_model=AssessmentOut,
    responses=PROBLEMS,
    tags=["assessments"],
    summary="Authorise the assessment",
)
async def authorise(
    assessment_id: uuid.UUID,
    body: AuthorisationIn,
    runtime: RuntimeDep,
    principal: CurrentPrincipal,
    request: Request,
    if_match: IfMatch = None,
) -> JSONResponse:
    """A social-work-qualified manager authorises with the authorisation date (not before the start
    date) and the outcome: NFA closes the episode (RC8), early help closes it to step-down (RC9)."""
    uow = _uow(runtime, principal, request)
    return _assessment(await service.authorise(uow, assessment_id, body, _policy(runtime), _version(if_match)))


@router.get(
    "/section47/{section47_id}",
    response_model=Section47Out,
    responses=PROBLEMS,
    tags=["section 47"],
    summary="Read a section 47 enquiry",
)
async def get_section47(
    section47_id: uuid.UUID, runtime: RuntimeDep, principal: CurrentPrincipal, request: Request
) -> JSONResponse:
    return _section47(await service.get_section47(_uow(runtime, principal, request), section47_id))


@router.post(
    "/section47/{section47_id}/start",
    response_model=Section47Out,
    responses=PROBLEMS,
    tags=["section 47"],
    summary="Start the enquiry",
)
async def start_section47(
    section47_id: uuid.UUID,
    body: Section47StartIn,
    runtime: RuntimeDep,
    principal: CurrentPrincipal,
    request: Request,
    if_match: IfMatch = None,
) -> JSONResponse:
    """Records the strategy discussion and the enquiry's start; the initial child protection
    conference is due 15 working days after the strategy discussion."""
    return _section47(await service.start_section47(_uow(runtime, principal, request), section47_id, body, _version(if_match)))


@router.post(
    "/section47/{section47_id}/conclusion",
    response_model=Section47Out,
    responses=PROBLEMS,
    tags=["section 47"],
    summary="Conclude the enquiry",
)
async def conclude_section47(
    section47_id: uuid.UUID,
    body: Section47ConclusionIn,
    runtime: RuntimeDep,
    principal: CurrentPrincipal,
    request: Request,
    if_match: IfMatch = None,
) -> JSONResponse:
    return _section47(await service.conclude_section47(_uow(runtime, principal, request), section47_id, body, _version(if_match)))


__all__ = ["router"]
