"""A year of children's journeys driven through the five services' APIs over the real broker.

The services run in the test's process, each on its own freshly migrated database with its relay and
consumers on, as `make run` runs them, on a broker of the module's own. The kernel's clock is moved
to the day each step happens (``Clock``: ``continuum.casework.clock.now`` answers 10:00 in London
that day), and every step waits for what the other services do with it before the clock moves on:
the running product keeps real time; only the test process travels.

``Driver`` (``continuum_tools.journey``, shared with the whole journeys and ``continuum demo``)
speaks to the services as their users would, one method per step of a journey; ``Child`` and
``Episode`` remember the ids the services gave and what the census should say of them.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any, cast

import httpx
import pytest

from assessment.app import create_app as create_assessment_app
from assessment.consumers import ESCALATION_CONSUMER, INTAKE_CONSUMER
from assessment.settings import AssessmentSettings
from continuum.casework import clock
from continuum.messaging.kafka import dlq_topic, ensure_topics
from continuum.web.auth import mint_dev_token
from continuum_tools.journey import people as journey_people
from continuum_tools.journey.driver import WITHIN, Driver
from continuum_tools.journey.people import Episode, upn
from continuum_tools.testing import eventually, remember_personal_data, test_settings, unique
from insight.app import create_app as create_insight_app
from insight.consumers import READ_MODEL_CONSUMER
from insight.settings import InsightSettings
from partners.app import create_app as create_partners_app
from partners.consumers import GATEWAY_CONSUMER
from partners.settings import PartnersSettings
from plan.app import create_app as create_plan_app
from plan.consumers import DRAFTING_CONSUMER
from plan.settings import PlanSettings
from referral.app import create_app as create_referral_app
from referral.consumers import EPISODES_CONSUMER, STEPUP_CONSUMER
from referral.settings import ReferralSettings
from stepdown.app import create_app as create_stepdown_app
from stepdown.consumers import TRANSITIONS_CONSUMER
from stepdown.settings import StepdownSettings

SERVICES = Path(__file__).resolve().parents[1] / "services"
__all__ = ["CONSUMER_GROUPS", "WITHIN", "Child", "Clock", "Driver", "Episode", "Stack", "five_services", "upn"]
CONSUMER_GROUPS = (
    INTAKE_CONSUMER,
    ESCALATION_CONSUMER,
    READ_MODEL_CONSUMER,
    DRAFTING_CONSUMER,
    STEPUP_CONSUMER,
    EPISODES_CONSUMER,
    TRANSITIONS_CONSUMER,
)


# --- the stack and the clock ------------------------------------------------------------------------


@dataclass
class Stack:
    apps: dict[str, Any]
    settings: dict[str, Any]

    def client(self, service: str, *roles: str, teams: Sequence[str] = ("north",), sub: str | None = None) -> httpx.AsyncClient:
        token = mint_dev_token(
            self.settings[service], sub=sub or unique("year"), roles=list(roles), teams=list(teams), sw_qualified=True
        )
        return httpx.AsyncClient(
            transport=httpx.ASGITransport(app=self.apps[service]),
            base_url=f"http://{service}",
            headers={"Authorization": f"Bearer {token}"},
        )


@asynccontextmanager
async def five_services(
    make_database: Callable[[str, Path], str], bootstrap: str, prefix: str, *, partners: bool = False
) -> AsyncIterator[Stack]:
    """The five services on their own databases (``<prefix>_<service>``) and ``bootstrap``, running;
    with ``partners``, the partners service too (what each agency is told)."""

    def base(name: str) -> dict[str, Any]:
        url = make_database(f"{prefix}_{name}", SERVICES / name / "alembic.ini")
        return test_settings(bootstrap, database_url=url).model_dump(exclude={"service_name"})

    settings: dict[str, Any] = {
        "referral": ReferralSettings(**base("referral")),
        "assessment": AssessmentSettings(**base("assessment"), overdue_check_interval_seconds=3600),
        "plan": PlanSettings(**base("plan"), drift_check_interval_seconds=3600),
        "stepdown": StepdownSettings(**base("stepdown"), escalation_check_interval_seconds=3600),
        "insight": InsightSettings(**base("insight")),
    }
    if partners:
        settings["partners"] = PartnersSettings(**base("partners"))
    groups = CONSUMER_GROUPS + ((GATEWAY_CONSUMER,) if partners else ())
    await ensure_topics(settings["insight"], [dlq_topic(g) for g in groups])
    factories = {
        "referral": create_referral_app,
        "assessment": create_assessment_app,
        "plan": create_plan_app,
        "stepdown": create_stepdown_app,
        "insight": create_insight_app,
        "partners": create_partners_app,
    }
    apps = {name: factories[name](each) for name, each in settings.items()}
    async with AsyncExitStack() as running:
        for app in apps.values():
            await running.enter_async_context(app.router.lifespan_context(app))
        consumers = [consumer for app in apps.values() for consumer in app.state.runtime.consumers]
        await eventually(
            lambda: all(consumer.holds_all_partitions() for consumer in consumers),
            within=WITHIN,
            what="every consumer holding its partitions",
        )
        yield Stack(apps, settings)


class Clock:
    """The kernel's clock in this process, moved to a day: ``clock.now()`` answers 10:00 in London
    on it (or the hour given) until moved again."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.instant = clock.now()
        monkeypatch.setattr(clock, "now", lambda: self.instant)

    def on(self, day: date, hour: int = 10) -> None:
        self.instant = datetime.combine(day, time(hour), tzinfo=clock.LONDON).astimezone(UTC)


# --- the children -----------------------------------------------------------------------------------


class Child(journey_people.Child):
    """A journey's child whose made-up names the no-personal-data log check looks for."""

    @classmethod
    def new(cls, *, born: date | None = date(2016, 3, 14), **identity: Any) -> Child:
        child = super().new(born=born, **identity)
        remember_personal_data(child.body["given_name"], child.body["family_name"])
        return cast(Child, child)
