"""The insight service's app factory: `uvicorn insight.app:create_app --factory`."""

from __future__ import annotations

from fastapi import FastAPI

from continuum.casework.policy import load_policy
from continuum.messaging.consumer import EventConsumer
from continuum.web.app import Runtime, build_app
from insight.api import router
from insight.consumers import READ_MODEL_CONSUMER, READ_MODEL_TOPICS, make_batch_handlers, make_handlers
from insight.dashboard import render, routes, signin
from insight.permissions import PERMISSIONS
from insight.settings import InsightSettings


def create_app(settings: InsightSettings | None = None) -> FastAPI:
    settings = settings or InsightSettings()
    policy = load_policy(settings.policy_file)  # a bad policy file stops the start, with the reason

    def consumers(runtime: Runtime) -> list[EventConsumer]:
        handlers, batch_handlers = make_handlers(policy), make_batch_handlers(policy)
        return [
            runtime.event_consumer(
                name=READ_MODEL_CONSUMER, topics=READ_MODEL_TOPICS, handlers=handlers, batch_handlers=batch_handlers
            )
        ]

    app = build_app(
        settings=settings,
        title="Continuum insight service",
        description=(
            "The read model of every case event across the services, and what is read from it: a child's chronology, "
            "every event of the child's episodes in time order and in plain words; the CIN census file; the managers' "
            "measures of a period by team, beside the same period a year before. The managers' dashboard is at "
            "/dashboard (HTML, signed in with a session cookie; not an API operation)."
        ),
        routers=[router],
        permissions=PERMISSIONS,
        consumers=consumers,
        policy=policy,
    )
    # The dashboard's pages are not API operations (HTML under /dashboard, not /v1, so not in the
    # OpenAPI document or the permission table's walk); each checks its caller itself (decision 54).
    app.include_router(routes.router())
    app.include_router(signin.router(settings))
    app.mount(render.ASSETS, render.assets(), name="dashboard-assets")
    return app
