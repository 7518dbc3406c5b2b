"""The assessment service's app factory: `uvicorn assessment.app:create_app --factory`."""

from __future__ import annotations

from fastapi import FastAPI

from assessment.api import router
from assessment.consumers import (
    ESCALATION_CONSUMER,
    ESCALATION_TOPICS,
    INTAKE_CONSUMER,
    INTAKE_TOPICS,
    make_escalation_handlers,
    make_intake_batch_handlers,
    make_intake_handlers,
)
from assessment.domain.policy import assessment_policy
from assessment.permissions import PERMISSIONS
from assessment.settings import AssessmentSettings
from assessment.workers import overdue_scheduler
from continuum.casework.policy import load_policy
from continuum.messaging.consumer import EventConsumer
from continuum.messaging.scheduler import Scheduler
from continuum.web.app import Runtime, build_app


def create_app(settings: AssessmentSettings | None = None) -> FastAPI:
    settings = settings or AssessmentSettings()
    policy = load_policy(settings.policy_file)  # a bad policy file stops the start, with the reason
    assessment_policy(policy)  # and so does a bad assessment: section

    def consumers(runtime: Runtime) -> list[EventConsumer]:
        handlers, batch_handlers = make_intake_handlers(policy), make_intake_batch_handlers(policy)
        return [
            runtime.event_consumer(name=INTAKE_CONSUMER, topics=INTAKE_TOPICS, handlers=handlers, batch_handlers=batch_handlers),
            runtime.event_consumer(name=ESCALATION_CONSUMER, topics=ESCALATION_TOPICS, handlers=make_escalation_handlers(policy)),
        ]

    def schedulers(runtime: Runtime) -> list[Scheduler]:
        return [
            overdue_scheduler(
                runtime.session_factory,
                source=settings.service_name,
                interval=settings.overdue_check_interval_seconds,
                batch_size=settings.overdue_batch_size,
            )
        ]

    return build_app(
        settings=settings,
        title="Continuum assessment service",
        description=(
            "Single assessments and section 47 enquiries: the 45-working-day clock, allocation of a lead practitioner, "
            "the practitioner's record and authorisation by a social-work-qualified manager; a child in need plan's "
            "escalation to child protection starts a section 47 enquiry."
        ),
        routers=[router],
        permissions=PERMISSIONS,
        consumers=consumers,
        policy=policy,
        schedulers=schedulers,
    )
