"""The idempotent consumer runner.

For each message, in partition order:

1. Validate it against its contract; a message that does not validate goes straight to the
   dead-letter topic ``continuum.dlq.<consumer>`` with the reason.
2. In one database transaction, insert the inbox row (consumer, event id) and run the handler. A
   duplicate inbox row means "already done": the handler is skipped. A partition's batch shares
   one transaction; if any event in it fails, the batch rolls back and each event is handled in a
   transaction of its own, so a poison event is isolated.
3. Only after those commits, commit the Kafka offset (once per partition batch). A crash in
   between redelivers the messages and step 2 skips them.

A handler failure is retried with backoff; a :class:`PermanentFailure`, or a failure that outlives
the retries, sends the message to the dead-letter topic and the partition keeps flowing.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRecord, TopicPartition
from aiokafka.errors import CommitFailedError
from sqlalchemy import bindparam
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from continuum.contracts import Envelope, parse_event
from continuum.db import inbox
from continuum.errors import Problem, RuleBroken
from continuum.kafka import dlq_topic
from continuum.observability import CONSUMER_HANDLED, CONSUMER_LAG, DLQ_MESSAGES, parse_traceparent
from continuum.uow import UnitOfWork

log = logging.getLogger("continuum.consumer")

Handler = Callable[[UnitOfWork, Envelope[Any]], Awaitable[None]]


class PermanentFailure(Exception):
    """The event can never be handled (it breaks a rule); retrying will not help."""


# Built once: claiming an event id for this consumer, or finding it already claimed.
_CLAIM_IN_INBOX = (
    pg_insert(inbox)
    .values(consumer=bindparam("consumer"), event_id=bindparam("event_id"), event_type=bindparam("event_type"))
    .on_conflict_do_nothing()
    .returning(inbox.c.event_id)
)


def _refusal(exc: Exception) -> str | None:
    """Why the event can never be handled, if ``exc`` says so: retrying cannot change a broken
    rule or a use case's 4xx answer."""
    if isinstance(exc, PermanentFailure | RuleBroken):
        return str(exc)
    if isinstance(exc, Problem) and exc.status < 500:
        return f"{exc.title}: {exc.detail}" if exc.detail else exc.title
    return None


Ready = tuple[ConsumerRecord[bytes, bytes], Envelope[Any], Handler]


class _FailedInBatch(Exception):
    """Handling ``items[index]`` (or committing them) failed with ``cause``; nothing was kept."""

    def __init__(self, index: int, cause: Exception) -> None:
        super().__init__(f"event {index} of the batch failed: {cause!r}")
        self.index = index
        self.cause = cause


class EventConsumer:
    def __init__(
        self,
        *,
        name: str,
        topics: Sequence[str],
        handlers: dict[str, Handler],
        session_factory: async_sessionmaker[AsyncSession],
        consumer_factory: Callable[[], AIOKafkaConsumer],
        producer_factory: Callable[[], AIOKafkaProducer],
        source: str,
        max_attempts: int = 3,
        retry_backoff: float = 0.2,
    ) -> None:
        """``name`` is the consumer group and the inbox's consumer name. Event types with no handler
        on a subscribed topic are acknowledged and ignored (another consumer's business)."""
        self.name = name
        self.topics = list(topics)
        self.handlers = handlers
        self._session_factory = session_factory
        self._consumer_factory = consumer_factory
        self._producer_factory = producer_factory
        self.source = source
        self.max_attempts = max_attempts
        self.retry_backoff = retry_backoff
        self._consumer: AIOKafkaConsumer | None = None
        self._producer: AIOKafkaProducer | None = None
        self.started = asyncio.Event()

    def holds_all_partitions(self) -> bool:
        """Whether this member is assigned every partition of its topics (for tests and benchmarks
        that must not measure a group join, nor share a group with another member)."""
        consumer = self._consumer
        if consumer is None:
            return False
        wanted = {(t, p) for t in self.topics for p in consumer.partitions_for_topic(t) or ()}
        held = {(tp.topic, tp.partition) for tp in consumer.assignment()}
        return bool(wanted) and held == wanted

    async def run(self, stop: asyncio.Event) -> None:
        backoff = 0.5
        while not stop.is_set():
            try:
                await self._start()
                backoff = 0.5
                await self._consume(stop)
            except Exception as exc:  # noqa: BLE001 - reconnect after any client failure
                log.warning("consumer failed; restarting", extra={"consumer": self.name, "error": type(exc).__name__})
                await self._close()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), timeout=backoff)
                backoff = min(backoff * 2, 30.0)
        await self._close()

    async def _start(self) -> None:
        if self._producer is None:
            producer = self._producer_factory()
            try:
                await producer.start()
            except Exception:
                await producer.stop()
                raise
            self._producer = producer
        if self._consumer is None:
            consumer = self._consumer_factory()
            consumer.subscribe(self.topics)
            try:
                await consumer.start()
            except Exception:
                await consumer.stop()
                raise
            self._consumer = consumer
        self.started.set()

    async def _close(self) -> None:
        consumer, self._consumer = self._consumer, None
        producer, self._producer = self._producer, None
        for client in (consumer, producer):
            if client is not None:
                try:
                    await client.stop()
                except Exception:
                    log.debug("client stop failed", exc_info=True)

    async def _consume(self, stop: asyncio.Event) -> None:
        consumer = self._consumer
        assert consumer is not None
        while not stop.is_set():
            batches = await consumer.getmany(timeout_ms=200, max_records=100)
            for tp, records in batches.items():
                if stop.is_set():
                    break  # what is fetched but not handled is not committed: the next start reads it
                await self._process_batch(records)
                last = records[-1]
                # One offset commit per partition batch, after each event's own database commit:
                # a crash in between redelivers events whose inbox rows make them no-ops.
                try:
                    await consumer.commit({tp: last.offset + 1})
                except CommitFailedError:
                    # The partition moved to another member during a rebalance; it redelivers from
                    # the last commit and the inbox skips what we did.
                    log.info("offset commit failed after rebalance", extra={"consumer": self.name})
                    continue
                self._record_lag(consumer, tp, last.offset)

    def _record_lag(self, consumer: AIOKafkaConsumer, tp: TopicPartition, offset: int) -> None:
        highwater = consumer.highwater(tp)
        if highwater is not None:
            CONSUMER_LAG.labels(self.name, f"{tp.topic}:{tp.partition}").set(max(highwater - offset - 1, 0))

    async def _process_batch(self, records: list[ConsumerRecord[bytes, bytes]]) -> None:
        """Handle one partition's batch, in order. Messages that do not validate go to the
        dead-letter topic; the rest are handled in one transaction. When an event fails, that
        transaction rolls back: the events before it are handled again together, the failing one
        goes on alone (dead-lettered at once if it was refused, else retried), and the batch carries
        on after it. One poison event holds up nothing and is never run more often than alone."""
        ready: list[Ready] = []
        for record in records:
            try:
                event = parse_event(record.value or b"")
            except ValueError as exc:
                await self._dead_letter(record, f"invalid: {exc}")
                continue
            handler = self.handlers.get(event.type)
            if handler is None:
                CONSUMER_HANDLED.labels(self.name, "ignored").inc()
                continue
            ready.append((record, event, handler))
        await self._handle_batch(ready)

    async def _handle_batch(self, ready: list[Ready]) -> None:
        while ready:
            try:
                outcomes = await self._handle_together([(event, handler) for _, event, handler in ready])
            except _FailedInBatch as failure:
                await self._handle_batch(ready[: failure.index])
                await self._handle_with_retries(*ready[failure.index], first_failure=failure.cause)
                ready = ready[failure.index + 1 :]
                continue
            for outcome in outcomes:
                CONSUMER_HANDLED.labels(self.name, outcome).inc()
            return

    async def _handle_with_retries(
        self,
        record: ConsumerRecord[bytes, bytes],
        event: Envelope[Any],
        handler: Handler,
        *,
        first_failure: Exception | None = None,
    ) -> None:
        """Handle one event, retrying with backoff; ``first_failure`` is an attempt already made."""
        attempt, failure = (1, first_failure) if first_failure is not None else (0, None)
        while True:
            if failure is not None:
                refusal = _refusal(failure)
                if refusal is not None:
                    await self._dead_letter(record, f"rejected: {refusal}")
                    return
                log.warning(
                    "handler failed",
                    extra={"consumer": self.name, "event_id": str(event.id), "attempt": attempt, "error": type(failure).__name__},
                )
                if attempt >= self.max_attempts:
                    reason = f"failed after {attempt} attempts: {type(failure).__name__}: {failure}"
                    await self._dead_letter(record, reason)
                    return
                await asyncio.sleep(self.retry_backoff * 2 ** (attempt - 1))
            attempt += 1
            try:
                outcome = await self.handle(event, handler)
            except _FailedInBatch as failed:
                failure = failed.cause
                continue
            CONSUMER_HANDLED.labels(self.name, outcome).inc()
            return

    async def handle(self, event: Envelope[Any], handler: Handler) -> str:
        """Run ``handler`` once per event id: returns ``handled`` or ``duplicate``."""
        return (await self._handle_together([(event, handler)]))[0]

    async def _handle_together(self, items: list[tuple[Envelope[Any], Handler]]) -> list[str]:
        """Handle events in one transaction, each at most once: its inbox row and its handler's
        writes commit together, and an event whose inbox row exists is a duplicate. Any failure
        rolls everything back and is raised as :class:`_FailedInBatch` naming the event."""
        uow = UnitOfWork(self._session_factory, source=self.source)
        outcomes: list[str] = []
        failing = 0
        try:
            async with uow:
                for position, (event, handler) in enumerate(items):
                    failing = position
                    params = {"consumer": self.name, "event_id": event.id, "event_type": event.type}
                    if (await uow.session.execute(_CLAIM_IN_INBOX, params)).first() is None:
                        outcomes.append("duplicate")
                        continue
                    uow.traceparent = parse_traceparent(event.traceparent)  # its events continue a valid trace only
                    await handler(uow, event)
                    outcomes.append("handled")
                failing = len(items) - 1  # a failure from here on is the commit's: blame the last event
        except Exception as exc:
            raise _FailedInBatch(failing, exc) from exc
        return outcomes

    async def _dead_letter(self, record: ConsumerRecord[bytes, bytes], reason: str) -> None:
        producer = self._producer
        assert producer is not None
        headers = [
            *(record.headers or ()),
            ("dlq_reason", reason[:1000].encode()),
            ("dlq_consumer", self.name.encode()),
            ("dlq_original_topic", record.topic.encode()),
            ("dlq_original_partition", str(record.partition).encode()),
            ("dlq_original_offset", str(record.offset).encode()),
            ("dlq_failed_at", datetime.now(UTC).isoformat().encode()),
        ]
        await producer.send_and_wait(dlq_topic(self.name), record.value, key=record.key, headers=headers)
        DLQ_MESSAGES.labels(self.name).inc()
        log.error(
            "message dead-lettered",
            extra={"consumer": self.name, "topic": record.topic, "partition": record.partition, "offset": record.offset},
        )


__all__ = ["EventConsumer", "Handler", "PermanentFailure"]
