"""Request headers are capped at 16 KiB altogether (issue 16): since the services moved to
httptools, which has no limit of its own (h11 had 16 KiB), a 1 MiB header was answered 200. Now
headers over the limit answer 431 problem+json, through uvicorn on httptools over a real socket as
the services run (``continuum up``, the image), and in process as the tests serve them."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import httpx
import pytest
import uvicorn
from fastapi import FastAPI, Request
from uvicorn.importer import import_from_string
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from continuum.settings import ServiceSettings
from continuum.web.http import api_router
from continuum.web.limits import DEFAULT_MAX_HEADER_BYTES
from continuum.web.server import MAX_HEAD_BYTES
from continuum_tools.devstack import UVICORN_RUNTIME, free_port
from continuum_tools.testing import TEST_SIGNING_KEY, eventually, minimal_service

SETTINGS = ServiceSettings(env="test", jwt_secret=TEST_SIGNING_KEY, run_workers=False)


def _service() -> tuple[FastAPI, str]:
    router = api_router()

    @router.get("/things")
    async def list_things() -> dict[str, str]:
        return {"ok": "yes"}

    @router.post("/notes")
    async def add_note(request: Request) -> dict[str, int]:
        return {"received": len(await request.body())}

    return minimal_service(router, SETTINGS, name="headers")


@pytest.fixture(scope="module")
async def served() -> AsyncIterator[tuple[str, str]]:
    """The service under uvicorn with the parser the services run on, over a real socket."""
    protocol = UVICORN_RUNTIME[UVICORN_RUNTIME.index("--http") + 1]  # what the services run on
    assert issubclass(import_from_string(protocol), HttpToolsProtocol)
    app, token = _service()
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, http=protocol, lifespan="off", log_level="warning"))
    task = asyncio.create_task(server.serve())
    await eventually(lambda: server.started, within=10, interval=0.02, what="uvicorn started")
    yield f"http://127.0.0.1:{port}", token
    server.should_exit = True
    await task


def _assert_431(response: httpx.Response) -> None:
    assert response.status_code == 431, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["type"].endswith("/headers-too-large") and body["status"] == 431
    assert body["title"] == "Request Header Fields Too Large"
    assert [e["field"] for e in body["errors"]] == ["headers"]


async def test_a_normal_request_is_answered_and_headers_over_16_kib_get_431_over_a_real_socket(served: tuple[str, str]) -> None:
    url, token = served
    auth = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=url) as client:
        assert (await client.get("/v1/things", headers=auth)).status_code == 200
        # Just under the limit, all headers counted (httpx adds host, accept, user agent, ...).
        assert (await client.get("/v1/things", headers=auth | {"X-Padding": "a" * 14_000})).status_code == 200
        _assert_431(await client.get("/v1/things", headers=auth | {"X-Padding": "a" * (DEFAULT_MAX_HEADER_BYTES + 1)}))
        _assert_431(await client.get("/health/live", headers={"X-Padding": "a" * 1_000_000}))  # the megabyte
        many = {f"X-Part-{i}": "a" * 1000 for i in range(17)}  # no single header is long; together they are
        _assert_431(await client.get("/v1/things", headers=auth | many))
        # A large body is not a large head, however the server reads it.
        for _ in range(3):
            posted = await client.post("/v1/notes", headers=auth, content=b"x" * 1_000_000)
            assert posted.status_code == 200 and posted.json() == {"received": 1_000_000}


async def test_a_head_that_never_ends_is_cut_off_once_it_passes_the_servers_bound(served: tuple[str, str]) -> None:
    """httptools keeps whatever header bytes a client sends until the head ends, and the app can
    only refuse it then. The server (continuum.web.server) answers 431 and closes once the head passes
    MAX_HEAD_BYTES, without waiting for its end (plain httptools waits for ever)."""
    url, _ = served
    host, port = url.removeprefix("http://").split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    try:
        writer.write(b"GET /health/live HTTP/1.1\r\nHost: kernel\r\nX-Endless: ")
        for _ in range(MAX_HEAD_BYTES // 65536):
            writer.write(b"a" * 65536)
            await writer.drain()
        writer.write(b"a" * 1000)  # past the bound, and the head has not ended
        await writer.drain()
        answer = await asyncio.wait_for(reader.read(), 10)  # the whole answer, then the server closes
    finally:
        writer.close()
    assert answer.startswith(b"HTTP/1.1 431 Request Header Fields Too Large\r\n")
    assert b"application/problem+json" in answer and b"headers-too-large" in answer


async def test_headers_over_the_limit_get_431_in_process_too() -> None:
    app, token = _service()
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://headers") as client:
        headers = {"Authorization": f"Bearer {token}"}
        assert (await client.get("/v1/things", headers=headers)).status_code == 200
        _assert_431(await client.get("/v1/things", headers=headers | {"X-Padding": "a" * 20_000}))


def test_the_limit_is_a_setting_of_16_kib_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    assert ServiceSettings(env="test", jwt_secret=TEST_SIGNING_KEY).max_header_bytes == 16 * 1024 == DEFAULT_MAX_HEADER_BYTES
    monkeypatch.setenv("CONTINUUM_MAX_HEADER_BYTES", "32768")
    assert ServiceSettings(env="test", jwt_secret=TEST_SIGNING_KEY).max_header_bytes == 32768
