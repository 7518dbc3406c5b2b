"""The OpenAPI document an integrator generates a client from (issue 7): every field described,
an example for every request and answer (and each one valid), ETag and Location documented where
the answers carry them, and carried indeed."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import BaseModel
from referral_support import Api, new_referral

from continuum_tools.testing import bodies_without_examples, undescribed_fields
from referral import examples, schemas


def _openapi(api: Api) -> dict[str, Any]:
    document: dict[str, Any] = api.app.openapi()
    return document


def test_every_field_of_every_schema_is_described(api: Api) -> None:
    assert undescribed_fields(api.app) == []


def test_every_request_body_and_answer_has_an_example(api: Api) -> None:
    assert bodies_without_examples(api.app) == []


@pytest.mark.parametrize(
    ("model", "example"),
    [
        (schemas.ChildIn, examples.CHILD),
        (schemas.ChildPatch, examples.CHILD_PATCH),
        (schemas.ChildOut, examples.CHILD_OUT),
        (schemas.ReferralIn, examples.REFERRAL),
        (schemas.DecisionIn, examples.DECISION),
        (schemas.CorrectionIn, examples.CORRECTION),
        (schemas.InformationRequestIn, examples.QUESTION),
        (schemas.InformationAnswerIn, examples.ANSWER),
        (schemas.ChildrenImportIn, examples.IMPORT),
        (schemas.ChildrenImportAnswer, examples.IMPORT_ANSWER),
        (schemas.InformationRequestOut, examples.QUESTION_OUT),
        (schemas.DecisionOut, examples.DECISION_OUT),
        (schemas.ReferralOut, examples.REFERRAL_OUT),
        (schemas.ReferralSummary, examples.REFERRAL_SUMMARY),
        (schemas.QueueItem, examples.QUEUE_ITEM),
    ],
)
def test_every_example_is_what_the_api_accepts_or_answers(model: type[BaseModel], example: dict[str, Any]) -> None:
    assert model.model_validate(example).model_dump(mode="json", exclude_unset=True).keys() == example.keys()


def test_creations_document_etag_and_location_and_reads_etag(api: Api) -> None:
    paths = _openapi(api)["paths"]
    for path in ("/v1/children", "/v1/referrals"):
        assert set(paths[path]["post"]["responses"]["201"]["headers"]) == {"ETag", "Location"}, path
    for path, method in (
        ("/v1/children/{child_id}", "get"),
        ("/v1/children/{child_id}", "patch"),
        ("/v1/referrals/{referral_id}", "get"),
        ("/v1/referrals/{referral_id}/decision", "post"),
        ("/v1/referrals/{referral_id}/decision-corrections", "post"),
    ):
        assert "ETag" in paths[path][method]["responses"]["200"]["headers"], (path, method)


async def test_a_created_referral_and_child_answer_their_location_and_etag(api: Api) -> None:
    async with api.as_user("front_door") as client:
        created = await client.post("/v1/referrals", json=new_referral())
        child = await client.post("/v1/children", json=new_referral()["child"])
        again = await client.get(created.headers["location"])
        child_again = await client.get(child.headers["location"])
    assert (created.status_code, child.status_code, again.status_code, child_again.status_code) == (201, 201, 200, 200)
    assert (again.json()["id"], again.headers["etag"]) == (created.json()["id"], created.headers["etag"])
    assert child_again.json()["id"] == child.json()["id"]
