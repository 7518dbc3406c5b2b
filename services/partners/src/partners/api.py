"""The partners service's HTTP API (thin: parse, call the use case, shape the answer): the sharing
log, a page or the whole selection as CSV, and the subscriptions as configured."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query, Request
from fastapi.responses import Response

from continuum.web import http
from continuum.web.limits import QueryDay
from partners.domain import Decision
from partners.domain.policy import AGENCY_PATTERN, partners_policy
from partners.schemas import AgenciesOut, SharingLogPage
from partners.use_cases import reads
from partners.use_cases.commands import ReadLog
from partners.views import agencies_view, log_csv, page_view

router = http.api_router()

Agency = Annotated[str | None, Query(pattern=AGENCY_PATTERN, max_length=40, description="only this agency's rows (its id)")]
Decided = Annotated[Decision | None, Query(description="only this decision (shared, not_subscribed, superseded, no_nhs_number)")]
NhsNumber = Annotated[str | None, Query(pattern=r"^\d{10}$", max_length=10, description="only this child's rows, by NHS number")]
From = Annotated[QueryDay | None, Query(alias="from", description="first London date decided, included")]
To = Annotated[QueryDay | None, Query(alias="to", description="last London date decided, included")]
CSV = {200: {"description": "CSV, one row per line, a header first", "content": {"text/csv": {}}}, **http.PROBLEM_RESPONSES}


@router.get(
    "/sharing-log",
    response_model=SharingLogPage,
    responses=http.PROBLEM_RESPONSES,
    tags=["sharing log"],
    summary="The sharing log",
)
async def sharing_log(
    request: Request,
    agency: Agency = None,
    decision: Decided = None,
    nhs_number: NhsNumber = None,
    date_from: From = None,
    date_to: To = None,
    cursor: http.Cursor = None,
    limit: http.Limit = 50,
) -> SharingLogPage:
    """Every decision to share a status with a partner agency, or not, oldest first: when, which
    agency, the status and since when, the decision, the lawful basis, and the service and event
    that decided the status. Each child read is audited."""
    query = ReadLog(agency, decision, nhs_number, date_from, date_to, cursor, limit)
    policy = partners_policy(http.council_policy(request))
    return page_view(await reads.read_log(http.unit_of_work(request), query, policy=policy))


@router.get("/sharing-log.csv", response_class=Response, responses=CSV, tags=["sharing log"], summary="The sharing log as CSV")
async def export_sharing_log(
    request: Request,
    agency: Agency = None,
    decision: Decided = None,
    nhs_number: NhsNumber = None,
    date_from: From = None,
    date_to: To = None,
) -> Response:
    """The selection whole, oldest first, as CSV (at most 50,000 rows: narrow a bigger one by dates).
    Each child read is audited."""
    query = ReadLog(agency, decision, nhs_number, date_from, date_to)
    policy = partners_policy(http.council_policy(request))
    entries = await reads.export_log(http.unit_of_work(request), query, policy=policy)
    return Response(
        log_csv(entries), media_type="text/csv", headers={"Content-Disposition": 'attachment; filename="sharing-log.csv"'}
    )


@router.get(
    "/agencies", response_model=AgenciesOut, responses=http.PROBLEM_RESPONSES, tags=["agencies"], summary="The subscriptions"
)
async def list_agencies(request: Request) -> AgenciesOut:
    """Each partner agency as the council policy configures it: the statuses it receives, its lawful
    basis, its contact and its own topic (for integrators)."""
    return agencies_view(partners_policy(http.council_policy(request)))
