"""The outbox relay: publishes committed outbox rows to Kafka, keyed by case. The outbox is the
source of truth; the broker is transport.

**One publisher, by lease.** A replica publishes only while it holds the lease, a row in
``relay_lease`` that it renews with every step (``lease_seconds``, 10 by default). Nothing is
held open across a network call: reading a batch, sending it, and marking it are three separate
steps, the marking guarded by the lease. A replica that freezes (a pod cut off from the network)
stops renewing; within ``lease_seconds`` another takes over and sends from the first unmarked row.
If the frozen one wakes and finishes its batch, its copies are late duplicates of rows the new
publisher also sent, in order; the consumers' inboxes skip them, so each event's first delivery
keeps its case's order.

**A replica frozen inside a transaction holds nothing for long.** Marking locks the lease row
(so a replica that lost the lease marks nothing); a replica frozen between its statements would
keep that lock, and the other replica's take-over (an upsert of that row) would wait on it for as
long as the freeze lasted. So every transaction of the relay sets ``lock_timeout`` (a tenth of the
lease: taking the lease gives up and tries at the next pass instead of waiting) and
``idle_in_transaction_session_timeout`` (half the lease: PostgreSQL ends the session of a replica
frozen mid-transaction, and its locks go with it, before its lease runs out).

**Order per case.** Rows are sent in ``seq`` order (a case's events are written by transactions
serialised on the case's row, so their ``seq`` order is their commit order) and Kafka keeps per-key
order within a partition. When part of a batch fails, only the rows before the first failure are
marked: a later event of a case is never marked before an earlier one; the rest are sent again.
The relay never follows "the last id sent": ids become visible out of commit order.

**Broker loss.** For every partition the relay records the highest offset the broker acknowledged
(``relay_offsets``). An acknowledgement at or below it, a partition whose end is now below it, or
a topic that is gone, means the broker lost what it acknowledged (a restarted memory broker, a
recreated topic, a cluster migration): the relay declares the topics again and republishes every
retained row of the affected topics, in ``seq`` order. Consumers are idempotent, so what they had
already handled is skipped. The check runs before anything is sent over a new connection: the
relay's producer sends only over the connections it opened first, and once one breaks it fails
what it holds instead of resending it elsewhere (``continuum.messaging.kafka.FirstConnectionsOnly``); the
relay then makes a new producer, connects it, and checks the broker before it sends. So a
batch in flight when the broker dies never lands, ahead of the older events it lost, on the
broker that comes back empty. Published rows are kept ``retention`` (7 days) for this; the topics
keep events longer (``continuum.messaging.kafka.TOPIC_RETENTION_MS``), so the inboxes remember them.

While the broker is down the relay backs off and the backlog grows; the APIs never touch Kafka, so
they keep accepting work, and the backlog drains when it returns.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from sqlalchemy import ColumnElement, delete, func, select, text, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from continuum.messaging.kafka import FirstConnectionsOnly, connect_to_brokers
from continuum.messaging.supervise import supervise
from continuum.observability import (
    OUTBOX_BACKLOG,
    OUTBOX_OLDEST_AGE,
    OUTBOX_PUBLISH_FAILURES,
    OUTBOX_PUBLISHED,
    OUTBOX_REPUBLISHED,
)
from continuum.persistence.db import outbox, relay_lease, relay_offsets

log = logging.getLogger("continuum.messaging.relay")

MAX_BACKOFF = 30.0
PRUNE_EVERY_SECONDS = 3600.0
#: How often the publisher checks that the broker still holds what it acknowledged.
VERIFY_EVERY_SECONDS = 5.0
_LEASE_ROW = 1
#: The bounds of every relay transaction, as parts of the lease (see the module's docstring).
LOCK_TIMEOUT_OF_LEASE = 0.1
IDLE_IN_TRANSACTION_OF_LEASE = 0.5
_BOUNDED = text(
    "SELECT set_config('lock_timeout', :lock_ms, true), set_config('idle_in_transaction_session_timeout', :idle_ms, true)"
)
#: SQLSTATE of a lock not granted within ``lock_timeout``.
_LOCK_NOT_AVAILABLE = "55P03"


class BrokerLostData(Exception):
    """The broker no longer holds events it acknowledged; the relay republishes them."""

    def __init__(self, topics: Iterable[str], why: str) -> None:
        self.topics = sorted(set(topics))
        super().__init__(f"{why}: {', '.join(self.topics)}")


class OutboxRelay:
    def __init__(
        self,
        session_factory: async_sessionmaker[AsyncSession],
        producer_factory: Callable[[], AIOKafkaProducer],
        *,
        service: str,
        batch_size: int = 200,
        poll_interval: float = 0.2,
        retention: timedelta = timedelta(days=7),
        lease_seconds: float = 10.0,
        inspector_factory: Callable[[], AIOKafkaConsumer] | None = None,
        declare_topics: Callable[[list[str]], Awaitable[object]] | None = None,
        topics: Sequence[str] = (),
    ) -> None:
        """``inspector_factory`` makes a group-less consumer the relay asks for topics and end
        offsets (without it, only acknowledgements are checked); ``declare_topics`` creates missing
        topics as declared; ``topics`` are the ones this service publishes to."""
        self._session_factory = session_factory
        self._producer_factory = producer_factory
        self._inspector_factory = inspector_factory
        self._declare_topics = declare_topics
        self._producer: AIOKafkaProducer | None = None
        self._connections: FirstConnectionsOnly | None = None  # the producer's, when it is a real one
        self._inspector: AIOKafkaConsumer | None = None
        self.service = service
        self.topics = list(topics)
        self.batch_size = batch_size
        self.poll_interval = poll_interval
        self.retention = retention
        self.lease_seconds = lease_seconds
        self.owner = f"{service}:{uuid.uuid4()}"
        self.broker_available = False
        self.holds_lease = False
        self._renew_at = 0.0
        self._last_metrics = 0.0
        self._last_prune = 0.0
        self._last_verify = 0.0
        self._known_offsets: dict[tuple[str, int], int] | None = None
        #: Awaited inside the marking transaction, after its statements and before its commit: fault
        #: tests freeze a replica there (as a paused pod or a stalled host would).
        self.while_marking: Callable[[], Awaitable[None]] | None = None

    @asynccontextmanager
    async def _transaction(self) -> AsyncIterator[AsyncSession]:
        """A session in a transaction bounded as the module's docstring says."""
        async with self._session_factory() as session, session.begin():
            bounds = {
                "lock_ms": f"{max(1, round(self.lease_seconds * LOCK_TIMEOUT_OF_LEASE * 1000))}",
                "idle_ms": f"{max(1, round(self.lease_seconds * IDLE_IN_TRANSACTION_OF_LEASE * 1000))}",
            }
            await session.execute(_BOUNDED, bounds)
            yield session

    # --- the lease -----------------------------------------------------------------------------------

    async def take_lease(self) -> bool:
        """Take or renew the lease; ``True`` while this replica may publish. A lease held for less
        than half its time is not renewed yet (one write fewer per batch); marking checks it anyway."""
        if self.holds_lease and time.monotonic() < self._renew_at:
            return True
        renewing_from = time.monotonic()
        now = datetime.now(UTC)
        until = now + timedelta(seconds=self.lease_seconds)
        insert = pg_insert(relay_lease).values(id=_LEASE_ROW, owner=self.owner, until=until)
        stmt = insert.on_conflict_do_update(
            index_elements=[relay_lease.c.id],
            set_={"owner": self.owner, "until": until},
            where=(relay_lease.c.owner == self.owner) | (relay_lease.c.until < now),
        ).returning(relay_lease.c.owner)
        try:
            async with self._transaction() as session:
                held = (await session.execute(stmt)).first() is not None
        except DBAPIError as exc:
            if getattr(exc.orig, "sqlstate", None) != _LOCK_NOT_AVAILABLE:
                raise
            # The lease row is locked by a replica marking a batch (or frozen doing it, until
            # PostgreSQL ends its session): not ours this pass.
            held = False
        if held and not self.holds_lease:
            log.info("outbox relay took the lease", extra={"service": self.service})
            self._known_offsets = None  # another replica may have published meanwhile: read them again
        self.holds_lease = held
        self._renew_at = renewing_from + self.lease_seconds / 2
        return held

    async def release_lease(self) -> None:
        async with self._transaction() as session:
            await session.execute(delete(relay_lease).where(relay_lease.c.owner == self.owner))
        self.holds_lease = False

    # --- clients ---------------------------------------------------------------------------------------

    async def _ensure_producer(self) -> AIOKafkaProducer:
        if self._producer is None:
            if self._declare_topics is not None and self.topics:
                await self._declare_topics(self.topics)
            producer = self._producer_factory()
            # Tests hand in stand-ins without a client of their own.
            self._connections = FirstConnectionsOnly(producer) if isinstance(producer, AIOKafkaProducer) else None
            try:
                await producer.start()
                if self._connections is not None:
                    await connect_to_brokers(producer)
            except Exception:
                await producer.stop()
                raise
            self._producer = producer
            # New connections: check what the broker still holds before sending anything over them.
            self._last_verify = 0.0
        return self._producer

    async def _drop_clients(self) -> None:
        producer, self._producer = self._producer, None
        inspector, self._inspector = self._inspector, None
        self._connections = None
        for client in (producer, inspector):
            if client is not None:
                try:
                    await client.stop()
                except Exception:
                    log.debug("client stop failed", exc_info=True)

    # --- publishing -----------------------------------------------------------------------------------

    async def publish_pending(self) -> int:
        """Publish one batch of unsent events; returns how many were published (0 when another
        replica holds the lease). Raises when the broker cannot be reached or lost data; rows that
        were not acknowledged stay unsent."""
        if not await self.take_lease():
            return 0
        if self._connections is not None and self._connections.broken:
            # A connection closed since the last batch (the broker restarted, or closed it as idle):
            # a new producer, connected and checked first, sends what comes next.
            log.info("the relay's connection to the broker closed; reconnecting", extra={"service": self.service})
            await self._drop_clients()
        producer = await self._ensure_producer()
        known = await self._offsets()
        if time.monotonic() - self._last_verify > VERIFY_EVERY_SECONDS:
            await self._verify_broker(known)
        async with self._session_factory() as session:
            rows = (
                await session.execute(
                    select(outbox.c.seq, outbox.c.topic, outbox.c.key, outbox.c.event_type, outbox.c.payload)
                    .where(outbox.c.published_at.is_(None))
                    .order_by(outbox.c.seq)
                    .limit(self.batch_size)
                )
            ).all()
        if not rows:
            return 0
        results = await self._send_in_case_order(producer, rows)
        acked = [(row, r) for row, r in zip(rows, results, strict=True) if r is not None and not isinstance(r, BaseException)]
        lost = {m.topic for _, m in acked if m.offset <= known.get((m.topic, m.partition), -1)}
        if lost:
            log.warning(
                "the broker acknowledged offsets it had given out before",
                extra={
                    "service": self.service,
                    "acked": sorted({(m.topic, m.partition, m.offset) for _, m in acked if m.topic in lost})[:5],
                    "known": sorted({(t, p, o) for (t, p), o in known.items() if t in lost})[:5],
                },
            )
            raise BrokerLostData(lost, "the broker acknowledged offsets it had given out before")
        marked = await self._mark([row for row, _ in acked], [m for _, m in acked], known) if acked else 0
        if len(acked) < len(rows):
            failure = next(r for r in results if isinstance(r, BaseException))
            await self._note_failure(
                [row for row, r in zip(rows, results, strict=True) if r is None or isinstance(r, BaseException)], failure
            )
            raise failure
        return marked

    async def _send_in_case_order(self, producer: AIOKafkaProducer, rows: Sequence[Any]) -> list[Any]:
        """Send ``rows`` so that a case's event never reaches its topic before an earlier one of
        the same case: in waves, each holding at most one row per (topic, case), the next wave
        after the last is acknowledged; a case whose row failed sends nothing more in this batch
        (its later rows wait for the next pass, after the failed one). Returns, per row, its
        acknowledgement, its failure, or ``None`` when it was held back."""
        results: list[Any] = [None] * len(rows)
        queues: dict[tuple[str, str], list[int]] = {}
        for index, row in enumerate(rows):
            queues.setdefault((row.topic, row.key), []).append(index)
        while queues:
            wave = [queue.pop(0) for queue in queues.values()]
            sends = []
            for index in wave:
                row = rows[index]
                headers = [("ce_type", row.event_type.encode()), ("content-type", b"application/json")]
                sends.append(await producer.send(row.topic, _encode(row.payload), key=row.key.encode(), headers=headers))
            for index, outcome in zip(wave, await asyncio.gather(*sends, return_exceptions=True), strict=True):
                results[index] = outcome
                if isinstance(outcome, BaseException):
                    queues[(rows[index].topic, rows[index].key)] = []  # hold the case's later rows back
            queues = {case: queue for case, queue in queues.items() if queue}
        return results

    async def _mark(self, rows: Sequence[Any], acked: Sequence[Any], known: dict[tuple[str, int], int]) -> int:
        """Mark ``rows`` published and remember the offsets, if this replica still holds the lease
        (otherwise the new holder sends them again: duplicates, never losses)."""
        highest: dict[tuple[str, int], int] = {}
        for m in acked:
            highest[(m.topic, m.partition)] = max(highest.get((m.topic, m.partition), -1), m.offset)
        async with self._transaction() as session:
            still_mine = (
                await session.execute(
                    select(relay_lease.c.owner)
                    .where(relay_lease.c.owner == self.owner, relay_lease.c.until > func.now())
                    .with_for_update()
                )
            ).first()
            if still_mine is None:
                self.holds_lease = False
                return 0
            await session.execute(
                update(outbox).where(outbox.c.seq.in_([r.seq for r in rows])).values(published_at=datetime.now(UTC))
            )
            values = [{"topic": t, "partition": p, "max_offset": o} for (t, p), o in highest.items()]
            stmt = pg_insert(relay_offsets).values(values)
            await session.execute(
                stmt.on_conflict_do_update(
                    index_elements=[relay_offsets.c.topic, relay_offsets.c.partition],
                    set_={
                        "max_offset": func.greatest(relay_offsets.c.max_offset, stmt.excluded.max_offset),
                        "updated_at": func.now(),
                    },
                )
            )
            if self.while_marking is not None:
                await self.while_marking()
        known.update({key: max(known.get(key, -1), offset) for key, offset in highest.items()})
        for row in rows:
            OUTBOX_PUBLISHED.labels(self.service, row.topic).inc()
        return len(rows)

    async def _note_failure(self, rows: Sequence[Any], failure: object) -> None:
        async with self._transaction() as session:
            await session.execute(
                update(outbox)
                .where(outbox.c.seq.in_([r.seq for r in rows]))
                .values(attempts=outbox.c.attempts + 1, last_error=type(failure).__name__)
            )

    # --- broker loss ----------------------------------------------------------------------------------

    async def _offsets(self) -> dict[tuple[str, int], int]:
        if self._known_offsets is None:
            async with self._session_factory() as session:
                rows = (await session.execute(select(relay_offsets))).all()
            self._known_offsets = {(r.topic, r.partition): r.max_offset for r in rows}
        return self._known_offsets

    async def _verify_broker(self, known: dict[tuple[str, int], int]) -> None:
        """Raise :class:`BrokerLostData` if a topic we published to is gone, or a partition now
        ends before an offset the broker acknowledged, twice in a row a second apart (a broker's
        metadata can lag for a moment; a loss does not go away)."""
        self._last_verify = time.monotonic()
        if self._inspector_factory is None or not known:
            return
        first = await self._suspect_topics(known)
        if not first:
            return
        await asyncio.sleep(1.0)
        confirmed = first & await self._suspect_topics(known)
        if confirmed:
            raise BrokerLostData(confirmed, "topics gone, or partitions ending before offsets the broker acknowledged")

    async def _suspect_topics(self, known: dict[tuple[str, int], int]) -> set[str]:
        if self._inspector is None:
            inspector = self._inspector_factory()  # type: ignore[misc]
            await inspector.start()
            self._inspector = inspector
        present = await self._inspector.topics()
        gone = {topic for topic, _ in known if topic not in present}
        # A topic made again with fewer partitions (a broker that creates topics on first mention,
        # as Tansu does and Kafka may, before the services declared theirs) lost the others; asking
        # for their ends would only time out.
        held = {t: self._inspector.partitions_for_topic(t) or set() for t in {t for t, _ in known if t in present}}
        gone |= {t for t, p in known if t in held and p not in held[t]}
        partitions = [TopicPartition(t, p) for t, p in known if t in held and t not in gone]
        ends = await self._inspector.end_offsets(partitions) if partitions else {}
        # A partition that lost what it acknowledged is empty, or ends well before it. Not "at or
        # before the last acknowledged offset": Tansu reports the end of a partition as its last
        # batch's first offset plus one, so the tail of one batch may look missing when it is not.
        # A shorter loss is caught by the next acknowledgement (an offset given out again).
        behind = {
            tp.topic
            for tp in partitions
            if ends.get(tp, 0) == 0 or ends.get(tp, 0) + self.batch_size <= known[(tp.topic, tp.partition)]
        }
        if gone or behind:
            log.warning(
                "the broker may have lost acknowledged events",
                extra={"service": self.service, "gone": sorted(gone), "behind": sorted(behind)},
            )
        return gone | behind

    async def republish(self, topics: Iterable[str] | None = None, *, since: datetime | None = None) -> int:
        """Send the retained rows of ``topics`` again (see :func:`mark_for_republish`)."""
        count = await mark_for_republish(self._session_factory, topics=topics, since=since)
        self._known_offsets = None
        OUTBOX_REPUBLISHED.labels(self.service).inc(count)
        return count

    # --- the loop -------------------------------------------------------------------------------------

    async def run(self, stop: asyncio.Event) -> None:
        """Relay until ``stop`` is set, then drain what is ready, hand the lease on and return."""

        async def step() -> float:
            published = await self.publish_pending()
            self.broker_available = True
            await self._bookkeeping()
            return 0.0 if published else self.poll_interval

        async def failed(exc: BaseException) -> None:
            # Keep the rows; drop the clients (their metadata may be stale); back off.
            self.broker_available = False
            OUTBOX_PUBLISH_FAILURES.labels(self.service).inc()
            await self._drop_clients()
            if isinstance(exc, BrokerLostData):
                count = await self.republish(exc.topics)
                log.error(
                    "the broker lost acknowledged events; republishing from the outbox",
                    extra={"service": self.service, "topics": exc.topics, "rows": count},
                )
            await self._bookkeeping()

        await supervise(
            f"outbox-relay-{self.service}",
            step,
            stop,
            first_backoff=self.poll_interval,
            max_backoff=MAX_BACKOFF,
            on_failure=failed,
        )
        await self._drain()
        await self._drop_clients()
        if self.holds_lease:
            try:
                await self.release_lease()  # the next replica need not wait for it to expire
            except Exception:
                log.debug("lease release failed", exc_info=True)

    async def _drain(self) -> None:
        """On shutdown, publish what is waiting if the broker is there; a few passes at most."""
        if not self.broker_available:
            return
        for _ in range(10):
            try:
                if await self.publish_pending() == 0:
                    return
            except Exception:  # noqa: BLE001 - what is left is published by the next start
                return

    async def _bookkeeping(self) -> None:
        if time.monotonic() - self._last_metrics > 1.0:
            await self._safe_refresh_metrics()
        if time.monotonic() - self._last_prune > PRUNE_EVERY_SECONDS:
            await self._safe_prune()

    async def prune(self) -> int:
        """Delete events published longer ago than the retention: the topics hold them now, and
        the table would otherwise grow for ever. Unpublished rows are never touched."""
        cutoff = datetime.now(UTC) - self.retention
        async with self._session_factory() as session, session.begin():
            result = await session.execute(delete(outbox).where(outbox.c.published_at < cutoff))
        return int(result.rowcount or 0)  # type: ignore[attr-defined]

    async def refresh_metrics(self) -> None:
        async with self._session_factory() as session:
            count, oldest = (
                await session.execute(select(func.count(), func.min(outbox.c.created_at)).where(outbox.c.published_at.is_(None)))
            ).one()
        OUTBOX_BACKLOG.labels(self.service).set(count)
        age = (datetime.now(UTC) - oldest).total_seconds() if oldest else 0.0
        OUTBOX_OLDEST_AGE.labels(self.service).set(age)

    async def _safe_prune(self) -> None:
        self._last_prune = time.monotonic()
        try:
            pruned = await self.prune()
            if pruned:
                log.info("published outbox rows pruned", extra={"service": self.service, "rows": pruned})
        except Exception:
            log.debug("outbox prune failed", exc_info=True)

    async def _safe_refresh_metrics(self) -> None:
        self._last_metrics = time.monotonic()
        try:
            await self.refresh_metrics()
        except Exception:
            log.debug("outbox metrics failed", exc_info=True)


async def mark_for_republish(
    session_factory: async_sessionmaker[AsyncSession], *, topics: Iterable[str] | None = None, since: datetime | None = None
) -> int:
    """Mark the retained published rows (of ``topics``, published at or after ``since``; all when
    not given) unsent again, so the relay sends them in ``seq`` order with whatever is unsent, and
    forget the acknowledged offsets of those topics. Returns how many rows will be sent again.
    (``continuum outbox republish`` for an operator; the relay itself after a broker loss.)"""
    wanted = None if topics is None else sorted(set(topics))
    conditions: list[ColumnElement[bool]] = [outbox.c.published_at.is_not(None)]
    if wanted is not None:
        conditions.append(outbox.c.topic.in_(wanted))
    if since is not None:
        conditions.append(outbox.c.published_at >= since)
    async with session_factory() as session, session.begin():
        result = await session.execute(update(outbox).where(*conditions).values(published_at=None))
        forget = delete(relay_offsets)
        if wanted is not None:
            forget = forget.where(relay_offsets.c.topic.in_(wanted))
        await session.execute(forget)
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def _encode(payload: object) -> bytes:
    return json.dumps(payload, separators=(",", ":")).encode()
