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
import logging
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from datetime import timedelta
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRecord, TopicPartition
from aiokafka.errors import CommitFailedError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from continuum.contracts import Envelope
from continuum.messaging import inbox
from continuum.messaging.dlq import dead_letter_headers
from continuum.messaging.failures import PermanentFailure, is_transient, refusal
from continuum.messaging.group_offsets import GroupOffsets
from continuum.messaging.handlers import BatchHandler, Handler, Skipped, Unreadable, read_record, runs_of
from continuum.messaging.inbox import INBOX_RETENTION
from continuum.messaging.kafka import consumer_topics, dlq_topic, retry_topic, start_or_stop, stop_quietly
from continuum.messaging.supervise import NowAndThen, sleep_or_stop, supervise
from continuum.observability import (
    CONSUMER_HANDLED,
    CONSUMER_LAG,
    CONSUMER_PAUSED_SECONDS,
    DLQ_MESSAGES,
    parse_traceparent,
)
from continuum.persistence.uow import UnitOfWork

log = logging.getLogger("continuum.messaging.consumer")

PRUNE_EVERY_SECONDS = 3600.0

Ready = tuple[ConsumerRecord[bytes, bytes], Envelope[Any], Handler]


class _Interrupted(Exception):
    """The consumer is stopping while an event waits for a dependency: leave it uncommitted."""


class _FailedInBatch(Exception):
    """Handling ``items[index]`` (or committing them) failed with ``cause``; nothing was kept. When
    ``run`` > 1, the events ``index`` to ``index + run - 1`` failed together in a batch handler, and
    none of them is to blame yet."""

    def __init__(self, index: int, cause: Exception, run: int = 1) -> None:
        super().__init__(f"event {index} of the batch failed: {cause!r}")
        self.index = index
        self.cause = cause
        self.run = run


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
        max_pause_backoff: float = 10.0,
        declare_topics: Callable[[list[str]], Awaitable[object]] | None = None,
        inbox_retention: timedelta = INBOX_RETENTION,
        batch_handlers: dict[str, BatchHandler] | None = None,
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
        self.max_pause_backoff = max_pause_backoff
        self._declare_topics = declare_topics
        self.inbox_retention = inbox_retention
        self.batch_handlers = batch_handlers or {}
        self._pruning = NowAndThen(PRUNE_EVERY_SECONDS, "inbox prune failed")
        #: What this member expects the group's committed offset to be, per assigned partition.
        self._offsets = GroupOffsets(name)
        self._stop = asyncio.Event()
        self._consumer: AIOKafkaConsumer | None = None
        self._producer: AIOKafkaProducer | None = None
        self.started = asyncio.Event()

    def holds_all_partitions(self) -> bool:
        """Whether this member is assigned every partition of its topics (for tests and benchmarks
        that must not measure a group join, nor share a group with another member)."""
        consumer = self._consumer
        if consumer is None:
            return False
        wanted = {(t, p) for t in [*self.topics, retry_topic(self.name)] for p in consumer.partitions_for_topic(t) or ()}
        held = {(tp.topic, tp.partition) for tp in consumer.assignment()}
        return bool(wanted) and held == wanted

    async def run(self, stop: asyncio.Event) -> None:
        """Consume until ``stop``; after any client failure, close, back off and reconnect."""
        self._stop = stop

        async def step() -> float:
            await self._start()
            await self._consume(stop)
            return 0.0

        async def reconnect(_: BaseException) -> None:
            await self._close()

        await supervise(f"consumer-{self.name}", step, stop, on_failure=reconnect)
        await self._close()

    async def _start(self) -> None:
        if self._producer is None:
            producer = self._producer_factory()
            await start_or_stop(producer)
            self._producer = producer
        if self._consumer is None:
            if self._declare_topics is not None:
                await self._declare_topics([*self.topics, *consumer_topics(self.name)])
            consumer = self._consumer_factory()
            # Its retries: only this group's. A new assignment resets what the offset check expects.
            consumer.subscribe([*self.topics, retry_topic(self.name)], listener=self._offsets)
            await start_or_stop(consumer)
            self._consumer = consumer
        self.started.set()

    async def _close(self) -> None:
        consumer, self._consumer = self._consumer, None
        producer, self._producer = self._producer, None
        await stop_quietly(consumer, producer)

    async def prune_inbox(self) -> int:
        """Forget this consumer's handled event ids older than the retention (:func:`inbox.prune_inbox`)."""
        return await inbox.prune_inbox(self._session_factory, self.name, retention=self.inbox_retention)

    async def _prune_now_and_then(self) -> None:
        async def prune() -> None:
            pruned = await self.prune_inbox()
            if pruned:
                log.info("inbox pruned", extra={"consumer": self.name, "rows": pruned})

        await self._pruning(prune)

    async def _consume(self, stop: asyncio.Event) -> None:
        consumer = self._consumer
        assert consumer is not None
        while not stop.is_set():
            await self._prune_now_and_then()
            batches = await consumer.getmany(timeout_ms=200, max_records=100)
            await self._offsets.learn(consumer)
            for tp, records in batches.items():
                if stop.is_set():
                    break  # what is fetched but not handled is not committed: the next start reads it
                try:
                    await self._process_batch(records)
                except _Interrupted:
                    return
                last = records[-1]
                if await self._offsets.lost(consumer, tp):
                    await self._offsets.read_again_from_the_start(consumer, tp)
                    continue  # this batch came from a position the broker no longer backs: not committed
                # One offset commit per partition batch, after each event's own database commit:
                # a crash in between redelivers events whose inbox rows make them no-ops.
                try:
                    await consumer.commit({tp: last.offset + 1})
                except CommitFailedError:
                    # The partition moved to another member during a rebalance; it redelivers from
                    # the last commit and the inbox skips what we did.
                    log.info("offset commit failed after rebalance", extra={"consumer": self.name})
                    continue
                self._offsets.committed[tp] = last.offset + 1
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
        skipped: Counter[str] = Counter()
        for record in records:
            read = read_record(record, self.handlers)
            if isinstance(read, Skipped):
                skipped[read.outcome] += 1
            elif isinstance(read, Unreadable):
                await self._dead_letter(record, read.reason)
            else:
                ready.append((record, *read))
        for outcome, count in skipped.items():
            CONSUMER_HANDLED.labels(self.name, outcome).inc(count)
        await self._handle_batch(ready)

    async def _handle_batch(self, ready: list[Ready]) -> None:
        while ready:
            try:
                outcomes = await self._handle_together([(event, handler) for _, event, handler in ready])
            except _FailedInBatch as failure:
                await self._handle_batch(ready[: failure.index])
                if failure.run > 1:
                    # A batch handler failed: each event of its run goes through the per-event path.
                    for item in ready[failure.index : failure.index + failure.run]:
                        await self._handle_with_retries(*item)
                else:
                    await self._handle_with_retries(*ready[failure.index], first_failure=failure.cause)
                ready = ready[failure.index + failure.run :]
                continue
            for outcome, count in Counter(outcomes).items():
                CONSUMER_HANDLED.labels(self.name, outcome).inc(count)
            return

    async def _handle_with_retries(
        self,
        record: ConsumerRecord[bytes, bytes],
        event: Envelope[Any],
        handler: Handler,
        *,
        first_failure: Exception | None = None,
    ) -> None:
        """Handle one event; ``first_failure`` is an attempt already made. A refusal goes to the
        dead-letter topic at once; a transient failure (the database or the network away) pauses
        the partition and retries, backing off up to ``max_pause_backoff``, for as long as it
        lasts; any other failure is retried ``max_attempts`` times, then dead-lettered."""
        attempt, failure = (1, first_failure) if first_failure is not None else (0, None)
        errors, pause = 0, self.retry_backoff
        while True:
            if failure is not None:
                refused = refusal(failure)
                if refused is not None:
                    await self._dead_letter(record, f"rejected: {refused}")
                    return
                if is_transient(failure):
                    log.warning(
                        "dependency unavailable; partition paused",
                        extra={
                            "consumer": self.name,
                            "event_id": str(event.id),
                            "error": type(failure).__name__,
                            "wait_s": pause,
                        },
                    )
                    CONSUMER_PAUSED_SECONDS.labels(self.name).inc(pause)
                    await sleep_or_stop(self._stop, pause)
                    if self._stop.is_set():
                        raise _Interrupted  # not handled, not committed: the next start redelivers it
                    pause = min(pause * 2, self.max_pause_backoff)
                else:
                    errors += 1
                    log.warning(
                        "handler failed",
                        extra={
                            "consumer": self.name,
                            "event_id": str(event.id),
                            "attempt": errors,
                            "error": type(failure).__name__,
                        },
                    )
                    if errors >= self.max_attempts:
                        reason = f"failed after {errors} attempts: {type(failure).__name__}: {failure}"
                        await self._dead_letter(record, reason)
                        return
                    await asyncio.sleep(self.retry_backoff * 2 ** (errors - 1))
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

    async def handle_all(self, events: Sequence[Envelope[Any]]) -> list[str]:
        """Handle ``events`` (each of a type this consumer handles) in one transaction, as a
        partition's batch is handled (a run of a batch handler's types at once): each ``handled``
        or ``duplicate``. A failure keeps nothing and raises its wrapper (``.cause``); the caller
        may then hand the events over one by one (:meth:`handle`) to find the one to blame."""
        return await self._handle_together([(event, self.handlers[event.type]) for event in events])

    async def _handle_together(self, items: list[tuple[Envelope[Any], Handler]]) -> list[str]:
        """Handle events in one transaction, each at most once: its inbox row and its handler's
        writes commit together, and an event whose inbox row exists is a duplicate. A run of two or
        more consecutive events of a type with a batch handler is claimed with one statement and
        applied by that handler at once. Any failure rolls everything back and is raised as
        :class:`_FailedInBatch` naming the event (the first of a run that failed together)."""
        uow = UnitOfWork(self._session_factory, source=self.source)
        outcomes: list[str] = []
        failing, failing_run = 0, 1
        try:
            async with uow:
                for start, run in runs_of(items, self.batch_handlers):
                    failing, failing_run = start, 1
                    batch_handler = self.batch_handlers.get(run[0][0].type) if len(run) > 1 else None
                    if batch_handler is not None:
                        failing_run = len(run)
                        fresh = await inbox.claim_all(uow.session, self.name, [event for event, _ in run])
                        new: list[Envelope[Any]] = []
                        for event, _ in run:  # a redelivery within the run is a duplicate too
                            outcomes.append("handled" if event.id in fresh else "duplicate")
                            if event.id in fresh:
                                fresh.discard(event.id)
                                new.append(event)
                        if new:
                            uow.traceparent = None  # a batch's events continue no single trace
                            await batch_handler(uow, new)
                        continue
                    for offset, (event, handler) in enumerate(run):
                        failing, failing_run = start + offset, 1
                        if not await inbox.claim(uow.session, self.name, event):
                            outcomes.append("duplicate")
                            continue
                        uow.traceparent = parse_traceparent(event.traceparent)  # its events continue a valid trace only
                        await handler(uow, event)
                        outcomes.append("handled")
                failing, failing_run = len(items) - 1, 1  # a failure from here on is the commit's: blame the last event
        except Exception as exc:
            raise _FailedInBatch(failing, exc, failing_run) from exc
        return outcomes

    async def _dead_letter(self, record: ConsumerRecord[bytes, bytes], reason: str) -> None:
        """Send ``record`` to this group's dead-letter topic with why (:func:`dead_letter_headers`)."""
        producer = self._producer
        assert producer is not None
        headers, attempts = dead_letter_headers(record, reason, consumer=self.name)
        await producer.send_and_wait(dlq_topic(self.name), record.value, key=record.key, headers=headers)
        DLQ_MESSAGES.labels(self.name).inc()
        log.error(
            "message dead-lettered",
            extra={
                "consumer": self.name,
                "topic": record.topic,
                "partition": record.partition,
                "offset": record.offset,
                "attempts": attempts,
            },
        )


#: Importable from here as before (``_refusal``: the older name of :func:`failures.refusal`).
_refusal = refusal
__all__ = ["INBOX_RETENTION", "BatchHandler", "EventConsumer", "Handler", "PermanentFailure", "is_transient"]
