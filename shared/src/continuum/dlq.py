"""Re-driving a dead-letter topic back into the topics its messages came from."""

from __future__ import annotations

from continuum.kafka import client_options, dlq_topic, make_producer
from continuum.settings import ServiceSettings


async def replay(settings: ServiceSettings, group: str, *, limit: int = 1000) -> int:
    """Republish up to ``limit`` dead letters of ``group`` to their original topics.

    Uses its own consumer group on the DLQ (``<group>.replay``), so a message is replayed once
    even when the command runs again; the original consumer's inbox skips events it already handled.
    """
    from aiokafka import AIOKafkaConsumer

    consumer = AIOKafkaConsumer(
        dlq_topic(group),
        **client_options(settings),
        group_id=f"{group}.replay",
        enable_auto_commit=False,
        auto_offset_reset="earliest",
    )
    producer = make_producer(settings)
    await consumer.start()
    await producer.start()
    replayed = 0
    try:
        while replayed < limit:
            batches = await consumer.getmany(timeout_ms=2000, max_records=min(100, limit - replayed))
            if not batches:
                break
            for tp, records in batches.items():
                for record in records:
                    headers = dict(record.headers or ())
                    original = headers.get("dlq_original_topic", b"").decode()
                    if not original:
                        continue
                    kept = [(k, v) for k, v in (record.headers or ()) if not k.startswith("dlq_")]
                    await producer.send_and_wait(original, record.value, key=record.key, headers=kept)
                    replayed += 1
                await consumer.commit({tp: records[-1].offset + 1})
    finally:
        await producer.stop()
        await consumer.stop()
    return replayed
