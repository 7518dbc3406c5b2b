"""The plan service's pre-proceedings API (of an episode, with or without a plan): thin, as the
plans' (``plan.api``): parse, build the command, call the use case, shape the answer."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Query, Request
from fastapi.responses import JSONResponse

from continuum.persistence.idempotency import Replayed
from continuum.web import http
from plan.answers import PreproceedingsOut, PreproceedingsPage
from plan.commands import BlockCommand
from plan.routes import Routes
from plan.schemas import CareProceedingsLetterIn, PreproceedingsDecisionIn, PreproceedingsIn, PreproceedingsStartIn
from plan.use_cases import preproceedings
from plan.views import blocks_view, preproceedings_view

router = http.api_router()

PP_ANSWER = http.versioned_answer("The pre-proceedings block; its ETag is the version to send as If-Match")
_LOCATION = {"Location": {"description": "The URL of the block started", "schema": {"type": "string"}}}
PP_CREATED = http.versioned_answer("Started; the block, whose ETag is the version to send as If-Match", 201)
PP_CREATED[201]["headers"] = {**http.ETAG_HEADER, **_LOCATION}
routes = Routes(router, record=PreproceedingsOut, answered=PP_ANSWER, created=PP_CREATED)


async def _change_block(request: Request, preproceedings_id: uuid.UUID, if_match: str, command: BlockCommand) -> JSONResponse:
    version = http.required_version(if_match)
    changed = await preproceedings.change(
        http.unit_of_work(request), preproceedings_id=preproceedings_id, command=command, version=version
    )
    return http.answer(changed, preproceedings_view)


@routes.creates("/pre-proceedings", "pre-proceedings", "Start pre-proceedings for a child's episode")
async def start_preproceedings(body: PreproceedingsStartIn, request: Request) -> JSONResponse:
    """A new census PreProceedingsandFGDM block for an open episode (its case id), with or without
    a plan: 404 for an episode you may not see or the service does not know (it learns of episodes
    from their assessment or plan), 409 when it is closed or has undecided pre-proceedings."""
    result = await preproceedings.start(
        http.unit_of_work(request), command=body.command(), idempotency_key=http.idempotency_key(request)
    )
    response = http.answer(result, preproceedings_view, status=201)
    response.headers["Location"] = f"/v1/pre-proceedings/{result.body['id'] if isinstance(result, Replayed) else result.id}"
    return response


@routes.lists("/pre-proceedings", PreproceedingsPage, "pre-proceedings", "Find the pre-proceedings of an episode or a child")
async def find_preproceedings(
    request: Request,
    case_id: Annotated[uuid.UUID | None, Query(description="The episode (case) id")] = None,
    child_id: Annotated[uuid.UUID | None, Query(description="The child's id")] = None,
    cursor: http.Cursor = None,
    limit: http.Limit = 50,
) -> PreproceedingsPage:
    """Exactly one of ``case_id`` and ``child_id``; by start date. Each is a read of the child's
    record, audited; another team's are left out."""
    found = await preproceedings.find(http.unit_of_work(request), case_id=case_id, child_id=child_id, cursor=cursor, limit=limit)
    return blocks_view(found)


@routes.reads("/pre-proceedings/{preproceedings_id}", "pre-proceedings", "Read pre-proceedings")
async def get_preproceedings(preproceedings_id: uuid.UUID, request: Request) -> JSONResponse:
    return http.answer(
        await preproceedings.read(http.unit_of_work(request), preproceedings_id=preproceedings_id), preproceedings_view
    )


@routes.changes("put", "/pre-proceedings/{preproceedings_id}", "pre-proceedings", "Record pre-proceedings")
async def record_preproceedings(
    preproceedings_id: uuid.UUID, body: PreproceedingsIn, request: Request, if_match: http.IfMatch
) -> JSONResponse:
    """The letter before proceedings, the FGDM offer and whether it was held, and the meetings (the
    whole record each time, until the decision)."""
    return await _change_block(request, preproceedings_id, if_match, body.command())


@routes.changes(
    "post", "/pre-proceedings/{preproceedings_id}/decision", "pre-proceedings", "Decide at the end of pre-proceedings"
)
async def decide_preproceedings(
    preproceedings_id: uuid.UUID, body: PreproceedingsDecisionIn, request: Request, if_match: http.IfMatch
) -> JSONResponse:
    """The step decision (census StepDecisionDate and PPOutcome); a court application needs the
    FGDM offer recorded or a reasoned exception (409 otherwise)."""
    return await _change_block(request, preproceedings_id, if_match, body.command())


@routes.changes(
    "post",
    "/pre-proceedings/{preproceedings_id}/care-proceedings-letter",
    "pre-proceedings",
    "Record the letter initiating care proceedings",
)
async def record_care_proceedings_letter(
    preproceedings_id: uuid.UUID, body: CareProceedingsLetterIn, request: Request, if_match: http.IfMatch
) -> JSONResponse:
    """Census LetterInitCPDate, after the court application (rule 9013); once."""
    return await _change_block(request, preproceedings_id, if_match, body.command())


__all__ = ["router"]
