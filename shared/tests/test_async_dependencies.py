"""Every dependency the kernel gives a route is ``async def``: FastAPI runs a plain ``def``
dependency in the thread pool, a hop per request that costs more than the work it does. The
caller's authentication and permission check is no dependency at all: the route class runs it."""

from __future__ import annotations

import inspect
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fastapi import APIRouter, Request
from fastapi.routing import APIRoute

from continuum.http import IdempotencyKey, IfMatch, PolicyDep, UnitOfWorkDep, api_router
from continuum.permissions import AuthorizedRoute
from continuum.settings import ServiceSettings
from continuum.testing import TEST_SIGNING_KEY, minimal_service


def _dependencies(dependant: Any) -> Iterator[Any]:
    for sub in dependant.dependencies:
        yield sub.call
        yield from _dependencies(sub)


def _runs_on_the_event_loop(call: Any) -> bool:
    return inspect.iscoroutinefunction(call) or inspect.iscoroutinefunction(getattr(call, "__call__", None))  # noqa: B004


async def test_no_dependency_of_a_route_runs_in_the_thread_pool() -> None:
    router = api_router()
    seen: list[APIRoute] = []

    @router.post("/things")
    async def make_thing(
        request: Request, uow: UnitOfWorkDep, policy: PolicyDep, key: IdempotencyKey = None, if_match: IfMatch = "1"
    ) -> None:
        seen.append(request.scope["route"])  # the route as served, with the dependencies the app adds

    settings = ServiceSettings(env="test", jwt_secret=TEST_SIGNING_KEY, run_workers=False)
    app, token = minimal_service(router, settings, name="deps")
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://deps") as client,
    ):
        response = await client.post("/v1/things", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200, response.text
    # The route's own (the unit of work, the policy); the caller was checked by the route's class.
    calls = list(_dependencies(seen[0].dependant))
    names = sorted(getattr(c, "__qualname__", None) or type(c).__name__ for c in calls)
    assert names == ["council_policy", "unit_of_work"]
    assert isinstance(seen[0], AuthorizedRoute)
    sync = [getattr(c, "__qualname__", repr(c)) for c in calls if not _runs_on_the_event_loop(c)]
    assert not sync, f"these dependencies run in the thread pool: {sync}"


def test_a_service_refuses_to_serve_an_api_route_that_does_not_check_its_caller() -> None:
    router = APIRouter(prefix="/v1")  # not api_router(): its routes would not authorize

    @router.get("/things")
    async def list_things() -> None: ...

    settings = ServiceSettings(env="test", jwt_secret=TEST_SIGNING_KEY, run_workers=False)
    with pytest.raises(RuntimeError, match=r"\['/v1/things'\] are not authorized"):
        minimal_service(router, settings, name="unguarded")


async def test_the_caller_is_checked_before_the_body_is_read() -> None:
    router = api_router()

    @router.post("/things")
    async def make_thing(body: dict[str, int]) -> None: ...

    settings = ServiceSettings(env="test", jwt_secret=TEST_SIGNING_KEY, run_workers=False)
    app, _ = minimal_service(router, settings, name="order")
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://order") as client,
    ):
        response = await client.post("/v1/things", content=b"{not json")
    assert response.status_code == 401, response.text  # not 422: nothing of the request is read first
