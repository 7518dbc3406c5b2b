"""Re-driving a dead-letter topic to the consumer group that failed its messages.

A replay reads ``continuum.messaging.dlq.<group>`` from where the last replay stopped up to the end it saw
when it started, and writes each message once to ``continuum.retry.<group>``, which only that
group reads: never back onto the shared topic that every group reads. The group handles it like
any event (its inbox skips one already handled); a message that fails again goes back to the
dead-letter topic with its attempt count raised, after the end this run stopped at, so a run
cannot loop on it. Works the same on the embedded broker and on Kafka.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition

from continuum.messaging.kafka import client_options, dlq_topic, ensure_topics, make_producer, retry_topic
from continuum.settings import ServiceSettings

#: Headers a dead letter carries that say why it failed this time (a replay drops them).
_PER_FAILURE_HEADERS = ("dlq_reason", "dlq_failed_at", "dlq_consumer")


def dead_letter_headers(
    record: ConsumerRecord[bytes, bytes], reason: str, *, consumer: str
) -> tuple[list[tuple[str, bytes]], int]:
    """The headers ``record`` goes to ``consumer``'s dead-letter topic with: why, and how many times
    it failed here (a replayed dead letter keeps where it first came from and counts up); and that count."""
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
        ("dlq_consumer", consumer.encode()),
        *origin.items(),
        ("dlq_attempts", str(attempts).encode()),
        ("dlq_failed_at", datetime.now(UTC).isoformat().encode()),
    ]
    return headers, attempts


@dataclass(frozen=True)
class ReplayReport:
    replayed: int
    left: int  # dead letters after the end this run stopped at (new ones, or past ``limit``)


async def replay(settings: ServiceSettings, group: str, *, limit: int = 1000) -> int:
    """Re-drive up to ``limit`` dead letters of ``group``; returns how many."""
    return (await replay_report(settings, group, limit=limit)).replayed


async def replay_report(settings: ServiceSettings, group: str, *, limit: int = 1000) -> ReplayReport:
    dead, retry = dlq_topic(group), retry_topic(group)
    await ensure_topics(settings, [dead, retry])
    consumer = AIOKafkaConsumer(
        **client_options(settings), group_id=f"{group}.replay", enable_auto_commit=False, auto_offset_reset="earliest"
    )
    producer = make_producer(settings)
    await consumer.start()
    await producer.start()
    replayed = 0
    try:
        partitions = [TopicPartition(dead, p) for p in sorted(await _partitions(consumer, dead))]
        consumer.assign(partitions)
        ends = await consumer.end_offsets(partitions)  # this run stops here, whatever arrives meanwhile
        for tp in partitions:
            committed = await consumer.committed(tp)
            if committed is None:
                await consumer.seek_to_beginning(tp)
            else:
                consumer.seek(tp, committed)
        pending = {tp for tp in partitions if await consumer.position(tp) < ends[tp]}
        idle = 0
        while pending and replayed < limit and idle < 10:
            batches = await consumer.getmany(*pending, timeout_ms=1000, max_records=min(100, limit - replayed))
            idle = 0 if batches else idle + 1
            for tp, records in batches.items():
                records = [r for r in records if r.offset < ends[tp]][: limit - replayed]
                for record in records:
                    headers = [(k, v) for k, v in (record.headers or ()) if k not in _PER_FAILURE_HEADERS]
                    await producer.send_and_wait(retry, record.value, key=record.key, headers=headers)
                    replayed += 1
                if records:
                    await consumer.commit({tp: records[-1].offset + 1})
                if not records or records[-1].offset + 1 >= ends[tp]:
                    pending.discard(tp)
        last = await consumer.end_offsets(partitions)
        left = 0
        for tp in partitions:
            left += last[tp] - (await consumer.committed(tp) or 0)
    finally:
        await producer.stop()
        await consumer.stop()
    return ReplayReport(replayed, left)


async def _partitions(consumer: AIOKafkaConsumer, topic: str) -> set[int]:
    import asyncio

    for _ in range(50):
        found = consumer.partitions_for_topic(topic)
        if found:
            return set(found)
        await consumer._client.force_metadata_update()
        await asyncio.sleep(0.05)
    raise TimeoutError(f"no partitions for {topic}")
