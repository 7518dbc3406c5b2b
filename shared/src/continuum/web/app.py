"""The house shape of a service process: one FastAPI app whose lifespan owns the engine, the
outbox relay and the event consumers.

A service's ``app.py`` calls :func:`build_app` with its routers and its consumers; everything
common (auth, problem+json, health, metrics, logging, graceful shutdown) comes from here.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from continuum.casework.policy import CouncilPolicy
from continuum.casework.principal import Principal
from continuum.contracts import ALL_TOPICS
from continuum.messaging.broker_probe import BrokerProbe
from continuum.messaging.consumer import BatchHandler, EventConsumer, Handler
from continuum.messaging.kafka import ensure_topics, make_consumer, make_inspector, make_producer
from continuum.messaging.relay import OutboxRelay
from continuum.messaging.scheduler import Scheduler
from continuum.observability import configure_logging, install_observability, parse_traceparent
from continuum.persistence.db import HeldConnections, make_engine, make_session_factory
from continuum.persistence.read_budget import ReadLimiter
from continuum.persistence.uow import UnitOfWork
from continuum.settings import ServiceSettings
from continuum.web.auth import BEARER_SCHEME, TokenVerifier
from continuum.web.errors import install_problem_handlers
from continuum.web.history import history_router
from continuum.web.limits import BodyLimit, HeaderLimit
from continuum.web.permissions import AuthorizedRoute, PermissionTable, operation_id

log = logging.getLogger("continuum.app")

#: Connections of the pool that the API's units of work never hold between requests (HeldConnections).
RESERVED_CONNECTIONS = 4

#: A periodic background job (a scheduler): runs until the stop event is set.


@dataclass
class Runtime:
    """What a running service holds: its settings, database and background workers."""

    settings: ServiceSettings
    engine: AsyncEngine
    session_factory: async_sessionmaker[AsyncSession]
    policy: CouncilPolicy | None = None
    relay: OutboxRelay | None = None
    consumers: list[EventConsumer] = field(default_factory=list)
    schedulers: dict[str, Scheduler] = field(default_factory=dict)
    """The service's periodic workers by name (``Scheduler.name``), for tests and operators to tick."""
    read_limiter: ReadLimiter | None = None
    broker_probe: BrokerProbe | None = None
    connections: HeldConnections | None = None
    _stop: asyncio.Event = field(default_factory=asyncio.Event)
    _tasks: list[asyncio.Task[None]] = field(default_factory=list)

    def unit_of_work(self, principal: Principal | None, request: Request | None = None) -> UnitOfWork:
        return UnitOfWork(
            self.session_factory,
            source=self.settings.service_name,
            principal=principal,
            request_id=getattr(request.state, "request_id", None) if request else None,
            # Only a valid W3C trace context goes into events (and so to partners); anything else is dropped.
            traceparent=parse_traceparent(request.headers.get("traceparent")) if request else None,
            read_limiter=self.read_limiter,
            connections=self.connections,
        )

    def event_consumer(
        self,
        *,
        name: str,
        topics: Sequence[str],
        handlers: dict[str, Handler],
        batch_handlers: dict[str, BatchHandler] | None = None,
    ) -> EventConsumer:
        """An idempotent consumer in group ``name`` on this service's database and broker."""
        settings = self.settings
        return EventConsumer(
            name=name,
            topics=topics,
            handlers=handlers,
            session_factory=self.session_factory,
            consumer_factory=lambda: make_consumer(settings, *topics, group_id=name),
            producer_factory=lambda: make_producer(settings),
            source=settings.service_name,
            declare_topics=(lambda wanted: ensure_topics(settings, wanted)) if settings.kafka_manage_topics else None,
            batch_handlers=batch_handlers,
        )

    def consumer(self, name: str) -> EventConsumer:
        """The service's consumer in group ``name``: made whether or not the workers run, so a
        replay can hand events to its handlers exactly as the broker's would be (its inbox dedupes)."""
        found = next((consumer for consumer in self.consumers if consumer.name == name), None)
        if found is None:
            raise LookupError(f"no consumer {name!r} in this service")
        return found

    def start_workers(self) -> None:
        if self.relay is not None:
            self._tasks.append(asyncio.create_task(self.relay.run(self._stop), name="outbox-relay"))
        for consumer in self.consumers:
            self._tasks.append(asyncio.create_task(consumer.run(self._stop), name=f"consumer-{consumer.name}"))
        for name, scheduler in self.schedulers.items():
            self._tasks.append(asyncio.create_task(scheduler.run(self._stop), name=f"scheduler-{name}"))

    async def stop_workers(self, grace: float = 15.0) -> None:
        """Consumers finish the message in hand and commit; the relay drains what is ready. A worker
        still stuck after ``grace`` seconds (in a call to a broker that went away) is cancelled:
        what it had not committed is done again by the next start."""
        self._stop.set()
        if self._tasks:
            _, stuck = await asyncio.wait(self._tasks, timeout=grace)
            for task in stuck:
                log.warning("worker did not stop in time; cancelled", extra={"worker": task.get_name()})
                task.cancel()
            await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks.clear()


ConsumerFactory = Callable[[Runtime], Sequence[EventConsumer]]
SchedulerFactory = Callable[[Runtime], Sequence[Scheduler]]


def get_runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]


def build_app(
    *,
    settings: ServiceSettings,
    title: str,
    description: str,
    routers: Sequence[APIRouter],
    permissions: PermissionTable,
    policy: CouncilPolicy | None = None,
    consumers: ConsumerFactory | None = None,
    on_startup: Callable[[Runtime], None] | None = None,
    schedulers: SchedulerFactory | None = None,
    topics: Sequence[str] = (),
) -> FastAPI:
    """The service's app. ``topics``: the topics it publishes to beyond Continuum's own (the partners
    service's agency topics, from its policy), which its relay declares and watches like them."""
    configure_logging(settings.log_level)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        engine = make_engine(settings.database_url, pool_size=settings.database_pool_size)
        runtime = Runtime(settings=settings, engine=engine, session_factory=make_session_factory(engine), policy=policy)
        # The API's units of work keep connections between requests; four of the pool stay with
        # the relay, the consumers and the health check.
        runtime.connections = HeldConnections(engine, keep=max(0, settings.database_pool_size - RESERVED_CONNECTIONS))
        if policy is not None:
            runtime.read_limiter = ReadLimiter(policy.read_limit)
        if on_startup is not None:
            on_startup(runtime)
        # Made whether or not they run: a consumer connects only when started, and a replay through
        # its handler (insight's POST /v1/read-model/replay) needs none of the broker.
        runtime.consumers = list(consumers(runtime)) if consumers else []
        if settings.run_workers:
            runtime.relay = OutboxRelay(
                runtime.session_factory,
                lambda: make_producer(settings),
                service=settings.service_name,
                batch_size=settings.outbox_batch_size,
                poll_interval=settings.outbox_poll_interval_seconds,
                retention=timedelta(days=settings.outbox_retention_days),
                lease_seconds=settings.outbox_lease_seconds,
                inspector_factory=lambda: make_inspector(settings),
                declare_topics=(lambda wanted: ensure_topics(settings, wanted)) if settings.kafka_manage_topics else None,
                topics=[*ALL_TOPICS, *topics],
            )
            runtime.broker_probe = BrokerProbe(lambda: make_inspector(settings), ALL_TOPICS)
            runtime.schedulers = {scheduler.name: scheduler for scheduler in (schedulers(runtime) if schedulers else [])}
            runtime.start_workers()
        app.state.runtime = runtime
        log.info("service started", extra={"service": settings.service_name, "workers": settings.run_workers})
        try:
            yield
        finally:
            await runtime.stop_workers()
            if runtime.broker_probe is not None:
                await runtime.broker_probe.close()
            await runtime.connections.close()
            await engine.dispose()
            log.info("service stopped", extra={"service": settings.service_name})

    app = FastAPI(
        title=title,
        description=description,
        version="1.0.0",
        lifespan=lifespan,
        generate_unique_id_function=operation_id,
        # What a request leaves behind is ours to choose (continuum.observability: route templates,
        # closed label sets, no query strings, no personal data). FastAPI's native OpenTelemetry
        # would export whatever a globally configured provider takes, and checks for one on every
        # request; it stays off.
        telemetry={"tracing": False, "metrics": False, "logs": False},
    )
    app.state.token_verifier = TokenVerifier(settings, council=policy.la_code if policy is not None else None)
    install_problem_handlers(app)
    # Inside the observer, so the log and the metrics see the 413 or 431 the client gets.
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes)
    app.add_middleware(HeaderLimit, max_bytes=settings.max_header_bytes)
    install_observability(app, service=settings.service_name)
    app.include_router(health_router())
    before = len(app.router.routes)
    for router in [*routers, history_router()]:  # the kernel's own route too (decision 53)
        unguarded = [getattr(route, "path", "?") for route in router.routes if not isinstance(route, AuthorizedRoute)]
        if unguarded:
            raise RuntimeError(f"routes {unguarded} are not authorized: make their router with continuum.web.http.api_router()")
        # The routes join the app's own router rather than being included: FastAPI keeps an
        # included router as one entry that every request is matched against twice (once to pick
        # it, once inside it), which cost more CPU than the whole of a request's authorisation.
        # Nothing of an inclusion is used: the paths already carry /v1, and api_router() gives the
        # routes their class and their operationIds.
        app.router.routes.extend(router.routes)
    # The API's routes are matched first: a request is matched against the routes in order, and
    # the documentation, metrics and health routes come before them otherwise.
    routes = app.router.routes
    routes[:] = routes[before:] + routes[:before]
    document_bearer_scheme(app)
    permissions.check_covers(app)
    app.state.permissions = permissions
    return app


def document_bearer_scheme(app: FastAPI) -> None:
    """OpenAPI says every ``/v1`` operation takes a bearer token (``authorize`` reads it from the
    header itself, so no security dependency would tell FastAPI), for integrators' generated clients."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        schema = generate()  # FastAPI keeps it as app.openapi_schema
        schema.setdefault("components", {}).setdefault("securitySchemes", {}).update(BEARER_SCHEME)
        for path, operations in schema["paths"].items():
            if path.startswith("/v1/"):
                for operation in operations.values():
                    operation["security"] = [{name: []} for name in BEARER_SCHEME]
        return schema

    app.openapi = openapi  # type: ignore[method-assign]


def health_router() -> APIRouter:
    router = APIRouter(tags=["health"])

    @router.get("/health/live", summary="The process is up")
    async def live() -> dict[str, str]:
        return {"status": "ok"}

    @router.get("/health/ready", summary="The database answers (else 503); the broker is probed and reported")
    async def ready(runtime: RuntimeDep) -> JSONResponse:
        # Readiness fails only on the database: with the broker down the API must keep accepting
        # work (the outbox holds the events), so it stays in the load balancer, "degraded".
        checks: dict[str, str] = {}
        try:
            async with runtime.engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
            checks["database"] = "ok"
        except Exception:  # noqa: BLE001 - reported, not raised
            checks["database"] = "unavailable"
        if runtime.broker_probe is not None:
            broker = await runtime.broker_probe.state()
            checks["broker"] = broker if broker == "ok" else f"{broker} (events held in the outbox)"
        if checks["database"] != "ok":
            return JSONResponse({"status": "unavailable", "checks": checks}, status_code=503)
        status = "ok" if all(v == "ok" for v in checks.values()) else "degraded"
        return JSONResponse({"status": status, "checks": checks}, status_code=200)

    return router
