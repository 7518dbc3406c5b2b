"""The referral service's HTTP API (thin: parse, call the use case, shape the response)."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, Request
from fastapi.responses import JSONResponse

from continuum.auth import CurrentPrincipal
from continuum.errors import invalid
from continuum.policy import TEAM_PATTERN, CouncilPolicy
from continuum.service_app import RuntimeDep
from continuum.uow import UnitOfWork
from referral import service
from referral.schemas import (
    ChildIn,
    ChildOut,
    ChildPatch,
    CorrectionIn,
    DecisionIn,
    InformationAnswerIn,
    InformationRequestIn,
    InformationRequestOut,
    QueuePage,
    ReferralIn,
    ReferralOut,
)

router = APIRouter(prefix="/v1")

PROBLEMS: dict[int | str, dict[str, Any]] = {
    code: {"description": text, "content": {"application/problem+json": {}}}
    for code, text in {
        401: "No valid bearer token",
        403: "Your role may not do this",
        404: "Not found, or not visible to you",
        409: "Conflicts with the record's state",
        412: "If-Match does not match the current version",
        422: "Bad input: the errors list names each field and why",
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
IdempotencyKey = Annotated[
    str | None,
    Header(alias="Idempotency-Key", max_length=200, description="Repeat a request safely: same key, same body, same answer"),
]


@router.post(
    "/children", status_code=201, response_model=ChildOut, responses=PROBLEMS, tags=["children"], summary="Register a child"
)
async def register_child(body: ChildIn, runtime: RuntimeDep, principal: CurrentPrincipal, request: Request) -> JSONResponse:
    """Registers a child. The same NHS number or UPN is the same child (answers 200 with that child);
    the same name and date of birth answers 409 with the possible matches."""
    child, created = await service.register_child(_uow(runtime, principal, request), body)
    return _with_etag(child.model_dump(mode="json"), child.version, 201 if created else 200)


@router.get(
    "/children/{child_id}", response_model=ChildOut, responses=PROBLEMS, tags=["children"], summary="Read a child's record"
)
async def get_child(child_id: uuid.UUID, runtime: RuntimeDep, principal: CurrentPrincipal, request: Request) -> JSONResponse:
    child = await service.get_child(_uow(runtime, principal, request), child_id)
    return _with_etag(child.model_dump(mode="json"), child.version)


@router.patch(
    "/children/{child_id}", response_model=ChildOut, responses=PROBLEMS, tags=["children"], summary="Update a child's record"
)
async def update_child(
    child_id: uuid.UUID,
    body: ChildPatch,
    runtime: RuntimeDep,
    principal: CurrentPrincipal,
    request: Request,
    if_match: IfMatch = None,
) -> JSONResponse:
    child = await service.update_child(_uow(runtime, principal, request), child_id, body, _version(if_match))
    return _with_etag(child.model_dump(mode="json"), child.version)


@router.post(
    "/referrals",
    status_code=201,
    response_model=ReferralOut,
    responses=PROBLEMS,
    tags=["referrals"],
    summary="Receive a referral",
)
async def receive_referral(
    body: ReferralIn, runtime: RuntimeDep, principal: CurrentPrincipal, request: Request, idempotency_key: IdempotencyKey = None
) -> JSONResponse:
    """Opens a case (episode) for a new or registered child. The decision is due one working day
    after receipt; a referral within 12 months of the child's previous one is flagged a re-referral."""
    code, payload = await service.receive_referral(
        _uow(runtime, principal, request), body, _policy(runtime), idempotency_key=idempotency_key
    )
    return _with_etag(payload, payload["version"], code)


@router.get(
    "/referrals/{referral_id}", response_model=ReferralOut, responses=PROBLEMS, tags=["referrals"], summary="Read a referral"
)
async def get_referral(
    referral_id: uuid.UUID, runtime: RuntimeDep, principal: CurrentPrincipal, request: Request
) -> JSONResponse:
    referral = await service.get_referral(_uow(runtime, principal, request), referral_id)
    return _with_etag(referral.model_dump(mode="json"), referral.version)


@router.post(
    "/referrals/{referral_id}/decision",
    response_model=ReferralOut,
    responses=PROBLEMS,
    tags=["referrals"],
    summary="Decide a referral",
)
async def decide(
    referral_id: uuid.UUID,
    body: DecisionIn,
    runtime: RuntimeDep,
    principal: CurrentPrincipal,
    request: Request,
    if_match: IfMatch = None,
) -> JSONResponse:
    """A manager decides: NFA, early help, assessment or strategy discussion, with reasons and the
    team to allocate to. NFA and early help close the episode. A decided referral cannot be decided
    again: record a correction."""
    referral = await service.decide(_uow(runtime, principal, request), referral_id, body, _policy(runtime), _version(if_match))
    return _with_etag(referral.model_dump(mode="json"), referral.version)


@router.post(
    "/referrals/{referral_id}/decision-corrections",
    response_model=ReferralOut,
    responses=PROBLEMS,
    tags=["referrals"],
    summary="Correct a decision",
)
async def correct_decision(
    referral_id: uuid.UUID,
    body: CorrectionIn,
    runtime: RuntimeDep,
    principal: CurrentPrincipal,
    request: Request,
    if_match: IfMatch = None,
) -> JSONResponse:
    referral = await service.correct_decision(
        _uow(runtime, principal, request), referral_id, body, _policy(runtime), _version(if_match)
    )
    return _with_etag(referral.model_dump(mode="json"), referral.version)


@router.post(
    "/referrals/{referral_id}/information-requests",
    status_code=201,
    response_model=InformationRequestOut,
    responses=PROBLEMS,
    tags=["information requests"],
    summary="Ask a partner agency for information",
)
async def request_information(
    referral_id: uuid.UUID, body: InformationRequestIn, runtime: RuntimeDep, principal: CurrentPrincipal, request: Request
) -> InformationRequestOut:
    return await service.request_information(_uow(runtime, principal, request), referral_id, body)


@router.put(
    "/referrals/{referral_id}/information-requests/{request_id}/answer",
    response_model=InformationRequestOut,
    responses=PROBLEMS,
    tags=["information requests"],
    summary="Record a partner agency's answer",
)
async def record_information(
    referral_id: uuid.UUID,
    request_id: uuid.UUID,
    body: InformationAnswerIn,
    runtime: RuntimeDep,
    principal: CurrentPrincipal,
    request: Request,
) -> InformationRequestOut:
    return await service.record_information(_uow(runtime, principal, request), referral_id, request_id, body)


@router.get(
    "/front-door/queue",
    response_model=QueuePage,
    responses=PROBLEMS,
    tags=["front door"],
    summary="Undecided referrals, soonest due first",
)
async def queue(
    runtime: RuntimeDep,
    principal: CurrentPrincipal,
    request: Request,
    team: Annotated[str | None, Query(pattern=TEAM_PATTERN, description="only this team's referrals")] = None,
    cursor: Annotated[str | None, Query(description="next_cursor from the previous page")] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> QueuePage:
    return await service.front_door_queue(_uow(runtime, principal, request), team=team, cursor=cursor, limit=limit)


__all__ = ["router"]
