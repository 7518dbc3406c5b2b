"""The assessment service's HTTP API (thin: parse, call the use case, shape the answer)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Query, Request
from fastapi.responses import JSONResponse
from fastapi.types import DecoratedCallable
from pydantic import BaseModel

from assessment.domain import KEEP, FindingsChange, Section47State, SpecialistAssessment
from assessment.domain.imports import ReturnedAssessment, ReturnedEpisode, ReturnedSection47
from assessment.results import AssessmentRecord
from assessment.schemas import (
    AllocationIn,
    AssessmentOut,
    AssessmentPage,
    AssessmentsImportIn,
    AssessmentsImportOut,
    AuthorisationIn,
    EpisodeImportIn,
    MeasuresOut,
    RecordIn,
    ReturnIn,
    Section47ConclusionIn,
    Section47Out,
    Section47StartIn,
    WorklistPage,
)
from assessment.use_cases import allocation, imports, reads, recording, review, section47
from assessment.use_cases.imports import ChildAssessments, ImportAssessments
from assessment.views import assessment_page, assessment_view, measures_out, section47_view, worklist_page
from continuum.casework.policy import TEAM_PATTERN
from continuum.web.http import (
    PROBLEM_RESPONSES,
    Cursor,
    IfMatch,
    Limit,
    api_router,
    council_policy,
    required_version,
    unit_of_work,
    versioned_answer,
    with_etag,
)
from continuum.web.imports import DryRun, import_answer
from continuum.web.limits import QueryDay

router = api_router()


ASSESSMENT_ANSWER = versioned_answer("The assessment; its ETag is the version to send as If-Match")
SECTION47_ANSWER = versioned_answer("The section 47 enquiry; its ETag is the version to send as If-Match")


def _team(description: str) -> Any:
    """The optional ``team`` filter of a list: a team id as the council's policy spells them."""
    return Query(pattern=TEAM_PATTERN, max_length=50, description=description)


def _list_route(path: str, page: type[BaseModel], tag: str, summary: str) -> Callable[[DecoratedCallable], DecoratedCallable]:
    """A ``GET`` that answers a list or a count, without an ETag."""
    return _answering("get", path, page, PROBLEM_RESPONSES, tag, summary)


def _assessment_route(method: str, path: str, summary: str) -> Callable[[DecoratedCallable], DecoratedCallable]:
    """A route that answers one assessment, its ETag the version to send as If-Match."""
    return _answering(method, path, AssessmentOut, ASSESSMENT_ANSWER, "assessments", summary)


def _section47_route(method: str, path: str, summary: str) -> Callable[[DecoratedCallable], DecoratedCallable]:
    """A route that answers one section 47 enquiry, its ETag the version to send as If-Match."""
    return _answering(method, path, Section47Out, SECTION47_ANSWER, "section 47", summary)


def _answering(
    method: str, path: str, record: type[BaseModel], answers: dict[int | str, Any], tag: str, summary: str
) -> Callable[[DecoratedCallable], DecoratedCallable]:
    declare: Callable[..., Callable[[DecoratedCallable], DecoratedCallable]] = getattr(router, method)
    return declare(path, response_model=record, responses=answers, tags=[tag], summary=summary)


def _assessment(record: AssessmentRecord) -> JSONResponse:
    a = assessment_view(record)
    return with_etag(a.model_dump(mode="json"), a.version)


def _section47(state: Section47State) -> JSONResponse:
    s = section47_view(state)
    return with_etag(s.model_dump(mode="json"), s.version)


def findings_change(body: RecordIn) -> FindingsChange:
    """The command a record request makes: the fields it sent (``null`` clears one); the others kept."""
    sent = body.model_fields_set
    values: dict[str, Any] = {name: getattr(body, name) if name in sent else KEEP for name in RecordIn.model_fields}
    if "specialist_assessments" in sent and body.specialist_assessments is not None:
        values["specialist_assessments"] = [
            SpecialistAssessment(s.kind, s.date, s.completed_by, s.score_or_summary) for s in body.specialist_assessments
        ]
    return FindingsChange(**values)


@_list_route("/assessments", AssessmentPage, "assessments", "Find the assessments of a case, a referral or a child")
async def find_assessments(
    request: Request,
    case_id: Annotated[uuid.UUID | None, Query(description="The case (episode) id")] = None,
    referral_id: Annotated[uuid.UUID | None, Query(description="The referral id (its decision opened the assessment)")] = None,
    child_id: Annotated[uuid.UUID | None, Query(description="The child's id")] = None,
    cursor: Cursor = None,
    limit: Limit = 50,
) -> AssessmentPage:
    """Exactly one of ``case_id``, ``referral_id`` and ``child_id``. Only the assessments you may see
    are listed (another team's are left out), oldest referral first; each is a read of the child's
    record, audited."""
    found = await reads.find_assessments(
        unit_of_work(request), case_id=case_id, referral_id=referral_id, child_id=child_id, cursor=cursor, limit=limit
    )
    return assessment_page(found)


@_list_route("/assessments/worklist", WorklistPage, "worklist", "Open assessments, fewest working days left first")
async def worklist(
    request: Request,
    team: Annotated[str | None, _team("only this team (default: all yours)")] = None,
    cursor: Cursor = None,
    limit: Limit = 50,
) -> WorklistPage:
    """The team's open assessments ordered by working days left to the 45-working-day limit; those
    past it come first, flagged ``overdue``; those whose lead must be reallocated are flagged
    ``reallocation_required``."""
    listed = await reads.worklist(unit_of_work(request), team=team, cursor=cursor, limit=limit, policy=council_policy(request))
    return worklist_page(listed)


@_list_route("/assessments/measures", MeasuresOut, "measures", "Timeliness and outcomes of completed assessments")
async def measures(
    request: Request,
    date_from: Annotated[QueryDay, Query(alias="from", description="first authorisation date counted")],
    date_to: Annotated[QueryDay, Query(alias="to", description="last authorisation date counted")],
    team: Annotated[str | None, _team("only this team")] = None,
) -> MeasuresOut:
    """Assessments authorised in the range: how many, median working days, the share within 45
    working days of the referral, the outcomes, and the same by team."""
    measured = await reads.measures(
        unit_of_work(request), date_from=date_from, date_to=date_to, team=team, policy=council_policy(request)
    )
    return measures_out(measured)


@_assessment_route("get", "/assessments/{assessment_id}", "Read an assessment")
async def get_assessment(assessment_id: uuid.UUID, request: Request) -> JSONResponse:
    return _assessment(await reads.get_assessment(unit_of_work(request), assessment_id=assessment_id))


@_assessment_route("post", "/assessments/{assessment_id}/allocation", "Allocate the lead practitioner")
async def allocate(assessment_id: uuid.UUID, body: AllocationIn, request: Request, if_match: IfMatch) -> JSONResponse:
    """A social-work-qualified manager allocates (or, with a reason, reallocates) the lead
    practitioner. Section 47 work may only go to a social-work role. Clears ``reallocation_required``."""
    answer = await allocation.allocate(
        unit_of_work(request),
        assessment_id=assessment_id,
        lead_practitioner=body.lead_practitioner,
        role=body.lead_practitioner_role,
        reason=body.reason,
        version=required_version(if_match),
        policy=council_policy(request),
    )
    return _assessment(answer)


@_assessment_route("patch", "/assessments/{assessment_id}", "Record the assessment")
async def record(assessment_id: uuid.UUID, body: RecordIn, request: Request, if_match: IfMatch) -> JSONResponse:
    """The lead practitioner records start date, when the child was seen (and alone), factors,
    primary need, specialist assessments and the recommendation. Omitted fields keep their value."""
    return _assessment(
        await recording.record(
            unit_of_work(request), assessment_id=assessment_id, changes=findings_change(body), version=required_version(if_match)
        )
    )


@_assessment_route("post", "/assessments/{assessment_id}/submission", "Submit for authorisation")
async def submit(assessment_id: uuid.UUID, request: Request, if_match: IfMatch) -> JSONResponse:
    """The lead practitioner submits a complete record to the manager."""
    return _assessment(
        await recording.submit(unit_of_work(request), assessment_id=assessment_id, version=required_version(if_match))
    )


@_assessment_route("post", "/assessments/{assessment_id}/return", "Return to the lead practitioner")
async def return_assessment(assessment_id: uuid.UUID, body: ReturnIn, request: Request, if_match: IfMatch) -> JSONResponse:
    """A social-work-qualified manager sends the submitted assessment back, with reasons."""
    answer = await review.return_assessment(
        unit_of_work(request), assessment_id=assessment_id, reasons=body.reasons, version=required_version(if_match)
    )
    return _assessment(answer)


@_assessment_route("post", "/assessments/{assessment_id}/authorisation", "Authorise the assessment")
async def authorise(assessment_id: uuid.UUID, body: AuthorisationIn, request: Request, if_match: IfMatch) -> JSONResponse:
    """A social-work-qualified manager authorises with the authorisation date (not before the
    referral, the start, the submission or a section 47 enquiry's conclusion; not in the future)
    and the outcome: NFA closes the episode (RC8), early help closes it to step-down (RC9), or RC7
    for either when the episode had a section 47 enquiry (rule 2990). A section 47 assessment waits
    for its enquiry, and its outcome follows the conference's."""
    answer = await review.authorise(
        unit_of_work(request),
        assessment_id=assessment_id,
        authorisation_date=body.authorisation_date,
        outcome=body.outcome,
        version=required_version(if_match),
    )
    return _assessment(answer)


@_section47_route("get", "/section47/{section47_id}", "Read a section 47 enquiry")
async def get_section47(section47_id: uuid.UUID, request: Request) -> JSONResponse:
    return _section47(await reads.get_section47(unit_of_work(request), section47_id=section47_id))


@_section47_route("post", "/section47/{section47_id}/start", "Start the enquiry")
async def start_section47(section47_id: uuid.UUID, body: Section47StartIn, request: Request, if_match: IfMatch) -> JSONResponse:
    """Records the strategy discussion and the enquiry's start; the initial child protection
    conference is due 15 working days after the strategy discussion."""
    answer = await section47.start_section47(
        unit_of_work(request),
        section47_id=section47_id,
        strategy_discussion_date=body.strategy_discussion_date,
        start_date=body.start_date,
        version=required_version(if_match),
    )
    return _section47(answer)


@_section47_route("post", "/section47/{section47_id}/conclusion", "Conclude the enquiry")
async def conclude_section47(
    section47_id: uuid.UUID, body: Section47ConclusionIn, request: Request, if_match: IfMatch
) -> JSONResponse:
    """The conference's date (or ``icpc_not_required``) and whether it decided a child protection plan."""
    answer = await section47.conclude_section47(
        unit_of_work(request),
        section47_id=section47_id,
        icpc_date=body.icpc_date,
        icpc_not_required=body.icpc_not_required,
        outcome=body.outcome,
        version=required_version(if_match),
    )
    return _section47(answer)


def _episode(e: EpisodeImportIn) -> ReturnedEpisode:
    return ReturnedEpisode(
        e.referral_date,
        e.primary_need,
        tuple(ReturnedAssessment(**{**a.model_dump(), "factors": tuple(a.factors)}) for a in e.assessments),
        tuple(ReturnedSection47(**s.model_dump()) for s in e.section47s),
    )


@router.post(
    "/imports/assessments",
    response_model=AssessmentsImportOut,
    responses=PROBLEM_RESPONSES,
    tags=["import"],
    summary="Import the assessments and section 47 enquiries of a council's history",
)
async def import_assessments(body: AssessmentsImportIn, request: Request, dry_run: DryRun = False) -> AssessmentsImportOut:
    """For the history import alone (role ``importer``, decision 59): each child's assessments and
    section 47 enquiries with their real dates, checked by the census rules; what is open becomes
    live. A child refused (its element and reason) writes nothing; the same file again changes
    nothing; ``dry_run=true`` checks every child and writes nothing."""
    command = ImportAssessments(
        source=body.source,
        la=body.la,
        children=tuple(ChildAssessments(c.la_child_id, c.team, tuple(map(_episode, c.episodes))) for c in body.children),
        dry_run=dry_run,
    )
    tally = await imports.import_assessments(unit_of_work(request), command, policy=council_policy(request))
    return AssessmentsImportOut.model_validate(import_answer(tally, dry_run=dry_run).model_dump())


__all__ = ["router"]
