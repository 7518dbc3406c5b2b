"""Reading the agency's topic: validate, store, then commit the offsets (at least once, and the
store drops what it already has), an invalid event set aside in the rejects file."""

from __future__ import annotations

import asyncio
import base64
import json
import logging
import ssl
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from aiokafka import AIOKafkaConsumer

from partner_consumer.store import StatusStore
from partner_consumer.validation import InvalidEvent, Validator

log = logging.getLogger("partner_consumer")


def topic_for(agency: str) -> str:
    return f"continuum.partner.{agency}"


@dataclass(frozen=True)
class Connection:
    """How to reach the broker: plain on a developer's machine; on Strimzi, TLS with the cluster's
    CA and either SCRAM-SHA-512 (``SASL_SSL``) or a client certificate (``SSL``) of the agency's
    own KafkaUser."""

    bootstrap_servers: str
    security_protocol: str = "PLAINTEXT"
    sasl_mechanism: str | None = None
    sasl_username: str | None = None
    sasl_password: str | None = None
    ssl_cafile: str | None = None
    ssl_certfile: str | None = None
    ssl_keyfile: str | None = None

    def kafka_options(self) -> dict[str, Any]:
        options: dict[str, Any] = {"bootstrap_servers": self.bootstrap_servers, "security_protocol": self.security_protocol}
        if self.security_protocol in ("SSL", "SASL_SSL"):
            context = ssl.create_default_context(cafile=self.ssl_cafile)
            if self.ssl_certfile:
                context.load_cert_chain(self.ssl_certfile, self.ssl_keyfile)
            options["ssl_context"] = context
        if self.security_protocol.startswith("SASL"):
            options |= {
                "sasl_mechanism": self.sasl_mechanism or "SCRAM-SHA-512",
                "sasl_plain_username": self.sasl_username,
                "sasl_plain_password": self.sasl_password,
            }
        return options


def reject(rejects: Path, record: Any, reason: str) -> None:
    """Append the record to the rejects file (one JSON line), to be looked at, never lost."""
    rejects.parent.mkdir(parents=True, exist_ok=True)
    line = {
        "at": datetime.now(UTC).isoformat(),
        "topic": record.topic,
        "partition": record.partition,
        "offset": record.offset,
        "reason": reason,
        "value_base64": base64.b64encode(record.value or b"").decode(),
    }
    with rejects.open("a") as out:
        out.write(json.dumps(line) + "\n")


async def run(
    connection: Connection,
    topic: str,
    group: str,
    store: StatusStore,
    validator: Validator,
    rejects: Path,
    stop: asyncio.Event,
) -> Counter[str]:
    """Consume ``topic`` as ``group`` until ``stop`` is set; the counts of what was done."""
    consumer = AIOKafkaConsumer(
        topic, group_id=group, enable_auto_commit=False, auto_offset_reset="earliest", **connection.kafka_options()
    )
    done: Counter[str] = Counter()
    await consumer.start()
    try:
        while not stop.is_set():
            batches = await consumer.getmany(timeout_ms=200)
            for records in batches.values():
                for record in records:
                    try:
                        outcome = store.apply(validator.parse(record.key, record.value)).value
                    except InvalidEvent as invalid:
                        reject(rejects, record, str(invalid))
                        outcome = "rejected"
                        log.warning("rejected offset %s of partition %s: %s", record.offset, record.partition, invalid)
                    done[outcome] += 1
            if batches:
                await consumer.commit()  # only after every record of the batch is stored or set aside
    finally:
        await consumer.stop()
    return done
