"""Fixtures for the insight service's tests: its database, its app (with its consumer) and clients."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
from insight_support import Api, Cases

from continuum.messaging.kafka import dlq_topic, ensure_topics
from continuum_tools.devstack import TansuBroker
from continuum_tools.testing import test_settings
from insight.app import create_app
from insight.consumers import READ_MODEL_CONSUMER
from insight.settings import InsightSettings

ALEMBIC_INI = Path(__file__).resolve().parents[1] / "alembic.ini"


@pytest.fixture(scope="session")
def insight_settings(make_database: Callable[[str, Path], str], broker: TansuBroker) -> InsightSettings:
    url = make_database("insight_test", ALEMBIC_INI)
    base = test_settings(broker.bootstrap, database_url=url)
    asyncio.run(ensure_topics(base, [dlq_topic(READ_MODEL_CONSUMER)]))
    return InsightSettings(**base.model_dump(exclude={"service_name"}))


@pytest.fixture(scope="session")
async def insight_app(insight_settings: InsightSettings) -> AsyncIterator[Any]:
    app = create_app(insight_settings)
    async with app.router.lifespan_context(app):
        yield app


@pytest.fixture
def api(insight_app: Any, insight_settings: InsightSettings) -> Api:
    return Api(insight_app, insight_settings)


@pytest.fixture
def cases(insight_app: Any, insight_settings: InsightSettings) -> Cases:
    return Cases(insight_app, insight_settings)
