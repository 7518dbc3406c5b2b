"""Limits on what a request may carry: the size of its headers and of its body, the range of its
dates, and the check that every string a request sends has a documented maximum length.

Headers over the limit are refused with 431 before the app sees the request; a body over the
limit is refused with 413 before the service parses or stores any of it; a date
outside the years a record can hold is refused with a 422 naming the field, before a due date is
computed from it (year 1 overflows the London time zone, year 9999 the working-day clock).
"""

from __future__ import annotations

import contextlib
import json
import re
from datetime import date, datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from continuum.casework.errors import FieldError
from continuum.web.errors import PROBLEM_JSON, Problem

#: The default request body limit (``CONTINUUM_MAX_BODY_BYTES``): 1 MiB.
DEFAULT_MAX_BODY_BYTES = 1024 * 1024
#: The default limit of a request's headers altogether (``CONTINUUM_MAX_HEADER_BYTES``): 16 KiB,
#: h11's limit of a request's head.
DEFAULT_MAX_HEADER_BYTES = 16 * 1024

#: The years a date or instant in a request may fall in: children's records, not history.
EARLIEST_YEAR = 1900
LATEST_YEAR = 2100

#: String formats that bound a value by themselves (no ``maxLength`` needed).
BOUNDED_FORMATS = frozenset({"uuid", "date", "date-time", "time", "duration"})


def _plausible_year(value: date) -> date:
    # The year alone, so that no time zone conversion (which overflows near year 1) happens here.
    if not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
        raise ValueError(f"must be in the years {EARLIEST_YEAR} to {LATEST_YEAR}")
    return value


#: A calendar date in a request: a year from 1900 to 2100, else a 422 naming the field.
Day = Annotated[date, AfterValidator(_plausible_year)]
#: An instant in a request: a year from 1900 to 2100, else a 422 naming the field.
Instant = Annotated[datetime, AfterValidator(_plausible_year)]

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _written_as_a_date(value: object) -> object:
    # A query string is text: pydantic's lax mode would read "0" or a Unix time as a date.
    if isinstance(value, str) and _ISO_DATE.fullmatch(value) is None:
        raise ValueError("must be a date written YYYY-MM-DD (ISO 8601)")
    return value


#: A calendar date in a query string: only ``YYYY-MM-DD`` (never a number read as a Unix time),
#: a year from 1900 to 2100. Request bodies get the same rule from ``RequestModel``.
QueryDay = Annotated[date, BeforeValidator(_written_as_a_date), AfterValidator(_plausible_year)]


class HeaderLimit:
    """Pure ASGI middleware: a request whose headers come to more than ``max_bytes`` altogether,
    each counted as it travels (name, ``": "``, value, CRLF), answers 431 problem+json (Request
    Header Fields Too Large) before the app sees it.

    h11 refuses a request head over 16 KiB by itself; httptools, which the services run on, has no
    limit (a 1 MiB header was answered 200). Checked here, the limit holds however the app is
    served: uvicorn with either parser, an in-process test client, another ASGI server."""

    def __init__(self, app: ASGIApp, *, max_bytes: int = DEFAULT_MAX_HEADER_BYTES) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and header_bytes(scope) > self.max_bytes:
            problem = Problem(
                431,
                "headers-too-large",
                "Request Header Fields Too Large",
                detail=f"send at most {self.max_bytes} bytes of headers",
                errors=[FieldError("headers", f"longer than {self.max_bytes} bytes altogether")],
            )
            await _answer(scope, send, problem)
            return
        await self.app(scope, receive, send)


def header_bytes(scope: Scope) -> int:
    """The size of a request's headers as sent: each ``name: value`` and its CRLF."""
    return sum(len(name) + len(value) + 4 for name, value in scope.get("headers", ()))


class _BodyTooLarge(Exception):
    """Raised into the app by ``receive`` once the body passes the limit."""


class BodyLimit:
    """Pure ASGI middleware: a request body longer than ``max_bytes`` answers 413 problem+json.

    A declared ``Content-Length`` over the limit is refused before the app runs; a body streamed
    without one (chunked) is counted as the app reads it, and once it passes the limit the app's
    own answer (it sees a failed read) is replaced by the 413. Nothing has been stored by then:
    the app has not got the whole body to act on."""

    def __init__(self, app: ASGIApp, *, max_bytes: int = DEFAULT_MAX_BODY_BYTES) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = _content_length(scope)
        if declared is not None and declared > self.max_bytes:
            await self._refuse(scope, send)
            return
        received = 0
        too_large = False
        started = False

        async def counting_receive() -> Message:
            nonlocal received, too_large
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    too_large = True
                    raise _BodyTooLarge
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if too_large and not started:
                return  # the app's answer to a body it could not read; the 413 goes instead
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        with contextlib.suppress(_BodyTooLarge):
            await self.app(scope, counting_receive, guarded_send)
        if too_large and not started:
            await self._refuse(scope, send)

    async def _refuse(self, scope: Scope, send: Send) -> None:
        problem = Problem(
            413,
            "body-too-large",
            "The request body is too large",
            detail=f"send at most {self.max_bytes} bytes",
            errors=[FieldError("body", f"longer than {self.max_bytes} bytes")],
        )
        await _answer(scope, send, problem)


async def _answer(scope: Scope, send: Send, problem: Problem) -> None:
    """Answer ``problem`` as problem+json, closing the connection."""
    payload = json.dumps(problem.body(instance=scope.get("path"))).encode()
    await send(
        {
            "type": "http.response.start",
            "status": problem.status,
            "headers": [
                (b"content-type", PROBLEM_JSON.encode()),
                (b"content-length", str(len(payload)).encode()),
                # What the request still carries is not read: the client must not reuse the connection.
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": payload})


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None  # the server refuses a malformed length itself
    return None


def unbounded_request_strings(openapi: dict[str, Any]) -> list[str]:
    """Every string a request may send in its query, path or body whose schema has no
    ``maxLength``, enum, const or bounded format, and every list there without ``maxItems``, as
    ``"METHOD path: where"``. A service's tests assert this is empty for its ``app.openapi()``.
    (Headers are capped altogether by :class:`HeaderLimit`, and checked by their parsers, e.g. ``If-Match``.)"""
    components = openapi.get("components", {}).get("schemas", {})
    found: list[str] = []
    for path, operations in openapi.get("paths", {}).items():
        for method, operation in operations.items():
            if not isinstance(operation, dict):
                continue
            where = f"{method.upper()} {path}"
            for parameter in operation.get("parameters", []):
                if parameter.get("in") not in ("query", "path"):
                    continue
                for spot in _unbounded(parameter.get("schema", {}), components, f"{parameter['in']} {parameter['name']}", set()):
                    found.append(f"{where}: {spot}")
            for media in operation.get("requestBody", {}).get("content", {}).values():
                for spot in _unbounded(media.get("schema", {}), components, "body", set()):
                    found.append(f"{where}: {spot}")
    return found


def _unbounded(schema: dict[str, Any], components: dict[str, Any], where: str, seen: set[str]) -> list[str]:
    ref = schema.get("$ref")
    if ref:
        name = ref.rsplit("/", 1)[-1]
        if name in seen:
            return []
        return _unbounded(components[name], components, where, seen | {name})
    found: list[str] = []
    for key in ("anyOf", "oneOf", "allOf"):
        for option in schema.get(key, []):
            found += _unbounded(option, components, where, seen)
    kind = schema.get("type")
    kinds = kind if isinstance(kind, list) else [kind]
    if "string" in kinds and not (
        "maxLength" in schema or "enum" in schema or "const" in schema or schema.get("format") in BOUNDED_FORMATS
    ):
        found.append(where)
    if "array" in kinds:
        if "maxItems" not in schema:
            found.append(f"{where} (a list without maxItems)")
        found += _unbounded(schema.get("items", {}), components, f"{where}[]", seen)
    for name, prop in schema.get("properties", {}).items():
        found += _unbounded(prop, components, f"{where}.{name}", seen)
    extra = schema.get("additionalProperties")
    if isinstance(extra, dict):
        found += _unbounded(extra, components, f"{where}.*", seen)
    return found
