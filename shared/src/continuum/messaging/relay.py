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

**A replica frozen inside a transaction holds nothing for long** (``continuum.messaging.relay_lease``).

**Order per case.** Rows are sent in ``seq`` order (a case's events are written by transactions
serialised on the case's row, so their ``seq`` order is their commit order) and Kafka keeps per-key
order within a partition. When part of a batch fails, only the rows before the first failure are
marked: a later event of a case is never marked before an earlier one; the rest are sent again.
The relay never follows "the last id sent": ids become visible out of commit order.

**Broker loss.** The relay checks that the broker still holds what it acknowledged and, when it
lost events, republishes every topic it wrote from the outbox (``continuum.messaging.broker_loss``). Published rows
are kept ``retention`` (7 days) for this; then they move to the service's event history, which
keeps them for good (``continuum.messaging.outbox_upkeep``, decision 53).

While the broker is down the relay backs off and the backlog grows; the APIs never touch Kafka, so
they keep accepting work, and the backlog drains when it returns.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Awaitable, Callable, Iterable, Sequence
from contextlib import AbstractAsyncContextManager
from datetime import UTC, datetime, timedelta
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from continuum.messaging.broker_loss import BrokerCheck, BrokerLostData, check_acknowledgements, mark_for_republish
from continuum.messaging.kafka import FirstConnectionsOnly, connect_to_brokers, stop_quietly
from continuum.messaging.outbox_upkeep import archive_outbox, refresh_outbox_metrics
from continuum.messaging.relay_lease import RelayLease
from continuum.messaging.supervise import NowAndThen, supervise
from continuum.observability import (
    OUTBOX_PUBLISH_FAILURES,
    OUTBOX_PUBLISHED,
    OUTBOX_REPUBLISHED,
)
from continuum.persistence.db import outbox, relay_offsets

#: Importable from here as before: the relay's own failure, and the operator's republish.
__all__ = ["BrokerLostData", "OutboxRelay", "mark_for_republish"]

log = logging.getLogger("continuum.messaging.relay")

MAX_BACKOFF = 30.0
ARCHIVE_EVERY_SECONDS = 3600.0
#: How often the publisher checks that the broker still holds what it acknowledged.
VERIFY_EVERY_SECONDS = 5.0


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
        self._broker_check = BrokerCheck(inspector_factory, service=service) if inspector_factory else None
        self._declare_topics = declare_topics
        self._producer: AIOKafkaProducer | None = None
        self._connections: FirstConnectionsOnly | None = None  # the producer's, when it is a real one
        self.service = service
        self.topics = list(topics)
        self.batch_size = batch_size
        self.poll_interval = poll_interval
        self.retention = retention
        self._lease = RelayLease(session_factory, service=service, lease_seconds=lease_seconds)
        self.broker_available = False
        self._metrics = NowAndThen(1.0, "outbox metrics failed")
        self._archiving = NowAndThen(ARCHIVE_EVERY_SECONDS, "outbox archiving failed")
        self._last_verify = 0.0
        self._known_offsets: dict[tuple[str, int], int] | None = None
        #: Awaited inside the marking transaction, after its statements and before its commit: fault
        #: tests freeze a replica there (as a paused pod or a stalled host would).
        self.while_marking: Callable[[], Awaitable[None]] | None = None

    @property
    def owner(self) -> str:
        return self._lease.owner

    @property
    def holds_lease(self) -> bool:
        return self._lease.holds

    @property
    def lease_seconds(self) -> float:
        return self._lease.lease_seconds

    @lease_seconds.setter
    def lease_seconds(self, seconds: float) -> None:
        self._lease.lease_seconds = seconds

    def _transaction(self) -> AbstractAsyncContextManager[AsyncSession]:
        return self._lease.transaction()

    async def take_lease(self) -> bool:
        """Take or renew the lease (:meth:`RelayLease.take`); ``True`` while this replica may publish."""
        was_held = self._lease.holds
        held = await self._lease.take()
        if held and not was_held:
            log.info("outbox relay took the lease", extra={"service": self.service})
            self._known_offsets = None  # another replica may have published meanwhile: read them again
        return held

    async def release_lease(self) -> None:
        await self._lease.release()

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
        self._connections = None
        await stop_quietly(producer)
        if self._broker_check is not None:
            await self._broker_check.close()

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
        check_acknowledgements([m for _, m in acked], known, service=self.service)
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
            if not await self._lease.still_mine(session):
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
        """Raise :class:`BrokerLostData` if the broker lost what it acknowledged (:class:`BrokerCheck`)."""
        self._last_verify = time.monotonic()
        if self._broker_check is not None and known:
            await self._broker_check.verify(known, batch_size=self.batch_size)

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
                # Every topic this relay wrote, not only those the loss showed in: a topic several
                # services write (``continuum.partner-status``) may be refilled by another
                # service's republish before this relay looks, hiding its loss there. Consumers
                # drop what they had handled (their inbox).
                count = await self.republish()
                log.error(
                    "the broker lost acknowledged events; republishing every topic from the outbox",
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
        """The outbox's upkeep, between batches: its metrics every second, archiving every hour."""

        async def archive() -> None:
            moved = await self.archive()
            if moved:
                log.info("published outbox rows moved to the event history", extra={"service": self.service, "rows": moved})

        await self._metrics(lambda: refresh_outbox_metrics(self._session_factory, service=self.service))
        await self._archiving(archive)

    async def archive(self) -> int:
        """Move events published longer ago than the retention to the event history (:func:`archive_outbox`)."""
        return await archive_outbox(self._session_factory, retention=self.retention)


def _encode(payload: object) -> bytes:
    return json.dumps(payload, separators=(",", ":")).encode()
