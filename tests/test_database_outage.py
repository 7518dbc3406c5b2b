"""The assessment service's consumer waits out its database being away and loses nothing (issue
16): its events keep arriving on the real broker while the database refuses connections for ten
seconds, once because an operator made it refuse them (``ALLOW_CONNECTIONS false`` and its
sessions terminated: SQLSTATE 55000 at connect, raised by asyncpg as
``ObjectNotInPrerequisiteStateError``), once because nothing answers on its port (connection
refused, through a TCP proxy). Failing to get a connection is never the event's fault: not one
event is dead-lettered, and every event's effect is there exactly once afterwards."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from assessment_support import child_registered, decided

from assessment.app import create_app
from assessment.consumers import INTAKE_CONSUMER
from assessment.settings import AssessmentSettings
from continuum.contracts import REFERRAL_TOPIC
from continuum.messaging.kafka import dlq_topic, ensure_topics
from continuum_tools.devstack import EmbeddedPostgres, TansuBroker
from continuum_tools.testing import TcpProxy, eventually, read_raw, send_events, start_broker, test_settings

ALEMBIC_INI = Path(__file__).resolve().parents[1] / "services" / "assessment" / "alembic.ini"
CASES = 40  # half before the outage, half while the database is away
OUTAGE_SECONDS = 10


@pytest.fixture(scope="module")
def own_broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TansuBroker]:
    """A broker of its own: the intake consumer's group must not share partitions with the
    assessment service the service's own tests run on the session's broker."""
    broker = start_broker(tmp_path_factory.mktemp("outage-tansu"))
    yield broker
    broker.stop()


def _stream(count: int) -> tuple[list[tuple[str, bytes]], list[uuid.UUID], list[uuid.UUID]]:
    """``count`` cases, each a child's registration then the front door's decision for
    assessment, keyed by the case (one partition, in that order); with the referral and child ids."""
    messages: list[tuple[str, bytes]] = []
    referrals, children = [], []
    for _ in range(count):
        decision = decided()
        child = child_registered(decision.data.child_id)
        for event in (child, decision):
            messages.append((str(decision.data.case_id), json.dumps(event.to_json_dict()).encode()))
        referrals.append(decision.data.referral_id)
        children.append(decision.data.child_id)
    return messages, referrals, children


async def _query(url: str, sql: str, *args: Any) -> Any:
    conn = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        return await conn.fetchval(sql, *args)
    finally:
        await conn.close()


async def _consume_through_an_outage(
    broker: TansuBroker,
    service_url: str,
    direct_url: str,
    *,
    go_away: Callable[[], Awaitable[None] | None],
    come_back: Callable[[], Awaitable[None] | None],
) -> None:
    """Run the assessment service (its consumer reading ``broker``) on ``service_url``; half the
    stream before the database goes away, half while it is away; then check, through
    ``direct_url``, that every event was applied once and none dead-lettered."""
    settings = AssessmentSettings(
        **test_settings(broker.bootstrap, database_url=service_url).model_dump(exclude={"service_name"}),
        overdue_check_interval_seconds=3600,
    )
    await ensure_topics(settings, [dlq_topic(INTAKE_CONSUMER)])
    first, first_referrals, _ = _stream(CASES // 2)
    second, second_referrals, _ = _stream(CASES // 2)
    referrals = first_referrals + second_referrals

    async def opened(ids: list[uuid.UUID]) -> bool:
        count = await _query(direct_url, "SELECT count(*) FROM assessments WHERE referral_id = ANY($1::uuid[])", ids)
        return bool(count == len(ids))

    app = create_app(settings)
    async with app.router.lifespan_context(app):
        await send_events(broker.bootstrap, REFERRAL_TOPIC, *first)
        await eventually(lambda: opened(first_referrals), within=30, what="the first half opened")
        try:
            if (waiting := go_away()) is not None:
                await waiting
            await send_events(broker.bootstrap, REFERRAL_TOPIC, *second)
            await asyncio.sleep(OUTAGE_SECONDS)  # the outage the test is about
            # While the database is away, nothing is blamed on the events.
            assert await read_raw(broker.bootstrap, dlq_topic(INTAKE_CONSUMER), timeout=1.0) == []
        finally:
            if (waiting := come_back()) is not None:
                await waiting
        await eventually(lambda: opened(referrals), within=60, what="every assessment opened after the outage")

    assert await read_raw(broker.bootstrap, dlq_topic(INTAKE_CONSUMER), timeout=1.0) == []  # 0 dead letters
    # 0 lost, none applied twice: one assessment per decision, one copy per child, one inbox row per event.
    assert await _query(
        direct_url,
        "SELECT count(*) FROM (SELECT referral_id FROM assessments WHERE referral_id = ANY($1::uuid[]) "
        "GROUP BY referral_id HAVING count(*) = 1) once",
        referrals,
    ) == len(referrals)
    assert await _query(direct_url, "SELECT count(*) FROM children") == CASES
    assert await _query(direct_url, "SELECT count(*) FROM inbox WHERE consumer = $1", INTAKE_CONSUMER) == 2 * CASES


async def test_the_assessment_consumer_waits_out_a_database_that_refuses_connections_and_loses_nothing(
    own_broker: TansuBroker, postgres: EmbeddedPostgres, make_database: Callable[[str, Path], str]
) -> None:
    name = "outage_assessment"
    url = make_database(name, ALEMBIC_INI)
    try:
        await _consume_through_an_outage(
            own_broker,
            url,
            url,
            go_away=lambda: postgres.refuse_connections(name),
            come_back=lambda: postgres.allow_connections(name),
        )
    finally:
        postgres.allow_connections(name)


async def test_the_assessment_consumer_waits_out_its_database_refusing_tcp_connections_and_loses_nothing(
    own_broker: TansuBroker, postgres: EmbeddedPostgres, make_database: Callable[[str, Path], str]
) -> None:
    url = make_database("outage_assessment_tcp", ALEMBIC_INI)
    proxy = TcpProxy(postgres.port)
    await proxy.start()
    try:
        await _consume_through_an_outage(
            own_broker,
            url.replace(f":{postgres.port}/", f":{proxy.port}/"),
            url,
            go_away=proxy.cut,
            come_back=proxy.restore,
        )
    finally:
        await proxy.cut()
