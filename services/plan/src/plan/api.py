"""The plan service's HTTP API (thin: parse, call the use case, shape the answer)."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import Query, Request
from fastapi.responses import HTMLResponse, JSONResponse

from continuum.casework.policy import TEAM_PATTERN
from continuum.web import http
from continuum.web.imports import DryRun, import_answer
from continuum.web.pagination import Page
from plan.answers import (
    MeetingPage,
    PlanImportAnswer,
    PlanOut,
    PlanPage,
    ReviewPage,
    VersionPage,
    VisitPage,
    WorklistPage,
)
from plan.commands import PlanCommand
from plan.family_copy import render
from plan.import_schemas import PlanImportIn
from plan.routes import Routes
from plan.schemas import (
    ActionChangeIn,
    ActionIn,
    ApprovalIn,
    AttendanceIn,
    EndingIn,
    InterventionIn,
    InterventionOutcomeIn,
    MeetingIn,
    PlanEditIn,
    ReviewIn,
    StrategyDiscussionIn,
    VisitIn,
)
from plan.use_cases import imports, plans, reads
from plan.views import history_list, plan_view, plans_view, worklist_view

router = http.api_router()


PLAN_ANSWER = http.versioned_answer("The plan; its ETag is the version to send as If-Match")
PLAN_CREATED = http.versioned_answer("Added; the plan, whose ETag is the version to send as If-Match", 201)
routes = Routes(router, record=PlanOut, answered=PLAN_ANSWER, created=PLAN_CREATED)


async def _change(
    request: Request, plan_id: uuid.UUID, if_match: str, command: PlanCommand, *, create: bool = False
) -> JSONResponse:
    """Every change of a plan: the command at the version the caller read; a create (``201``)
    takes an Idempotency-Key."""
    result = await plans.change(
        http.unit_of_work(request),
        plan_id=plan_id,
        command=command,
        version=http.required_version(if_match),
        policy=http.council_policy(request),
        idempotency_key=http.idempotency_key(request) if create else None,
        create=create,
    )
    return http.answer(result, plan_view, status=201 if create else 200)


@routes.lists("/plans", PlanPage, "plans", "Find the plans of a case or a child")
async def find_plans(
    request: Request,
    case_id: Annotated[uuid.UUID | None, Query(description="The case (episode) id")] = None,
    child_id: Annotated[uuid.UUID | None, Query(description="The child's id")] = None,
) -> PlanPage:
    """Exactly one of ``case_id`` and ``child_id``. Only the plans you may see are listed, oldest
    first, each with the date the child was last seen; each is a read of the child's record, audited."""
    return plans_view(await reads.find_plans(http.unit_of_work(request), case_id=case_id, child_id=child_id))


@routes.lists("/plans/worklist", WorklistPage, "worklist", "Plans drifting, or that could close or step down")
async def worklist(
    request: Request,
    team: Annotated[
        str | None, Query(pattern=TEAM_PATTERN, max_length=50, description="only this team (default: all yours)")
    ] = None,
    cursor: http.Cursor = None,
    limit: http.Limit = 50,
) -> WorklistPage:
    """The manager's worklist: started plans that drift (open past the council's thresholds, a review
    overdue, actions past due, a visit missed, no progress at the last review) next to those that
    could close or step down and why; the one needing attention longest first."""
    found = await reads.worklist(
        http.unit_of_work(request), team=team, cursor=cursor, limit=limit, policy=http.council_policy(request)
    )
    return worklist_view(found)


@routes.reads("/plans/{plan_id}", "plans", "Read a plan")
async def get_plan(plan_id: uuid.UUID, request: Request) -> JSONResponse:
    return http.answer(
        await reads.get_plan(http.unit_of_work(request), plan_id=plan_id, policy=http.council_policy(request)), plan_view
    )


async def _history(request: Request, plan_id: uuid.UUID, kind: str, cursor: str | None, limit: int) -> Page[Any]:
    page = await reads.history(http.unit_of_work(request), plan_id=plan_id, kind=kind, cursor=cursor, limit=limit)
    return history_list(kind, page, limit)


@routes.lists("/plans/{plan_id}/versions", VersionPage, "plans", "The plan's versions, oldest first")
async def list_versions(plan_id: uuid.UUID, request: Request, cursor: http.Cursor = None, limit: http.Limit = 50) -> VersionPage:
    """Every version: what changed, who changed it, when, and its quality then (the plan's read
    carries the first page; this one pages the rest). A read of the child's record, audited."""
    return await _history(request, plan_id, "versions", cursor, limit)


@routes.lists("/plans/{plan_id}/reviews", ReviewPage, "reviews", "The plan's reviews, oldest first")
async def list_reviews(plan_id: uuid.UUID, request: Request, cursor: http.Cursor = None, limit: http.Limit = 50) -> ReviewPage:
    """Every review: its date against its due date, the decision and what it found. A read of the
    child's record, audited."""
    return await _history(request, plan_id, "reviews", cursor, limit)


@routes.lists("/plans/{plan_id}/visits", VisitPage, "visits", "The plan's visits, oldest first")
async def list_visits(plan_id: uuid.UUID, request: Request, cursor: http.Cursor = None, limit: http.Limit = 50) -> VisitPage:
    """Every visit, planned or made: whether the child was seen, and alone. A read of the child's
    record, audited."""
    return await _history(request, plan_id, "visits", cursor, limit)


@routes.lists("/plans/{plan_id}/meetings", MeetingPage, "meetings", "The plan's meetings, oldest first")
async def list_meetings(plan_id: uuid.UUID, request: Request, cursor: http.Cursor = None, limit: http.Limit = 50) -> MeetingPage:
    """Every meeting with its invitees and who attended. A read of the child's record, audited."""
    return await _history(request, plan_id, "meetings", cursor, limit)


@router.get(
    "/plans/{plan_id}/family-copy",
    response_class=HTMLResponse,
    responses={200: {"description": "The family's copy of the plan", "content": {"text/html": {}}}, **http.PROBLEM_RESPONSES},
    tags=["plans"],
    summary="The family's copy of the plan (printable HTML)",
)
async def family_copy(plan_id: uuid.UUID, request: Request) -> HTMLResponse:
    """The plan in plain English for the family: what people are worried about, what will change,
    who does what by when, the next review and who to call; no professional-only details."""
    copy = await reads.family_copy(http.unit_of_work(request), plan_id=plan_id)
    return HTMLResponse(render(copy.plan, child_name=copy.child_name, policy=http.council_policy(request), today=copy.today))


@routes.changes("patch", "/plans/{plan_id}", "plans", "Edit the plan")
async def edit_plan(plan_id: uuid.UUID, body: PlanEditIn, request: Request, if_match: http.IfMatch) -> JSONResponse:
    """Content, agencies involved, family network and FGDM, and (CP) the category of abuse."""
    return await _change(request, plan_id, if_match, body.command())


@routes.creates("/plans/{plan_id}/actions", "actions", "Add an action")
async def add_action(plan_id: uuid.UUID, body: ActionIn, request: Request, if_match: http.IfMatch) -> JSONResponse:
    """Description, owner (person and agency), measure of success and due date, all required."""
    return await _change(request, plan_id, if_match, body.command(), create=True)


@routes.changes("patch", "/plans/{plan_id}/actions/{action_id}", "actions", "Change an action")
async def change_action(
    plan_id: uuid.UUID, action_id: uuid.UUID, body: ActionChangeIn, request: Request, if_match: http.IfMatch
) -> JSONResponse:
    return await _change(request, plan_id, if_match, body.command(action_id))


@routes.creates("/plans/{plan_id}/interventions", "interventions", "Commission a service or intervention")
async def add_intervention(plan_id: uuid.UUID, body: InterventionIn, request: Request, if_match: http.IfMatch) -> JSONResponse:
    return await _change(request, plan_id, if_match, body.command(), create=True)


@routes.changes(
    "post", "/plans/{plan_id}/interventions/{intervention_id}/outcome", "interventions", "Record how an intervention ended"
)
async def complete_intervention(
    plan_id: uuid.UUID,
    intervention_id: uuid.UUID,
    body: InterventionOutcomeIn,
    request: Request,
    if_match: http.IfMatch,
) -> JSONResponse:
    return await _change(request, plan_id, if_match, body.command(intervention_id))


@routes.changes("post", "/plans/{plan_id}/approval", "plans", "Approve the plan")
async def approve_plan(plan_id: uuid.UUID, body: ApprovalIn, request: Request, if_match: http.IfMatch) -> JSONResponse:
    """A social-work-qualified manager approves a complete draft; the plan starts (census start
    date). A child protection plan starts on the date of the initial conference that decided it,
    whatever day it is approved (409 while that date is not known), and ends the case's active
    child in need plan on that date (next step escalate_cp)."""
    return await _change(request, plan_id, if_match, body.command())


@routes.creates("/plans/{plan_id}/reviews", "reviews", "Record a review")
async def record_review(plan_id: uuid.UUID, body: ReviewIn, request: Request, if_match: http.IfMatch) -> JSONResponse:
    """Every unfinished action's progress and the decision; the next review falls due on the
    council's cadence (CIN) or within 6 months (CP review conference)."""
    return await _change(request, plan_id, if_match, body.command(), create=True)


@routes.creates("/plans/{plan_id}/visits", "visits", "Record a visit")
async def record_visit(plan_id: uuid.UUID, body: VisitIn, request: Request, if_match: http.IfMatch) -> JSONResponse:
    return await _change(request, plan_id, if_match, body.command(), create=True)


@routes.creates("/plans/{plan_id}/meetings", "meetings", "Schedule a meeting and invite")
async def schedule_meeting(plan_id: uuid.UUID, body: MeetingIn, request: Request, if_match: http.IfMatch) -> JSONResponse:
    """Invitations go out as ``meeting.scheduled``; an involved agency left out is flagged."""
    return await _change(request, plan_id, if_match, body.command(), create=True)


@routes.changes("post", "/plans/{plan_id}/meetings/{meeting_id}/attendance", "meetings", "Record who attended")
async def record_attendance(
    plan_id: uuid.UUID, meeting_id: uuid.UUID, body: AttendanceIn, request: Request, if_match: http.IfMatch
) -> JSONResponse:
    return await _change(request, plan_id, if_match, body.command(meeting_id))


@routes.creates("/plans/{plan_id}/strategy-discussions", "escalation", "Record a strategy discussion held during a CIN plan")
async def record_strategy_discussion(
    plan_id: uuid.UUID, body: StrategyDiscussionIn, request: Request, if_match: http.IfMatch
) -> JSONResponse:
    """Concerns of significant harm during an active child in need plan: the strategy discussion's
    date (not in the future, not before the plan's start), recorded by a social-work-qualified
    practitioner or manager. ``plan.strategy_discussion_recorded`` makes the assessment service
    start a section 47 enquiry with its conference clock; the CIN plan goes on until the child
    protection plan the conference decides replaces it. A draft or ended plan, or a CP plan, is 409."""
    return await _change(request, plan_id, if_match, body.command(), create=True)


@routes.changes("post", "/plans/{plan_id}/ending", "plans", "End the plan")
async def end_plan(plan_id: uuid.UUID, body: EndingIn, request: Request, if_match: http.IfMatch) -> JSONResponse:
    """Every action's final status, the reason, unmet need and the next step (``plan.ended``)."""
    return await _change(request, plan_id, if_match, body.command())


@router.post(
    "/imports/plans",
    response_model=PlanImportAnswer,
    responses=http.PROBLEM_RESPONSES,
    tags=["imports"],
    summary="Import the CIN and CP plans and pre-proceedings of a council's history",
)
async def import_plans(body: PlanImportIn, request: Request, dry_run: DryRun = False) -> PlanImportAnswer:
    """The import path of ``continuum import census`` (decision 59), for the importer alone: each
    child's plans with their real dates, reviews, categories and ends, and its pre-proceedings,
    checked by the same rules as live work (not those about today), each child written whole or
    not at all. Importing the same again changes nothing; a later return's additions are applied;
    one that takes back what was imported refuses that child. An open plan is live at once: on its
    team's worklist, its next review due from its real last review, seen by the drift check."""
    tally = await imports.import_plans(
        http.unit_of_work(request), command=body.command(dry_run=dry_run), policy=http.council_policy(request)
    )
    return PlanImportAnswer.model_validate(import_answer(tally, dry_run=dry_run).model_dump())


__all__ = ["router"]
