"""Fixtures for the plan service's tests: its database, its app (with workers) and clients."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
from plan_support import Api, Cases

from continuum.messaging.kafka import dlq_topic, ensure_topics
from continuum_tools.devstack import TansuBroker
from continuum_tools.testing import test_settings
from plan.app import create_app
from plan.consumers import DRAFTING_CONSUMER
from plan.settings import PlanSettings

ALEMBIC_INI = Path(__file__).resolve().parents[1] / "alembic.ini"


@pytest.fixture(scope="session")
def plan_settings(make_database: Callable[[str, Path], str], broker: TansuBroker) -> PlanSettings:
    url = make_database("plan_test", ALEMBIC_INI)
    base = test_settings(broker.bootstrap, database_url=url)
    asyncio.run(ensure_topics(base, [dlq_topic(DRAFTING_CONSUMER)]))
    # The app's own drift check runs once at start; the tests drive the scheduler themselves.
    return PlanSettings(**base.model_dump(exclude={"service_name"}), drift_check_interval_seconds=3600)


@pytest.fixture(scope="session")
async def plan_app(plan_settings: PlanSettings) -> AsyncIterator[Any]:
    app = create_app(plan_settings)
    async with app.router.lifespan_context(app):
        yield app


@pytest.fixture
def api(plan_app: Any, plan_settings: PlanSettings) -> Api:
    return Api(plan_app, plan_settings)


@pytest.fixture
def cases(plan_app: Any, plan_settings: PlanSettings) -> Cases:
    return Cases(plan_app, plan_settings)
