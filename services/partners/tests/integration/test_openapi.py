"""The partners API's OpenAPI document, as an integrator generates a client from it: every field
described, an example for every answer (each one valid)."""

from __future__ import annotations

from typing import Any

import pytest
from partners_support import Api
from pydantic import BaseModel

from continuum_tools.testing import bodies_without_examples, undescribed_fields
from partners import schemas


def test_every_field_of_every_schema_is_described(api: Api) -> None:
    assert undescribed_fields(api.app) == []


def test_every_request_body_and_answer_has_an_example(api: Api) -> None:
    assert bodies_without_examples(api.app) == []


@pytest.mark.parametrize(
    ("model", "example"),
    [
        (schemas.SharingLogEntryOut, schemas.LOG_EXAMPLE),
        (schemas.AgenciesOut, schemas.AgenciesOut.model_config["json_schema_extra"]["examples"][0]),  # type: ignore[index]
    ],
)
def test_every_example_is_what_the_api_answers(model: type[BaseModel], example: dict[str, Any]) -> None:
    assert model.model_validate(example).model_dump(mode="json").keys() == example.keys()
