"""Fixtures for the referral service's tests: its database, its app (with workers) and clients."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
from referral_support import Api

from continuum_tools.devstack import TansuBroker
from continuum_tools.testing import test_settings
from referral.app import create_app
from referral.settings import ReferralSettings

ALEMBIC_INI = Path(__file__).resolve().parents[1] / "alembic.ini"


@pytest.fixture(scope="session")
def referral_settings(make_database: Callable[[str, Path], str], broker: TansuBroker) -> ReferralSettings:
    url = make_database("referral_test", ALEMBIC_INI)
    base = test_settings(broker.bootstrap, database_url=url)
    return ReferralSettings(**base.model_dump(exclude={"service_name"}))


@pytest.fixture(scope="session")
async def referral_app(referral_settings: ReferralSettings) -> AsyncIterator[Any]:
    app = create_app(referral_settings)
    async with app.router.lifespan_context(app):
        yield app


@pytest.fixture
def api(referral_app: Any, referral_settings: ReferralSettings) -> Api:
    return Api(referral_app, referral_settings)
