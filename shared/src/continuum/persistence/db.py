"""Database plumbing shared by the services: engine, sessions and the platform tables.

Every service database holds the same four platform tables beside its own: the outbox (events
waiting to be published), the inbox (events already handled, per consumer), the audit log and the
idempotency keys. They are described once here as Core tables so that the kernel can use them in
any service's database; each service creates them in its first Alembic migration through
:func:`continuum.persistence.migrations.create_platform_tables`.
"""

from __future__ import annotations

import re
import socket
import time
from collections import namedtuple
from collections.abc import Callable, Mapping, Sequence
from enum import StrEnum
from typing import Any, cast

import asyncpg
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
from sqlalchemy.dialects.postgresql.asyncpg import dialect as asyncpg_dialect
from sqlalchemy.engine import ExceptionContext
from sqlalchemy.exc import (
    DataError,
    DBAPIError,
    DisconnectionError,
    IntegrityError,
    InterfaceError,
    OperationalError,
    ProgrammingError,
)
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.pool import PoolProxiedConnection
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import ClauseElement
from sqlalchemy.util import greenlet_spawn

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


# --- prebuilt statements on the driver connection ---------------------------------------------------

#: The dialect the services run on: prebuilt statements are compiled once, for it.
_DIALECT = asyncpg_dialect()  # type: ignore[no-untyped-call]

#: A bound value or a result value as SQLAlchemy's type for it converts it (enum members, JSON text).
_Processor = Callable[[Any], Any]


class Prebuilt:
    """A Core statement compiled once to SQL text with asyncpg's ``$n`` placeholders, run by the
    unit of work straight on the driver connection (:meth:`continuum.persistence.uow.UnitOfWork.fetch`).

    It converts values as SQLAlchemy would (each bound parameter's and result column's type: enum
    columns, JSONB) but skips SQLAlchemy's per-execution work (the greenlet bridge, cache-key
    lookup, parameter construction, result metadata), which cost more than the statement's round
    trip on the hot paths. Result rows are named tuples (``row.column``). Bound parameters are
    named (``bindparam("child_id")``, or a table's columns for an INSERT's ``VALUES``); constants
    (``literal(...)``) keep their value; expanding parameters (``IN`` lists) are not supported."""

    def __init__(self, statement: ClauseElement) -> None:
        compiled = cast(SQLCompiler, statement.compile(dialect=_DIALECT))
        self.sql = str(compiled)
        #: A plain read: a SELECT that writes, locks and takes nothing (no transaction needed).
        self.reads_only = self.sql.lstrip().upper().startswith(("SELECT", "WITH")) and _WRITES_OR_LOCKS.search(self.sql) is None
        self._binds: list[tuple[str, Any, _Processor | None]] = []  # (name, constant or _REQUIRED, processor)
        for name in compiled.positiontup or ():
            bind = compiled.binds[name]
            if bind.expanding:
                raise ValueError(f"expanding parameter {name!r}: not supported by a prebuilt statement")
            processor = bind.type.dialect_impl(_DIALECT).bind_processor(_DIALECT)
            self._binds.append((bind.key, _REQUIRED if bind.required else bind.effective_value, processor))
        columns = list(getattr(statement, "exported_columns", ()))
        self._row: Any = namedtuple("Row", [c.key for c in columns], rename=True) if columns else None
        self._results = [
            (index, processor)
            for index, column in enumerate(columns)
            if (processor := column.type.dialect_impl(_DIALECT).result_processor(_DIALECT, None)) is not None
        ]

    def arguments(self, params: Mapping[str, Any]) -> list[Any]:
        """The positional arguments for ``params`` (by name), converted for the driver."""
        values = []
        for name, constant, processor in self._binds:
            value = params[name] if constant is _REQUIRED else constant
            values.append(processor(value) if processor is not None else value)
        return values

    def rows(self, records: Sequence[Any]) -> list[Any]:
        """The driver's records as named tuples, each value converted as its column's type says."""
        if self._row is None:
            return []
        make, results = self._row._make, self._results
        if not results:
            return [make(record) for record in records]
        out = []
        for record in records:
            values = list(record)
            for index, processor in results:
                values[index] = processor(values[index])
            out.append(make(values))
        return out


_REQUIRED = object()

#: What makes a statement more than a plain read: a write (a data-modifying CTE too), a row lock,
#: a table lock, an advisory lock, a sequence. Matched on the SQL text as whole words, so a column
#: such as ``updated_at`` does not match; a false match only opens a transaction it did not need.
_WRITES_OR_LOCKS = re.compile(r"\b(INSERT|UPDATE|DELETE|MERGE|SHARE|LOCK|pg_\w*advisory\w*|nextval|setval)\b", re.IGNORECASE)

#: SQLSTATE classes of failures that are the moment's, not the statement's: connection exceptions,
#: transaction rollback (serialization failure, deadlock), insufficient resources, operator intervention.
_OPERATIONAL_CLASSES = frozenset({"08", "40", "53", "57"})


def database_error(exc: BaseException, statement: str, *, connection_lost: bool) -> DBAPIError:
    """A driver error of a prebuilt statement as SQLAlchemy raises it for the session's statements
    (``IntegrityError`` for class 23, ``DataError`` for 22, ``OperationalError`` for a lost connection,
    ...), with the driver's error as ``orig`` (its ``sqlstate``, its message naming the constraint)
    and never the parameters."""
    sqlstate = str(getattr(exc, "sqlstate", "") or "")
    kind: type[DBAPIError]
    if connection_lost or isinstance(exc, OSError | asyncpg.PostgresConnectionError) or sqlstate[:2] in _OPERATIONAL_CLASSES:
        kind = OperationalError
    elif isinstance(exc, asyncpg.InterfaceError):  # the driver refused the call (another operation is in progress, ...)
        kind = InterfaceError
    elif sqlstate.startswith("23"):
        kind = IntegrityError
    elif sqlstate.startswith("22"):
        kind = DataError
    elif sqlstate.startswith("42"):
        kind = ProgrammingError
    else:
        kind = DBAPIError
    return kind(statement, None, exc, hide_parameters=True, connection_invalidated=connection_lost)
