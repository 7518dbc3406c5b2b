"""Logging and metrics.

Logs are JSON lines that carry ids, routes and timings, never names, dates of birth or narrative:
the request log records the route template (``/v1/referrals/{referral_id}``), not the query string,
and uvicorn's own access log is switched off.

What a caller sends is never trusted into a log, a metric label or an event: a client's
``X-Request-ID`` is kept only when it is a UUID, a ``traceparent`` only when it is a valid W3C
trace context, and metric labels come from a closed set (known methods, route templates).
"""

from __future__ import annotations

import logging
import re
import sys
import time
import uuid
from typing import Any

from fastapi import FastAPI, Response
from prometheus_client import CONTENT_TYPE_LATEST, Counter, Gauge, Histogram, generate_latest
from pythonjsonlogger.json import JsonFormatter
from starlette.routing import BaseRoute
from starlette.types import ASGIApp, Message, Receive, Scope, Send

REQUEST_LATENCY = Histogram(
    "continuum_http_request_duration_seconds",
    "HTTP request latency",
    ["service", "method", "route", "status"],
)
OUTBOX_BACKLOG = Gauge("continuum_outbox_backlog", "Events written but not yet published", ["service"])
OUTBOX_OLDEST_AGE = Gauge("continuum_outbox_oldest_age_seconds", "Age of the oldest unpublished event", ["service"])
OUTBOX_PUBLISHED = Counter("continuum_outbox_published_total", "Events published", ["service", "topic"])
OUTBOX_REPUBLISHED = Counter(
    "continuum_outbox_republished_total",
    "Published events sent again because the broker lost them (or an operator asked)",
    ["service"],
)
OUTBOX_PUBLISH_FAILURES = Counter("continuum_outbox_publish_failures_total", "Publish attempts that failed", ["service"])
CONSUMER_HANDLED = Counter("continuum_consumer_events_total", "Events a consumer handled", ["consumer", "outcome"])
CONSUMER_OFFSETS_LOST = Counter(
    "continuum_consumer_offsets_lost_total",
    "Times the broker had lost a consumer group's committed offsets (a restarted or recreated broker) "
    "and the consumer read its partitions again from their start",
    ["consumer"],
)
CONSUMER_PAUSED_SECONDS = Counter(
    "continuum_consumer_paused_seconds_total",
    "Time a consumer waited for a dependency (database, network) to return",
    ["consumer"],
)
CONSUMER_LAG = Gauge("continuum_consumer_lag", "Messages behind the partition end", ["consumer", "partition"])
CHILD_READS_REFUSED = Counter(
    "continuum_child_reads_refused_total", "Answers refused because the caller spent its child-record read budget", ["service"]
)
DLQ_MESSAGES = Counter("continuum_dlq_messages_total", "Messages sent to a dead-letter topic", ["consumer"])

#: Methods labelled by name in the request metric and log; any other is ``other``, so a client
#: cannot add series by making methods up.
KNOWN_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})

#: Headers on every response: a child's record must not be kept by a browser or proxy cache, and
#: no response may be sniffed into another content type.
SECURITY_HEADERS: tuple[tuple[bytes, bytes], ...] = ((b"cache-control", b"no-store"), (b"x-content-type-options", b"nosniff"))

_UUID = re.compile(rb"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
_TRACEPARENT = re.compile(r"00-(?P<trace>[0-9a-f]{32})-(?P<parent>[0-9a-f]{16})-[0-9a-f]{2}")

_configured = False


def configure_logging(level: str = "INFO") -> None:
    """JSON logs on stdout. Idempotent so app factories and tests may call it freely."""
    global _configured
    if _configured:
        return
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(JsonFormatter("%(asctime)s %(levelname)s %(name)s %(message)s", rename_fields={"levelname": "level"}))
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(level)
    # aiokafka is loud while the broker is down; its warnings carry no personal data.
    logging.getLogger("aiokafka").setLevel(logging.ERROR)
    logging.getLogger("uvicorn.access").disabled = True
    _configured = True


def request_id_from(header: bytes | None) -> str:
    """The request id to use: the caller's ``X-Request-ID`` when it is a UUID (8-4-4-4-12 hex, kept
    in lower case), otherwise a fresh UUID4. Anything else (too long for the audit column, free
    text that could carry a name, control characters) is ignored, never logged or stored."""
    if header and _UUID.fullmatch(header):
        return header.decode("ascii").lower()
    return str(uuid.uuid4())


def parse_traceparent(value: str | None) -> str | None:
    """A W3C ``traceparent`` (version 00) exactly as received when it is valid, else ``None``.

    Valid: 55 characters, ``00-<32 lowercase hex, not all zeros>-<16 lowercase hex, not all
    zeros>-<2 lowercase hex flags>``. Events carry the trace context to partners, so a caller's
    header that is anything else (text, a name, an oversized value) is dropped, not copied."""
    if value is None or len(value) != 55:
        return None
    match = _TRACEPARENT.fullmatch(value)
    if match is None or set(match["trace"]) == {"0"} or set(match["parent"]) == {"0"}:
        return None
    return value


def method_label(method: str) -> str:
    """The method as a metric label and in the log: a known method, or ``other``."""
    return method if method in KNOWN_METHODS else "other"


def route_label(scope: Scope) -> str:
    """The matched route's template (``/v1/referrals/{referral_id}``), or ``unmatched``; never the
    request's own path, so the label set is bounded by the app's routes."""
    route = scope.get("route")
    path = getattr(route, "path", None)
    return path if isinstance(route, BaseRoute) and isinstance(path, str) else "unmatched"


def _with_response_headers(headers: list[tuple[bytes, bytes]], request_id: str) -> list[tuple[bytes, bytes]]:
    ours = [*SECURITY_HEADERS, (b"x-request-id", request_id.encode())]
    # A response that says itself it is public (a static file: insight's dashboard's stylesheets
    # and scripts, which carry nothing of a child) keeps its own caching; any other is no-store.
    if any(k.lower() == b"cache-control" and v.startswith(b"public") for k, v in headers):
        ours = [(k, v) for k, v in ours if k != b"cache-control"]
    names = {name for name, _ in ours}
    return [(k, v) for k, v in headers if k.lower() not in names] + ours


class RequestObserver:
    """Pure ASGI middleware (cheaper than ``BaseHTTPMiddleware``): request id, latency metric,
    security headers and one log line per request with the route template, status, duration and
    actor id. :func:`install_observability` places it outside every other layer, so problem
    answers rendered by Starlette's error middleware (a 500) carry the headers too."""

    def __init__(self, app: ASGIApp, *, service: str, log: logging.Logger) -> None:
        self.app = app
        self.service = service
        self.log = log
        # The latency histogram's child per (method, route, status): the label set is closed, and
        # looking a child up through labels() on every request costs more than observing.
        self._latency: dict[tuple[str, str, int], Any] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        request_id = request_id_from(headers.get(b"x-request-id"))
        scope.setdefault("state", {})["request_id"] = request_id
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = _with_response_headers(list(message.get("headers") or []), request_id)
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            elapsed = time.perf_counter() - started
            method = method_label(scope["method"])
            template = route_label(scope)
            latency = self._latency.get((method, template, status))
            if latency is None:
                latency = self._latency[(method, template, status)] = REQUEST_LATENCY.labels(
                    self.service, method, template, str(status)
                )
            latency.observe(elapsed)
            if self.log.isEnabledFor(logging.INFO):
                principal = scope["state"].get("principal")
                self.log.info(
                    "request",
                    extra={
                        "request_id": request_id,
                        "method": method,
                        "route": template,
                        "status": status,
                        "duration_ms": round(elapsed * 1000, 2),
                        "actor": getattr(principal, "sub", None),
                    },
                )


def install_observability(app: FastAPI, *, service: str) -> None:
    """Request ids, request metrics, security headers and the request log, plus ``GET /metrics``.

    The observer wraps the whole middleware stack, Starlette's ``ServerErrorMiddleware`` included
    (``add_middleware`` would put it inside that one), so every response passes through it."""
    log = logging.getLogger(f"continuum.{service}.http")
    build_stack = app.build_middleware_stack

    def build_observed_stack() -> ASGIApp:
        return RequestObserver(build_stack(), service=service, log=log)

    app.build_middleware_stack = build_observed_stack  # type: ignore[method-assign]

    @app.get("/metrics", include_in_schema=False)
    async def metrics() -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
