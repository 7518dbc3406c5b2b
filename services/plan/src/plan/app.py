"""The plan service's app factory: `uvicorn plan.app:create_app --factory`."""

from __future__ import annotations

from fastapi import FastAPI

from continuum.casework.policy import load_policy
from continuum.messaging.consumer import EventConsumer
from continuum.messaging.scheduler import Scheduler
from continuum.web.app import Runtime, build_app
from plan import api, preproceedings_api
from plan.consumers import DRAFTING_CONSUMER, DRAFTING_TOPICS, make_drafting_handlers
from plan.domain.policy import plan_policy
from plan.permissions import PERMISSIONS
from plan.settings import PlanSettings
from plan.workers import drift_scheduler


def create_app(settings: PlanSettings | None = None) -> FastAPI:
    settings = settings or PlanSettings()
    policy = load_policy(settings.policy_file)  # a bad policy file stops the start, with the reason
    plan_policy(policy)  # and so does a bad plan: section

    def consumers(runtime: Runtime) -> list[EventConsumer]:
        handlers = make_drafting_handlers(policy)
        return [runtime.event_consumer(name=DRAFTING_CONSUMER, topics=DRAFTING_TOPICS, handlers=handlers)]

    def schedulers(runtime: Runtime) -> list[Scheduler]:
        return [
            drift_scheduler(
                runtime.session_factory,
                source=settings.service_name,
                policy=policy,
                interval=settings.drift_check_interval_seconds,
                batch_size=settings.drift_batch_size,
            )
        ]

    return build_app(
        settings=settings,
        title="Continuum plan service",
        description=(
            "Child in need and child protection plans: drafted from authorised assessments, approved by a "
            "social-work-qualified manager, reviewed on the council's cadence, visited, with meetings, pre-proceedings, "
            "drift found and announced, and an ending that says what happened to every action."
        ),
        routers=[api.router, preproceedings_api.router],
        permissions=PERMISSIONS,
        consumers=consumers,
        policy=policy,
        schedulers=schedulers,
    )
