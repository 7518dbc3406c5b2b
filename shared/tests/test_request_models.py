"""What a request body may be (decision 39): the base of every request model takes dates,
instants and booleans only as the API documents them; a body that is not a JSON object in UTF-8
is one problem, ``400 unreadable-body``; a field refused in several ways is one error.

The four services' routes are walked the same way in ``tests/test_request_bodies.py``."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Any

import httpx
import pytest
from pydantic import BaseModel, Field, StringConstraints, ValidationError
from pydantic.json_schema import SkipJsonSchema

from continuum.settings import ServiceSettings
from continuum.web.errors import field_errors
from continuum.web.http import api_router
from continuum.web.requests import RequestModel
from continuum_tools.testing import TEST_SIGNING_KEY, minimal_service

SETTINGS = ServiceSettings(env="test", jwt_secret=TEST_SIGNING_KEY, run_workers=False)
Name = Annotated[str, StringConstraints(min_length=1, max_length=10)]


class Visit(RequestModel):
    on: date
    at: datetime | None = None
    seen: bool = False
    seen_on: list[date] = Field(default_factory=list, max_length=5)
    note: Name | None = None


def _reasons(body: dict[str, Any]) -> dict[str, str]:
    try:
        Visit.model_validate(body)
    except ValidationError as error:
        return {e.field: e.reason for e in field_errors([{**e, "loc": ("body", *e["loc"])} for e in error.errors()])}
    return {}


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("on", 0),  # was 1970-01-01
        ("on", 1_700_000_000),  # a Unix time
        ("on", "1700000000"),
        ("on", "2026-11-20T00:00:00"),
        ("on", "20261120"),
        ("at", 0),
        ("at", "2026-11-20"),  # midnight of no time zone
        ("at", "2026-11-20T10:00:00"),  # no offset: which 10 o'clock?
        ("seen", "yes"),
        ("seen", 1),
        ("seen", "true"),
        ("seen", "false"),
    ],
)
def test_a_coerced_date_instant_or_boolean_is_refused_naming_the_field(field: str, value: Any) -> None:
    reasons = _reasons({"on": "2026-11-20", field: value})
    assert list(reasons) == [field]
    assert reasons[field].startswith("Input should be")


def test_a_list_of_dates_names_the_bad_item() -> None:
    assert _reasons({"on": "2026-11-20", "seen_on": ["2026-11-20", 0]}) == {
        "seen_on.1": "Input should be a date written YYYY-MM-DD (ISO 8601)"
    }


def test_a_coerced_value_is_reported_with_every_other_field_at_fault() -> None:
    """The check runs once per body, before the fields; the rest are still validated, so the
    answer names every field at fault, nested ones at their place."""
    assert _reasons({"on": 0, "note": "", "seen": "yes"}) == {
        "on": "Input should be a date written YYYY-MM-DD (ISO 8601)",
        "seen": "Input should be true or false (a JSON boolean)",
        "note": "String should have at least 1 character",
    }
    assert _reasons({"seen": 1}) == {"seen": "Input should be true or false (a JSON boolean)", "on": "Field required"}
    assert _errors(Trip, {"visits": [{"on": "2026-11-20"}, {"on": 0, "note": ""}], "patch": {"family_name": ""}}) == [
        ("visits.1.on", "Input should be a date written YYYY-MM-DD (ISO 8601)"),
        ("visits.1.note", "String should have at least 1 character"),
        ("patch.family_name", "String should have at least 1 character"),
    ]


def test_values_written_as_documented_pass_and_python_callers_may_pass_objects() -> None:
    visit = Visit.model_validate({"on": "2026-11-20", "at": "2026-11-20T10:00:00+01:00", "seen": True, "seen_on": ["2026-11-19"]})
    assert (visit.on, visit.at, visit.seen) == (date(2026, 11, 20), datetime(2026, 11, 20, 9, 0, tzinfo=UTC), True)
    for written in ("2026-11-20T10:00Z", "2026-11-20t10:00:00z", "2026-11-20T10:00:00.5+00:00"):
        assert Visit.model_validate({"on": "2026-11-20", "at": written}).at.replace(microsecond=0) == datetime(
            2026, 11, 20, 10, tzinfo=UTC
        )
    made = Visit(on=date(2026, 11, 20), at=datetime(2026, 11, 20, 10, tzinfo=UTC), seen=False)
    assert made.on == date(2026, 11, 20)


def test_the_schema_still_says_date_date_time_and_boolean() -> None:
    properties = Visit.model_json_schema()["properties"]
    assert properties["on"]["format"] == "date"
    assert {"type": "string", "format": "date-time"} in properties["at"]["anyOf"]
    assert properties["seen"]["type"] == "boolean"
    assert properties["seen_on"]["items"]["format"] == "date"


@pytest.mark.parametrize(
    ("annotation", "says"),
    [
        (dict[str, date], "inside"),
        (date | str, "union"),
        (list[date | int], "union"),
    ],
)
def test_a_date_in_a_shape_the_check_cannot_see_into_is_refused_when_the_model_is_defined(annotation: Any, says: str) -> None:
    with pytest.raises(TypeError, match=says):
        type("Odd", (RequestModel,), {"__annotations__": {"odd": annotation}})


def test_a_plain_model_holding_dates_inside_a_request_model_is_refused_when_defined() -> None:
    class Plain(BaseModel):
        on: date

    with pytest.raises(TypeError, match="make it a RequestModel"):
        type("Holder", (RequestModel,), {"__annotations__": {"plain": Plain}})


# --- one error per field ---------------------------------------------------------------------------


class Patch(RequestModel):
    """Fields that may be left out but not sent as null, as the referral service's child patch has."""

    family_name: Name | SkipJsonSchema[None] = None
    aliases: list[Name] | SkipJsonSchema[None] = None


class Trip(RequestModel):
    visits: list[Visit] = Field(max_length=5)
    patch: Patch | SkipJsonSchema[None] = None


class Holder(RequestModel):
    patch: Patch | SkipJsonSchema[None] = None
    plain: Name | None = None


def _errors(model: type[BaseModel], body: dict[str, Any]) -> list[tuple[str, str]]:
    with pytest.raises(ValidationError) as caught:
        model.model_validate(body)
    return [(e.field, e.reason) for e in field_errors([{**e, "loc": ("body", *e["loc"])} for e in caught.value.errors()])]


def test_a_field_that_may_not_be_null_refused_is_one_error_on_the_field_not_one_per_union_branch() -> None:
    too_short = "String should have at least 1 character"
    assert _errors(Patch, {"family_name": ""}) == [("family_name", too_short)]
    assert _errors(Patch, {"aliases": ["ok", ""]}) == [("aliases.1", too_short)]
    assert _errors(Patch, {"family_name": 5}) == [("family_name", "Input should be a valid string")]
    # At any depth: a union inside a union's branch.
    assert _errors(Holder, {"patch": {"family_name": ""}}) == [("patch.family_name", too_short)]
    assert _errors(Holder, {"plain": ""}) == [("plain", too_short)]


# --- a body that cannot be read --------------------------------------------------------------------


async def test_a_body_that_is_not_utf8_is_unreadable_and_checked_only_after_the_caller() -> None:
    router = api_router()

    @router.post("/visits")
    async def record_visit(visit: Visit) -> None: ...

    app, token = minimal_service(router, SETTINGS, name="bodies")
    latin1 = '{"on": "2026-11-20", "note": "café"}'.encode("latin-1")
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bodies") as client,
    ):
        anonymous = await client.post("/v1/visits", content=latin1, headers={"Content-Type": "application/json"})
        unreadable = await client.post(
            "/v1/visits", content=latin1, headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"}
        )
        malformed = await client.post(
            "/v1/visits", content=b'{"on": }', headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"}
        )
    assert anonymous.status_code == 401
    assert unreadable.status_code == 400, unreadable.text
    assert unreadable.json() == {
        "type": "https://continuum.example/problems/unreadable-body",
        "title": "The request body cannot be read",
        "status": 400,
        "detail": "the body is not UTF-8 (byte 33 is not part of a UTF-8 character)",
        "instance": "/v1/visits",
        "errors": [{"field": "body", "reason": "the body is not UTF-8 (byte 33 is not part of a UTF-8 character)"}],
    }
    assert malformed.status_code == 400
    assert malformed.json()["detail"] == "the body is not valid JSON (Expecting value at character 7)"
