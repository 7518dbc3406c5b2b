"""aiokafka clients configured from settings, and topic creation."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.client import ConnectionGroup
from aiokafka.errors import KafkaConnectionError
from aiokafka.helpers import create_ssl_context

from continuum.contracts import AGENCY_TOPIC_PREFIX
from continuum.settings import ServiceSettings

log = logging.getLogger("continuum.messaging.kafka")

DLQ_PREFIX = "continuum.dlq."
RETRY_PREFIX = "continuum.retry."

#: How long topics keep events (docs/operations.md, "Topics"): the domain topics a census year and
#: its return (400 days), the partner feed and dead letters 30 days. The consumers' inboxes remember
#: handled events longer than the longest (continuum.messaging.consumer.INBOX_RETENTION), so no event a topic
#: still holds can be applied twice; the outbox keeps published rows 7 days for republishing.
DAY_MS = 24 * 3600 * 1000
DOMAIN_RETENTION_MS = 400 * DAY_MS
SHORT_RETENTION_MS = 30 * DAY_MS
TOPIC_RETENTION_MS = DOMAIN_RETENTION_MS  # the longest


def topic_configs(topic: str) -> dict[str, str]:
    """How ``topic`` is created: a compacted agency topic, or kept for its retention and then deleted."""
    # Each agency's own topic (continuum.partner.<agency>, decision 56) is compacted: it keeps each
    # child's latest status for good, so an agency that joins later reads its current statuses from the start.
    if topic.startswith(AGENCY_TOPIC_PREFIX):
        return {"cleanup.policy": "compact"}
    return {"retention.ms": str(retention_ms(topic)), "cleanup.policy": "delete"}


def retention_ms(topic: str) -> int:
    short = topic.startswith((DLQ_PREFIX, RETRY_PREFIX)) or topic == "continuum.partner-status"
    return SHORT_RETENTION_MS if short else DOMAIN_RETENTION_MS


def dlq_topic(consumer_group: str) -> str:
    """Where ``consumer_group`` puts the messages it cannot handle."""
    return DLQ_PREFIX + consumer_group


def retry_topic(consumer_group: str) -> str:
    """Where a DLQ replay re-drives ``consumer_group``'s dead letters: read by that group only, so a
    replay never puts a copy on the shared topic that every other group reads."""
    return RETRY_PREFIX + consumer_group


def consumer_topics(consumer_group: str) -> list[str]:
    """The topics a consumer group owns beside the ones it reads: its dead letters and its retries."""
    return [dlq_topic(consumer_group), retry_topic(consumer_group)]


def client_options(settings: ServiceSettings) -> dict[str, Any]:
    options: dict[str, Any] = {
        "bootstrap_servers": settings.kafka_bootstrap,
        "security_protocol": settings.kafka_security_protocol,
    }
    if settings.kafka_security_protocol in ("SSL", "SASL_SSL"):
        options["ssl_context"] = create_ssl_context(cafile=settings.kafka_ssl_cafile)
    if settings.kafka_sasl_username:
        options |= {
            "sasl_mechanism": "SCRAM-SHA-512",
            "sasl_plain_username": settings.kafka_sasl_username,
            "sasl_plain_password": settings.kafka_sasl_password.get_secret_value() if settings.kafka_sasl_password else None,
        }
    return options


def make_producer(settings: ServiceSettings) -> AIOKafkaProducer:
    return AIOKafkaProducer(
        **client_options(settings),
        acks="all",
        enable_idempotence=settings.kafka_idempotence,
        linger_ms=5,
        request_timeout_ms=10_000,
    )


class BrokerConnectionLost(KafkaConnectionError):  # type: ignore[misc]
    """A publisher's connection to a broker broke: everything it had not got acknowledged failed
    with this, and it sends nothing more (:class:`FirstConnectionsOnly`)."""


class FirstConnectionsOnly:
    """Makes a producer send only over the first connection it opens to each broker: once one of
    them breaks it opens no other, everything it holds unacknowledged fails at once with
    :class:`BrokerConnectionLost`, and so does every later send. Its owner replaces it (when
    :attr:`broken`), and checks what the broker still holds before sending again (the outbox
    relay, decision 38).

    Why: aiokafka resends a batch whose connection broke over a new connection, by itself (until
    the batch expires; never, with idempotence on). A broker that died and came back empty (a
    memory broker restarted, a cluster recreated) then gets that batch first, and the relay learns
    of the loss only from its acknowledgement, too late: the older events it republishes land
    behind their case's later one. A new connection may lead to a broker that lost what the old
    one acknowledged, so nothing a producer holds is sent over one.

    This wraps the client's connection getter (``AIOKafkaClient._get_conn``) and fails the batches
    with the accumulator's own ``fail_all``: aiokafka internals, pinned in constraints.txt, and
    covered by the relay's broker-loss tests (shared/tests/test_outbox_relay.py)."""

    def __init__(self, producer: AIOKafkaProducer) -> None:
        self._producer = producer
        self._client = producer.client
        self._connect = self._client._get_conn
        self._opened: set[tuple[Any, Any]] = set()
        self._broken = False
        self._client._get_conn = self._first_connections_only

    @property
    def broken(self) -> bool:
        """Whether a connection it opened has closed (whether or not it tried to open another)."""
        return self._broken or any(self._closed(key) for key in self._opened)

    def _closed(self, key: tuple[Any, Any]) -> bool:
        held = self._client._conns.get(key)
        return held is None or not held.connected()

    async def _first_connections_only(self, node_id: Any, *, group: Any = ConnectionGroup.DEFAULT, no_hint: bool = False) -> Any:
        key = (node_id, group)
        if not self._broken and key in self._opened and self._closed(key):
            self._broken = True
            log.warning("the publisher's connection to the broker broke; it sends nothing more", extra={"node": str(node_id)})
            self._producer._message_accumulator.fail_all(BrokerConnectionLost(f"connection to broker {node_id} lost"))
        if self._broken:
            return None
        conn = await self._connect(node_id, group=group, no_hint=no_hint)
        if conn is not None:
            self._opened.add(key)
        return conn


async def connect_to_brokers(producer: AIOKafkaProducer) -> None:
    """Open ``producer``'s connection to every broker it knows of now that answers (at least one),
    so that a check of what the brokers hold, made after this, is one of the brokers it sends to.
    (A broker down now is connected to when it returns and leads a partition: Kafka's replication,
    not this check, answers for what a returning broker holds.)"""
    answered = [await producer.client.ready(broker.nodeId) for broker in producer.client.cluster.brokers()]
    if not any(answered):
        raise BrokerConnectionLost("no broker answers")


def make_inspector(settings: ServiceSettings) -> AIOKafkaConsumer:
    """A consumer in no group, for asking the broker which topics it has and where partitions end."""
    return AIOKafkaConsumer(**client_options(settings), group_id=None, enable_auto_commit=False, request_timeout_ms=5_000)


#: How long the broker may hold a consumer's fetch while it has nothing new. Kafka answers as soon
#: as a record arrives, so this only paces an idle consumer; Tansu holds the fetch for a part of
#: it even when records arrive, so it bounds the time from the topic to the handler. With aiokafka's
#: default (500 ms) an event waited up to 250 ms there: p99 from the topic to the committed row
#: 268 ms, and 62 ms with 100 (bench/bench_assessment.py).
FETCH_MAX_WAIT_MS = 100


def make_consumer(settings: ServiceSettings, *topics: str, group_id: str) -> AIOKafkaConsumer:
    return AIOKafkaConsumer(
        *topics,
        **client_options(settings),
        group_id=group_id,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        fetch_max_wait_ms=FETCH_MAX_WAIT_MS,
        isolation_level="read_committed",
        session_timeout_ms=settings.kafka_session_timeout_ms,
        heartbeat_interval_ms=max(settings.kafka_session_timeout_ms // 6, 100),
        rebalance_timeout_ms=settings.kafka_rebalance_timeout_ms,
    )


async def _warn_of_fewer_partitions(admin: AIOKafkaAdminClient, topics: list[str], declared: int) -> None:
    """A topic that exists with fewer partitions than declared was made by someone else (a broker
    creating topics on first mention: Tansu does, Kafka does unless ``auto.create.topics.enable`` is
    off). Not changed here: adding partitions moves keys, and so a case's order; an operator's call."""
    if not topics:
        return
    for described in await admin.describe_topics(topics):
        count = len(described.get("partitions") or ())
        if 0 < count < declared:
            log.warning(
                "topic has fewer partitions than declared; created by the broker on first mention?",
                extra={"topic": described.get("topic"), "partitions": count, "declared": declared},
            )


async def ensure_topics(settings: ServiceSettings, topics: Iterable[str], *, partitions: int = 6) -> list[str]:
    """Create the missing ones of ``topics`` with the declared partitions, retention and cleanup
    policy; returns those it created. Services call it at start and whenever they reconnect, so a
    broker that lost its topics gets them back as declared, never auto-created with a broker's
    defaults. (With Strimzi, KafkaTopic resources declare the same; set
    ``CONTINUUM_KAFKA_MANAGE_TOPICS=false`` where the services may not create topics.)"""
    admin = AIOKafkaAdminClient(**client_options(settings), request_timeout_ms=10_000)
    try:
        async with asyncio.timeout(30):  # a broker that is away must not hold up a worker for ever
            await admin.start()
            existing = set(await admin.list_topics())
            missing = [
                NewTopic(t, partitions, 1, topic_configs=topic_configs(t)) for t in dict.fromkeys(topics) if t not in existing
            ]
            if missing:
                await admin.create_topics(missing)
            await _warn_of_fewer_partitions(admin, [t for t in dict.fromkeys(topics) if t in existing], partitions)
            return [t.name for t in missing]
    finally:
        await admin.close()


async def start_or_stop(client: AIOKafkaProducer | AIOKafkaConsumer) -> None:
    """Start ``client``; if that fails, stop it (releasing what it opened) and raise."""
    try:
        await client.start()
    except Exception:
        await client.stop()
        raise


async def stop_quietly(*clients: AIOKafkaProducer | AIOKafkaConsumer | None) -> None:
    """Stop each client there is: a client dropped after a failure may fail to stop, which is
    logged at DEBUG and never raised (the next start makes a new one)."""
    for client in clients:
        if client is not None:
            try:
                await client.stop()
            except Exception:
                log.debug("client stop failed", exc_info=True)
