"""The step-down service's HTTP API (thin: parse, call the use case, shape the answer)."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import Annotated, Any, TypeVar

from fastapi import Path, Query, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel

from continuum.casework.policy import TEAM_PATTERN
from continuum.persistence.idempotency import Replayed
from continuum.web import http
from continuum.web.imports import DryRun, import_answer
from continuum.web.limits import QueryDay
from stepdown.domain import Handover, Stepdown, StepdownStatus
from stepdown.domain.audit import MONTH_PATTERN
from stepdown.schemas import (
    AuditDrawIn,
    AuditItemOut,
    AuditSampleOut,
    ClosureIn,
    ClosuresImportIn,
    ClosuresImportOut,
    DeclineIn,
    EngagementIn,
    EscalationPage,
    FindingIn,
    HandoverIn,
    MeasuresOut,
    OutcomeIn,
    StepdownOut,
    StepdownPage,
    StepUpIn,
    StepUpOut,
)
from stepdown.use_cases import audits, handover, imports, reads, stepups
from stepdown.use_cases.commands import (
    Accept,
    Close,
    Decline,
    ListStepdowns,
    Measure,
    RecordEngagement,
    RecordFinding,
    RecordHandover,
    RecordOutcome,
    RequestStepUp,
)
from stepdown.use_cases.imports import ChildClosures, EpisodeClosure, ImportClosures
from stepdown.views import (
    audit_item_view,
    escalation_view,
    measures_csv,
    measures_view,
    page_view,
    sample_csv,
    sample_view,
    step_up_view,
    stepdown_view,
)

router = http.api_router()

Team = Annotated[
    str | None,
    Query(pattern=TEAM_PATTERN, max_length=50, description="only this team (default: all yours; auditors and admins: all)"),
]
Month = Annotated[str, Path(pattern=MONTH_PATTERN, max_length=7, description="The audited month, YYYY-MM")]
From = Annotated[QueryDay, Query(alias="from", description="first London date counted")]
To = Annotated[QueryDay, Query(alias="to", description="last London date counted")]
CSV = {200: {"description": "CSV, one row per line, a header first", "content": {"text/csv": {}}}, **http.PROBLEM_RESPONSES}
STEPDOWN_ANSWER = http.versioned_answer("The step-down; its ETag is the version to send as If-Match")
LOCATION = {"Location": {"description": "The URL of the record created", "schema": {"type": "string"}}}
_Route = TypeVar("_Route", bound=Callable[..., Any])


def _stepdown_route(method: str, path: str, *, tag: str, summary: str) -> Callable[[_Route], _Route]:
    """A route that answers one step-down, with its version as the ETag (a read or a change)."""
    return router.api_route(
        path, methods=[method], response_model=StepdownOut, responses=STEPDOWN_ANSWER, tags=[tag], summary=summary
    )


def _read_route(path: str, *, answer: type[BaseModel], tag: str, summary: str) -> Callable[[_Route], _Route]:
    """A ``GET`` that answers ``answer`` (a list, a count or a record), without an ETag."""
    return router.get(path, response_model=answer, responses=http.PROBLEM_RESPONSES, tags=[tag], summary=summary)


def _csv_route(path: str, *, tag: str, summary: str) -> Callable[[_Route], _Route]:
    """A ``GET`` that answers CSV text."""
    return router.get(path, response_class=Response, responses=CSV, tags=[tag], summary=summary)


async def _changed(request: Request, use_case: Callable[..., Awaitable[Stepdown]], command: object) -> JSONResponse:
    """A change of one step-down, answered with the step-down and its new version as the ETag."""
    return http.answer(await use_case(http.unit_of_work(request), command, policy=http.council_policy(request)), stepdown_view)


@_read_route("/stepdowns", answer=StepdownPage, tag="step-downs", summary="List step-downs")
async def list_stepdowns(
    request: Request,
    team: Team = None,
    status: Annotated[StepdownStatus | None, Query(description="only this status (pending: awaiting early help)")] = None,
    child_id: Annotated[uuid.UUID | None, Query(description="only this child's step-downs")] = None,
    case_id: Annotated[uuid.UUID | None, Query(description="only this case's (episode's) step-downs")] = None,
    cursor: http.Cursor = None,
    limit: http.Limit = 50,
) -> StepdownPage:
    """Step-downs of your teams, as the social-care team or as the receiving early help team, newest
    first; of one child or case if asked (only those you may see: each is a read of the child's
    record, audited, and another team's are left out, their refusal audited)."""
    query = ListStepdowns(team=team, status=status, child_id=child_id, case_id=case_id, cursor=cursor, limit=limit)
    listed = await reads.list_stepdowns(http.unit_of_work(request), query, policy=http.council_policy(request))
    return page_view(listed.items, listed.next_cursor, stepdown_view)


@_read_route(
    "/stepdowns/escalations",
    answer=EscalationPage,
    tag="step-downs",
    summary="The team manager's worklist of declined or unanswered handovers",
)
async def escalations(request: Request, team: Team = None, cursor: http.Cursor = None, limit: http.Limit = 50) -> EscalationPage:
    uow, policy = http.unit_of_work(request), http.council_policy(request)
    listed = await reads.escalations(uow, team=team, cursor=cursor, limit=limit, policy=policy)
    return page_view(listed.items, listed.next_cursor, escalation_view)


@_stepdown_route("GET", "/stepdowns/{stepdown_id}", tag="step-downs", summary="Read a step-down")
async def get_stepdown(stepdown_id: uuid.UUID, request: Request) -> JSONResponse:
    return http.answer(await reads.get_stepdown(http.unit_of_work(request), stepdown_id=stepdown_id), stepdown_view)


@_stepdown_route("PUT", "/stepdowns/{stepdown_id}/handover", tag="step-downs", summary="Record the handover to early help")
async def record_handover(stepdown_id: uuid.UUID, body: HandoverIn, request: Request, if_match: http.IfMatch) -> JSONResponse:
    """Social care writes what early help needs while the handover is pending: the unmet needs, what
    has worked, who leads next (or that the same lead practitioner continues), the family's agreement."""
    command = RecordHandover(stepdown_id, http.required_version(if_match), Handover(**body.model_dump()))
    return await _changed(request, handover.record_handover, command)


@_stepdown_route("POST", "/stepdowns/{stepdown_id}/acceptance", tag="early help", summary="Early help accepts the handover")
async def accept_stepdown(stepdown_id: uuid.UUID, request: Request, if_match: http.IfMatch) -> JSONResponse:
    """The receiving early help team takes the family: the episode closes (RC9 after an assessment)."""
    command = Accept(stepdown_id, http.required_version(if_match))
    return await _changed(request, handover.accept, command)


@_stepdown_route("POST", "/stepdowns/{stepdown_id}/decline", tag="early help", summary="Early help declines the handover")
async def decline_stepdown(stepdown_id: uuid.UUID, body: DeclineIn, request: Request, if_match: http.IfMatch) -> JSONResponse:
    """The handover goes back to the team's manager (worklist and ``stepdown.escalated``); the episode stays open."""
    command = Decline(stepdown_id, http.required_version(if_match), reason=body.reason, detail=body.detail)
    return await _changed(request, handover.decline, command)


@_stepdown_route("POST", "/stepdowns/{stepdown_id}/engagement", tag="early help", summary="Record the family's engagement")
async def record_engagement(stepdown_id: uuid.UUID, body: EngagementIn, request: Request, if_match: http.IfMatch) -> JSONResponse:
    command = RecordEngagement(stepdown_id, http.required_version(if_match), engagement=body.engagement, on=body.recorded_on)
    return await _changed(request, handover.record_engagement, command)


@_stepdown_route(
    "POST", "/stepdowns/{stepdown_id}/outcome", tag="early help", summary="Record early help's outcome when it closes"
)
async def record_outcome(stepdown_id: uuid.UUID, body: OutcomeIn, request: Request, if_match: http.IfMatch) -> JSONResponse:
    command = RecordOutcome(stepdown_id, http.required_version(if_match), outcome=body.outcome, closed_on=body.closed_on)
    return await _changed(request, handover.record_outcome, command)


@_stepdown_route("POST", "/stepdowns/{stepdown_id}/closure", tag="step-downs", summary="The manager closes the episode")
async def close_stepdown(stepdown_id: uuid.UUID, body: ClosureIn, request: Request, if_match: http.IfMatch) -> JSONResponse:
    """A plan that ended without a census reason, or a handover early help declined or left unanswered."""
    command = Close(
        stepdown_id,
        http.required_version(if_match),
        reason=body.reason_for_closure,
        on=body.closure_date,
        unmet_need=body.unmet_need,
    )
    return await _changed(request, handover.close, command)


@router.post(
    "/step-ups",
    status_code=201,
    response_model=StepUpOut,
    responses={201: {"description": "The step-up", "headers": LOCATION}, **http.PROBLEM_RESPONSES},
    tags=["early help"],
    summary="Early help requests a step-up to social care",
    openapi_extra=http.IDEMPOTENT,
)
async def request_step_up(body: StepUpIn, request: Request) -> JSONResponse:
    """Becomes a referral with source 5D in the referral service (``stepup.requested``). The child
    must be one children's social care knows (422 on ``child_id`` otherwise: a new child is referred
    through the front door)."""
    command = RequestStepUp(**body.model_dump())
    key = http.idempotency_key(request)
    made = await stepups.request_step_up(
        http.unit_of_work(request), command, policy=http.council_policy(request), idempotency_key=key
    )
    made_id = made.body["id"] if isinstance(made, Replayed) else made.id
    response = http.answer(made, step_up_view, status=201)
    response.headers["Location"] = f"/v1/step-ups/{made_id}"
    return response


@_read_route("/step-ups/{step_up_id}", answer=StepUpOut, tag="early help", summary="Read a step-up")
async def get_step_up(step_up_id: uuid.UUID, request: Request) -> StepUpOut:
    return step_up_view(await stepups.get_step_up(http.unit_of_work(request), step_up_id=step_up_id))


@router.post(
    "/audits",
    status_code=201,
    response_model=AuditSampleOut,
    responses=http.PROBLEM_RESPONSES,
    tags=["audit"],
    summary="Draw a month's audit sample",
    openapi_extra=http.IDEMPOTENT,
)
async def draw_audit_sample(body: AuditDrawIn, request: Request) -> JSONResponse:
    """The policy's share of the month's step-downs and step-ups, seeded by the month: the same month
    always gives the same sample."""
    drawn = await audits.draw_sample(
        http.unit_of_work(request),
        month=body.month,
        policy=http.council_policy(request),
        idempotency_key=http.idempotency_key(request),
    )
    return http.answer(drawn, lambda sample: sample_view(sample.month, sample.items), status=201)


@_read_route("/audits/{month}", answer=AuditSampleOut, tag="audit", summary="A month's sample and findings")
async def get_audit_sample(month: Month, request: Request) -> AuditSampleOut:
    sample = await audits.get_sample(http.unit_of_work(request), month=month)
    return sample_view(sample.month, sample.items)


@_csv_route("/audits/{month}/sample.csv", tag="audit", summary="A month's sample and findings, as CSV")
async def export_audit_sample(month: Month, request: Request) -> Response:
    return Response(sample_csv(await get_audit_sample(month, request)), media_type="text/csv")


@router.post(
    "/audits/{month}/items/{item_id}/finding",
    response_model=AuditItemOut,
    responses={
        200: {"description": "The item; its ETag is the version to send as If-Match", "headers": http.ETAG_HEADER},
        **http.PROBLEM_RESPONSES,
    },
    tags=["audit"],
    summary="An auditor records a finding",
)
async def record_finding(
    month: Month, item_id: uuid.UUID, body: FindingIn, request: Request, if_match: http.IfMatch
) -> JSONResponse:
    command = RecordFinding(month, item_id, http.required_version(if_match), **body.model_dump())
    return http.answer(await audits.record_finding(http.unit_of_work(request), command), audit_item_view)


@_read_route("/measures", answer=MeasuresOut, tag="measures", summary="Step-down measures by team and quarter")
async def measures(request: Request, date_from: From, date_to: To, team: Team = None) -> MeasuresOut:
    """Closures by duration band from the referral date (every episode's closure, the front door's
    NFA included), unmet need, early help's acceptance and the family's engagement, step-ups and
    re-referrals within 12 months, with the same quarter a year before. Of your teams unless ``team``
    narrows it (auditors and admins: every team). A quarter the period covers only in part is
    flagged ``partial``, with the dates counted (the year before is counted over the same part)."""
    found = await reads.measures(
        http.unit_of_work(request), Measure(date_from, date_to, team), policy=http.council_policy(request)
    )
    return measures_view(found, date_from=date_from, date_to=date_to)


@_csv_route("/measures.csv", tag="measures", summary="The measures, as CSV")
async def export_measures(request: Request, date_from: From, date_to: To, team: Team = None) -> Response:
    return Response(measures_csv(await measures(request, date_from, date_to, team)), media_type="text/csv")


@router.post(
    "/imports/closures",
    response_model=ClosuresImportOut,
    responses=http.PROBLEM_RESPONSES,
    tags=["import"],
    summary="Import the closed episodes of a council's history",
)
async def import_closures(body: ClosuresImportIn, request: Request, dry_run: DryRun = False) -> ClosuresImportOut:
    """For the history import alone (role ``importer``, decision 59): each child's closed episodes
    become step-down's closure records and ``case.closed`` with their real dates, checked by the
    census rules of every closure. A child refused (its element and reason) writes nothing; the same
    file again changes nothing; ``dry_run=true`` checks every child and writes nothing."""
    command = ImportClosures(
        source=body.source,
        la=body.la,
        children=tuple(
            ChildClosures(c.la_child_id, c.team, tuple(EpisodeClosure(**e.model_dump()) for e in c.episodes))
            for c in body.children
        ),
        dry_run=dry_run,
    )
    tally = await imports.import_closures(http.unit_of_work(request), command, policy=http.council_policy(request))
    return ClosuresImportOut.model_validate(import_answer(tally, dry_run=dry_run).model_dump())
