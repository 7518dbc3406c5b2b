"""Fixtures for the partners service's tests: its database, a council policy whose police
subscription leaves some statuses out (so that "police never sees them" can fail), the app with its
gateway and relay running, and clients."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
from partners_support import TEST_POLICY, Api, Cases, write_policy

from continuum.messaging.kafka import dlq_topic, ensure_topics
from continuum_tools.devstack import TansuBroker
from continuum_tools.testing import test_settings
from partners.app import create_app
from partners.consumers import GATEWAY_CONSUMER
from partners.settings import PartnersSettings

ALEMBIC_INI = Path(__file__).resolve().parents[1] / "alembic.ini"


@pytest.fixture(scope="session")
def partners_settings(
    make_database: Callable[[str, Path], str], broker: TansuBroker, tmp_path_factory: pytest.TempPathFactory
) -> PartnersSettings:
    url = make_database("partners_test", ALEMBIC_INI)
    policy_file = write_policy(tmp_path_factory.mktemp("partners") / "policy.yaml", TEST_POLICY)
    base = test_settings(broker.bootstrap, database_url=url)
    topics = [dlq_topic(GATEWAY_CONSUMER), *(f"continuum.partner.{a}" for a in TEST_POLICY)]
    asyncio.run(ensure_topics(base, topics))
    return PartnersSettings(**base.model_dump(exclude={"service_name", "policy_file"}), policy_file=policy_file)


@pytest.fixture(scope="session")
async def partners_app(partners_settings: PartnersSettings) -> AsyncIterator[Any]:
    app = create_app(partners_settings)
    async with app.router.lifespan_context(app):
        yield app


@pytest.fixture
def api(partners_app: Any, partners_settings: PartnersSettings) -> Api:
    return Api(partners_app, partners_settings)


@pytest.fixture
def cases(partners_app: Any, partners_settings: PartnersSettings) -> Cases:
    return Cases(partners_app, partners_settings)
