"""The request body limit (issue 6, point 11): a body over ``max_body_bytes`` answers 413
problem+json whether it declares its length or streams it, and the route never acts on it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from continuum.settings import ServiceSettings
from continuum.web.errors import install_problem_handlers
from continuum.web.limits import BodyLimit

LIMIT = 1000


def _app(stored: list[Any]) -> FastAPI:
    """A tiny service in the house shape: problem handlers, then the limit, then a route that
    stores what it is sent."""
    app = FastAPI()
    install_problem_handlers(app)
    app.add_middleware(BodyLimit, max_bytes=LIMIT)

    @app.post("/notes")
    async def add_note(note: dict[str, Any]) -> dict[str, int]:
        stored.append(note)
        return {"stored": len(stored)}

    @app.get("/ping")
    async def ping() -> dict[str, str]:
        return {"status": "ok"}

    return app


def _client(app: FastAPI) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://kernel")


def _note(size: int) -> bytes:
    """A JSON body of exactly ``size`` bytes."""
    body = b'{"text": "' + b"x" * (size - 12) + b'"}'
    assert len(body) == size
    return body


def _assert_413(response: httpx.Response) -> None:
    assert response.status_code == 413, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["type"].endswith("/body-too-large") and body["status"] == 413
    assert [e["field"] for e in body["errors"]] == ["body"]
    assert body["instance"] == "/notes"


async def test_a_body_of_exactly_the_limit_is_accepted() -> None:
    stored: list[Any] = []
    async with _client(_app(stored)) as client:
        r = await client.post("/notes", content=_note(LIMIT), headers={"content-type": "application/json"})
    assert r.status_code == 200, r.text
    assert len(stored) == 1


async def test_a_body_declaring_a_length_over_the_limit_is_a_413_and_the_route_never_runs() -> None:
    stored: list[Any] = []
    async with _client(_app(stored)) as client:
        r = await client.post("/notes", content=_note(LIMIT + 1), headers={"content-type": "application/json"})
    _assert_413(r)
    assert stored == []


async def test_a_streamed_body_over_the_limit_without_a_length_is_a_413_and_the_route_never_runs() -> None:
    async def chunks() -> AsyncIterator[bytes]:
        yield b'{"text": "'
        for _ in range(50):
            yield b"x" * 100  # 5,000 bytes in all, none of them declared
        yield b'"}'

    stored: list[Any] = []
    async with _client(_app(stored)) as client:
        r = await client.post("/notes", content=chunks(), headers={"content-type": "application/json"})
        assert "content-length" not in r.request.headers
    _assert_413(r)
    assert stored == []


async def test_a_request_without_a_body_is_not_affected() -> None:
    async with _client(_app([])) as client:
        r = await client.get("/ping")
    assert (r.status_code, r.json()) == (200, {"status": "ok"})


@pytest.mark.parametrize(("environ", "expected"), [({}, 1024 * 1024), ({"CONTINUUM_MAX_BODY_BYTES": "2048"}, 2048)])
def test_the_limit_is_a_setting_of_one_mebibyte_by_default(
    monkeypatch: pytest.MonkeyPatch, environ: dict[str, str], expected: int
) -> None:
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    assert ServiceSettings(env="dev").max_body_bytes == expected
