"""The referral service's HTTP API (thin: parse, call the use case, pick the status and headers).
Each route's function name is its OpenAPI operationId and its entry in permissions.py."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Annotated, Any, TypeVar

from fastapi import Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from continuum.casework.policy import TEAM_PATTERN
from continuum.persistence.idempotency import Replayed
from continuum.web import http
from continuum.web.imports import DryRun, import_answer
from continuum.web.pagination import Page
from referral import schemas, views
from referral.use_cases import children, decisions, imports, information, intake, reads
from referral.use_cases import queue as front_door
from referral.use_cases.commands import Decide, NewChild, ReceiveReferral, RecordInformation, RequestInformation, UpdateChild

router = http.api_router()

_LOCATION = {"Location": {"description": "The URL of the record created", "schema": {"type": "string"}}}


def _answers(*codes: int, created: bool = False, versioned: bool = True) -> dict[int | str, dict[str, Any]]:
    """OpenAPI for the success answers (their headers) and every problem answer."""
    headers = (http.ETAG_HEADER if versioned else {}) | (_LOCATION if created else {})
    return {code: {"headers": headers} for code in codes} | http.PROBLEM_RESPONSES


_Route = TypeVar("_Route", bound=Callable[..., Any])


def _record_route(method: str, path: str, record: type[BaseModel], *, tag: str, summary: str) -> Callable[[_Route], _Route]:
    """A route that answers one record (a child or a referral), its version as the ETag."""
    return router.api_route(path, methods=[method], response_model=record, responses=_answers(200), tags=[tag], summary=summary)


def _list_route(path: str, page: type[BaseModel], *, tag: str, summary: str) -> Callable[[_Route], _Route]:
    """A ``GET`` that answers one page of a list, without an ETag."""
    return router.get(path, response_model=page, responses=_answers(200, versioned=False), tags=[tag], summary=summary)


def _information_route(method: str, path: str, *, status: int, summary: str) -> Callable[[_Route], _Route]:
    """A route that answers one information request (asked: 201, answered: 200), without an ETag."""
    return router.api_route(
        path,
        methods=[method],
        status_code=status,
        response_model=schemas.InformationRequestOut,
        responses=_answers(status, versioned=False),
        tags=["information requests"],
        summary=summary,
    )


def _created(body: dict[str, Any], version: int, location: str) -> JSONResponse:
    response = http.with_etag(body, version, 201)
    response.headers["Location"] = location
    return response


def _new_child(body: schemas.ChildIn) -> NewChild:
    return NewChild(body.identity(), confirmed_new=body.confirmed_new)


async def _decided(request: Request, command: Decide) -> JSONResponse:
    """A decision or its correction, answered with the referral and its new version as the ETag."""
    return http.answer(
        await decisions.decide(http.unit_of_work(request), command, policy=http.council_policy(request)), views.referral_out
    )


def _decision(
    referral_id: uuid.UUID, body: schemas.DecisionIn, if_match: str | None, correction_reason: str | None = None
) -> Decide:
    return Decide(
        referral_id,
        outcome=body.outcome,
        reasons=body.reasons,
        team=body.team,
        expected_version=http.expected_version(if_match),
        correction_reason=correction_reason,
    )


@router.post(
    "/children",
    status_code=201,
    response_model=schemas.ChildOut,
    responses=_answers(201, created=True)
    | {200: {"description": "The registered child it is", "model": schemas.ChildOut, "headers": http.ETAG_HEADER}},
    tags=["children"],
    summary="Register a child",
)
async def register_child(body: schemas.ChildIn, request: Request) -> JSONResponse:
    """Registers a child (201). The same NHS number or UPN with the same name and date of birth is
    the same child (200, that child); the same identifier with another identity, or the same name
    and date of birth, answers 409 with the candidates (to the front door)."""
    record = await children.register_child(http.unit_of_work(request), _new_child(body))
    child = views.child_view(record)
    if record.created:
        return _created(child.model_dump(mode="json"), child.version, f"/v1/children/{child.id}")
    return http.with_etag(child.model_dump(mode="json"), child.version)


@_record_route("GET", "/children/{child_id}", schemas.ChildOut, tag="children", summary="Read a child's record")
async def get_child(child_id: uuid.UUID, request: Request) -> JSONResponse:
    return http.answer(await children.get_child(http.unit_of_work(request), child_id=child_id), views.child_view)


@_record_route("PATCH", "/children/{child_id}", schemas.ChildOut, tag="children", summary="Update a child's record")
async def update_child(child_id: uuid.UUID, body: schemas.ChildPatch, request: Request, if_match: http.IfMatch) -> JSONResponse:
    """Changes the fields sent, checked against the census rules and the dates of the child's
    referrals. A child's first NHS number tells partners it is referred (its undecided referrals)."""
    command = UpdateChild(child_id, body.model_dump(exclude_unset=True), http.expected_version(if_match))
    child = await children.update_child(http.unit_of_work(request), command, policy=http.council_policy(request))
    return http.answer(child, views.child_view)


@router.post(
    "/referrals",
    status_code=201,
    response_model=schemas.ReferralOut,
    responses=_answers(201, created=True),
    tags=["referrals"],
    summary="Receive a referral",
    openapi_extra=http.IDEMPOTENT,
)
async def receive_referral(body: schemas.ReferralIn, request: Request) -> JSONResponse:
    """Opens a case (episode) for a new or registered child. The decision is due one working day
    after receipt; a referral within 12 months of the child's previous one is flagged a re-referral.
    A child whose episode is still open gets no second one: 409 `open-episode` naming the open
    episode to whoever may see it (the front door), `front-door-review` naming nothing to others."""
    command = ReceiveReferral(body.intake(), child_id=body.child_id, child=_new_child(body.child) if body.child else None)
    result = await intake.receive_referral(
        http.unit_of_work(request), command, policy=http.council_policy(request), idempotency_key=http.idempotency_key(request)
    )
    response = http.answer(result, views.referral_out, status=201)
    referral_id = result.body["id"] if isinstance(result, Replayed) else result.referral.id
    response.headers["Location"] = f"/v1/referrals/{referral_id}"
    return response


@_list_route("/referrals", Page[schemas.ReferralSummary], tag="referrals", summary="A child's referrals")
async def list_referrals(
    request: Request,
    child_id: Annotated[uuid.UUID, Query(description="The child whose referrals to list")],
    cursor: http.Cursor = None,
    limit: http.Limit = 50,
) -> Page[schemas.ReferralSummary]:
    """The child's referrals that you may see, oldest first, each with the decision in force."""
    return await reads.list_referrals(http.unit_of_work(request), child_id=child_id, cursor=cursor, limit=limit)


@_record_route("GET", "/referrals/{referral_id}", schemas.ReferralOut, tag="referrals", summary="Read a referral")
async def get_referral(referral_id: uuid.UUID, request: Request) -> JSONResponse:
    """The referral with its child, every decision in order (`decisions`) and its information requests."""
    return http.answer(await reads.get_referral(http.unit_of_work(request), referral_id=referral_id), views.referral_out)


@_record_route("POST", "/referrals/{referral_id}/decision", schemas.ReferralOut, tag="referrals", summary="Decide a referral")
async def decide(referral_id: uuid.UUID, body: schemas.DecisionIn, request: Request, if_match: http.IfMatch) -> JSONResponse:
    """A manager decides: NFA, early help, assessment or strategy discussion, with reasons and the
    team to allocate to. No decision closes the episode: the step-down service closes it (an NFA at
    once) and the referral shows its closure. A decided referral cannot be decided again: record a
    correction."""
    command = _decision(referral_id, body, if_match)
    return await _decided(request, command)


@_record_route(
    "POST", "/referrals/{referral_id}/decision-corrections", schemas.ReferralOut, tag="referrals", summary="Correct a decision"
)
async def correct_decision(
    referral_id: uuid.UUID, body: schemas.CorrectionIn, request: Request, if_match: http.IfMatch
) -> JSONResponse:
    """A manager replaces the decision in force with another outcome or team, saying why; the
    correction is published as a new `referral.decided` naming the decision it corrects. A
    correction that would reopen a closed episode while the child has another open one answers 409."""
    command = _decision(referral_id, body, if_match, correction_reason=body.correction_reason)
    return await _decided(request, command)


@_information_route(
    "POST", "/referrals/{referral_id}/information-requests", status=201, summary="Ask a partner agency for information"
)
async def request_information(
    referral_id: uuid.UUID, body: schemas.InformationRequestIn, request: Request
) -> schemas.InformationRequestOut:
    command = RequestInformation(referral_id, agency=body.agency, question=body.question, due_at=body.due_at)
    return views.request_view(await information.request_information(http.unit_of_work(request), command))


@_information_route(
    "PUT",
    "/referrals/{referral_id}/information-requests/{request_id}/answer",
    status=200,
    summary="Record a partner agency's answer",
)
async def record_information(
    referral_id: uuid.UUID, request_id: uuid.UUID, body: schemas.InformationAnswerIn, request: Request
) -> schemas.InformationRequestOut:
    command = RecordInformation(referral_id, request_id, answer=body.answer)
    return views.request_view(await information.record_information(http.unit_of_work(request), command))


@_list_route("/front-door/queue", Page[schemas.QueueItem], tag="front door", summary="Undecided referrals, soonest due first")
async def queue(
    request: Request,
    team: Annotated[str | None, Query(pattern=TEAM_PATTERN, max_length=50, description="only this team's referrals")] = None,
    cursor: http.Cursor = None,
    limit: http.Limit = 50,
) -> Page[schemas.QueueItem]:
    return await front_door.front_door_queue(
        http.unit_of_work(request), team=team, cursor=cursor, limit=limit, policy=http.council_policy(request)
    )


@_list_route(
    "/front-door/contacts",
    Page[schemas.ContactItem],
    tag="front door",
    summary="Contacts recorded on open episodes, oldest first",
)
async def contacts(
    request: Request,
    team: Annotated[str | None, Query(pattern=TEAM_PATTERN, max_length=50, description="only this team's episodes")] = None,
    cursor: http.Cursor = None,
    limit: http.Limit = 50,
) -> Page[schemas.ContactItem]:
    """Step-ups from early help that arrived while the child's episode was open, recorded on that
    episode instead of opening a second one, for the front door to pass to the episode's team."""
    return await front_door.front_door_contacts(
        http.unit_of_work(request), team=team, cursor=cursor, limit=limit, policy=http.council_policy(request)
    )


@router.post(
    "/imports/children",
    response_model=schemas.ChildrenImportAnswer,
    responses=_answers(200, versioned=False),
    tags=["imports"],
    summary="Import children and their referrals from a council's history",
)
async def import_children(
    body: schemas.ChildrenImportIn, request: Request, dry_run: DryRun = False
) -> schemas.ChildrenImportAnswer:
    """For the import role alone (decision 59): each child registered with its census record and
    each episode's referral received and decided on its real day, its events at their real
    instants, marked with the file it came from. Each child is written whole or refused (a line of
    `problems`: child, element, reason); the same child again is `unchanged`, a later return's new
    referrals `updated`. With `dry_run=true` every child is checked and nothing written."""
    command = imports.ImportChildren(body.source, body.la, body.imported_children(), dry_run=dry_run)
    tally = await imports.import_children(http.unit_of_work(request), command, policy=http.council_policy(request))
    return schemas.ChildrenImportAnswer(**import_answer(tally, dry_run=dry_run).model_dump())


__all__ = ["router"]
