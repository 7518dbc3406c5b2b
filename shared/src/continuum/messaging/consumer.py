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
import json
import logging
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRebalanceListener, ConsumerRecord, TopicPartition
from aiokafka.errors import CommitFailedError
from sqlalchemy import String, bindparam, delete, func, select
from sqlalchemy.dialects.postgresql import ARRAY, UUID
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.exc import DBAPIError, DisconnectionError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from continuum.casework.errors import DomainError
from continuum.contracts import CATALOGUE, Envelope, UnknownEventType, parse_event
from continuum.messaging.kafka import TOPIC_RETENTION_MS, consumer_topics, dlq_topic, retry_topic
from continuum.messaging.supervise import sleep_or_stop, supervise
from continuum.observability import (
    CONSUMER_HANDLED,
    CONSUMER_LAG,
    CONSUMER_OFFSETS_LOST,
    CONSUMER_PAUSED_SECONDS,
    DLQ_MESSAGES,
    parse_traceparent,
)
from continuum.persistence.db import DatabaseUnavailable, inbox
from continuum.persistence.uow import Transaction, UnitOfWork

log = logging.getLogger("continuum.messaging.consumer")

#: A consumer's handler: applies one event inside the transaction the runner opened (with the inbox row).
Handler = Callable[[Transaction, Envelope[Any]], Awaitable[None]]
#: A batch handler: applies several events of one type at once, set-based (one statement per kind of
#: row), with exactly the effect of its per-event handler applied to each in order (a test per
#: handler proves it). The runner claims their inbox rows in one statement and passes only new events;
#: when the batch fails, each event goes through the per-event handler alone.
BatchHandler = Callable[[Transaction, list[Envelope[Any]]], Awaitable[None]]


#: Handled event ids are kept longer than any topic keeps events (``TOPIC_RETENTION_MS``, 400 days),
#: so no event can be delivered again, even to a group that lost its offsets, after its id is forgotten.
INBOX_RETENTION = timedelta(milliseconds=TOPIC_RETENTION_MS) + timedelta(days=1)
PRUNE_EVERY_SECONDS = 3600.0


class PermanentFailure(Exception):
    """The event can never be handled (it breaks a rule); retrying will not help."""


# Built once: claiming an event id for this consumer, or finding it already claimed.
_CLAIM_IN_INBOX = (
    pg_insert(inbox)
    .values(consumer=bindparam("consumer"), event_id=bindparam("event_id"), event_type=bindparam("event_type"))
    .on_conflict_do_nothing()
    .returning(inbox.c.event_id)
)

# Built once: claiming a run's event ids in one statement (arrays, so it is prepared once whatever the run's length).
_CLAIMED = select(
    bindparam("consumer", type_=String()),
    func.unnest(bindparam("event_ids", type_=ARRAY(UUID(as_uuid=True)))),
    func.unnest(bindparam("event_types", type_=ARRAY(String()))),
)
_CLAIM_ALL_IN_INBOX = (
    pg_insert(inbox)
    .from_select(["consumer", "event_id", "event_type"], _CLAIMED)
    .on_conflict_do_nothing()
    .returning(inbox.c.event_id)
)

#: A dependency that is away for a while (the database restarting, the network): the event waits.
#: Connection exceptions, transaction rollback (serialization failure, deadlock), insufficient
#: resources (too many connections), operator intervention (terminated, shutting down, cannot
#: connect now); and two that PostgreSQL raises only while connecting: invalid authorization (a
#: credential refused) and invalid catalog name (the database is not there).
_TRANSIENT_SQLSTATE_CLASSES = ("08", "40", "53", "57", "28", "3D")
#: Classes that are the event's own fault whatever else the chain holds: a data exception (a value
#: that cannot be stored) and an integrity constraint violation.
_DATA_SQLSTATE_CLASSES = ("22", "23")


def is_transient(exc: BaseException) -> bool:
    """Whether ``exc`` says "try again later" rather than "this event is wrong": no connection to
    be had (refused, not accepting connections, no such database, too many, the pool's wait timed
    out: :class:`continuum.persistence.db.DatabaseUnavailable`), a lost connection, a timeout, a serialization
    failure or deadlock, a database shutting down. Such a failure pauses the partition and retries
    the event until it succeeds. A data or integrity error (SQLSTATE 22, 23) is the event's."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        sqlstate = str(getattr(current, "sqlstate", "") or getattr(getattr(current, "orig", None), "sqlstate", "") or "")
        if sqlstate[:2] in _DATA_SQLSTATE_CLASSES:
            return False
        if isinstance(current, DatabaseUnavailable | PoolTimeout | DisconnectionError):
            return True  # failing to get a connection at all is never the event's fault
        if isinstance(current, ConnectionError | TimeoutError | OSError | asyncpg.InterfaceError):
            return True
        if isinstance(current, DBAPIError) and current.connection_invalidated:
            return True
        if isinstance(current, OperationalError | asyncpg.PostgresConnectionError):
            return True
        if sqlstate[:2] in _TRANSIENT_SQLSTATE_CLASSES:
            return True
        current = current.__cause__ or current.__context__
    return False


def _refusal(exc: Exception) -> str | None:
    """Why the event can never be handled, if ``exc`` says so: retrying cannot change a broken
    rule or a use case's 4xx answer."""
    if isinstance(exc, PermanentFailure):
        return str(exc)
    if isinstance(exc, DomainError):
        return str(exc) if exc.field else (f"{exc.title}: {exc.detail}" if exc.detail else exc.title)
    # A web problem a use case shared with the API raised (the messaging room does not import the
    # web room, so it is known by its HTTP status): a 4xx is the event's fault, a 5xx is not.
    status = getattr(exc, "status", None)
    if isinstance(status, int) and 400 <= status < 500:
        title, detail = getattr(exc, "title", str(exc)), getattr(exc, "detail", None)
        return f"{title}: {detail}" if detail else str(title)
    return None


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


class _AssignmentWatch(ConsumerRebalanceListener):  # type: ignore[misc]
    """Tells the runner its partitions changed, so it learns the group's offsets afresh."""

    def __init__(self, runner: EventConsumer) -> None:
        self._runner = runner

    def on_partitions_revoked(self, revoked: object) -> None:
        self._runner._assignment_changed = True

    def on_partitions_assigned(self, assigned: object) -> None:
        self._runner._assignment_changed = True


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
        self._last_prune = 0.0
        #: What this member expects the group's committed offset to be, per assigned partition.
        self._committed: dict[TopicPartition, int | None] = {}
        self._assignment_changed = True
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
            try:
                await producer.start()
            except Exception:
                await producer.stop()
                raise
            self._producer = producer
        if self._consumer is None:
            if self._declare_topics is not None:
                await self._declare_topics([*self.topics, *consumer_topics(self.name)])
            consumer = self._consumer_factory()
            # Its retries: only this group's. A new assignment resets what the offset check expects.
            consumer.subscribe([*self.topics, retry_topic(self.name)], listener=_AssignmentWatch(self))
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

    async def prune_inbox(self) -> int:
        """Forget handled event ids older than the retention: the topics no longer hold those
        events, so none can be delivered again (docs/operations.md, "Retention")."""
        cutoff = datetime.now(UTC) - self.inbox_retention
        async with self._session_factory() as session, session.begin():
            result = await session.execute(delete(inbox).where(inbox.c.consumer == self.name, inbox.c.handled_at < cutoff))
        return int(result.rowcount or 0)  # type: ignore[attr-defined]

    async def _prune_now_and_then(self) -> None:
        if time.monotonic() - self._last_prune < PRUNE_EVERY_SECONDS:
            return
        self._last_prune = time.monotonic()
        try:
            pruned = await self.prune_inbox()
            if pruned:
                log.info("inbox pruned", extra={"consumer": self.name, "rows": pruned})
        except Exception:
            log.debug("inbox prune failed", exc_info=True)

    async def _consume(self, stop: asyncio.Event) -> None:
        consumer = self._consumer
        assert consumer is not None
        while not stop.is_set():
            await self._prune_now_and_then()
            batches = await consumer.getmany(timeout_ms=200, max_records=100)
            if self._assignment_changed:
                await self._learn_group_offsets(consumer)
            for tp, records in batches.items():
                if stop.is_set():
                    break  # what is fetched but not handled is not committed: the next start reads it
                try:
                    await self._process_batch(records)
                except _Interrupted:
                    return
                last = records[-1]
                if await self._offsets_lost(consumer, tp):
                    await self._read_again_from_the_start(consumer, tp)
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
                self._committed[tp] = last.offset + 1
                self._record_lag(consumer, tp, last.offset)

    async def _offsets_lost(self, consumer: AIOKafkaConsumer, tp: TopicPartition) -> bool:
        """Whether the broker lost the offset this member last committed for ``tp`` (or found at
        assignment): it now has none, or an earlier one. A broker that lost its state (a restarted
        memory broker, a recreated cluster) forgets the group's offsets while this member keeps
        reading from its old positions, past the events written since at lower offsets; committing
        there would lose them for good. One offset fetch per partition batch buys the check."""
        committed: int | None = await consumer.committed(tp)
        expected = self._committed.get(tp)
        if committed == expected:
            return False
        if expected is not None and (committed is None or committed < expected):
            return True
        # Moved on by someone else (the partition's next owner after a rebalance, an operator): the
        # commit that follows fails or is theirs to make; not a loss.
        self._committed[tp] = committed
        return False

    async def _learn_group_offsets(self, consumer: AIOKafkaConsumer) -> None:
        """After a (re)assignment, positions start from the group's committed offsets: those are
        what the offset check expects until this member commits."""
        self._assignment_changed = False
        self._committed = {p: await consumer.committed(p) for p in consumer.assignment()}

    async def _read_again_from_the_start(self, consumer: AIOKafkaConsumer, tp: TopicPartition) -> None:
        """The broker lost this group's offset of ``tp``: read the partition from its start. The
        inbox makes what was already handled a no-op; nothing at a lower offset is skipped."""
        log.warning(
            "broker lost the group's offsets; reading the partition again from its start",
            extra={"consumer": self.name, "topic": tp.topic, "partition": tp.partition},
        )
        CONSUMER_OFFSETS_LOST.labels(self.name).inc()
        await consumer.seek_to_beginning(tp)
        self._committed[tp] = await consumer.committed(tp)

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
            try:
                message = json.loads(record.value or b"")
                event_type = message.get("type") if isinstance(message, dict) else None
                handler = self.handlers.get(event_type) if isinstance(event_type, str) else None
                if handler is None and isinstance(event_type, str):
                    # Another consumer's business, validated by whoever handles it. A type nobody
                    # knows yet (a newer producer's, in a rolling deploy) is counted apart: a
                    # tolerant reader never fills its dead-letter topic with them.
                    skipped["ignored" if event_type in CATALOGUE else "unknown_type"] += 1
                    continue
                event = parse_event(message)
            except UnknownEventType:
                skipped["unknown_type"] += 1
                continue
            except (UnicodeDecodeError, json.JSONDecodeError) as exc:
                await self._dead_letter(record, f"invalid: not JSON: {exc}")
                continue
            except ValueError as exc:  # no type, or not its contract
                await self._dead_letter(record, f"invalid: {exc}")
                continue
            assert handler is not None
            ready.append((record, event, handler))
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
                refusal = _refusal(failure)
                if refusal is not None:
                    await self._dead_letter(record, f"rejected: {refusal}")
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
                for start, run in self._runs(items):
                    failing, failing_run = start, 1
                    batch_handler = self.batch_handlers.get(run[0][0].type) if len(run) > 1 else None
                    if batch_handler is not None:
                        failing_run = len(run)
                        fresh = await self._claim_all(uow, [event for event, _ in run])
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
                        params = {"consumer": self.name, "event_id": event.id, "event_type": event.type}
                        if (await uow.session.execute(_CLAIM_IN_INBOX, params)).first() is None:
                            outcomes.append("duplicate")
                            continue
                        uow.traceparent = parse_traceparent(event.traceparent)  # its events continue a valid trace only
                        await handler(uow, event)
                        outcomes.append("handled")
                failing, failing_run = len(items) - 1, 1  # a failure from here on is the commit's: blame the last event
        except Exception as exc:
            raise _FailedInBatch(failing, exc, failing_run) from exc
        return outcomes

    def _runs(self, items: list[tuple[Envelope[Any], Handler]]) -> list[tuple[int, list[tuple[Envelope[Any], Handler]]]]:
        """``items`` cut into runs of consecutive events that one batch handler takes (it may take
        several types: a stream interleaves them), or else of one type; with each run's position."""

        def taker(event: Envelope[Any]) -> object:
            return self.batch_handlers.get(event.type) or event.type

        runs: list[tuple[int, list[tuple[Envelope[Any], Handler]]]] = []
        for index, item in enumerate(items):
            if runs and taker(runs[-1][1][0][0]) is taker(item[0]):
                runs[-1][1].append(item)
            else:
                runs.append((index, [item]))
        return runs

    async def _claim_all(self, uow: UnitOfWork, events: list[Envelope[Any]]) -> set[Any]:
        """Insert the inbox rows of ``events`` in one prepared statement; returns the ids not seen before."""
        params = {"consumer": self.name, "event_ids": [e.id for e in events], "event_types": [e.type for e in events]}
        claimed = await uow.session.execute(_CLAIM_ALL_IN_INBOX, params)
        return set(claimed.scalars())

    async def _dead_letter(self, record: ConsumerRecord[bytes, bytes], reason: str) -> None:
        """Send ``record`` to this group's dead-letter topic with why, and how many times it failed
        here (a replayed dead letter keeps where it first came from and counts up)."""
        producer = self._producer
        assert producer is not None
        incoming = dict(record.headers or ())
        attempts = int(incoming.get("dlq_attempts", b"0") or 0) + 1
        origin = {
            "dlq_original_topic": incoming.get("dlq_original_topic", record.topic.encode()),
            "dlq_original_partition": incoming.get("dlq_original_partition", str(record.partition).encode()),
            "dlq_original_offset": incoming.get("dlq_original_offset", str(record.offset).encode()),
        }
        kept = [(k, v) for k, v in (record.headers or ()) if not k.startswith("dlq_")]
        headers = [
            *kept,
            ("dlq_reason", reason[:1000].encode()),
            ("dlq_consumer", self.name.encode()),
            *origin.items(),
            ("dlq_attempts", str(attempts).encode()),
            ("dlq_failed_at", datetime.now(UTC).isoformat().encode()),
        ]
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


__all__ = ["BatchHandler", "EventConsumer", "Handler", "PermanentFailure"]
