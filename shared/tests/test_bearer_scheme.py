"""The bearer token: ``authorize`` reads it from the ``Authorization`` header itself, and OpenAPI
still tells integrators that every ``/v1`` operation needs one."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI

from continuum.settings import ServiceSettings
from continuum.web.auth import mint_dev_token
from continuum.web.http import api_router
from continuum_tools.testing import TEST_SIGNING_KEY, minimal_service

SETTINGS = ServiceSettings(env="test", jwt_secret=TEST_SIGNING_KEY, run_workers=False)


def _app() -> FastAPI:
    router = api_router()

    @router.get("/things")
    async def list_things() -> dict[str, str]:
        return {"ok": "yes"}

    return minimal_service(router, SETTINGS, name="bearer")[0]


def test_openapi_documents_the_bearer_scheme_on_every_api_operation_and_not_on_health() -> None:
    schema = _app().openapi()
    assert schema["components"]["securitySchemes"] == {"HTTPBearer": {"type": "http", "scheme": "bearer"}}
    assert schema["paths"]["/v1/things"]["get"]["security"] == [{"HTTPBearer": []}]
    assert "security" not in schema["paths"]["/health/live"]["get"]


@pytest.mark.parametrize(
    ("header", "status"),
    [
        ("Bearer {token}", 200),
        ("bearer {token}", 200),  # the scheme in any case (RFC 9110)
        ("BEARER {token}", 200),
        (None, 401),
        ("", 401),
        ("Bearer", 401),
        ("Bearer ", 401),
        ("Basic {token}", 401),
        ("{token}", 401),
        ("Bearer not-a-token", 401),
    ],
)
async def test_the_bearer_token_is_read_from_the_authorization_header(header: str | None, status: int) -> None:
    app = _app()
    token = mint_dev_token(SETTINGS, sub="tester", roles=["admin"])
    headers = {} if header is None else {"Authorization": header.format(token=token)}
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bearer") as client,
    ):
        response = await client.get("/v1/things", headers=headers)
    assert response.status_code == status, response.text
    if status == 401:
        assert response.headers["www-authenticate"] == "Bearer"
        assert response.headers["content-type"] == "application/problem+json"
