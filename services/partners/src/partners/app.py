"""The partners service's app factory: `uvicorn partners.app:create_app --factory`."""

from __future__ import annotations

from fastapi import FastAPI

from continuum.casework.policy import load_policy
from continuum.messaging.consumer import EventConsumer
from continuum.web.app import Runtime, build_app
from partners.api import router
from partners.consumers import GATEWAY_CONSUMER, GATEWAY_TOPICS, make_handlers
from partners.domain.policy import partners_policy
from partners.permissions import PERMISSIONS
from partners.settings import PartnersSettings


def create_app(settings: PartnersSettings | None = None) -> FastAPI:
    settings = settings or PartnersSettings()
    policy = load_policy(settings.policy_file)  # a bad policy file stops the start, with the reason
    agencies = partners_policy(policy)  # a bad partners: section stops it too

    def consumers(runtime: Runtime) -> list[EventConsumer]:
        return [runtime.event_consumer(name=GATEWAY_CONSUMER, topics=GATEWAY_TOPICS, handlers=make_handlers(agencies))]

    return build_app(
        settings=settings,
        title="Continuum partners service",
        description=(
            "Tells each partner agency (police, health, schools, probation, adult mental health, housing) the statuses "
            "its subscription in the council policy allows, on its own compacted topic keyed by the NHS number, and "
            "logs every decision to share or not with the lawful basis: the sharing log, for auditors, and the "
            "subscriptions, for integrators."
        ),
        routers=[router],
        permissions=PERMISSIONS,
        consumers=consumers,
        policy=policy,
        topics=agencies.topics,
    )
