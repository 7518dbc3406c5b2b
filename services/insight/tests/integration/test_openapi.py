"""The insight API's OpenAPI document, as an integrator generates a client from it: every field
described, an example for every answer (each one valid)."""

from __future__ import annotations

from typing import Any

import pytest
from insight_support import Api
from pydantic import BaseModel

from continuum_tools.testing import bodies_without_examples, undescribed_fields
from insight import examples, schemas


def test_every_field_of_every_schema_is_described(api: Api) -> None:
    assert undescribed_fields(api.app) == []


def test_every_request_body_and_answer_has_an_example(api: Api) -> None:
    assert bodies_without_examples(api.app) == []


@pytest.mark.parametrize(
    ("model", "example"),
    [
        (schemas.ChronologyEntryOut, examples.ENTRY_OUT),
        (schemas.ChronologyOut, examples.CHRONOLOGY_OUT),
        (schemas.FigureOut, examples.FIGURE_OUT),
        (schemas.TeamMeasuresOut, examples.TEAM_MEASURES_OUT),
        (schemas.PeriodOut, examples.PERIOD_OUT),
        (schemas.MeasuresOut, examples.MEASURES_OUT),
    ],
)
def test_every_example_is_what_the_api_answers(model: type[BaseModel], example: dict[str, Any]) -> None:
    assert model.model_validate(example).model_dump(mode="json", exclude_unset=True).keys() == example.keys()


def test_every_string_of_an_answer_is_bounded(api: Api) -> None:
    """The service's own answers (the child's summary is the kernel's, bounded by the register)."""
    components: dict[str, Any] = api.app.openapi()["components"]["schemas"]
    unbounded = [
        f"{name}.{field}"
        for name in ("ChronologyEntryOut", "ChronologyOut", "FigureOut", "TeamMeasuresOut", "PeriodOut", "MeasuresOut")
        for field, spec in components[name]["properties"].items()
        for kind in spec.get("anyOf", [spec])
        if kind.get("type") == "string" and "format" not in kind and "maxLength" not in kind
    ]
    assert unbounded == []
