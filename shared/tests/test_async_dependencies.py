"""Every dependency the kernel gives a route is ``async def``: FastAPI runs a plain ``def``
dependency in the thread pool, a hop per request that costs more than the work it does."""

from __future__ import annotations

import inspect
from collections.abc import Iterator
from typing import Any

import httpx
from fastapi import APIRouter, Request
from fastapi.dependencies.utils import get_dependant
from fastapi.routing import APIRoute

from continuum.http import IdempotencyKey, IfMatch, PolicyDep, UnitOfWorkDep
from continuum.permissions import authorize
from continuum.settings import ServiceSettings
from continuum.testing import TEST_SIGNING_KEY, minimal_service


def _dependencies(dependant: Any) -> Iterator[Any]:
    for sub in dependant.dependencies:
        yield sub.call
        yield from _dependencies(sub)


def _runs_on_the_event_loop(call: Any) -> bool:
    return inspect.iscoroutinefunction(call) or inspect.iscoroutinefunction(getattr(call, "__call__", None))  # noqa: B004


async def test_no_dependency_of_a_route_runs_in_the_thread_pool() -> None:
    router = APIRouter(prefix="/v1")
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
    # The route's own (the unit of work, the policy), and the caller's authentication and
    # permission check that build_app adds to every router (it reads the bearer token itself).
    calls = [*_dependencies(seen[0].dependant), authorize, *_dependencies(get_dependant(path="/v1/things", call=authorize))]
    names = sorted(getattr(c, "__qualname__", None) or type(c).__name__ for c in calls)
    assert names == ["authorize", "council_policy", "unit_of_work"]
    sync = [getattr(c, "__qualname__", repr(c)) for c in calls if not _runs_on_the_event_loop(c)]
    assert not sync, f"these dependencies run in the thread pool: {sync}"
