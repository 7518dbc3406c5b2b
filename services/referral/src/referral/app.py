"""The referral service's app factory: `uvicorn referral.app:create_app --factory`."""

from __future__ import annotations

from fastapi import FastAPI

from continuum.casework.policy import load_policy
from continuum.contracts import StepUpRequested
from continuum.messaging.consumer import EventConsumer
from continuum.web.app import Runtime, build_app
from referral.api import router
from referral.consumers import EPISODES_CONSUMER, STEPUP_CONSUMER, episode_handlers, make_stepup_handler
from referral.permissions import PERMISSIONS
from referral.settings import ReferralSettings


def create_app(settings: ReferralSettings | None = None) -> FastAPI:
    settings = settings or ReferralSettings()
    policy = load_policy(settings.policy_file)  # a bad policy file stops the start, with the reason

    def consumers(runtime: Runtime) -> list[EventConsumer]:
        handlers = {StepUpRequested.event_type: make_stepup_handler(policy)}
        return [
            runtime.event_consumer(name=STEPUP_CONSUMER, topics=[StepUpRequested.topic], handlers=handlers),
            runtime.event_consumer(name=EPISODES_CONSUMER, topics=[StepUpRequested.topic], handlers=episode_handlers(policy)),
        ]

    return build_app(
        settings=settings,
        title="Continuum referral service",
        description="The front door: children, referrals, partner information requests and the decision within one working day.",
        routers=[router],
        permissions=PERMISSIONS,
        consumers=consumers,
        policy=policy,
    )
