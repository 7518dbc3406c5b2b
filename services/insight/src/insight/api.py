"""The insight service's HTTP API (thin: build the question, call the use case, shape the answer)."""

from __future__ import annotations

import uuid

from fastapi import Request

from continuum.web import http
from insight.schemas import ChronologyOut
from insight.use_cases import reads
from insight.use_cases.commands import ReadChronology
from insight.views import chronology_view

router = http.api_router()


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
