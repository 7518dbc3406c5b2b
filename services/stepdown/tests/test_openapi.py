"""The step-down API's OpenAPI document, as an integrator generates a client from it: every field
described, an example for every request body and answer (each one valid), the ETag documented on
every answer that carries a versioned record, and CSV answers documented as such."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import BaseModel
from stepdown_support import Api

from continuum.permissions import api_operations
from stepdown import examples, schemas


def _schemas(api: Api) -> dict[str, Any]:
    components: dict[str, Any] = api.app.openapi()["components"]["schemas"]
    return components


def test_every_field_of_every_schema_is_described(api: Api) -> None:
    missing = [
        f"{name}.{field}"
        for name, schema in _schemas(api).items()
        for field, spec in schema.get("properties", {}).items()
        if "description" not in spec
    ]
    assert missing == []


def _ref(content: dict[str, Any]) -> str | None:
    ref = content.get("application/json", {}).get("schema", {}).get("$ref")
    return ref.rsplit("/", 1)[1] if ref else None


def test_every_request_body_and_answer_has_an_example(api: Api) -> None:
    components, named = _schemas(api), set()
    for method, path in api_operations(api.app).values():
        operation = api.app.openapi()["paths"][path][method.lower()]
        named.add(_ref(operation.get("requestBody", {}).get("content", {})))
        answer = operation["responses"].get("200") or operation["responses"]["201"]
        named.add(_ref(answer.get("content", {})))
    named.discard(None)
    pages = {n for n in named if n and n.startswith("Page_")}
    named |= {components[p]["properties"]["items"]["items"]["$ref"].rsplit("/", 1)[1] for p in pages}
    assert sorted(n for n in named - pages if n and not components[n].get("examples")) == []


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
