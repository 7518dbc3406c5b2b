"""The plan API's OpenAPI document: every field described, an example for every request body and
answer (each one valid), the ETag documented on every answer that carries the plan, and If-Match
required (with its 428) on every change."""

from __future__ import annotations

from typing import Any

import pytest
from plan_support import Api
from pydantic import BaseModel

from continuum.web.permissions import api_operations
from continuum_tools.testing import bodies_without_examples, undescribed_fields
from plan import answers, examples, schemas


def _ref(content: dict[str, Any]) -> str | None:
    ref = content.get("application/json", {}).get("schema", {}).get("$ref")
    return ref.rsplit("/", 1)[1] if ref else None


def _answer(operation: dict[str, Any]) -> dict[str, Any]:
    responses = operation["responses"]
    answer: dict[str, Any] = responses.get("200") or responses["201"]
    return answer


def test_every_field_of_every_schema_is_described(api: Api) -> None:
    assert undescribed_fields(api.app) == []


def test_every_request_body_and_answer_has_an_example(api: Api) -> None:
    assert bodies_without_examples(api.app) == []


@pytest.mark.parametrize(
    ("model", "example"),
    [
        (schemas.PlanEditIn, examples.EDIT),
        (schemas.ActionIn, examples.ACTION),
        (schemas.ActionChangeIn, examples.ACTION_CHANGE),
        (schemas.ApprovalIn, examples.APPROVAL),
        (schemas.StrategyDiscussionIn, examples.STRATEGY_DISCUSSION),
        (schemas.ReviewIn, examples.REVIEW),
        (schemas.VisitIn, examples.VISIT),
        (schemas.MeetingIn, examples.MEETING),
        (schemas.AttendanceIn, examples.ATTENDANCE),
        (schemas.InterventionIn, examples.INTERVENTION),
        (schemas.InterventionOutcomeIn, examples.INTERVENTION_OUTCOME),
        (schemas.PreproceedingsStartIn, examples.PP_START),
        (schemas.PreproceedingsIn, examples.PP_RECORD),
        (schemas.PreproceedingsDecisionIn, examples.PP_DECISION),
        (schemas.CareProceedingsLetterIn, examples.CARE_PROCEEDINGS_LETTER),
        (answers.PreproceedingsOut, examples.PREPROCEEDINGS_OUT),
        (schemas.EndingIn, examples.ENDING),
        (answers.PlanOut, examples.PLAN_OUT),
        (answers.PlanSummary, examples.SUMMARY),
        (answers.WorklistItem, examples.WORKLIST_ITEM),
    ],
)
def test_every_example_is_what_the_api_accepts_or_answers(model: type[BaseModel], example: dict[str, Any]) -> None:
    assert model.model_validate(example).model_dump(mode="json", exclude_unset=True).keys() == example.keys()


def test_every_answer_with_the_plan_documents_its_etag(api: Api) -> None:
    for name, (method, path) in api_operations(api.app).items():
        answer = _answer(api.app.openapi()["paths"][path][method.lower()])
        versioned = _ref(answer.get("content", {})) in ("PlanOut", "PreproceedingsOut")
        assert ("ETag" in answer.get("headers", {})) == versioned, name


def test_every_change_requires_if_match_and_documents_its_428(api: Api) -> None:
    """Every change of an existing record (a plan, a pre-proceedings block); starting a block makes a new one
    (and an import is idempotent by its derived ids, decision 59)."""
    writes = {name for name, (method, _) in api_operations(api.app).items() if method in ("POST", "PATCH", "PUT", "DELETE")}
    changes = writes - {"start_preproceedings", "import_plans"}  # an import makes or adds to records by derived ids
    assert len(changes) == 15
    for name in changes:
        method, path = api_operations(api.app)[name]
        operation = api.app.openapi()["paths"][path][method.lower()]
        headers = {p["name"]: p for p in operation["parameters"] if p["in"] == "header"}
        assert headers["If-Match"]["required"] is True, name
        assert "428" in operation["responses"], name


def test_every_create_takes_an_idempotency_key(api: Api) -> None:
    creates = {
        name
        for name, (method, path) in api_operations(api.app).items()
        if "201" in api.app.openapi()["paths"][path][method.lower()]["responses"]
    }
    assert creates == {
        "add_action",
        "add_intervention",
        "record_review",
        "record_visit",
        "schedule_meeting",
        "record_strategy_discussion",
        "start_preproceedings",
    }
    for name in creates:
        method, path = api_operations(api.app)[name]
        params = {p["name"] for p in api.app.openapi()["paths"][path][method.lower()]["parameters"]}
        assert "Idempotency-Key" in params, name
