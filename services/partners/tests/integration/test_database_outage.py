"""A database refusing connections is not the event's fault: the gateway (on a broker and database
of its own, so that its group shares no partition with the suite's) waits while its database is
away, blames no status on it, and afterwards has decided every status exactly once."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path

import pytest
from partners_support import TEST_POLICY, journey, nhs_number, write_policy

from continuum.contracts import PARTNER_STATUS_TOPIC
from continuum.messaging.kafka import dlq_topic, ensure_topics
from continuum_tools.devstack import EmbeddedPostgres, TansuBroker
from continuum_tools.testing import ServiceCases, eventually, read_raw, send_events, start_broker, test_settings
from partners.app import create_app
from partners.consumers import GATEWAY_CONSUMER
from partners.settings import PartnersSettings

ALEMBIC_INI = Path(__file__).resolve().parents[2] / "alembic.ini"


@pytest.fixture(scope="module")
def own_broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TansuBroker]:
    broker = start_broker(tmp_path_factory.mktemp("partners-outage-tansu"))
    yield broker
    broker.stop()


async def test_the_gateway_waits_out_a_database_that_refuses_connections(
    own_broker: TansuBroker, postgres: EmbeddedPostgres, make_database: Callable[[str, Path], str], tmp_path: Path
) -> None:
    name = "partners_outage"
    url = make_database(name, ALEMBIC_INI)
    base = test_settings(own_broker.bootstrap, database_url=url)
    settings = PartnersSettings(
        **base.model_dump(exclude={"service_name", "policy_file"}), policy_file=write_policy(tmp_path / "p.yaml", TEST_POLICY)
    )
    await ensure_topics(settings, [dlq_topic(GATEWAY_CONSUMER)])
    first, second = journey(nhs_number()), journey(nhs_number())
    app = create_app(settings)
    service = ServiceCases(app, settings)

    async def logged() -> int:
        count: int = await service.scalar("SELECT count(*) FROM sharing_log")
        return count

    async with app.router.lifespan_context(app):
        await send_events(own_broker.bootstrap, PARTNER_STATUS_TOPIC, *first)
        await eventually(lambda: _reached(logged, len(first) * len(TEST_POLICY)), within=30, what="the first child decided")
        postgres.refuse_connections(name)
        try:
            await send_events(own_broker.bootstrap, PARTNER_STATUS_TOPIC, *second)
            await asyncio.sleep(6)  # the outage
            assert await read_raw(own_broker.bootstrap, dlq_topic(GATEWAY_CONSUMER), timeout=1.0) == []
        finally:
            postgres.allow_connections(name)
        total = (len(first) + len(second)) * len(TEST_POLICY)
        await eventually(lambda: _reached(logged, total), within=60, what="every status decided after the outage")
        assert await service.scalar("SELECT count(DISTINCT source_event_id) FROM sharing_log") == len(first) + len(second)
        assert await logged() == total  # each decided once
    assert await read_raw(own_broker.bootstrap, dlq_topic(GATEWAY_CONSUMER), timeout=1.0) == []


async def _reached(count: Callable[[], Awaitable[int]], n: int) -> bool:
    return await count() >= n
