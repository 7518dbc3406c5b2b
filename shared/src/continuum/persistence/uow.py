"""One transaction per use case: domain rows, audit rows and outbox rows commit together.

A service function opens ``async with uow:``; everything it writes through ``uow.session``,
``uow.fetch``/``uow.execute`` (prebuilt statements), ``uow.publish`` and ``uow.audit`` commits at
the end of the block, or nothing does. Audit rows of refused access (``uow.audit_refusal``) are the
exception: they are written in their own transaction after the rollback, so the refusal is on
record even though the use case changed nothing.

The unit of work holds one pooled connection and runs its transaction on the driver connection;
the session, made on first use, runs on that connection, so what it writes is in the same
transaction (SQLAlchemy sees the connection in autocommit mode and leaves the transaction to the
unit of work). Hot paths run :class:`continuum.persistence.db.Prebuilt` statements on the driver connection,
without SQLAlchemy's per-statement work; the outbox and audit rows collected during the use case
go in with one statement (decision 29).

The transaction opens (``BEGIN``) before the first statement that needs one: a write, a locking
read, or any statement of the session. Plain reads before it run on their own: at PostgreSQL's
READ COMMITTED every statement sees its own snapshot, in a transaction or not, so nothing a use
case can observe changes. A use case whose reads are plain and whose writes are one statement
(its own write taking the collected rows along, ``execute(..., final=True)``, or the collected
rows alone at the end) never opens one: PostgreSQL makes a single statement atomic, and ``BEGIN``
and ``COMMIT`` would add two round trips and no guarantee (decision 32).
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Mapping, Sequence
from types import TracebackType
from typing import Any

import asyncpg
from sqlalchemy import event, insert
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession, async_sessionmaker
from sqlalchemy.pool import PoolProxiedConnection
from sqlalchemy.util import await_only, greenlet_spawn

from continuum.casework import clock
from continuum.casework.imports import Imported
from continuum.casework.principal import Principal
from continuum.contracts import Envelope, EventData
from continuum.observability import CHILD_READS_REFUSED
from continuum.persistence.collected import WRITE_COLLECTED, Collected, WithCollectedRows, actor_of
from continuum.persistence.db import HeldConnections, Prebuilt, audit_log, connect, database_error
from continuum.persistence.idempotency import IdempotencyKeyReused, request_fingerprint
from continuum.persistence.read_budget import ReadLimiter, TooManyReads, over_budget
from continuum.persistence.transaction import Aggregate, AuditEntry, EventKey, Transaction

#: What services and tests import from here: the unit of work and what its steps are given.
__all__ = [
    "Aggregate",
    "AuditEntry",
    "EventKey",
    "IdempotencyKeyReused",
    "TooManyReads",
    "Transaction",
    "UnitOfWork",
    "WithCollectedRows",
    "request_fingerprint",
]

_INSERT_AUDIT = insert(audit_log)


class UnitOfWork:
    def __init__(
        self,
        session_factory: async_sessionmaker[AsyncSession],
        *,
        source: str,
        principal: Principal | None = None,
        request_id: str | None = None,
        traceparent: str | None = None,
        read_limiter: ReadLimiter | None = None,
        connections: HeldConnections | None = None,
    ) -> None:
        self._session_factory = session_factory
        self._read_limiter = read_limiter
        self._connections = connections  # held between units of work, else checked out of the pool each time
        self._checked_out = 0.0
        self.source = source
        self.principal = principal
        self.request_id = request_id
        self.traceparent = traceparent
        self._pooled: PoolProxiedConnection | None = None  # the pooled connection, while open
        self._driver: asyncpg.Connection | None = None  # its driver connection
        self._connection: AsyncConnection | None = None  # SQLAlchemy's, for the session
        self._session: AsyncSession | None = None
        self._refusals: list[AuditEntry] = []
        self._collected = Collected()  # the outbox and audit rows, written with one statement
        self._begun = False  # BEGIN sent: the transaction is open
        self._committed = False  # a final write committed on its own: nothing more is written
        self._budget_taken = False  # the read budget was checked (it is spent once per unit of work)
        self.published: list[Envelope[Any]] = []

    @property
    def session(self) -> AsyncSession:
        """A session on this unit of work's connection (made on first use): its statements run in
        this unit of work's transaction."""
        pooled = self._pooled
        if pooled is None:
            raise RuntimeError("use the unit of work inside 'async with uow:'")
        if self._session is None:
            engine: AsyncEngine = self._session_factory.kw["bind"]
            connection = Connection(engine.sync_engine, connection=pooled)
            # Each of the session's statements first opens this unit of work's transaction (it runs
            # in SQLAlchemy's greenlet, where the driver can be awaited).
            event.listen(connection, "before_cursor_execute", self._begin_before_session_statement)
            self._connection = AsyncConnection(engine, connection)
            self._session = self._session_factory(bind=self._connection)
        return self._session

    def _begin_before_session_statement(self, *_: Any) -> None:
        if not self._begun:
            self._refuse_after_final_write()
            await_only(self._begin())

    @property
    def in_transaction(self) -> bool:
        """Whether this unit of work's transaction is open (it opens before the first statement
        that needs one)."""
        return self._begun

    def principal_or_fail(self) -> Principal:
        if self.principal is None:
            raise RuntimeError("this use case needs an authenticated principal")
        return self.principal

    async def __aenter__(self) -> UnitOfWork:
        if self._pooled is not None:
            raise RuntimeError("this unit of work is already open: an in-transaction step takes the Transaction it is given")
        if self._connections is not None:
            pooled, self._checked_out = await self._connections.take()
        else:
            engine: AsyncEngine = self._session_factory.kw["bind"]
            pooled = await connect(engine)  # a failure to connect raises DatabaseUnavailable
        self._pooled, self._driver = pooled, pooled.driver_connection
        self._refusals = []
        self._collected = Collected()
        self._begun = self._committed = self._budget_taken = False
        self.published = []
        # The driver connection's transaction is this unit of work's: SQLAlchemy, told the
        # connection is in autocommit mode, sends no BEGIN or COMMIT of its own.
        pooled.dbapi_connection.autocommit = True  # type: ignore[union-attr]
        return self

    async def _begin(self) -> None:
        """Open the transaction (once), before the first statement that needs it."""
        if not self._begun:
            await self._run(self._driver_or_fail(), "BEGIN")
            self._begun = True

    def _refuse_after_final_write(self) -> None:
        if self._committed:
            raise RuntimeError("this unit of work committed with its final write: nothing can be written after it")

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        driver = self._driver_or_fail()
        # An answer that would carry more children's records than the caller's budget allows fails too.
        over_budget = None
        if exc_type is None and not self._budget_taken:
            over_budget, self._budget_taken = self._over_read_budget(), True
        failed = exc_type is not None or over_budget is not None
        try:
            if not failed and not self._committed:
                if self._session is not None:
                    await self._session.flush()
                if not self._collected.all_written:
                    await self.execute(WRITE_COLLECTED, final=True)
                if self._begun:
                    status = await self._run(driver, "COMMIT")
                    if status != "COMMIT":  # PostgreSQL answers ROLLBACK to the COMMIT of a failed transaction
                        raise RuntimeError("the transaction had failed and was rolled back")
            elif failed and not self._committed:
                self.published = []
        finally:
            try:
                if driver.is_in_transaction():
                    await self._run(driver, "ROLLBACK")
            except BaseException:
                await self._release(invalidate=True)  # never back to the pool with a transaction open
                raise
            await self._release(invalidate=False)
        if failed and self._refusals:
            await self._write_refusals()
        if over_budget is not None:
            raise over_budget

    async def _release(self, *, invalidate: bool) -> None:
        """The connection back: held for the next unit of work when it is clean and there are held
        connections, else to the pool (or, ``invalidate``, closed and replaced)."""
        pooled, connection, session = self._pooled, self._connection, self._session
        self._pooled = self._driver = self._connection = self._session = None
        assert pooled is not None
        try:
            if session is not None:
                await session.close()
        finally:
            if connection is None and not invalidate and self._connections is not None:
                # Out of any transaction (rolled back above, or the connection is invalidated) and
                # session-free: held for the next unit of work.
                await self._connections.give_back(pooled, self._checked_out)
            elif connection is not None:  # the session's connection holds the pooled one
                pooled.dbapi_connection.autocommit = False  # type: ignore[union-attr]
                if invalidate:
                    await connection.invalidate()
                await connection.close()
            else:
                pooled.dbapi_connection.autocommit = False  # type: ignore[union-attr]
                await greenlet_spawn(pooled.invalidate if invalidate else pooled.close)

    async def fetch(self, statement: Prebuilt, params: Mapping[str, Any] | None = None) -> list[Any]:
        """Run a prebuilt statement in this unit of work; its rows (named tuples). A plain read
        runs as it is; any other statement opens the transaction first."""
        driver = self._driver_or_fail()
        if not statement.reads_only:
            self._refuse_after_final_write()
            await self._begin()
        return statement.rows(await self._run(driver, statement.sql, *statement.arguments(params or {}), fetch=True))

    async def stream(
        self, statement: Prebuilt, params: Mapping[str, Any] | None = None, *, batch: int
    ) -> AsyncIterator[list[Any]]:
        """A long read's rows, ``batch`` at a time (named tuples), through a server-side cursor in
        this transaction (opened for it: a cursor lives in one), so that no more than a batch is held."""
        driver = self._driver_or_fail()
        if not statement.reads_only:
            raise ValueError("stream reads only: a statement that writes or locks runs with fetch or execute")
        await self._begin()
        try:
            cursor = await driver.cursor(statement.sql, *statement.arguments(params or {}))
            while records := await cursor.fetch(batch):
                yield statement.rows(records)
        except (asyncpg.PostgresError, asyncpg.InterfaceError, OSError) as exc:
            raise database_error(exc, statement.sql, connection_lost=driver.is_closed()) from exc

    async def execute(self, statement: Prebuilt, params: Mapping[str, Any] | None = None, *, final: bool = False) -> None:
        """Run a prebuilt statement that returns no rows in this transaction (with the rows
        collected so far, when it is a :class:`WithCollectedRows`).

        ``final``: the use case writes nothing after this statement. When no transaction is open
        yet and the statement takes every collected row along, it runs on its own and is the
        commit (the caller's read budget is spent first); the unit of work then refuses any
        further write. Inside an open transaction it is an ordinary write."""
        driver = self._driver_or_fail()
        self._refuse_after_final_write()
        collects = isinstance(statement, WithCollectedRows)
        alone = final and not self._begun and (collects or self._collected.all_written)
        if alone and not self._budget_taken:
            over_budget, self._budget_taken = self._over_read_budget(), True
            if over_budget is not None:
                raise over_budget
        if not alone:
            await self._begin()
        if not collects:
            await self._run(driver, statement.sql, *statement.arguments(params or {}))
        else:
            actor, roles = actor_of(self.principal, self.source)
            rows, written = self._collected.unwritten(actor=actor, actor_roles=roles, request_id=self.request_id)
            await self._run(driver, statement.sql, *statement.arguments({**(params or {}), **rows}))
            self._collected.written = written
        self._committed = alone

    def _driver_or_fail(self) -> asyncpg.Connection:
        if self._driver is None:
            raise RuntimeError("use the unit of work inside 'async with uow:'")
        return self._driver

    async def _run(self, driver: asyncpg.Connection, sql: str, *args: Any, fetch: bool = False) -> Any:
        """A statement on the driver connection: its rows when ``fetch``, else its status (``COMMIT``);
        a database error is raised as SQLAlchemy's (``IntegrityError``, ``DataError``, ...), as the
        session's statements raise them."""
        try:
            if fetch:
                return await driver.fetch(sql, *args)
            return await driver.execute(sql, *args)
        except (asyncpg.PostgresError, asyncpg.InterfaceError, OSError) as exc:
            raise database_error(exc, sql, connection_lost=driver.is_closed()) from exc

    def _over_read_budget(self) -> TooManyReads | None:
        """Children's records this use case read, spent from the caller's budget before commit:
        over budget, the whole answer is refused (429) and each record's refusal audited."""
        over = over_budget(self._read_limiter, self.principal.sub if self.principal else None, self._collected.audits)
        if over is None:
            return None
        refusal, read = over
        CHILD_READS_REFUSED.labels(self.source).inc()
        for child_id in read:
            self._refusals.append(AuditEntry("child.read", "child", child_id, "read budget spent", "rate_limited"))
        return refusal

    async def publish_all(self, events: Sequence[EventData], *, aggregate: Aggregate) -> list[Envelope[Any]]:
        """Publish a transition's events in order (see :meth:`publish`)."""
        return [await self.publish(data, aggregate=aggregate) for data in events]

    async def publish(
        self,
        data: EventData,
        *,
        aggregate: Aggregate,
        topic: str | None = None,
        event_id: uuid.UUID | None = None,
        imported: Imported | None = None,
    ) -> Envelope[Any]:
        """Add an event to the outbox in this transaction; the relay publishes it after commit.
        Its subject (the Kafka key) and version are the aggregate's, unless the event names its own
        key (a partner status is keyed by the child's NHS number, with no version or trace context
        of the case's: nothing internal reaches a partner).

        ``topic`` and ``event_id`` are for an event whose topic and id are chosen per delivery: the
        partners service sends one ``partner.status`` to each agency's own topic, with an id derived
        from the source event and the agency (decision 56). Otherwise the contract's topic and a new id.

        ``imported`` is for an imported record's event (decision 59): its time is the fact's real
        instant and its id the one derived from the record, and it names the file it came from.

        The row is written when the unit of work commits, in the order the events were published."""
        own_key = data.partition_key()
        subject = own_key if own_key is not None else aggregate.subject
        envelope = Envelope.wrap(
            data,
            source=self.source,
            subject=subject,
            aggregate_version=0 if own_key is not None else aggregate.version,
            traceparent=self.traceparent if data.carries_trace else None,
            time=imported.at if imported else clock.now(),
            event_id=imported.event_id if imported else event_id,
            imported_from=imported.source if imported else None,
        )
        self._driver_or_fail()  # fails outside 'async with uow:' like every other write
        self._refuse_after_final_write()
        self._collected.add_event(envelope, data, subject, topic=topic)
        self.published.append(envelope)
        return envelope

    def _audit_values(self, entry: AuditEntry) -> dict[str, Any]:
        actor, roles = actor_of(self.principal, self.source)
        return {
            "actor": actor,
            "actor_roles": roles,
            "action": entry.action,
            "subject_type": entry.subject_type,
            "subject_id": entry.subject_id,
            "purpose": entry.purpose,
            "outcome": entry.outcome,
            "request_id": self.request_id,
        }

    async def audit(
        self,
        action: str,
        *,
        subject_type: str,
        subject_id: object,
        purpose: str,
        outcome: str = "success",
    ) -> None:
        """Append an audit row (who, what, when, purpose, outcome) in this transaction."""
        self._driver_or_fail()  # fails outside 'async with uow:' like every other write
        self._refuse_after_final_write()
        self._collected.audits.append(AuditEntry(action, subject_type, str(subject_id), purpose, outcome))

    def audit_refusal(
        self, action: str, *, subject_type: str, subject_id: object, purpose: str, outcome: str = "refused"
    ) -> None:
        """Record an access to a child's record that the use case answers with an error (a refusal,
        or a conflict that names the record); it is written even though the use case then fails."""
        self._refusals.append(AuditEntry(action, subject_type, str(subject_id), purpose, outcome))

    async def _write_refusals(self) -> None:
        async with self._session_factory() as session, session.begin():
            for entry in self._refusals:
                await session.execute(_INSERT_AUDIT, self._audit_values(entry))
        self._refusals = []
