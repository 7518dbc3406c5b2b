"""The step-down API's OpenAPI document, as an integrator generates a client from it: every field
described, an example for every request body and answer (each one valid), the ETag documented on
every answer that carries a versioned record, and CSV answers documented as such."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import BaseModel
from stepdown_support import Api

from continuum.web.permissions import api_operations
from continuum_tools.testing import bodies_without_examples, undescribed_fields
from stepdown import examples, schemas


def _ref(content: dict[str, Any]) -> str | None:
    ref = content.get("application/json", {}).get("schema", {}).get("$ref")
    return ref.rsplit("/", 1)[1] if ref else None


def test_every_field_of_every_schema_is_described(api: Api) -> None:
    assert undescribed_fields(api.app) == []


def test_every_request_body_and_answer_has_an_example(api: Api) -> None:
    assert bodies_without_examples(api.app) == []


@pytest.mark.parametrize(
    ("model", "example"),
    [
        (schemas.HandoverIn, examples.HANDOVER),
        (schemas.DeclineIn, examples.DECLINE),
        (schemas.EngagementIn, examples.ENGAGEMENT),
        (schemas.OutcomeIn, examples.OUTCOME),
        (schemas.ClosureIn, examples.CLOSURE),
        (schemas.StepUpIn, examples.STEP_UP),
        (schemas.AuditDrawIn, examples.AUDIT_DRAW),
        (schemas.FindingIn, examples.FINDING),
        (schemas.StepdownOut, examples.STEPDOWN_OUT),
        (schemas.EscalationOut, examples.ESCALATION_OUT),
        (schemas.StepUpOut, examples.STEP_UP_OUT),
        (schemas.AuditSampleOut, examples.AUDIT_SAMPLE_OUT),
        (schemas.MeasuresOut, examples.MEASURES),
    ],
)
def test_every_example_is_what_the_api_accepts_or_answers(model: type[BaseModel], example: dict[str, Any]) -> None:
    assert model.model_validate(example).model_dump(mode="json", exclude_unset=True).keys() == example.keys()


def test_every_answer_with_a_versioned_record_documents_its_etag(api: Api) -> None:
    for name, (method, path) in api_operations(api.app).items():
        answer = api.app.openapi()["paths"][path][method.lower()]["responses"].get("200")
        if answer is None:
            continue
        versioned = _ref(answer.get("content", {})) in ("StepdownOut", "AuditItemOut")
        assert ("ETag" in answer.get("headers", {})) == versioned, name


def test_csv_exports_are_documented_as_csv(api: Api) -> None:
    paths = api.app.openapi()["paths"]
    for path in ("/v1/measures.csv", "/v1/audits/{month}/sample.csv"):
        assert "text/csv" in paths[path]["get"]["responses"]["200"]["content"]
