"""The insight service's HTTP API (thin: build the question, call the use case, shape the answer)."""

from __future__ import annotations

import uuid
from datetime import date
from importlib.metadata import version
from typing import Annotated, Any

from fastapi import Path, Query, Request, Response

from continuum.web import http
from insight.schemas import ChronologyOut
from insight.use_cases import census as census_use_case
from insight.use_cases import reads
from insight.use_cases.commands import ReadCensus, ReadChronology
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
