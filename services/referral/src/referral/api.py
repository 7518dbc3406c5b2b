"""The referral service's HTTP API (thin: parse, call the use case, shape the response)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse

from continuum.http import (
    PROBLEM_RESPONSES,
    IdempotencyKey,
    IfMatch,
    PolicyDep,
    UnitOfWorkDep,
    expected_version,
    with_etag,
)
from continuum.policy import TEAM_PATTERN
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


@router.post(
    "/children",
    status_code=201,
    response_model=ChildOut,
    responses=PROBLEM_RESPONSES,
    tags=["children"],
    summary="Register a child",
)
async def register_child(body: ChildIn, uow: UnitOfWorkDep) -> JSONResponse:
    """Registers a child. The same NHS number or UPN is the same child (answers 200 with that child);
    the same name and date of birth answers 409 with the possible matches."""
    child, created = await service.register_child(uow, body)
    return with_etag(child.model_dump(mode="json"), child.version, 201 if created else 200)


@router.get(
    "/children/{child_id}",
    response_model=ChildOut,
    responses=PROBLEM_RESPONSES,
    tags=["children"],
    summary="Read a child's record",
)
async def get_child(child_id: uuid.UUID, uow: UnitOfWorkDep) -> JSONResponse:
    child = await service.get_child(uow, child_id)
    return with_etag(child.model_dump(mode="json"), child.version)


@router.patch(
    "/children/{child_id}",
    response_model=ChildOut,
    responses=PROBLEM_RESPONSES,
    tags=["children"],
    summary="Update a child's record",
)
async def update_child(
    child_id: uuid.UUID,
    body: ChildPatch,
    uow: UnitOfWorkDep,
    if_match: IfMatch = None,
) -> JSONResponse:
    child = await service.update_child(uow, child_id, body, expected_version(if_match))
    return with_etag(child.model_dump(mode="json"), child.version)


@router.post(
    "/referrals",
    status_code=201,
    response_model=ReferralOut,
    responses=PROBLEM_RESPONSES,
    tags=["referrals"],
    summary="Receive a referral",
)
async def receive_referral(
    body: ReferralIn, uow: UnitOfWorkDep, policy: PolicyDep, idempotency_key: IdempotencyKey = None
) -> JSONResponse:
    """Opens a case (episode) for a new or registered child. The decision is due one working day
    after receipt; a referral within 12 months of the child's previous one is flagged a re-referral."""
    code, payload = await service.receive_referral(uow, body, policy, idempotency_key=idempotency_key)
    return with_etag(payload, payload["version"], code)


@router.get(
    "/referrals/{referral_id}",
    response_model=ReferralOut,
    responses=PROBLEM_RESPONSES,
    tags=["referrals"],
    summary="Read a referral",
)
async def get_referral(referral_id: uuid.UUID, uow: UnitOfWorkDep) -> JSONResponse:
    referral = await service.get_referral(uow, referral_id)
    return with_etag(referral.model_dump(mode="json"), referral.version)


@router.post(
    "/referrals/{referral_id}/decision",
    response_model=ReferralOut,
    responses=PROBLEM_RESPONSES,
    tags=["referrals"],
    summary="Decide a referral",
)
async def decide(
    referral_id: uuid.UUID,
    body: DecisionIn,
    uow: UnitOfWorkDep,
    policy: PolicyDep,
    if_match: IfMatch = None,
) -> JSONResponse:
    """A manager decides: NFA, early help, assessment or strategy discussion, with reasons and the
    team to allocate to. NFA and early help close the episode. A decided referral cannot be decided
    again: record a correction."""
    referral = await service.decide(uow, referral_id, body, policy, expected_version(if_match))
    return with_etag(referral.model_dump(mode="json"), referral.version)


@router.post(
    "/referrals/{referral_id}/decision-corrections",
    response_model=ReferralOut,
    responses=PROBLEM_RESPONSES,
    tags=["referrals"],
    summary="Correct a decision",
)
async def correct_decision(
    referral_id: uuid.UUID,
    body: CorrectionIn,
    uow: UnitOfWorkDep,
    policy: PolicyDep,
    if_match: IfMatch = None,
) -> JSONResponse:
    referral = await service.correct_decision(uow, referral_id, body, policy, expected_version(if_match))
    return with_etag(referral.model_dump(mode="json"), referral.version)


@router.post(
    "/referrals/{referral_id}/information-requests",
    status_code=201,
    response_model=InformationRequestOut,
    responses=PROBLEM_RESPONSES,
    tags=["information requests"],
    summary="Ask a partner agency for information",
)
async def request_information(referral_id: uuid.UUID, body: InformationRequestIn, uow: UnitOfWorkDep) -> InformationRequestOut:
    return await service.request_information(uow, referral_id, body)


@router.put(
    "/referrals/{referral_id}/information-requests/{request_id}/answer",
    response_model=InformationRequestOut,
    responses=PROBLEM_RESPONSES,
    tags=["information requests"],
    summary="Record a partner agency's answer",
)
async def record_information(
    referral_id: uuid.UUID,
    request_id: uuid.UUID,
    body: InformationAnswerIn,
    uow: UnitOfWorkDep,
) -> InformationRequestOut:
    return await service.record_information(uow, referral_id, request_id, body)


@router.get(
    "/front-door/queue",
    response_model=QueuePage,
    responses=PROBLEM_RESPONSES,
    tags=["front door"],
    summary="Undecided referrals, soonest due first",
)
async def queue(
    uow: UnitOfWorkDep,
    team: Annotated[str | None, Query(pattern=TEAM_PATTERN, max_length=50, description="only this team's referrals")] = None,
    cursor: Annotated[str | None, Query(max_length=200, description="next_cursor from the previous page")] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> QueuePage:
    return await service.front_door_queue(uow, team=team, cursor=cursor, limit=limit)


__all__ = ["router"]
