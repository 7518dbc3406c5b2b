"""The outbox relay: publishes committed outbox rows to Kafka, keyed by case.

Claiming: unsent rows are selected ``FOR UPDATE SKIP LOCKED`` in ``seq`` order inside one
transaction that lasts while the batch is sent, then marked ``published_at``. The relay never
remembers "the last id I sent": sequence values become visible out of commit order, so a poller
that follows increasing ids skips rows whose transaction committed late (the eventsourcing
project's ``_lock_table`` note). Each pass simply takes whatever is unsent now.

Order per case: a case's events are written by transactions serialised on the case's row, so their
``seq`` order is their commit order; the relay sends in ``seq`` order and Kafka keeps per-key order
within a partition. With several replicas, a transaction-scoped advisory lock lets one relay publish
at a time, so two replicas never interleave one case's events; the other replicas stand by.

While the broker is down the relay backs off (up to ``MAX_BACKOFF``) and the backlog grows; the
APIs never touch Kafka, so they keep accepting work, and the backlog drains when it returns.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from aiokafka import AIOKafkaProducer
from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from continuum.db import outbox
from continuum.observability import (
    OUTBOX_BACKLOG,
    OUTBOX_OLDEST_AGE,
    OUTBOX_PUBLISH_FAILURES,
    OUTBOX_PUBLISHED,
)

log = logging.getLogger("continuum.relay")

MAX_BACKOFF = 30.0
PRUNE_EVERY_SECONDS = 3600.0
# An arbitrary constant; every service has its own database, so one key per database suffices.
RELAY_LOCK_KEY = 0x0C0A7105


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
    ) -> None:
        self._session_factory = session_factory
        self._producer_factory = producer_factory
        self._producer: AIOKafkaProducer | None = None
        self.service = service
        self.batch_size = batch_size
        self.poll_interval = poll_interval
        self.broker_available = False
        self._last_metrics = 0.0
        self.retention = retention
        self._last_prune = 0.0

    async def _ensure_producer(self) -> AIOKafkaProducer:
        if self._producer is None:
            producer = self._producer_factory()
            try:
                await producer.start()
            except Exception:
                await producer.stop()
                raise
            self._producer = producer
        return self._producer

    async def _drop_producer(self) -> None:
        producer, self._producer = self._producer, None
        if producer is not None:
            try:
                await producer.stop()
            except Exception:
                log.debug("producer stop failed", exc_info=True)

    async def publish_pending(self) -> int:
        """Publish one batch of unsent events; returns how many were published.

        Raises when the broker cannot be reached; rows that were not acknowledged stay unsent.
        """
        producer = await self._ensure_producer()
        async with self._session_factory() as session, session.begin():
            got_lock = (await session.execute(select(func.pg_try_advisory_xact_lock(RELAY_LOCK_KEY)))).scalar_one()
            if not got_lock:
                return 0
            rows = (
                await session.execute(
                    select(outbox.c.seq, outbox.c.topic, outbox.c.key, outbox.c.event_type, outbox.c.payload)
                    .where(outbox.c.published_at.is_(None))
                    .order_by(outbox.c.seq)
                    .limit(self.batch_size)
                    .with_for_update(skip_locked=True)
                )
            ).all()
            if not rows:
                return 0
            sends = []
            for row in rows:
                value = _encode(row.payload)
                headers = [("ce_type", row.event_type.encode()), ("content-type", b"application/json")]
                sends.append(await producer.send(row.topic, value, key=row.key.encode(), headers=headers))
            results = await asyncio.gather(*sends, return_exceptions=True)
            sent = [row.seq for row, r in zip(rows, results, strict=True) if not isinstance(r, BaseException)]
            failures = [r for r in results if isinstance(r, BaseException)]
            if sent:
                await session.execute(update(outbox).where(outbox.c.seq.in_(sent)).values(published_at=datetime.now(UTC)))
                for row in rows:
                    if row.seq in sent:
                        OUTBOX_PUBLISHED.labels(self.service, row.topic).inc()
            if failures:
                failed = [row.seq for row in rows if row.seq not in sent]
                await session.execute(
                    update(outbox)
                    .where(outbox.c.seq.in_(failed))
                    .values(attempts=outbox.c.attempts + 1, last_error=repr(failures[0])[:500])
                )
        if failures:
            raise failures[0]
        return len(sent)

    async def prune(self) -> int:
        """Delete events published longer ago than the retention: Kafka holds them now, and the
        table would otherwise grow for ever. Unpublished rows are never touched."""
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

    async def run(self, stop: asyncio.Event) -> None:
        """Relay until ``stop`` is set, then drain what is ready and return."""
        backoff = self.poll_interval
        while not stop.is_set():
            try:
                published = await self.publish_pending()
                self.broker_available = True
                backoff = self.poll_interval
            except Exception as exc:  # noqa: BLE001 - any failure means: keep the rows, back off
                self.broker_available = False
                OUTBOX_PUBLISH_FAILURES.labels(self.service).inc()
                log.warning("outbox publish failed; backing off", extra={"error": type(exc).__name__, "backoff_s": backoff})
                await self._drop_producer()
                published = 0
                await _sleep_or_stop(stop, backoff)
                backoff = min(backoff * 2, MAX_BACKOFF)
            if time.monotonic() - self._last_metrics > 1.0:
                await self._safe_refresh_metrics()
            if time.monotonic() - self._last_prune > PRUNE_EVERY_SECONDS:
                await self._safe_prune()
            if published == 0:
                await _sleep_or_stop(stop, self.poll_interval)
        await self._drain()
        await self._drop_producer()

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


def _encode(payload: object) -> bytes:
    return json.dumps(payload, separators=(",", ":")).encode()


async def _sleep_or_stop(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), timeout=seconds)
