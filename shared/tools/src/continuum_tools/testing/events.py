"""Reading and writing topics of the test broker."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition

from continuum.contracts import Envelope, parse_event


async def read_events(
    bootstrap: str,
    topic: str,
    *,
    match: Callable[[Envelope[Any]], bool],
    count: int,
    timeout: float = 10.0,
    settle: float = 0.0,
) -> list[Envelope[Any]]:
    """Read ``topic`` from the beginning until ``count`` matching events arrived (or the timeout),
    then, if ``settle`` is set, keep reading that long to catch any extra (duplicate) ones."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False, group_id=None)
    await consumer.start()
    try:
        tps = [TopicPartition(topic, p) for p in await _partitions(consumer, topic)]
        consumer.assign(tps)
        await consumer.seek_to_beginning(*tps)
        found: list[Envelope[Any]] = []
        deadline = time.monotonic() + timeout
        settle_until: float | None = None
        while time.monotonic() < (settle_until or deadline):
            batches = await consumer.getmany(timeout_ms=200)
            for records in batches.values():
                for record in records:
                    try:
                        event = parse_event(record.value or b"")
                    except ValueError:
                        continue
                    if match(event):
                        found.append(event)
            if len(found) >= count and settle_until is None:
                if not settle:
                    break
                settle_until = time.monotonic() + settle
        return found
    finally:
        await consumer.stop()


async def send_events(bootstrap: str, topic: str, *messages: Envelope[Any] | tuple[str, bytes], key: str | None = None) -> None:
    """Send events (keyed by their subject, or ``key``), or raw ``(key, bytes)`` messages, to
    ``topic``, acknowledged by every replica: as the producing service's relay would."""
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all")
    await producer.start()
    try:
        for m in messages:
            k, value = (key or m.subject, json.dumps(m.to_json_dict()).encode()) if isinstance(m, Envelope) else m
            await producer.send_and_wait(topic, value, key=k.encode())
    finally:
        await producer.stop()


async def read_raw(bootstrap: str, topic: str, *, timeout: float = 5.0) -> list[Any]:
    """Every record on ``topic`` (all partitions) as aiokafka ``ConsumerRecord``s."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False, group_id=None)
    await consumer.start()
    try:
        tps = [TopicPartition(topic, p) for p in await _partitions(consumer, topic)]
        consumer.assign(tps)
        await consumer.seek_to_beginning(*tps)
        ends = await consumer.end_offsets(tps)
        records: list[Any] = []
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            positions = [await consumer.position(tp) for tp in tps]
            if all(pos >= ends[tp] for pos, tp in zip(positions, tps, strict=True)):
                break
            for batch in (await consumer.getmany(timeout_ms=200)).values():
                records.extend(batch)
        return records
    finally:
        await consumer.stop()


async def _partitions(consumer: AIOKafkaConsumer, topic: str) -> set[int]:
    """The topic's partitions, waiting for metadata (a fresh client knows none yet)."""
    for _ in range(50):
        partitions = consumer.partitions_for_topic(topic)
        if partitions:
            return set(partitions)
        await consumer._client.force_metadata_update()
        await asyncio.sleep(0.05)
    raise TimeoutError(f"no partitions for {topic}")
