"""The plan service's HTTP API (thin: parse, call the use case, shape the answer)."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import Query, Request
from fastapi.responses import HTMLResponse, JSONResponse

from continuum.casework.policy import TEAM_PATTERN
from continuum.web.http import (
    ETAG_HEADER,
    IDEMPOTENT,
    PROBLEM_RESPONSES,
    Cursor,
    IfMatch,
    Limit,
    api_router,
    council_policy,
    idempotency_key,
    required_version,
    unit_of_work,
    versioned_answer,
    with_etag,
)
from plan.answers import (
    MeetingPage,
    PlanOut,
    PlanPage,
    PreproceedingsOut,
    PreproceedingsPage,
    ReviewPage,
    VersionPage,
    VisitPage,
    WorklistPage,
)
from plan.schemas import (
    ActionChangeIn,
    ActionIn,
    ApprovalIn,
    AttendanceIn,
    CareProceedingsLetterIn,
    EndingIn,
    InterventionIn,
    InterventionOutcomeIn,
    MeetingIn,
    PlanEditIn,
    PreproceedingsDecisionIn,
    PreproceedingsIn,
    PreproceedingsStartIn,
    ReviewIn,
    StrategyDiscussionIn,
    VisitIn,
)
from plan.use_cases import casework, editing, lifecycle, preproceedings, reads

router = api_router()


PLAN_ANSWER = versioned_answer("The plan; its ETag is the version to send as If-Match")
PLAN_CREATED = versioned_answer("Added; the plan, whose ETag is the version to send as If-Match", 201)


def _plan(body: dict[str, Any], status_code: int = 200) -> JSONResponse:
    return with_etag(body, body["version"], status_code)


@router.get(
    "/plans", response_model=PlanPage, responses=PROBLEM_RESPONSES, tags=["plans"], summary="Find the plans of a case or a child"
)
async def find_plans(
    request: Request,
    case_id: Annotated[uuid.UUID | None, Query(description="The case (episode) id")] = None,
    child_id: Annotated[uuid.UUID | None, Query(description="The child's id")] = None,
) -> PlanPage:
    """Exactly one of ``case_id`` and ``child_id``. Only the plans you may see are listed, oldest
    first, each with the date the child was last seen; each is a read of the child's record, audited."""
    return await reads.find_plans(unit_of_work(request), case_id=case_id, child_id=child_id)


@router.get(
    "/plans/worklist",
    response_model=WorklistPage,
    responses=PROBLEM_RESPONSES,
    tags=["worklist"],
    summary="Plans drifting, or that could close or step down",
)
async def worklist(
    request: Request,
    team: Annotated[
        str | None, Query(pattern=TEAM_PATTERN, max_length=50, description="only this team (default: all yours)")
    ] = None,
    cursor: Cursor = None,
    limit: Limit = 50,
) -> WorklistPage:
    """The manager's worklist: started plans that drift (open past the council's thresholds, a review
    overdue, actions past due, a visit missed, no progress at the last review) next to those that
    could close or step down and why; the one needing attention longest first."""
    return await reads.worklist(unit_of_work(request), team=team, cursor=cursor, limit=limit, policy=council_policy(request))


@router.get("/plans/{plan_id}", response_model=PlanOut, responses=PLAN_ANSWER, tags=["plans"], summary="Read a plan")
async def get_plan(plan_id: uuid.UUID, request: Request) -> JSONResponse:
    answer = await reads.get_plan(unit_of_work(request), plan_id=plan_id, policy=council_policy(request))
    return with_etag(answer.model_dump(mode="json"), answer.version)


@router.get(
    "/plans/{plan_id}/versions",
    response_model=VersionPage,
    responses=PROBLEM_RESPONSES,
    tags=["plans"],
    summary="The plan's versions, oldest first",
)
async def list_versions(plan_id: uuid.UUID, request: Request, cursor: Cursor = None, limit: Limit = 50) -> VersionPage:
    """Every version: what changed, who changed it, when, and its quality then (the plan's read
    carries the first page; this one pages the rest). A read of the child's record, audited."""
    return await reads.history(unit_of_work(request), plan_id=plan_id, kind="versions", cursor=cursor, limit=limit)


@router.get(
    "/plans/{plan_id}/reviews",
    response_model=ReviewPage,
    responses=PROBLEM_RESPONSES,
    tags=["reviews"],
    summary="The plan's reviews, oldest first",
)
async def list_reviews(plan_id: uuid.UUID, request: Request, cursor: Cursor = None, limit: Limit = 50) -> ReviewPage:
    """Every review: its date against its due date, the decision and what it found. A read of the
    child's record, audited."""
    return await reads.history(unit_of_work(request), plan_id=plan_id, kind="reviews", cursor=cursor, limit=limit)


@router.get(
    "/plans/{plan_id}/visits",
    response_model=VisitPage,
    responses=PROBLEM_RESPONSES,
    tags=["visits"],
    summary="The plan's visits, oldest first",
)
async def list_visits(plan_id: uuid.UUID, request: Request, cursor: Cursor = None, limit: Limit = 50) -> VisitPage:
    """Every visit, planned or made: whether the child was seen, and alone. A read of the child's
    record, audited."""
    return await reads.history(unit_of_work(request), plan_id=plan_id, kind="visits", cursor=cursor, limit=limit)


@router.get(
    "/plans/{plan_id}/meetings",
    response_model=MeetingPage,
    responses=PROBLEM_RESPONSES,
    tags=["meetings"],
    summary="The plan's meetings, oldest first",
)
async def list_meetings(plan_id: uuid.UUID, request: Request, cursor: Cursor = None, limit: Limit = 50) -> MeetingPage:
    """Every meeting with its invitees and who attended. A read of the child's record, audited."""
    return await reads.history(unit_of_work(request), plan_id=plan_id, kind="meetings", cursor=cursor, limit=limit)


@router.get(
    "/plans/{plan_id}/family-copy",
    response_class=HTMLResponse,
    responses={200: {"description": "The family's copy of the plan", "content": {"text/html": {}}}, **PROBLEM_RESPONSES},
    tags=["plans"],
    summary="The family's copy of the plan (printable HTML)",
)
async def family_copy(plan_id: uuid.UUID, request: Request) -> HTMLResponse:
    """The plan in plain English for the family: what people are worried about, what will change,
    who does what by when, the next review and who to call; no professional-only details."""
    return HTMLResponse(await reads.family_copy(unit_of_work(request), plan_id=plan_id, policy=council_policy(request)))


@router.patch("/plans/{plan_id}", response_model=PlanOut, responses=PLAN_ANSWER, tags=["plans"], summary="Edit the plan")
async def edit_plan(plan_id: uuid.UUID, body: PlanEditIn, request: Request, if_match: IfMatch) -> JSONResponse:
    """Content, agencies involved, family network and FGDM, and (CP) the category of abuse."""
    return _plan(
        await editing.edit_plan(
            unit_of_work(request), plan_id=plan_id, body=body, version=required_version(if_match), policy=council_policy(request)
        )
    )


@router.post(
    "/plans/{plan_id}/actions",
    status_code=201,
    response_model=PlanOut,
    responses=PLAN_CREATED,
    tags=["actions"],
    summary="Add an action",
    openapi_extra=IDEMPOTENT,
)
async def add_action(plan_id: uuid.UUID, body: ActionIn, request: Request, if_match: IfMatch) -> JSONResponse:
    """Description, owner (person and agency), measure of success and due date, all required."""
    answer = await editing.add_action(
        unit_of_work(request),
        plan_id=plan_id,
        body=body,
        version=required_version(if_match),
        policy=council_policy(request),
        idempotency_key=idempotency_key(request),
    )
    return _plan(answer, 201)


@router.patch(
    "/plans/{plan_id}/actions/{action_id}",
    response_model=PlanOut,
    responses=PLAN_ANSWER,
    tags=["actions"],
    summary="Change an action",
)
async def change_action(
    plan_id: uuid.UUID, action_id: uuid.UUID, body: ActionChangeIn, request: Request, if_match: IfMatch
) -> JSONResponse:
    answer = await editing.change_action(
        unit_of_work(request),
        plan_id=plan_id,
        action_id=action_id,
        body=body,
        version=required_version(if_match),
        policy=council_policy(request),
    )
    return _plan(answer)


@router.post(
    "/plans/{plan_id}/interventions",
    status_code=201,
    response_model=PlanOut,
    responses=PLAN_CREATED,
    tags=["interventions"],
    summary="Commission a service or intervention",
    openapi_extra=IDEMPOTENT,
)
async def add_intervention(plan_id: uuid.UUID, body: InterventionIn, request: Request, if_match: IfMatch) -> JSONResponse:
    answer = await editing.add_intervention(
        unit_of_work(request),
        plan_id=plan_id,
        body=body,
        version=required_version(if_match),
        policy=council_policy(request),
        idempotency_key=idempotency_key(request),
    )
    return _plan(answer, 201)


@router.post(
    "/plans/{plan_id}/interventions/{intervention_id}/outcome",
    response_model=PlanOut,
    responses=PLAN_ANSWER,
    tags=["interventions"],
    summary="Record how an intervention ended",
)
async def complete_intervention(
    plan_id: uuid.UUID,
    intervention_id: uuid.UUID,
    body: InterventionOutcomeIn,
    request: Request,
    if_match: IfMatch,
) -> JSONResponse:
    answer = await editing.complete_intervention(
        unit_of_work(request),
        plan_id=plan_id,
        intervention_id=intervention_id,
        body=body,
        version=required_version(if_match),
        policy=council_policy(request),
    )
    return _plan(answer)


@router.post(
    "/plans/{plan_id}/approval", response_model=PlanOut, responses=PLAN_ANSWER, tags=["plans"], summary="Approve the plan"
)
async def approve_plan(plan_id: uuid.UUID, body: ApprovalIn, request: Request, if_match: IfMatch) -> JSONResponse:
    """A social-work-qualified manager approves a complete draft; the plan starts (census start
    date). A child protection plan starts on the date of the initial conference that decided it,
    whatever day it is approved (409 while that date is not known), and ends the case's active
    child in need plan on that date (next step escalate_cp)."""
    return _plan(
        await lifecycle.approve(
            unit_of_work(request), plan_id=plan_id, body=body, version=required_version(if_match), policy=council_policy(request)
        )
    )


@router.post(
    "/plans/{plan_id}/reviews",
    status_code=201,
    response_model=PlanOut,
    responses=PLAN_CREATED,
    tags=["reviews"],
    summary="Record a review",
    openapi_extra=IDEMPOTENT,
)
async def record_review(plan_id: uuid.UUID, body: ReviewIn, request: Request, if_match: IfMatch) -> JSONResponse:
    """Every unfinished action's progress and the decision; the next review falls due on the
    council's cadence (CIN) or within 6 months (CP review conference)."""
    answer = await casework.record_review(
        unit_of_work(request),
        plan_id=plan_id,
        body=body,
        version=required_version(if_match),
        policy=council_policy(request),
        idempotency_key=idempotency_key(request),
    )
    return _plan(answer, 201)


@router.post(
    "/plans/{plan_id}/visits",
    status_code=201,
    response_model=PlanOut,
    responses=PLAN_CREATED,
    tags=["visits"],
    summary="Record a visit",
    openapi_extra=IDEMPOTENT,
)
async def record_visit(plan_id: uuid.UUID, body: VisitIn, request: Request, if_match: IfMatch) -> JSONResponse:
    answer = await casework.record_visit(
        unit_of_work(request),
        plan_id=plan_id,
        body=body,
        version=required_version(if_match),
        policy=council_policy(request),
        idempotency_key=idempotency_key(request),
    )
    return _plan(answer, 201)


@router.post(
    "/plans/{plan_id}/meetings",
    status_code=201,
    response_model=PlanOut,
    responses=PLAN_CREATED,
    tags=["meetings"],
    summary="Schedule a meeting and invite",
    openapi_extra=IDEMPOTENT,
)
async def schedule_meeting(plan_id: uuid.UUID, body: MeetingIn, request: Request, if_match: IfMatch) -> JSONResponse:
    """Invitations go out as ``meeting.scheduled``; an involved agency left out is flagged."""
    answer = await casework.schedule_meeting(
        unit_of_work(request),
        plan_id=plan_id,
        body=body,
        version=required_version(if_match),
        policy=council_policy(request),
        idempotency_key=idempotency_key(request),
    )
    return _plan(answer, 201)


@router.post(
    "/plans/{plan_id}/meetings/{meeting_id}/attendance",
    response_model=PlanOut,
    responses=PLAN_ANSWER,
    tags=["meetings"],
    summary="Record who attended",
)
async def record_attendance(
    plan_id: uuid.UUID, meeting_id: uuid.UUID, body: AttendanceIn, request: Request, if_match: IfMatch
) -> JSONResponse:
    answer = await casework.record_attendance(
        unit_of_work(request),
        plan_id=plan_id,
        meeting_id=meeting_id,
        body=body,
        version=required_version(if_match),
        policy=council_policy(request),
    )
    return _plan(answer)


@router.post(
    "/plans/{plan_id}/strategy-discussions",
    status_code=201,
    response_model=PlanOut,
    responses=PLAN_CREATED,
    tags=["escalation"],
    summary="Record a strategy discussion held during a CIN plan",
    openapi_extra=IDEMPOTENT,
)
async def record_strategy_discussion(
    plan_id: uuid.UUID, body: StrategyDiscussionIn, request: Request, if_match: IfMatch
) -> JSONResponse:
    """Concerns of significant harm during an active child in need plan: the strategy discussion's
    date (not in the future, not before the plan's start), recorded by a social-work-qualified
    practitioner or manager. ``plan.strategy_discussion_recorded`` makes the assessment service
    start a section 47 enquiry with its conference clock; the CIN plan goes on until the child
    protection plan the conference decides replaces it. A draft or ended plan, or a CP plan, is 409."""
    answer = await casework.record_strategy_discussion(
        unit_of_work(request),
        plan_id=plan_id,
        body=body,
        version=required_version(if_match),
        policy=council_policy(request),
        idempotency_key=idempotency_key(request),
    )
    return _plan(answer, 201)


@router.post("/plans/{plan_id}/ending", response_model=PlanOut, responses=PLAN_ANSWER, tags=["plans"], summary="End the plan")
async def end_plan(plan_id: uuid.UUID, body: EndingIn, request: Request, if_match: IfMatch) -> JSONResponse:
    """Every action's final status, the reason, unmet need and the next step (``plan.ended``)."""
    return _plan(
        await lifecycle.end_plan(
            unit_of_work(request), plan_id=plan_id, body=body, version=required_version(if_match), policy=council_policy(request)
        )
    )


# --- pre-proceedings (of an episode, with or without a plan) ---------------------------------------

PP_ANSWER = versioned_answer("The pre-proceedings block; its ETag is the version to send as If-Match")
_LOCATION = {"Location": {"description": "The URL of the block started", "schema": {"type": "string"}}}
PP_CREATED = versioned_answer("Started; the block, whose ETag is the version to send as If-Match", 201)
PP_CREATED[201]["headers"] = {**ETAG_HEADER, **_LOCATION}


def _block(body: dict[str, Any], status_code: int = 200) -> JSONResponse:
    return with_etag(body, body["version"], status_code)


@router.post(
    "/pre-proceedings",
    status_code=201,
    response_model=PreproceedingsOut,
    responses=PP_CREATED,
    tags=["pre-proceedings"],
    summary="Start pre-proceedings for a child's episode",
    openapi_extra=IDEMPOTENT,
)
async def start_preproceedings(body: PreproceedingsStartIn, request: Request) -> JSONResponse:
    """A new census PreProceedingsandFGDM block for an open episode (its case id), with or without
    a plan: 404 for an episode you may not see or the service does not know (it learns of episodes
    from their assessment or plan), 409 when it is closed or has undecided pre-proceedings."""
    answer = await preproceedings.start(unit_of_work(request), body=body, idempotency_key=idempotency_key(request))
    response = _block(answer, 201)
    response.headers["Location"] = f"/v1/pre-proceedings/{answer['id']}"
    return response


@router.get(
    "/pre-proceedings",
    response_model=PreproceedingsPage,
    responses=PROBLEM_RESPONSES,
    tags=["pre-proceedings"],
    summary="Find the pre-proceedings of an episode or a child",
)
async def find_preproceedings(
    request: Request,
    case_id: Annotated[uuid.UUID | None, Query(description="The episode (case) id")] = None,
    child_id: Annotated[uuid.UUID | None, Query(description="The child's id")] = None,
    cursor: Cursor = None,
    limit: Limit = 50,
) -> PreproceedingsPage:
    """Exactly one of ``case_id`` and ``child_id``; by start date. Each is a read of the child's
    record, audited; another team's are left out."""
    return await preproceedings.find(unit_of_work(request), case_id=case_id, child_id=child_id, cursor=cursor, limit=limit)


@router.get(
    "/pre-proceedings/{preproceedings_id}",
    response_model=PreproceedingsOut,
    responses=PP_ANSWER,
    tags=["pre-proceedings"],
    summary="Read pre-proceedings",
)
async def get_preproceedings(preproceedings_id: uuid.UUID, request: Request) -> JSONResponse:
    answer = await preproceedings.read(unit_of_work(request), preproceedings_id=preproceedings_id)
    return with_etag(answer.model_dump(mode="json"), answer.version)


@router.put(
    "/pre-proceedings/{preproceedings_id}",
    response_model=PreproceedingsOut,
    responses=PP_ANSWER,
    tags=["pre-proceedings"],
    summary="Record pre-proceedings",
)
async def record_preproceedings(
    preproceedings_id: uuid.UUID, body: PreproceedingsIn, request: Request, if_match: IfMatch
) -> JSONResponse:
    """The letter before proceedings, the FGDM offer and whether it was held, and the meetings (the
    whole record each time, until the decision)."""
    return _block(
        await preproceedings.record(
            unit_of_work(request), preproceedings_id=preproceedings_id, body=body, version=required_version(if_match)
        )
    )


@router.post(
    "/pre-proceedings/{preproceedings_id}/decision",
    response_model=PreproceedingsOut,
    responses=PP_ANSWER,
    tags=["pre-proceedings"],
    summary="Decide at the end of pre-proceedings",
)
async def decide_preproceedings(
    preproceedings_id: uuid.UUID, body: PreproceedingsDecisionIn, request: Request, if_match: IfMatch
) -> JSONResponse:
    """The step decision (census StepDecisionDate and PPOutcome); a court application needs the
    FGDM offer recorded or a reasoned exception (409 otherwise)."""
    return _block(
        await preproceedings.decide(
            unit_of_work(request), preproceedings_id=preproceedings_id, body=body, version=required_version(if_match)
        )
    )


@router.post(
    "/pre-proceedings/{preproceedings_id}/care-proceedings-letter",
    response_model=PreproceedingsOut,
    responses=PP_ANSWER,
    tags=["pre-proceedings"],
    summary="Record the letter initiating care proceedings",
)
async def record_care_proceedings_letter(
    preproceedings_id: uuid.UUID, body: CareProceedingsLetterIn, request: Request, if_match: IfMatch
) -> JSONResponse:
    """Census LetterInitCPDate, after the court application (rule 9013); once."""
    return _block(
        await preproceedings.record_care_proceedings_letter(
            unit_of_work(request), preproceedings_id=preproceedings_id, body=body, version=required_version(if_match)
        )
    )


__all__ = ["router"]
