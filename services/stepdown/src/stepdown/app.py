"""The step-down service's app factory: `uvicorn stepdown.app:create_app --factory`."""

from __future__ import annotations

from fastapi import FastAPI

from continuum.casework.policy import load_policy
from continuum.messaging.consumer import EventConsumer
from continuum.messaging.scheduler import Scheduler
from continuum.web.app import Runtime, build_app
from stepdown.api import router
from stepdown.consumers import TRANSITIONS_CONSUMER, TRANSITIONS_TOPICS, make_handlers
from stepdown.domain.policy import stepdown_policy
from stepdown.permissions import PERMISSIONS
from stepdown.settings import StepdownSettings
from stepdown.workers import escalation_scheduler


def create_app(settings: StepdownSettings | None = None) -> FastAPI:
    settings = settings or StepdownSettings()
    policy = load_policy(settings.policy_file)  # a bad policy file stops the start, with the reason
    receiving_team = stepdown_policy(policy).early_help_team  # a bad stepdown: section stops it too
    if policy.team(receiving_team) is None:
        raise ValueError(f"stepdown: early_help_team {receiving_team!r} is not a team of the council policy")

    def consumers(runtime: Runtime) -> list[EventConsumer]:
        handlers = make_handlers(policy, receiving_team=receiving_team)
        return [runtime.event_consumer(name=TRANSITIONS_CONSUMER, topics=TRANSITIONS_TOPICS, handlers=handlers)]

    def schedulers(runtime: Runtime) -> list[Scheduler]:
        return [
            escalation_scheduler(
                runtime.session_factory,
                source=settings.service_name,
                interval=settings.escalation_check_interval_seconds,
                batch_size=settings.escalation_batch_size,
            )
        ]

    return build_app(
        settings=settings,
        title="Continuum step-down service",
        description=(
            "Every exit from statutory social care followed through: handovers to early help (family help) with a "
            "deadline, acceptance or decline, escalation to the team manager, the family's engagement, the closure of "
            "every episode with its census reason, step-ups, the monthly audit sample and the measures."
        ),
        routers=[router],
        permissions=PERMISSIONS,
        consumers=consumers,
        policy=policy,
        schedulers=schedulers,
    )
