"""The assessment API's OpenAPI document, as an integrator generates a client from it: every field
described, an example for every request body and answer (each one valid), and the ETag documented
on every answer that carries a versioned record."""

from __future__ import annotations

from typing import Any

import pytest
from assessment_support import Api
from pydantic import BaseModel

from assessment import examples, schemas
from continuum.web.permissions import api_operations
from continuum_tools.testing import bodies_without_examples, undescribed_fields


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
        (schemas.AllocationIn, examples.ALLOCATION),
        (schemas.RecordIn, examples.RECORD),
        (schemas.ReturnIn, examples.RETURN),
        (schemas.AuthorisationIn, examples.AUTHORISATION),
        (schemas.Section47StartIn, examples.SECTION47_START),
        *[(schemas.Section47ConclusionIn, e) for e in examples.SECTION47_CONCLUSIONS],
        (schemas.Section47Out, examples.SECTION47_OUT),
        (schemas.AssessmentOut, examples.ASSESSMENT_OUT),
        (schemas.AssessmentSummary, examples.SUMMARY),
        (schemas.WorklistItem, examples.WORKLIST_ITEM),
        (schemas.MeasuresOut, examples.MEASURES),
    ],
)
def test_every_example_is_what_the_api_accepts_or_answers(model: type[BaseModel], example: dict[str, Any]) -> None:
    assert model.model_validate(example).model_dump(mode="json", exclude_unset=True).keys() == example.keys()


def test_every_answer_with_a_versioned_record_documents_its_etag(api: Api) -> None:
    for name, (method, path) in api_operations(api.app).items():
        answer = api.app.openapi()["paths"][path][method.lower()]["responses"]["200"]
        versioned = _ref(answer.get("content", {})) in ("AssessmentOut", "Section47Out")
        assert ("ETag" in answer.get("headers", {})) == versioned, name
