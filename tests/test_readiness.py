"""Readiness tells the truth about the broker: probed, reported, and "degraded" (still 200, the
outbox keeps taking work) while it is away; 503 only when the database is."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from continuum_tools.devstack import TansuBroker, free_port
from continuum_tools.testing import eventually, test_settings
from referral.app import create_app
from referral.settings import ReferralSettings

REFERRAL_ALEMBIC_INI = Path(__file__).resolve().parents[1] / "services" / "referral" / "alembic.ini"


@pytest.fixture(scope="module")
def database_url(make_database: Callable[[str, Path], str]) -> str:
    return make_database("readiness_referral", REFERRAL_ALEMBIC_INI)


async def _ready(app: Any) -> httpx.Response:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://referral") as client:
        return await client.get("/health/ready")


async def test_readiness_says_degraded_while_the_broker_is_away_and_ok_when_it_returns(database_url: str, tmp_path: Path) -> None:
    broker = TansuBroker(free_port(), log_path=tmp_path / "tansu.log")
    settings = ReferralSettings(**test_settings(broker.bootstrap, database_url=database_url).model_dump(exclude={"service_name"}))
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        r = await _ready(app)
        assert r.status_code == 200
        assert r.json() == {
            "status": "degraded",
            "checks": {"database": "ok", "broker": "unavailable (events held in the outbox)"},
        }

        async def ok() -> httpx.Response | None:
            answer = await _ready(app)
            return answer if answer.json()["status"] == "ok" else None

        broker.start()
        try:
            # The relay declares the topics once it reaches the broker.
            r = await eventually(ok, within=20, interval=0.1, what="readiness ok")
            assert (r.status_code, r.json()) == (200, {"status": "ok", "checks": {"database": "ok", "broker": "ok"}})
        finally:
            broker.stop()
        await asyncio.sleep(2.1)  # past the probe's two-second cache: the next answer is probed afresh
        assert (await _ready(app)).json()["status"] == "degraded"
