"""The insight service's HTTP API (thin: build the question, call the use case, shape the answer)."""

from __future__ import annotations

import tempfile
import uuid
from dataclasses import asdict
from datetime import date
from importlib.metadata import version
from typing import Annotated, Any, Literal

from fastapi import Path, Query, Request, Response
from fastapi.responses import StreamingResponse

from continuum.casework.policy import TEAM_PATTERN
from continuum.web import http
from continuum.web.app import Runtime
from continuum.web.limits import QueryDay
from insight import domain, views
from insight.schemas import ChronologyOut, EmptiedOut, MeasuresOut, ReplayedOut, ReplayIn, StaffIn, StaffLoadedOut
from insight.use_cases import annex_a as annex_use_case
from insight.use_cases import census as census_use_case
from insight.use_cases import measures as measures_use_case
from insight.use_cases import reads, replay
from insight.use_cases import staff as staff_use_case
from insight.use_cases.commands import (
    LoadStaff,
    ReadAnnexA,
    ReadCensus,
    ReadChronology,
    ReadMeasures,
    ReplayEvents,
    StaffMember,
)
from insight.views import chronology_view, measures_view

router = http.api_router()

#: The census answer: a file, not JSON.
XML: dict[int | str, dict[str, Any]] = {
    200: {"description": "The CIN census file (XML, the DfE's 2026-27 specification)", "content": {"application/xml": {}}}
}
CSV: dict[int | str, dict[str, Any]] = {
    200: {"description": "CSV, a header first, one row per team and figure", "content": {"text/csv": {}}}
}
#: The measures' question, as step-down's measures ask it (``from``, ``to``, ``team``), or by a named period.
From = Annotated[QueryDay | None, Query(alias="from", description="first London date counted (or give period)")]
To = Annotated[QueryDay | None, Query(alias="to", description="last London date counted (or give period)")]
Period = Annotated[
    str | None,
    Query(
        max_length=12,
        description="a named period instead of from and to: a financial quarter (2026-27-Q1: April to June 2026), "
        "a financial year (2026-27: 1 April 2026 to 31 March 2027) or a calendar year's total (2026)",
    ),
]
Team = Annotated[
    str | None,
    Query(pattern=TEAM_PATTERN, max_length=50, description="only this team (default: yours; auditors, performance, admins: all)"),
]


@router.get(
    "/children/{child_id}/chronology",
    response_model=ChronologyOut,
    responses=http.PROBLEM_RESPONSES,
    tags=["chronology"],
    summary="A child's chronology",
)
async def chronology(child_id: uuid.UUID, request: Request, cursor: http.Cursor = None, limit: http.Limit = 50) -> ChronologyOut:
    """Every event of the child's episodes across the services (referral, assessment, plan and
    step-down), oldest first, each in plain words with when, which service, which case and team;
    the child's identity at the top. For a caller one of whose teams has held the child (auditors
    and admins: any child); any other answers 404. Every read is audited."""
    query = ReadChronology(child_id=child_id, cursor=cursor, limit=limit)
    return chronology_view(await reads.chronology(http.unit_of_work(request), query))


@router.get(
    "/census/{year}",
    response_class=Response,
    responses={**XML, **http.PROBLEM_RESPONSES},
    tags=["census"],
    summary="The CIN census file of a collection year",
)
async def census(
    request: Request,
    year: Annotated[int, Path(ge=2000, le=2100, description="The collection year ending 31 March of this year (2027: 2026-27)")],
    as_at: Annotated[date | None, Query(description="The day the file is as at (default: today; not after today)")] = None,
) -> Response:
    """The council's CIN census return for the collection year ending 31 March ``year``, as the read
    model knew it on ``as_at`` (the year to date): the header with the council's LEA code, every
    child with an episode open at any point in the year, each episode with its assessments, CIN
    plans, section 47 enquiries, CP plans and pre-proceedings blocks. For managers, auditors,
    performance officers and admins; the read, and each child in the file, is audited. A year not
    begun by that day: 422."""
    policy = http.council_policy(request)
    # The file is written whole before the answer (its counts are headers); the answer closes it once sent.
    body = tempfile.TemporaryFile()  # noqa: SIM115
    try:
        made = await census_use_case.census(
            http.unit_of_work(request),
            ReadCensus(year=year, as_at=as_at),
            lea=policy.la_code,
            release=version("continuum-insight"),
            out=body,
        )
    except BaseException:
        body.close()
        raise
    headers = {
        "Content-Disposition": f'attachment; filename="cin-census-{year}-as-at-{made.year.cutoff}.xml"',
        "Content-Length": str(made.size),
        "X-Census-Children": str(made.children),
        "X-Census-Missing-Identity": str(made.missing_identity),
    }
    return StreamingResponse(views.file_chunks(body), media_type="application/xml", headers=headers)


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#: The Annex A answer: a file, CSV or XLSX.
ANNEX_FILE: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The list as a file: a header row of Ofsted's column names, then one row per line",
        "content": {"text/csv": {}, XLSX: {}},
    }
}


@router.get(
    "/annex-a/{list}",
    response_class=Response,
    responses={**ANNEX_FILE, **http.PROBLEM_RESPONSES},
    tags=["annex-a"],
    summary="One of Ofsted's Annex A lists (3 to 7) as at a day",
)
async def annex_a(
    request: Request,
    number: Annotated[int, Path(alias="list", ge=0, le=99, description="The list's number in Ofsted's Annex A: 3 to 7")],
    as_at: Annotated[date | None, Query(description="The day the list is as at (default today; never after today)")] = None,
    file_format: Annotated[
        Literal["csv", "xlsx"] | None,
        Query(alias="format", description="csv or xlsx; without it the Accept header chooses (xlsx if it asks for it), else csv"),
    ] = None,
) -> Response:
    """Ofsted's Annex A list ``list`` for an inspection: the six months before ``as_at`` (from the
    same day six months earlier, both days included), with Ofsted's columns: 3 referrals (one row
    per referral received), 4 assessments (one per assessment open in the six months), 5 section 47
    enquiries and ICPCs (one per enquiry), 6 children in need (one per child: the latest episode),
    7 child protection (one per child: the latest plan). Lists 1 and 2 are not held (404, the
    reason given); any other number 422. For managers, auditors, performance officers and admins;
    the read and each child listed are audited."""
    kind = file_format or ("xlsx" if XLSX in request.headers.get("accept", "") else "csv")
    made = await annex_use_case.annex_a_list(http.unit_of_work(request), ReadAnnexA(number=number, file_format=kind, as_at=as_at))
    headers = {
        "Content-Disposition": f'attachment; filename="{made.filename}"',
        "X-Annex-A-Rows": str(made.rows),
        "X-Annex-A-Children": str(made.children),
    }
    return Response(made.content, media_type=made.file_format.media_type, headers=headers)


@router.put(
    "/staff",
    response_model=StaffLoadedOut,
    responses=http.PROBLEM_RESPONSES,
    tags=["staff"],
    summary="Load the identity provider's staff directory",
)
async def load_staff(body: StaffIn, request: Request) -> StaffLoadedOut:
    """Record each member of staff of a directory export of the council's identity provider (its
    ``sub``, ``name`` and teams), so Annex A names a case's allocated worker even before they have
    called insight (every authenticated caller is recorded too). Idempotent: the same export again
    changes nothing. Admins only."""
    command = LoadStaff(staff=tuple(StaffMember(sub=m.sub, name=m.name, teams=tuple(m.teams)) for m in body.staff))
    return StaffLoadedOut(loaded=await staff_use_case.load_staff(http.unit_of_work(request), command))


async def _measures(
    request: Request, date_from: date | None, date_to: date | None, period: str | None, team: str | None
) -> MeasuresOut:
    query = ReadMeasures(date_from=date_from, date_to=date_to, period=period, team=team)
    return measures_view(await measures_use_case.measures(http.unit_of_work(request), query, policy=http.council_policy(request)))


@router.get(
    "/measures", response_model=MeasuresOut, responses=http.PROBLEM_RESPONSES, tags=["measures"], summary="The managers' measures"
)
async def measures(
    request: Request, date_from: From = None, date_to: To = None, period: Period = None, team: Team = None
) -> MeasuresOut:
    """The figures of a period (``from`` and ``to``, or a named ``period``) beside the same period a
    year before, with the change: referrals, re-referrals within 12 months and the NFA share;
    assessments completed, their median working days and the share within 45; section 47s and
    ICPCs within 15 working days; CIN and CP plans open and their durations; reviews and visits on
    time; drift findings; closures by duration band, with unmet need, stepped down to early help
    and early help's acceptance; step-ups. By team and in total; of your teams unless ``team``
    narrows it (auditors, performance officers and admins: every team). A period not over yet, or
    not covered by the read model from its start, is flagged ``partial``. Counts only: no child's
    record."""
    return await _measures(request, date_from, date_to, period, team)


@router.get(
    "/measures.csv",
    response_class=Response,
    responses={**CSV, **http.PROBLEM_RESPONSES},
    tags=["measures"],
    summary="The measures, as CSV",
)
async def measures_csv(
    request: Request, date_from: From = None, date_to: To = None, period: Period = None, team: Team = None
) -> Response:
    """The same figures as ``GET /v1/measures``, one row per team (then ``all``) and figure."""
    answer = await _measures(request, date_from, date_to, period, team)
    return Response(views.measures_csv(answer), media_type="text/csv")


@router.post(
    "/read-model/replay",
    response_model=ReplayedOut,
    responses=http.PROBLEM_RESPONSES,
    tags=["rebuild"],
    summary="Replay events of the services' histories into the read model",
)
async def replay_read_model(body: ReplayIn, request: Request) -> ReplayedOut:
    """Hand each event (as a service's ``GET /v1/history`` gives it) to the read model's consumer,
    exactly as if the broker had delivered it: an event the read model has already is a duplicate
    and changes nothing, so a replay is safe into a live read model and safe to repeat. Events the
    read model does not take are skipped and counted. An item that is not an event of its contract
    answers 422 naming it, and nothing of the batch is handled. ``continuum insight rebuild`` sends
    the services' whole histories through here (decision 53). Admins only; audited per batch."""
    runtime: Runtime = request.app.state.runtime
    consumer = runtime.consumer(domain.READ_MODEL_CONSUMER)
    done = await replay.replay(http.unit_of_work(request), ReplayEvents(events=tuple(body.events)), consumer=consumer)
    return ReplayedOut(**asdict(done))


@router.delete(
    "/read-model",
    response_model=EmptiedOut,
    responses=http.PROBLEM_RESPONSES,
    tags=["rebuild"],
    summary="Empty the read model, to rebuild it from nothing",
)
async def empty_read_model(
    request: Request,
    confirm: Annotated[Literal["empty-the-read-model"], Query(description="Say so: `empty-the-read-model`")],
) -> EmptiedOut:
    """Delete every event, episode, child's teams and child's copy of the read model, and forget
    which events its consumer has handled, in one transaction: then ``POST /v1/read-model/replay``
    of the services' whole histories rebuilds it (``continuum insight rebuild --from-empty``). The
    staff directory and the audit log stay. Until the replay is done, insight's answers lack what is
    not replayed yet. Admins only; audited."""
    return EmptiedOut(**await replay.empty(http.unit_of_work(request)))
