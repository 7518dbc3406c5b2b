"""Every API route of every service is an ``AuthorizedRoute`` (its caller checked before anything
of the request is read) and solves no FastAPI dependency per request: what it needs of the kernel
(the unit of work, the council's policy) it asks for with the request (decision 33)."""

from __future__ import annotations

import inspect
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute

import assessment.app
import insight.app
import partners.app
import plan.app
import referral.app
import stepdown.app
from assessment.settings import AssessmentSettings
from continuum.web.permissions import AuthorizedRoute
from continuum_tools.testing import test_settings
from insight.settings import InsightSettings
from partners.settings import PartnersSettings
from plan.settings import PlanSettings
from referral.settings import ReferralSettings
from stepdown.settings import StepdownSettings

SERVICES: dict[str, tuple[Any, type[Any]]] = {
    "referral": (referral.app.create_app, ReferralSettings),
    "assessment": (assessment.app.create_app, AssessmentSettings),
    "plan": (plan.app.create_app, PlanSettings),
    "stepdown": (stepdown.app.create_app, StepdownSettings),
    "insight": (insight.app.create_app, InsightSettings),
    "partners": (partners.app.create_app, PartnersSettings),
}


def _app(service: str) -> FastAPI:
    create_app, settings_class = SERVICES[service]
    base = test_settings("127.0.0.1:9", run_workers=False)
    return create_app(settings_class(**base.model_dump(exclude={"service_name"})))  # type: ignore[no-any-return]


def _served(app: FastAPI) -> Iterator[Any]:
    """The routes as the app serves them: an included router's routes with what its inclusion
    added (FastAPI keeps them as route contexts beside the router's own routes)."""
    for route in app.routes:
        if hasattr(route, "effective_route_contexts"):
            yield from route.effective_route_contexts()
        elif isinstance(route, APIRoute):
            yield route


@pytest.mark.parametrize("service", SERVICES)
def test_every_api_route_checks_its_caller_in_its_class_and_solves_no_dependency(service: str) -> None:
    routes = [r for r in _served(_app(service)) if r.path.startswith("/v1/")]
    assert len(routes) >= {"insight": 1, "partners": 3}.get(service, 10)  # insight: the chronology, so far
    assert [r.name for r in routes if not isinstance(getattr(r, "original_route", r), AuthorizedRoute)] == []
    assert [r.name for r in routes if r.dependant.dependencies] == []


@pytest.mark.parametrize("service", ["referral", "plan", "stepdown"])  # assessment creates nothing over HTTP
def test_every_route_that_reads_an_idempotency_key_documents_it(service: str) -> None:
    """``idempotency_key(request)`` is read in the route's code, so OpenAPI learns of the header
    only from ``openapi_extra=IDEMPOTENT``: a route that reads one and does not say so is caught here."""
    app = _app(service)
    operations = {op["operationId"]: op for ops in app.openapi()["paths"].values() for op in ops.values()}
    reading = [r.name for r in _served(app) if "idempotency_key(request)" in inspect.getsource(r.endpoint)]
    assert reading, "no route of this service reads an Idempotency-Key"
    undocumented = [
        name for name in reading if "Idempotency-Key" not in [p["name"] for p in operations[name].get("parameters", [])]
    ]
    assert undocumented == []
