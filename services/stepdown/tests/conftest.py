"""Fixtures for the step-down service's tests: its database, its app (with workers) and clients."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
from stepdown_support import Api, Cases

from continuum.messaging.kafka import dlq_topic, ensure_topics
from continuum_tools.devstack import TansuBroker
from continuum_tools.testing import test_settings
from stepdown.app import create_app
from stepdown.consumers import TRANSITIONS_CONSUMER
from stepdown.settings import StepdownSettings

ALEMBIC_INI = Path(__file__).resolve().parents[1] / "alembic.ini"


@pytest.fixture(scope="session")
def stepdown_settings(make_database: Callable[[str, Path], str], broker: TansuBroker) -> StepdownSettings:
    url = make_database("stepdown_test", ALEMBIC_INI)
    base = test_settings(broker.bootstrap, database_url=url)
    asyncio.run(ensure_topics(base, [dlq_topic(TRANSITIONS_CONSUMER)]))
    # The app's own scheduler checks once at start; the tests drive the scheduler themselves.
    return StepdownSettings(**base.model_dump(exclude={"service_name"}), escalation_check_interval_seconds=3600)


@pytest.fixture(scope="session")
async def stepdown_app(stepdown_settings: StepdownSettings) -> AsyncIterator[Any]:
    app = create_app(stepdown_settings)
    async with app.router.lifespan_context(app):
        yield app


@pytest.fixture
def api(stepdown_app: Any, stepdown_settings: StepdownSettings) -> Api:
    return Api(stepdown_app, stepdown_settings)


@pytest.fixture
def cases(stepdown_app: Any, stepdown_settings: StepdownSettings) -> Cases:
    return Cases(stepdown_app, stepdown_settings)
