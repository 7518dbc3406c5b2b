"""What a caller sends never reaches a log, a metric label or an event unchecked; every response
carries the security headers (issue 6, points 6, 13, 15 and 16)."""

from __future__ import annotations

import uuid

import httpx
import pytest
from fastapi import FastAPI, Response

from continuum.observability import (
    REQUEST_LATENCY,
    install_observability,
    method_label,
    parse_traceparent,
    request_id_from,
)
from continuum.web.errors import install_problem_handlers

VALID_TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"


# --- request ids ----------------------------------------------------------------------------------


def test_a_uuid_request_id_is_kept_in_lower_case() -> None:
    given = uuid.uuid4()
    assert request_id_from(str(given).encode()) == str(given)
    assert request_id_from(str(given).upper().encode()) == str(given)


@pytest.mark.parametrize(
    "header",
    [
        None,
        b"",
        b"x" * 5000,
        b"Jane Smith 2016-03-14",
        b"abc",
        b"4bf92f3577b34da6a3ce929d0e0e4736",  # a UUID's hex without the hyphens
        ("{" + str(uuid.uuid4()) + "}").encode(),
        ("urn:uuid:" + str(uuid.uuid4())).encode(),
        (str(uuid.uuid4()) + "\n").encode(),
        (str(uuid.uuid4()) + " injected").encode(),
        b"\xff\xfe" + b"0" * 34,  # not even UTF-8
    ],
)
def test_a_long_or_unsafe_request_id_is_replaced_by_a_fresh_uuid(header: bytes | None) -> None:
    used = request_id_from(header)
    assert str(uuid.UUID(used)) == used
    assert header is None or used.encode() != header
    assert request_id_from(header) != used  # fresh each time, not a fixed placeholder


# --- traceparent ----------------------------------------------------------------------------------


def test_a_valid_traceparent_is_kept_as_received() -> None:
    assert parse_traceparent(VALID_TRACEPARENT) == VALID_TRACEPARENT
    assert parse_traceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00") is not None


@pytest.mark.parametrize(
    "header",
    [
        None,
        "",
        "00-Jane-Smith-2016-03-14-01",
        "00-jane0smith0000000000000000000000-00f067aa0ba902b7-01",  # right length, not hex
        "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",  # another version
        "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",  # upper case
        "00-00000000000000000000000000000000-00f067aa0ba902b7-01",  # all-zero trace id
        "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",  # all-zero parent id
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-1",
        "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0g",
        VALID_TRACEPARENT + "-extra",
        VALID_TRACEPARENT + "\n",
        " " + VALID_TRACEPARENT,
        VALID_TRACEPARENT + "x" * 5000,
        "00_4bf92f3577b34da6a3ce929d0e0e4736_00f067aa0ba902b7_01",
    ],
)
def test_a_forged_traceparent_is_dropped(header: str | None) -> None:
    assert parse_traceparent(header) is None


# --- metric labels --------------------------------------------------------------------------------


def test_only_known_methods_are_labelled_by_name() -> None:
    for method in ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"):
        assert method_label(method) == method
    for method in ("FOO", "PROPFIND", "TRACE", "get", "GET ", "X" * 1000):
        assert method_label(method) == "other"


# --- through an app -------------------------------------------------------------------------------


def _app(service: str) -> FastAPI:
    app = FastAPI()
    install_problem_handlers(app)
    install_observability(app, service=service)

    @app.get("/items/{item_id}")
    async def item(item_id: int) -> dict[str, int]:
        return {"id": item_id}

    @app.get("/boom")
    async def boom() -> None:
        raise RuntimeError("an unexpected failure")

    @app.get("/cached/{kind}")
    async def cached(kind: str) -> Response:
        return Response("a file", headers={"Cache-Control": f"{kind}, max-age=60"})

    return app


def _client(app: FastAPI) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app, raise_app_exceptions=False), base_url="http://test")


def _series(service: str) -> set[tuple[str, str, str]]:
    return {
        (s.labels["method"], s.labels["route"], s.labels["status"])
        for metric in REQUEST_LATENCY.collect()
        for s in metric.samples
        if s.name.endswith("_count") and s.labels["service"] == service
    }


async def test_every_response_says_no_store_and_nosniff_with_the_request_id() -> None:
    app = _app("observed-headers")
    async with _client(app) as client:
        responses = [
            await client.get("/items/1"),  # 200
            await client.get("/items/one"),  # 422 problem
            await client.get("/nowhere"),  # 404 problem
            await client.post("/items/1"),  # 405 problem
            await client.get("/boom"),  # 500 problem, rendered by Starlette's error middleware
            await client.get("/metrics"),
        ]
    assert [r.status_code for r in responses] == [200, 422, 404, 405, 500, 200]
    for r in responses:
        assert r.headers.get_list("cache-control") == ["no-store"], r.request.url
        assert r.headers.get_list("x-content-type-options") == ["nosniff"], r.request.url
        assert str(uuid.UUID(r.headers["x-request-id"])) == r.headers["x-request-id"]
    assert responses[4].headers["content-type"] == "application/problem+json"


async def test_only_a_response_that_says_it_is_public_keeps_its_own_caching() -> None:
    """A static file (insight's dashboard's stylesheet) may be cached; anything else, even if it
    asks for a private cache, is no-store."""
    async with _client(_app("observed-caching")) as client:
        public, private = await client.get("/cached/public"), await client.get("/cached/private")
    assert public.headers.get_list("cache-control") == ["public, max-age=60"]
    assert private.headers.get_list("cache-control") == ["no-store"]
    assert public.headers["x-content-type-options"] == private.headers["x-content-type-options"] == "nosniff"


async def test_made_up_methods_and_raw_paths_never_become_metric_labels() -> None:
    service = f"observed-{uuid.uuid4().hex[:8]}"
    app = _app(service)
    async with _client(app) as client:
        for n in range(5):
            await client.request(f"MADEUP{n}", "/items/1")
            await client.get(f"/raw-path-{n}")
            await client.get(f"/items/{n}")
    series = _series(service)
    assert series == {("other", "/items/{item_id}", "405"), ("GET", "unmatched", "404"), ("GET", "/items/{item_id}", "200")}
