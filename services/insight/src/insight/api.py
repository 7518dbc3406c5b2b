"""The insight service's HTTP API (thin: build the question, call the use case, shape the answer)."""

from __future__ import annotations

import uuid
from datetime import date
from importlib.metadata import version
from typing import Annotated, Any, Literal

from fastapi import Path, Query, Request, Response

from continuum.web import http
from insight.schemas import ChronologyOut, StaffIn, StaffLoadedOut
from insight.use_cases import annex_a as annex_use_case
from insight.use_cases import census as census_use_case
from insight.use_cases import reads
from insight.use_cases import staff as staff_use_case
from insight.use_cases.commands import LoadStaff, ReadAnnexA, ReadCensus, ReadChronology, StaffMember
from insight.views import chronology_view

router = http.api_router()

#: The census answer: a file, not JSON.
XML: dict[int | str, dict[str, Any]] = {
    200: {"description": "The CIN census file (XML, the DfE's 2026-27 specification)", "content": {"application/xml": {}}}
}


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
    as_at: Annotated[date | None, Query(description="The day the file is as at (default: today)")] = None,
) -> Response:
    """The council's CIN census return for the collection year ending 31 March ``year``, as the read
    model knew it on ``as_at`` (the year to date): the header with the council's LEA code, every
    child with an episode open at any point in the year, each episode with its assessments, CIN
    plans, section 47 enquiries, CP plans and pre-proceedings blocks. For managers, auditors,
    performance officers and admins; the read, and each child in the file, is audited. A year not
    begun by that day: 422."""
    policy = http.council_policy(request)
    made = await census_use_case.census(
        http.unit_of_work(request), ReadCensus(year=year, as_at=as_at), lea=policy.la_code, release=version("continuum-insight")
    )
    headers = {
        "Content-Disposition": f'attachment; filename="cin-census-{year}-as-at-{made.year.cutoff}.xml"',
        "X-Census-Children": str(made.children),
        "X-Census-Missing-Identity": str(made.missing_identity),
    }
    return Response(made.xml, media_type="application/xml", headers=headers)


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
