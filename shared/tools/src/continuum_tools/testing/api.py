"""Calling a service's API in tests: a minimal app, the permission walk's call, documentation checks
and the problem+json assertion."""

from __future__ import annotations

import json
import re
import uuid
from pathlib import Path
from typing import Any

import httpx
from fastapi import APIRouter, FastAPI
from fastapi.routing import APIRoute
from sqlalchemy import text

from continuum.casework.policy import load_policy
from continuum.casework.principal import Role
from continuum.contracts import Envelope
from continuum.settings import ServiceSettings
from continuum.web.app import build_app
from continuum.web.auth import mint_dev_token
from continuum.web.permissions import PermissionTable, api_operations, grant
from continuum_tools.devstack import free_port

# Re-exported: the journeys outside the tests (continuum demo) use them too.
from continuum_tools.journey.people import la_child_id as la_child_id
from continuum_tools.journey.waiting import unique as unique
from continuum_tools.testing.fixtures import TEST_SIGNING_KEY


def minimal_service(router: APIRouter, settings: ServiceSettings, *, name: str) -> tuple[FastAPI, str]:
    """A service in the house shape around ``router``, for the kernel's own tests (``build_app``,
    every route granted to admins, the council policy), and an admin's token for it."""
    operations = {route.name: grant(Role.ADMIN) for route in router.routes if isinstance(route, APIRoute)}
    app = build_app(
        settings=settings,
        title=name,
        description="a minimal service",
        routers=[router],
        permissions=PermissionTable(name, operations),
        policy=load_policy(settings.policy_file),
    )
    return app, mint_dev_token(settings, sub="tester", roles=["admin"])


def dumps(obj: Any) -> bytes:
    return json.dumps(obj, default=str).encode()


def fuzz_api(app: str, database_url: str, token: str, *, max_examples: int = 25, seed: int = 1) -> tuple[int, str]:
    """Run schemathesis over a service's OpenAPI schema, against the service under uvicorn (its
    workers off), checking only that nothing answers a 5xx. Returns (exit code, report).
    ``token`` must be signed with :data:`TEST_SIGNING_KEY`."""
    import os
    import subprocess
    import sys

    from continuum_tools.devstack import UVICORN_RUNTIME, wait_for_port

    port = free_port()
    env = os.environ | {
        "CONTINUUM_DATABASE_URL": database_url,
        "CONTINUUM_RUN_WORKERS": "false",
        "CONTINUUM_ENV": "test",
        "CONTINUUM_JWT_SECRET": TEST_SIGNING_KEY,
    }
    serve = [sys.executable, "-m", "uvicorn", app, "--factory", "--port", str(port), "--no-access-log", "--no-server-header"]
    server = subprocess.Popen(
        [*serve, *UVICORN_RUNTIME],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for_port(port, timeout=30)
        schemathesis = Path(sys.executable).with_name("schemathesis")
        command = [str(schemathesis), "run", f"http://127.0.0.1:{port}/openapi.json", "-H", f"Authorization: Bearer {token}"]
        command += ["--checks", "not_a_server_error", "--max-examples", str(max_examples), "--seed", str(seed)]
        result = subprocess.run(
            command,
            capture_output=True,
            text=True,
            timeout=600,
        )
        return result.returncode, result.stdout + result.stderr
    finally:
        server.terminate()
        server.wait(30)


# --- the permission walk ----------------------------------------------------------------------------


#: Every role a token may hold, and ``None`` for a token that holds none.
ROLES_TO_WALK: list[str | None] = [*(r.value for r in Role), None]


async def call_operation(app: Any, settings: ServiceSettings, operation: str, role: str | None) -> Any:
    """Call ``operation`` of ``app`` (its OpenAPI operationId) as a user of team north holding only
    ``role`` (and the social-work qualification, so that only the role decides), with random ids in
    the path and an empty body: enough for the permission check, which runs before anything else.
    Returns the response; its ``X-Request-ID`` names the audit rows it wrote."""
    method, template = api_operations(app)[operation]
    path = re.sub(r"\{[^}]+\}", lambda _: str(uuid.uuid4()), template)
    token = mint_dev_token(settings, sub=unique("walker"), roles=[role] if role else [], teams=["north"], sw_qualified=True)
    headers = {"Authorization": f"Bearer {token}", "X-Request-ID": str(uuid.uuid4()), "If-Match": '"1"'}
    body: dict[str, Any] | None = {} if method in ("POST", "PUT", "PATCH") else None
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://walk") as client:
        return await client.request(method, path, json=body, headers=headers)


# --- assertions every service's tests use -------------------------------------------------------------


class ServiceCases:
    """Direct access to a running service app's database and its first consumer (no broker), for
    a service's tests: hand it events as the runner would, read rows, read its outbox. A service's
    ``Cases`` adds the helpers that build its own records."""

    def __init__(self, app: Any, settings: ServiceSettings) -> None:
        self.app = app
        self.settings = settings

    @property
    def runtime(self) -> Any:
        return self.app.state.runtime

    @property
    def consumer(self) -> Any:
        """The service's (first) event consumer, a ``continuum.messaging.consumer.EventConsumer``."""
        return self.runtime.consumers[0]

    async def deliver(self, event: Envelope[Any]) -> str:
        """Hand an event to the consumer exactly as it would after reading it from Kafka."""
        outcome: str = await self.consumer.handle(event, self.consumer.handlers[event.type])
        return outcome

    async def scalar(self, sql: str, **params: Any) -> Any:
        async with self.runtime.session_factory() as session:
            return (await session.execute(text(sql), params)).scalar()

    async def row(self, sql: str, **params: Any) -> dict[str, Any] | None:
        async with self.runtime.session_factory() as session:
            found = (await session.execute(text(sql), params)).mappings().first()
            return dict(found) if found else None

    async def rows(self, sql: str, **params: Any) -> list[dict[str, Any]]:
        async with self.runtime.session_factory() as session:
            return [dict(r) for r in (await session.execute(text(sql), params)).mappings()]

    async def execute(self, sql: str, **params: Any) -> None:
        async with self.runtime.session_factory() as session, session.begin():
            await session.execute(text(sql), params)

    async def events(self, case_id: Any, event_type: str | None = None) -> list[dict[str, Any]]:
        """The outbox rows written for a case (optionally of one type), oldest first."""
        sql = "SELECT event_type, payload FROM outbox WHERE key = :k"
        if event_type:
            sql += " AND event_type = :t"
        return await self.rows(sql + " ORDER BY seq", k=str(case_id), t=event_type)


def undescribed_fields(app: Any) -> list[str]:
    """The ``Schema.field`` of every field in the app's OpenAPI document without a description
    (an integrator generating a client reads them as its documentation)."""
    components: dict[str, Any] = app.openapi()["components"]["schemas"]
    return [
        f"{name}.{field}"
        for name, schema in components.items()
        for field, spec in schema.get("properties", {}).items()
        if not spec.get("description")
    ]


def bodies_without_examples(app: Any) -> list[str]:
    """The schemas of request bodies and successful answers in the app's OpenAPI document that
    carry no example; a page's examples are its items'."""
    document = app.openapi()
    components: dict[str, Any] = document["components"]["schemas"]

    def named(content: dict[str, Any]) -> str | None:
        ref = content.get("application/json", {}).get("schema", {}).get("$ref")
        return ref.rsplit("/", 1)[1] if ref else None

    names: set[str | None] = set()
    for method, path in api_operations(app).values():
        operation = document["paths"][path][method.lower()]
        names.add(named(operation.get("requestBody", {}).get("content", {})))
        names |= {named(answer.get("content", {})) for code, answer in operation["responses"].items() if code.startswith("2")}
    found = {n for n in names if n}
    pages = {n for n in found if n.startswith("Page_")}
    found |= {components[p]["properties"]["items"]["items"]["$ref"].rsplit("/", 1)[1] for p in pages}
    return sorted(n for n in found - pages if not components[n].get("examples"))


def assert_problem(response: httpx.Response, status: int, field: str | None = None) -> dict[str, Any]:
    """The answer is RFC 9457 problem+json with ``status``; when ``field`` is given, its errors name it."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    if field is not None:
        assert field in [e["field"] for e in body.get("errors", [])], body
    return body
