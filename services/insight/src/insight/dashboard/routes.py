"""The dashboard's pages and downloads (``/dashboard``): HTML, not API operations, so not in the
OpenAPI document or under ``/v1``; each checks its caller through the session and the service's
permission table (the page: ``measures``; the downloads: ``census`` and ``annex_a``), so a role is
let in, refused and audited exactly as on the API. No session: to the sign-in, and back."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Path, Query, Request, Response
from fastapi.responses import RedirectResponse

from continuum.casework import clock
from continuum.casework.errors import DomainError, NotFound
from continuum.casework.principal import Principal
from continuum.web import http
from continuum.web.errors import Problem
from continuum.web.permissions import check_permission
from insight import api
from insight.dashboard import page as shown
from insight.dashboard import render, session
from insight.use_cases import measures as measures_use_case
from insight.use_cases import worklists as worklists_use_case
from insight.use_cases.commands import ReadMeasures, ReadWorklists
from insight.views import measures_view

#: Ofsted's Annex A lists insight holds (1 and 2 are not: decision 51).
ANNEX_A_LISTS = {
    3: "List 3: referrals",
    4: "List 4: assessments",
    5: "List 5: section 47 enquiries and conferences",
    6: "List 6: children in need",
    7: "List 7: child protection",
}
WORKLIST_TITLES = {
    "assessments_overdue": "Assessments past their due date",
    "plans_drifting": "Plans with a drift finding",
    "handovers_waiting": "Step-downs waiting for early help's answer",
}
PeriodQuery = Annotated[str | None, Query(max_length=12)]
TeamQuery = Annotated[str | None, Query(max_length=50)]


def sign_in_redirect(request: Request) -> RedirectResponse:
    back = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"/dashboard/sign-in?next={quote(back, safe='')}", status_code=303)


async def allowed(request: Request, principal: Principal, operation: str) -> Response | None:
    """``None`` if the permission table lets the caller do ``operation``; else the refusal page
    (403), the refusal audited as the API audits it."""
    try:
        await check_permission(request, principal, operation)
    except Problem as refused:
        return render.page("refused.html", status=refused.status, principal=principal, detail=refused.detail)
    return None


def census_year(today: date) -> int:
    """The collection year holding today: the one ending next 31 March."""
    return today.year + (today.month > 3)


def router() -> APIRouter:
    routes = APIRouter(prefix="/dashboard", include_in_schema=False)

    @routes.get("")
    async def dashboard(request: Request, period: PeriodQuery = None, team: TeamQuery = None) -> Response:
        """The managers' measures of a period and team, with charts, the year before and downloads."""
        principal = session.principal(request)
        if principal is None:
            return sign_in_redirect(request)
        if (refusal := await allowed(request, principal, "measures")) is not None:
            return refusal
        policy = http.council_policy(request)
        today = clock.london_date(clock.now())
        period = (period or "").strip() or shown.current_quarter(today)
        team = (team or "").strip()
        context: dict[str, Any] = {
            "principal": principal,
            "period_options": shown.period_options(today, period),
            "team_options": shown.team_options(principal, policy, team),
            "downloads": {"census_year": census_year(today), "annex_a": ANNEX_A_LISTS},
            "errors": [],
        }
        try:
            query = ReadMeasures(period=period, team=team or None)
            answer = measures_view(await measures_use_case.measures(http.unit_of_work(request), query, policy=policy))
            asked = ReadWorklists(team=team or None)
            waiting = await worklists_use_case.worklists(http.unit_of_work(request), asked, policy=policy)
        except DomainError as refused:
            field = refused.field or ("team" if team else "period")
            field = "period" if field in ("from", "to") else field
            context["errors"] = [{"text": f"The {field} {refused.reason}", "href": f"#{field}"}]
            return render.page("dashboard.html", status=404 if isinstance(refused, NotFound) else 422, **context)
        teams = {t.id: t.name for t in policy.teams}
        return render.page(
            "dashboard.html",
            measures=answer,
            cards=shown.cards(answer.total),
            charts=shown.charts(answer.total),
            by_team=[(teams.get(t.team, t.team), shown.cards(t)) for t in answer.by_team],
            worklists=waiting,
            worklist_titles=WORKLIST_TITLES,
            api_query=urlencode({"period": period} | ({"team": team} if team else {})),
            **context,
        )

    @routes.get("/census/{year}")
    async def census_download(
        request: Request, year: Annotated[int, Path(ge=2000, le=2100)], as_at: Annotated[date | None, Query()] = None
    ) -> Response:
        """``GET /v1/census/{year}`` for the signed-in caller: the same use case, audited the same."""
        principal = session.principal(request)
        if principal is None:
            return sign_in_redirect(request)
        if (refusal := await allowed(request, principal, "census")) is not None:
            return refusal
        return await api.census(request, year=year, as_at=as_at)

    @routes.get("/annex-a/{number}")
    async def annex_a_download(
        request: Request,
        number: Annotated[int, Path(ge=0, le=99)],
        file_format: Annotated[Literal["csv", "xlsx"], Query(alias="format")] = "csv",
        as_at: Annotated[date | None, Query()] = None,
    ) -> Response:
        """``GET /v1/annex-a/{list}`` for the signed-in caller: the same use case, audited the same."""
        principal = session.principal(request)
        if principal is None:
            return sign_in_redirect(request)
        if (refusal := await allowed(request, principal, "annex_a")) is not None:
            return refusal
        return await api.annex_a(request, number=number, as_at=as_at, file_format=file_format)

    return routes
