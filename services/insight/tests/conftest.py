"""Fixtures for the insight service's tests: its database, its app (with its consumer) and clients."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from insight_support import Api, Cases

from continuum.messaging.kafka import dlq_topic, ensure_topics
from continuum_tools.devstack import TansuBroker
from continuum_tools.testing import start_broker, test_settings
from insight.app import create_app
from insight.consumers import READ_MODEL_CONSUMER
from insight.settings import InsightSettings

ALEMBIC_INI = Path(__file__).resolve().parents[1] / "alembic.ini"


@pytest.fixture(scope="session")
def broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TansuBroker]:
    """A broker of the insight tests' own. The read model reads every case topic from its start, and
    the other services' tests publish on the session's broker, their history imports among them,
    whose events carry past dates (decision 59) that would count in these tests' figures."""
    own = start_broker(tmp_path_factory.mktemp("insight-tansu"))
    yield own
    own.stop()


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
