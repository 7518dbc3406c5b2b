"""Who gets into the dashboard and how (no browser: the app over ASGI): every role over every
dashboard route (the page and the two downloads), signed in through the dev issuer; no session
goes to the sign-in and comes back; the session cookie's flags; sign-in and sign-out refuse other
sites; a bad filter names its field; the downloads are the API's answers, audited the same."""

from __future__ import annotations

import re
import uuid
from typing import Any

import httpx
import pytest
from insight_support import Api, Cases, journey

from continuum.casework.principal import Role
from continuum.web.auth import mint_dev_token
from continuum_tools.testing.suites import audit_rows, call
from insight.permissions import RETURNS

LOCAL = "http://127.0.0.1"
ROUTES = ("/dashboard", "/dashboard/census/2027?as_at=2026-12-01", "/dashboard/annex-a/6?as_at=2026-12-01")


def browser(app: Any, base: str = LOCAL) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=base)


async def sign_in(client: httpx.AsyncClient, role: str, team: str = "", sub: str = "dash-user") -> httpx.Response:
    form = {"role": role, "team": team, "sub": sub, "next": "/dashboard"}
    return await client.post("/dashboard/dev-sign-in", data=form, headers={"Origin": str(client.base_url).rstrip("/")})


async def test_without_a_session_every_route_goes_to_the_sign_in_and_back(insight_app: Any) -> None:
    async with browser(insight_app) as client:
        for route in ROUTES:
            answer = await client.get(route)
            assert answer.status_code == 303, route
            assert answer.headers["location"].startswith("/dashboard/sign-in?next=%2Fdashboard")
        form = await client.get("/dashboard/sign-in", params={"next": "/dashboard?period=2019-20-Q1"})
        assert form.status_code == 200 and 'name="next" value="/dashboard?period=2019-20-Q1"' in form.text
        # Never back to another site.
        for elsewhere in ("//evil.example/dashboard", "https://evil.example", "/v1/census/2027"):
            form = await client.get("/dashboard/sign-in", params={"next": elsewhere})
            assert 'name="next" value="/dashboard"' in form.text, elsewhere


@pytest.mark.parametrize("role", list(Role))
async def test_every_role_over_every_dashboard_route(insight_app: Any, cases: Cases, role: Role) -> None:
    async with browser(insight_app) as client:
        assert (await sign_in(client, role.value, "north", sub=f"walk-{role.value}")).status_code == 303
        for route in ROUTES:
            answer = await call(client, "GET", route)
            if role in RETURNS:
                assert answer.status_code == 200, (role, route, answer.text[:300])
            else:
                assert answer.status_code == 403, (role, route)
                assert "This page is not for your role" in answer.text
                if "census" in route or "annex-a" in route:  # a refused return is audited, as on the API
                    rows = await audit_rows(cases, answer.request.headers["X-Request-ID"])
                    assert [r["outcome"] for r in rows] == ["refused"], rows


async def test_the_session_cookie(insight_app: Any) -> None:
    async with browser(insight_app) as client:
        answer = await sign_in(client, "manager", "north")
    cookie = answer.headers["set-cookie"]
    assert answer.headers["location"] == "/dashboard"
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Path=/dashboard" in cookie
    assert "Secure" not in cookie  # plain HTTP to the loopback, in test
    max_age = int(re.search(r"Max-Age=(\d+)", cookie)[1])  # type: ignore[index]
    assert 8 * 3600 - 60 <= max_age <= 8 * 3600
    async with browser(insight_app, "http://insight.council.example") as client:
        answer = await sign_in(client, "manager", "north")
    assert "Secure" in answer.headers["set-cookie"]


async def test_sign_in_and_out_refuse_other_sites(insight_app: Any) -> None:
    async with browser(insight_app) as client:
        form = {"role": "admin", "team": "", "sub": "x", "next": "/dashboard"}
        for headers in ({}, {"Origin": "https://evil.example"}, {"Referer": "https://evil.example/dashboard"}):
            answer = await client.post("/dashboard/dev-sign-in", data=form, headers=headers)
            assert answer.status_code == 403 and "set-cookie" not in answer.headers, headers
        await sign_in(client, "manager", "north")
        refused = await client.post("/dashboard/sign-out", headers={"Origin": "https://evil.example"})
        assert refused.status_code == 403
        assert (await client.get("/dashboard")).status_code == 200
        out = await client.post("/dashboard/sign-out", headers={"Origin": LOCAL})
        assert out.status_code == 303 and out.headers["location"] == "/dashboard/signed-out"
        assert (await client.get("/dashboard")).status_code == 303


async def test_a_bad_form_or_a_forged_session_signs_in_nobody(insight_app: Any, api: Api) -> None:
    async with browser(insight_app) as client:
        for form in (
            {"role": "overlord", "sub": "x"},
            {"role": "manager", "team": "nowhere", "sub": "x"},
            {"role": "manager", "sub": "<b>"},
        ):
            answer = await client.post("/dashboard/dev-sign-in", data=form, headers={"Origin": LOCAL})
            assert answer.status_code == 422 and "set-cookie" not in answer.headers, form
        another_council = mint_dev_token(api.settings, sub="x", roles=["admin"], org="888")
        expired = mint_dev_token(api.settings, sub="x", roles=["admin"], ttl_seconds=-60)
        for token in ("forged", "a.b.c", another_council, expired):
            client.cookies.set("continuum_dashboard", token, path="/dashboard")
            assert (await client.get("/dashboard")).status_code == 303, token


async def test_a_bad_filter_names_its_field(insight_app: Any) -> None:
    async with browser(insight_app) as client:
        await sign_in(client, "manager", "north")
        answer = await client.get("/dashboard", params={"period": "2019-20-Q9"})
        assert answer.status_code == 422
        assert "There is a problem" in answer.text and 'href="#period"' in answer.text and "Q9 is not a quarter" in answer.text
        other = await client.get("/dashboard", params={"team": "south"})
        assert other.status_code == 404 and 'href="#team"' in other.text
        unknown = await client.get("/dashboard", params={"team": "nowhere"})
        assert unknown.status_code == 422 and "The team is not a team of the council" in unknown.text
        # The team filter offers a manager their own teams only.
        page = await client.get("/dashboard")
        assert 'value="north"' in page.text and 'value="south"' not in page.text


async def test_the_downloads_are_the_api_s_audited_the_same(insight_app: Any, api: Api, cases: Cases) -> None:
    await cases.deliver_all(journey(uuid.uuid4()))
    async with browser(insight_app) as client, api.as_user("performance", teams=()) as bearer:
        await sign_in(client, "performance", "", sub="analyst-dl")
        for page_route, api_route in (
            ("/dashboard/annex-a/3?as_at=2026-12-01&format=xlsx", "/v1/annex-a/3?as_at=2026-12-01&format=xlsx"),
            ("/dashboard/census/2027?as_at=2026-12-01", "/v1/census/2027?as_at=2026-12-01"),
        ):
            from_page, from_api = await call(client, "GET", page_route), await call(bearer, "GET", api_route)
            assert from_page.status_code == from_api.status_code == 200
            for header in ("content-type", "content-disposition", "x-annex-a-rows", "x-census-children"):
                assert from_page.headers.get(header) == from_api.headers.get(header), header
            page_audit = await audit_rows(cases, from_page.request.headers["X-Request-ID"])
            api_audit = await audit_rows(cases, from_api.request.headers["X-Request-ID"])
            assert page_audit == api_audit and len(page_audit) >= 2


async def test_pages_carry_their_security_headers_and_the_assets_are_cached(insight_app: Any) -> None:
    async with browser(insight_app) as client:
        await sign_in(client, "auditor")
        page = await client.get("/dashboard")
        assert "script-src 'self'" in page.headers["content-security-policy"]
        assert page.headers["cache-control"] == "no-store" and page.headers["x-frame-options"] == "DENY"
        for asset in re.findall(r'(?:href|src)="(/dashboard/assets/[^"?]+)', page.text):
            answer = await client.get(asset)
            assert answer.status_code == 200 and "max-age=31536000" in answer.headers["cache-control"], asset
        assert (await client.get("/dashboard/assets/../templates/base.html")).status_code == 404
