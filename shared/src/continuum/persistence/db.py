"""Database plumbing shared by the services: engine, sessions and the platform tables.

Every service database holds the same platform tables beside its own: the outbox (events waiting
to be published, and published ones for a week), the event history (every event published before
that, for ever: decision 53), the inbox (events already handled, per consumer), the audit log, the
idempotency keys and the relay's bookkeeping. They are described once here as Core tables so that the kernel can use them in
any service's database; each service creates them in its first Alembic migration through
:func:`continuum.persistence.migrations.create_platform_tables`.
"""

from __future__ import annotations

import socket
import time
from collections.abc import Callable
from enum import StrEnum
from typing import Any

import orjson
from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Enum,
    Identity,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    event,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, UUID
from sqlalchemy.engine import ExceptionContext
from sqlalchemy.exc import (
    DisconnectionError,
    OperationalError,
)
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.pool import PoolProxiedConnection
from sqlalchemy.util import greenlet_spawn

# Importable from here as before: prebuilt statements, and driver errors as SQLAlchemy's.
from continuum.persistence.prebuilt import Prebuilt as Prebuilt
from continuum.persistence.prebuilt import database_error as database_error

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

platform_metadata = MetaData(naming_convention=NAMING_CONVENTION)


def enum_column(enum: type[StrEnum], length: int) -> Enum:
    """A typed enum column stored as the enum's values (``"in_progress"``, ``"5D"``, not the member
    names) in a plain VARCHAR(length): no database enum type and no CHECK, so the stored strings are
    the published ones and a new value needs no migration of a type."""
    return Enum(
        enum,
        native_enum=False,
        create_constraint=False,
        length=length,
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
    )


outbox = Table(
    "outbox",
    platform_metadata,
    # seq orders claiming; the relay never follows it as a high-water mark (see relay.py).
    Column("seq", BigInteger, Identity(), primary_key=True),
    Column("event_id", UUID(as_uuid=True), nullable=False, unique=True),
    Column("topic", String(200), nullable=False),
    Column("key", String(200), nullable=False),
    Column("event_type", String(100), nullable=False),
    Column("payload", JSONB, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("published_at", DateTime(timezone=True)),
    Column("attempts", Integer, nullable=False, server_default=text("0")),
    Column("last_error", Text),
)
Index("ix_outbox_unpublished", outbox.c.seq, postgresql_where=outbox.c.published_at.is_(None))

#: v2: the relay's lease (one row: which replica publishes, until when) and the highest offset the
#: broker acknowledged per partition (how the relay notices that the broker lost what it acked).
relay_lease = Table(
    "relay_lease",
    platform_metadata,
    Column("id", Integer, primary_key=True),
    Column("owner", String(200), nullable=False),
    Column("until", DateTime(timezone=True), nullable=False),
)

relay_offsets = Table(
    "relay_offsets",
    platform_metadata,
    Column("topic", String(200), nullable=False),
    Column("partition", Integer, nullable=False),
    Column("max_offset", BigInteger, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    PrimaryKeyConstraint("topic", "partition"),
)

#: v3: the service's durable history of its events (decision 53). The relay's upkeep moves each
#: outbox row published longer ago than the outbox's retention here, whole but for the relay's
#: bookkeeping (attempts, last error), keeping its ``seq``: one order across the outbox and the
#: history, so ``GET /v1/history`` pages both as one. Append-only for the service (its runtime role
#: may insert and select, nothing else); nothing in the code deletes from it.
event_history = Table(
    "event_history",
    platform_metadata,
    Column("seq", BigInteger, primary_key=True, autoincrement=False),
    Column("event_id", UUID(as_uuid=True), nullable=False, unique=True),
    Column("topic", String(200), nullable=False),
    Column("key", String(200), nullable=False),
    Column("event_type", String(100), nullable=False),
    Column("payload", JSONB, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("published_at", DateTime(timezone=True), nullable=False),
)

#: v4: what each imported record was imported with (decision 59): the record's derived id, its kind,
#: the child's LA child id, the file it came from last and the fingerprint of its values then, so
#: that the same record imported again changes nothing.
imported_records = Table(
    "imported_records",
    platform_metadata,
    Column("record_id", UUID(as_uuid=True), primary_key=True),
    Column("kind", String(50), nullable=False),
    Column("la_child_id", String(36), nullable=False),
    Column("source", String(200), nullable=False),
    Column("fingerprint", String(64), nullable=False),
    Column("first_imported_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("last_imported_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)

inbox = Table(
    "inbox",
    platform_metadata,
    Column("consumer", String(100), nullable=False),
    Column("event_id", UUID(as_uuid=True), nullable=False),
    Column("event_type", String(100), nullable=False),
    Column("handled_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    PrimaryKeyConstraint("consumer", "event_id", name="pk_inbox"),
)

audit_log = Table(
    "audit_log",
    platform_metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    Column("at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("actor", String(200), nullable=False),
    Column("actor_roles", ARRAY(String(50)), nullable=False),
    Column("action", String(100), nullable=False),
    Column("subject_type", String(50), nullable=False),
    Column("subject_id", String(100), nullable=False),
    Column("purpose", String(200), nullable=False),
    Column("outcome", String(50), nullable=False),
    Column("request_id", String(100)),
)
Index("ix_audit_log_subject", audit_log.c.subject_type, audit_log.c.subject_id)

idempotency_keys = Table(
    "idempotency_keys",
    platform_metadata,
    Column("scope", String(200), nullable=False),
    Column("key", String(200), nullable=False),
    Column("request_hash", String(64), nullable=False),
    Column("status_code", Integer, nullable=False),
    Column("response", JSONB, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    PrimaryKeyConstraint("scope", "key", name="pk_idempotency_keys"),
)


#: A pooled connection older than this is replaced at its next checkout (a clock check, no round trip).
POOL_RECYCLE_SECONDS = 1800
#: TCP keepalive on every connection: an idle pooled connection whose server vanished without
#: closing it (a partition, a lost host) is found dead by the kernel within about
#: idle + interval * count seconds, and then the checkout check below discards it.
TCP_KEEPALIVE = {"idle": 30, "interval": 10, "count": 3}


def make_engine(url: str, *, pool_size: int = 10) -> AsyncEngine:
    """An asyncpg engine; ``hide_parameters`` so a database error in a log never carries a child's details.

    Liveness costs no round trip per checkout (``pool_pre_ping`` paid one each time): a connection
    the server closed (a terminated backend, a restart: PostgreSQL closes the socket) is known
    closed to asyncpg as soon as the close arrives, and :func:`_discard_closed` replaces it at
    checkout; keepalives find a silently dead one; ``pool_recycle`` bounds a connection's age; and
    a connection that fails mid-request with a disconnect is invalidated by SQLAlchemy (that
    request fails; the next gets a fresh connection). See decision 25."""
    engine = create_async_engine(
        url,
        pool_size=pool_size,
        max_overflow=pool_size,
        pool_pre_ping=False,
        pool_recycle=POOL_RECYCLE_SECONDS,
        hide_parameters=True,
        # JSONB read with orjson: the census and the read model's rebuild read millions of documents.
        json_deserializer=orjson.loads,
    )
    event.listen(engine.sync_engine, "connect", _keep_alive)
    event.listen(engine.sync_engine, "checkout", _discard_closed)
    event.listen(engine.sync_engine, "handle_error", _unavailable_when_connecting)
    return engine


class DatabaseUnavailable(OperationalError):
    """No connection to the database could be had: refused, the server shutting down or starting,
    the database not accepting connections (``ALLOW_CONNECTIONS false``, SQLSTATE 55000) or gone
    (3D000), too many connections, a credential refused, the pool's wait timed out. Never the fault
    of the work that asked for the connection: a consumer pauses its partition on it and tries the
    event again (continuum.messaging.consumer.is_transient), a request answers 5xx.

    The driver and the pool raise each of these as a different class (asyncpg's
    ``ObjectNotInPrerequisiteStateError``, ``InvalidCatalogNameError``, ``ConnectionRefusedError``,
    SQLAlchemy's ``TimeoutError``, ...), and SQLAlchemy's translation of a statement's error does not
    run when there is no connection yet; so every failure to connect is raised as this one class,
    with the driver's error as ``orig`` and as the cause."""

    def __init__(self, cause: BaseException) -> None:
        super().__init__(None, None, cause, hide_parameters=True)


async def connect(engine: AsyncEngine) -> PoolProxiedConnection:
    """A pooled connection from ``engine``; any failure to get one raises :class:`DatabaseUnavailable`."""
    try:
        return await engine.raw_connection()
    except DatabaseUnavailable:
        raise
    except Exception as exc:  # whatever the pool or the driver raised: none of it is the caller's fault
        raise DatabaseUnavailable(exc) from exc


def _unavailable_when_connecting(context: ExceptionContext) -> BaseException | None:
    """A session's (or ``engine.connect()``'s) failure to connect raised as :class:`DatabaseUnavailable`,
    like :func:`connect`'s. SQLAlchemy calls this for every driver error; ``context.connection`` is
    ``None`` only when the error came while first connecting."""
    if context.connection is None and not isinstance(context.sqlalchemy_exception, DatabaseUnavailable):
        return DatabaseUnavailable(context.original_exception)
    return None


def _keep_alive(dbapi_connection: Any, connection_record: Any) -> None:
    """Turn on TCP keepalive on a new connection's socket (asyncpg does not)."""
    transport = getattr(dbapi_connection.driver_connection, "_transport", None)
    sock = transport.get_extra_info("socket") if transport is not None else None
    if sock is None or sock.family == socket.AF_UNIX:
        return
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
    for option, value in (
        ("TCP_KEEPIDLE", TCP_KEEPALIVE["idle"]),
        ("TCP_KEEPINTVL", TCP_KEEPALIVE["interval"]),
        ("TCP_KEEPCNT", TCP_KEEPALIVE["count"]),
    ):
        if hasattr(socket, option):  # Linux; macOS names only some of them
            sock.setsockopt(socket.IPPROTO_TCP, getattr(socket, option), value)


def _discard_closed(dbapi_connection: Any, connection_record: Any, connection_proxy: Any) -> None:
    """At checkout, a pooled connection that asyncpg already knows is closed is replaced by a new
    one (the pool retries the checkout): a local check, no round trip to the server."""
    if dbapi_connection.driver_connection.is_closed():
        raise DisconnectionError("the server closed this pooled connection")


class HeldConnections:
    """Pooled connections a service's units of work keep checked out between uses, last in first
    out, in front of SQLAlchemy's pool (decision 32).

    A unit of work runs on the driver connection and needs no SQLAlchemy machinery unless it uses
    the session; checking a connection out of SQLAlchemy's pool and back in goes through its
    greenlet bridge twice and costs more CPU than a statement (about 60 µs a unit of work against
    a plain queue, measured). A connection comes back here only clean: out of any transaction,
    session-free, not invalidated. It is taken again only while its socket is open and within
    ``max_age`` of its checkout; one idle for ``idle_seconds`` goes back to the pool at the next
    return, so a burst does not keep the pool from the relay and the consumers for long, and
    ``keep`` bounds how many are held (``build_app`` leaves four of the pool to the others)."""

    def __init__(
        self,
        engine: AsyncEngine,
        *,
        keep: int,
        idle_seconds: float = 2.0,
        max_age: float = POOL_RECYCLE_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._engine = engine
        self._keep = keep
        self._idle_seconds = idle_seconds
        self._max_age = max_age
        self._clock = clock
        self._idle: list[tuple[PoolProxiedConnection, float, float]] = []  # (connection, checked out, idle since)
        self._closed = False

    @property
    def held(self) -> int:
        return len(self._idle)

    async def take(self) -> tuple[PoolProxiedConnection, float]:
        """A connection and when it was checked out of the pool."""
        now = self._clock()
        while self._idle:
            pooled, checked_out, _ = self._idle.pop()
            driver = pooled.driver_connection
            if driver is not None and not driver.is_closed() and now - checked_out < self._max_age:
                return pooled, checked_out
            await self._back_to_pool(pooled, invalidate=driver is None or driver.is_closed())
        return await connect(self._engine), now

    async def give_back(self, pooled: PoolProxiedConnection, checked_out: float) -> None:
        """Hold ``pooled`` (clean: out of any transaction, session-free, not invalidated) for the
        next unit of work; when enough are held, it goes back to the pool."""
        now = self._clock()
        while self._idle and now - self._idle[0][2] >= self._idle_seconds:  # the longest idle first
            stale, _, _ = self._idle.pop(0)
            await self._back_to_pool(stale, invalidate=False)
        if not self._closed and len(self._idle) < self._keep:
            self._idle.append((pooled, checked_out, now))
        else:
            await self._back_to_pool(pooled, invalidate=False)

    async def close(self) -> None:
        """Every held connection back to the pool (before the engine is disposed); nothing is held after."""
        self._closed = True
        idle, self._idle = self._idle, []
        for pooled, _, _ in idle:
            await self._back_to_pool(pooled, invalidate=False)

    @staticmethod
    async def _back_to_pool(pooled: PoolProxiedConnection, *, invalidate: bool) -> None:
        pooled.dbapi_connection.autocommit = False  # type: ignore[union-attr]  # as the pool's other users expect it
        await greenlet_spawn(pooled.invalidate if invalidate else pooled.close)


def make_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False)
