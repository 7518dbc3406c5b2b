"""How the outbox relay tells that the broker lost events it acknowledged, and repairs it.

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
broker that comes back empty. Published rows are kept ``retention`` (7 days) for this, then move
to the service's event history (decision 53: what rebuilds insight's read model); the topics
keep events longer (``continuum.messaging.kafka.TOPIC_RETENTION_MS``), so the inboxes remember them.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import Any

from aiokafka import AIOKafkaConsumer, TopicPartition
from sqlalchemy import ColumnElement, delete, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from continuum.messaging.kafka import stop_quietly
from continuum.persistence.db import outbox, relay_offsets

log = logging.getLogger("continuum.messaging.relay")


class BrokerLostData(Exception):
    """The broker no longer holds events it acknowledged; the relay republishes them."""

    def __init__(self, topics: Iterable[str], why: str) -> None:
        self.topics = sorted(set(topics))
        super().__init__(f"{why}: {', '.join(self.topics)}")


def check_acknowledgements(acked: Sequence[Any], known: dict[tuple[str, int], int], *, service: str) -> None:
    """Raise :class:`BrokerLostData` when the broker acknowledged (``acked``: record metadata) an
    offset at or below one it had acknowledged before (``known``): it gave it out again."""
    lost = {m.topic for m in acked if m.offset <= known.get((m.topic, m.partition), -1)}
    if lost:
        log.warning(
            "the broker acknowledged offsets it had given out before",
            extra={
                "service": service,
                "acked": sorted({(m.topic, m.partition, m.offset) for m in acked if m.topic in lost})[:5],
                "known": sorted({(t, p, o) for (t, p), o in known.items() if t in lost})[:5],
            },
        )
        raise BrokerLostData(lost, "the broker acknowledged offsets it had given out before")


class BrokerCheck:
    """Asks the broker (with a group-less consumer, ``inspector_factory``) whether it still holds
    what it acknowledged."""

    def __init__(self, inspector_factory: Callable[[], AIOKafkaConsumer], *, service: str) -> None:
        self._inspector_factory = inspector_factory
        self._inspector: AIOKafkaConsumer | None = None
        self.service = service

    async def verify(self, known: dict[tuple[str, int], int], *, batch_size: int) -> None:
        """Raise :class:`BrokerLostData` if a topic we published to is gone, or a partition now
        ends before an offset the broker acknowledged, twice in a row a second apart (a broker's
        metadata can lag for a moment; a loss does not go away). ``batch_size``: the relay's, the
        slack allowed for a partition's end."""
        first = await self._suspect_topics(known, batch_size)
        if not first:
            return
        await asyncio.sleep(1.0)
        confirmed = first & await self._suspect_topics(known, batch_size)
        if confirmed:
            raise BrokerLostData(confirmed, "topics gone, or partitions ending before offsets the broker acknowledged")

    async def close(self) -> None:
        """Drop the inspector (its metadata may be stale); the next check makes a new one."""
        inspector, self._inspector = self._inspector, None
        await stop_quietly(inspector)

    async def _suspect_topics(self, known: dict[tuple[str, int], int], batch_size: int) -> set[str]:
        if self._inspector is None:
            inspector = self._inspector_factory()
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
            if ends.get(tp, 0) == 0 or ends.get(tp, 0) + batch_size <= known[(tp.topic, tp.partition)]
        }
        if gone or behind:
            log.warning(
                "the broker may have lost acknowledged events",
                extra={"service": self.service, "gone": sorted(gone), "behind": sorted(behind)},
            )
        return gone | behind


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
