"""Fixtures for the assessment service's tests: its database, its app (with workers) and clients."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
from assessment_support import Api, Cases

from assessment.app import create_app
from assessment.consumers import ESCALATION_CONSUMER, INTAKE_CONSUMER
from assessment.settings import AssessmentSettings
from continuum.messaging.kafka import dlq_topic, ensure_topics
from continuum_tools.devstack import TansuBroker
from continuum_tools.testing import test_settings

ALEMBIC_INI = Path(__file__).resolve().parents[1] / "alembic.ini"


@pytest.fixture(scope="session")
def assessment_settings(make_database: Callable[[str, Path], str], broker: TansuBroker) -> AssessmentSettings:
    url = make_database("assessment_test", ALEMBIC_INI)
    base = test_settings(broker.bootstrap, database_url=url)
    asyncio.run(ensure_topics(base, [dlq_topic(INTAKE_CONSUMER), dlq_topic(ESCALATION_CONSUMER)]))
    # The app's own scheduler checks once at start; the tests drive the scheduler themselves.
    return AssessmentSettings(**base.model_dump(exclude={"service_name"}), overdue_check_interval_seconds=3600)


@pytest.fixture(scope="session")
async def assessment_app(assessment_settings: AssessmentSettings) -> AsyncIterator[Any]:
    app = create_app(assessment_settings)
    async with app.router.lifespan_context(app):
        yield app


@pytest.fixture
def api(assessment_app: Any, assessment_settings: AssessmentSettings) -> Api:
    return Api(assessment_app, assessment_settings)


@pytest.fixture
def cases(assessment_app: Any, assessment_settings: AssessmentSettings) -> Cases:
    return Cases(assessment_app, assessment_settings)
