"""A service's API routes (``continuum.web.http.api_router``): each checks its caller and permission in
its route class before anything of the request is read, and asks the kernel for its unit of work
and the council's policy with the request; no FastAPI dependency is solved per request."""

from __future__ import annotations

import httpx
import pytest
from fastapi import APIRouter, Request
from fastapi.routing import APIRoute

from continuum.settings import ServiceSettings
from continuum.web.http import IDEMPOTENT, IfMatch, api_router, council_policy, idempotency_key, unit_of_work
from continuum.web.permissions import AuthorizedRoute
from continuum_tools.testing import TEST_SIGNING_KEY, minimal_service

SETTINGS = ServiceSettings(env="test", jwt_secret=TEST_SIGNING_KEY, run_workers=False)


async def test_a_route_asks_for_the_callers_unit_of_work_and_the_policy_and_solves_no_dependency() -> None:
    router = api_router()
    seen: list[APIRoute] = []
    got: dict[str, object] = {}

    @router.post("/things", openapi_extra=IDEMPOTENT)
    async def make_thing(request: Request, if_match: IfMatch = "1") -> None:
        seen.append(request.scope["route"])
        uow = unit_of_work(request)
        got.update(sub=uow.principal.sub if uow.principal else None, policy=council_policy(request), key=idempotency_key(request))

    app, token = minimal_service(router, SETTINGS, name="deps")
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://deps") as client,
    ):
        response = await client.post("/v1/things", headers={"Authorization": f"Bearer {token}", "Idempotency-Key": "k1"})
        too_long = await client.post("/v1/things", headers={"Authorization": f"Bearer {token}", "Idempotency-Key": "k" * 201})
    assert response.status_code == 200, response.text
    assert too_long.status_code == 422, too_long.text
    assert too_long.json()["errors"] == [
        {"field": "header.Idempotency-Key", "reason": "String should have at most 200 characters"}
    ]
    parameters = app.openapi()["paths"]["/v1/things"]["post"]["parameters"]
    assert [(p["name"], p["in"], p["required"]) for p in parameters] == [
        ("If-Match", "header", False),
        ("Idempotency-Key", "header", False),
    ]
    assert got == {"sub": "tester", "policy": app.state.runtime.policy, "key": "k1"}
    assert isinstance(seen[0], AuthorizedRoute)
    assert seen[0].dependant.dependencies == []


def test_a_service_refuses_to_serve_an_api_route_that_does_not_check_its_caller() -> None:
    router = APIRouter(prefix="/v1")  # not api_router(): its routes would not authorize

    @router.get("/things")
    async def list_things() -> None: ...

    with pytest.raises(RuntimeError, match=r"\['/v1/things'\] are not authorized"):
        minimal_service(router, SETTINGS, name="unguarded")


async def test_the_caller_is_checked_before_the_body_is_read() -> None:
    router = api_router()

    @router.post("/things")
    async def make_thing(body: dict[str, int]) -> None: ...

    app, _ = minimal_service(router, SETTINGS, name="order")
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://order") as client,
    ):
        response = await client.post("/v1/things", content=b"{not json")
    assert response.status_code == 401, response.text  # not 422: nothing of the request is read first
