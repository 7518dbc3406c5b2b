"""Logging and metrics.

Logs are JSON lines that carry ids, routes and timings, never names, dates of birth or narrative:
the request log records the route template (``/v1/referrals/{referral_id}``), not the query string,
and uvicorn's own access log is switched off.
"""

from __future__ import annotations

import logging
import sys
import time
import uuid

from fastapi import FastAPI, Response
from prometheus_client import CONTENT_TYPE_LATEST, Counter, Gauge, Histogram, generate_latest
from pythonjsonlogger.json import JsonFormatter
from starlette.types import ASGIApp, Message, Receive, Scope, Send

REQUEST_LATENCY = Histogram(
    "continuum_http_request_duration_seconds",
    "HTTP request latency",
    ["service", "method", "route", "status"],
)
OUTBOX_BACKLOG = Gauge("continuum_outbox_backlog", "Events written but not yet published", ["service"])
OUTBOX_OLDEST_AGE = Gauge("continuum_outbox_oldest_age_seconds", "Age of the oldest unpublished event", ["service"])
OUTBOX_PUBLISHED = Counter("continuum_outbox_published_total", "Events published", ["service", "topic"])
OUTBOX_PUBLISH_FAILURES = Counter("continuum_outbox_publish_failures_total", "Publish attempts that failed", ["service"])
CONSUMER_HANDLED = Counter("continuum_consumer_events_total", "Events a consumer handled", ["consumer", "outcome"])
CONSUMER_LAG = Gauge("continuum_consumer_lag", "Messages behind the partition end", ["consumer", "partition"])
DLQ_MESSAGES = Counter("continuum_dlq_messages_total", "Messages sent to a dead-letter topic", ["consumer"])

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


class RequestObserver:
    """Pure ASGI middleware (cheaper than ``BaseHTTPMiddleware``): request id, latency metric and
    one log line per request with the route template, status, duration and actor id."""

    def __init__(self, app: ASGIApp, *, service: str, log: logging.Logger) -> None:
        self.app = app
        self.service = service
        self.log = log

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        request_id = headers.get(b"x-request-id", b"").decode() or str(uuid.uuid4())
        scope.setdefault("state", {})["request_id"] = request_id
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (b"x-request-id", request_id.encode())]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            elapsed = time.perf_counter() - started
            template = getattr(scope.get("route"), "path", "unmatched")
            REQUEST_LATENCY.labels(self.service, scope["method"], template, str(status)).observe(elapsed)
            principal = scope["state"].get("principal")
            self.log.info(
                "request",
                extra={
                    "request_id": request_id,
                    "method": scope["method"],
                    "route": template,
                    "status": status,
                    "duration_ms": round(elapsed * 1000, 2),
                    "actor": getattr(principal, "sub", None),
                },
            )


def install_observability(app: FastAPI, *, service: str) -> None:
    """Request ids, request metrics and the request log, plus ``GET /metrics``."""
    log = logging.getLogger(f"continuum.{service}.http")

    app.add_middleware(RequestObserver, service=service, log=log)

    @app.get("/metrics", include_in_schema=False)
    async def metrics() -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)
