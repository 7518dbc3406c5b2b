"""How every service reads a request body (issue 16, the fuzzing findings; decision 39).

Walked over every route of the four services that takes a body, as served (insight takes none):
- dates, instants and booleans are taken only as the OpenAPI document writes them (a date
  ``YYYY-MM-DD``, an instant ISO 8601 with its offset, a boolean JSON ``true``/``false``), never
  coerced: ``0`` is no 1970-01-01, a Unix time no date of birth, ``"yes"`` and ``1`` no boolean;
  each answers 422 naming the field, and the document still says ``format: date``, ``date-time``
  and ``type: boolean``;
- a body that is not UTF-8, not JSON, empty or JSON of another kind answers one documented
  problem, ``400 unreadable-body``, with no field but the body;
- a field refused in several ways at once (a union's branches) answers one error on the field.

All of it is refused before a use case runs, so no database is needed: the apps answer without
their lifespan.
"""

from __future__ import annotations

import types
import typing
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute

import assessment.app
import plan.app
import referral.app
import stepdown.app
from assessment.settings import AssessmentSettings
from continuum.casework.principal import Role
from continuum.web.auth import mint_dev_token
from continuum.web.errors import PROBLEM_BASE
from continuum.web.requests import Kind, RequestModel
from continuum_tools.testing import test_settings
from plan.settings import PlanSettings
from referral.settings import ReferralSettings
from stepdown.settings import StepdownSettings

SERVICES: dict[str, tuple[Any, type[Any]]] = {
    "referral": (referral.app.create_app, ReferralSettings),
    "assessment": (assessment.app.create_app, AssessmentSettings),
    "plan": (plan.app.create_app, PlanSettings),
    "stepdown": (stepdown.app.create_app, StepdownSettings),
}

#: What each kind of field must refuse: the coercions pydantic's lax mode made.
COERCED: dict[str, list[Any]] = {
    "date": [0, 1_700_000_000, "1700000000", "2016-03-14T00:00:00", True],
    "date-time": [0, 1_700_000_000, "2026-11-20", "2026-11-20T10:00:00", "1700000000"],
    "boolean": ["yes", 1, 0, "true", "false", "on"],
}
#: What the reason says for each kind.
SAYS = {"date": "a date written YYYY-MM-DD", "date-time": "with its offset", "boolean": "true or false"}
#: How the OpenAPI document describes each kind.
DOCUMENTED: dict[str, dict[str, str]] = {
    "date": {"type": "string", "format": "date"},
    "date-time": {"type": "string", "format": "date-time"},
    "boolean": {"type": "boolean"},
}


class Service:
    def __init__(self, name: str) -> None:
        create_app, settings_class = SERVICES[name]
        base = test_settings("127.0.0.1:9", run_workers=False)
        self.settings = settings_class(**base.model_dump(exclude={"service_name"}))
        self.app: FastAPI = create_app(self.settings)

    def body_routes(self) -> list[APIRoute]:
        return [r for r in self.app.routes if isinstance(r, APIRoute) and r.path.startswith("/v1/") and r.body_field is not None]

    def client(self) -> httpx.AsyncClient:
        """A caller holding every role (so no route refuses it), and an If-Match for the routes that need one."""
        token = mint_dev_token(
            self.settings, sub=f"walker-{uuid.uuid4().hex[:8]}", roles=[r.value for r in Role], teams=["north"], sw_qualified=True
        )
        return httpx.AsyncClient(
            transport=httpx.ASGITransport(app=self.app),
            base_url="http://service",
            headers={"Authorization": f"Bearer {token}", "If-Match": '"1"'},
        )


@pytest.fixture(scope="module", params=list(SERVICES))
def service(request: pytest.FixtureRequest) -> Service:
    return Service(request.param)


def _path(route: APIRoute) -> str:
    return route.path_format.format(**{name: str(uuid.uuid4()) for name in route.param_convertors})


def _method(route: APIRoute) -> str:
    return next(iter(route.methods))


def _body_model(route: APIRoute) -> type[RequestModel]:
    assert route.body_field is not None
    model = route.body_field.field_info.annotation
    assert isinstance(model, type) and issubclass(model, RequestModel), f"{route.name}: its body is no RequestModel"
    return model


def _nested_model(annotation: Any) -> type[RequestModel] | None:
    """The request model a field holds (alone or nullable), if it holds one."""
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        models = [m for m in map(_nested_model, typing.get_args(annotation)) if m is not None]
        return models[0] if len(models) == 1 else None
    if isinstance(annotation, type) and issubclass(annotation, RequestModel):
        return annotation
    return None


def strict_places(model: type[RequestModel], prefix: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], Kind]]:
    """Every date, instant and boolean a body of ``model`` holds, as its path and kind, nested models included."""
    for name, kind in model.strict_fields.items():
        yield (*prefix, name), kind
    for name, field in model.model_fields.items():
        nested = _nested_model(field.annotation)
        if nested is not None:
            yield from strict_places(nested, (*prefix, name))


def _body_at(path: tuple[str, ...], value: Any) -> dict[str, Any]:
    body: Any = value
    for name in reversed(path):
        body = {name: body}
    assert isinstance(body, dict)
    return body


def _errors_on(response: httpx.Response, field: str) -> list[dict[str, str]]:
    return [e for e in response.json().get("errors", []) if e["field"] == field or e["field"].startswith(field + ".")]


# --- 1. strict dates, instants and booleans ------------------------------------------------------


def test_every_body_is_a_request_model_and_the_walk_finds_dates_instants_and_booleans_in_each_service(
    service: Service,
) -> None:
    places = [place for route in service.body_routes() for place in strict_places(_body_model(route))]
    kinds = {kind if isinstance(kind, str) else kind[1] for _, kind in places}
    # Every service's requests hold dates; all but the referral service's hold booleans too, and
    # the referral service holds instants (and a boolean in the child).
    assert "date" in kinds and "boolean" in kinds


async def test_coerced_dates_instants_and_booleans_answer_422_naming_the_field(service: Service) -> None:
    """``0`` as 1970-01-01, a Unix time as a date of birth, ``"yes"`` or ``1`` as true: each
    answers 422 naming the field, on every route of every service."""
    refused: list[str] = []
    async with service.client() as client:
        for route in service.body_routes():
            for path, kind in strict_places(_body_model(route)):
                scalar = kind if isinstance(kind, str) else kind[1]
                field = ".".join(path) + ("" if isinstance(kind, str) else ".0")
                for bad in COERCED[scalar]:
                    value = bad if isinstance(kind, str) else [bad]
                    response = await client.request(_method(route), _path(route), json=_body_at(path, value))
                    errors = _errors_on(response, field) if response.status_code == 422 else []
                    if response.status_code != 422 or [e["field"] for e in errors] != [field]:
                        refused.append(f"{route.name} {field}={bad!r}: {response.status_code} {errors}")
                        continue
                    assert response.json()["type"] == PROBLEM_BASE + "validation-error"
                    assert SAYS[scalar] in errors[0]["reason"]
    assert refused == []


async def test_dates_instants_and_booleans_as_documented_pass_the_check(service: Service) -> None:
    """The check refuses only the coercions: a well-written value raises no error on its field."""
    good = {"date": "2026-11-20", "date-time": "2026-11-20T10:00:00Z", "boolean": True}
    complaints: list[str] = []
    async with service.client() as client:
        for route in service.body_routes():
            for path, kind in strict_places(_body_model(route)):
                scalar = kind if isinstance(kind, str) else kind[1]
                value = good[scalar] if isinstance(kind, str) else [good[scalar]]
                # With a field no model has, so that the body is refused and no use case runs.
                body = _body_at(path, value) | {"no_such_field": 1}
                response = await client.request(_method(route), _path(route), json=body)
                assert response.status_code == 422
                if errors := _errors_on(response, ".".join(path)):
                    complaints.append(f"{route.name} {'.'.join(path)}: {errors}")
    assert complaints == []


def _resolve(schema: dict[str, Any], components: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = components[schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def _property(document: dict[str, Any], route: APIRoute, path: tuple[str, ...]) -> dict[str, Any]:
    components = document["components"]["schemas"]
    operation = document["paths"][route.path][_method(route).lower()]
    schema = _resolve(operation["requestBody"]["content"]["application/json"]["schema"], components)
    for name in path:
        schema = _resolve(schema["properties"][name], components)
        not_null = [s for s in schema.get("anyOf", []) if s.get("type") != "null"]
        if len(not_null) == 1:
            schema = _resolve(not_null[0], components)
    return schema


def test_the_openapi_documents_still_describe_dates_instants_and_booleans(service: Service) -> None:
    document = service.app.openapi()
    wrong: list[str] = []
    for route in service.body_routes():
        for path, kind in strict_places(_body_model(route)):
            schema = _property(document, route, path)
            if not isinstance(kind, str):
                assert schema["type"] == "array"
                schema, kind = _resolve(schema["items"], document["components"]["schemas"]), kind[1]
            described = {key: schema.get(key) for key in DOCUMENTED[kind]}
            if described != DOCUMENTED[kind]:
                wrong.append(f"{route.name} {'.'.join(path)}: {described}")
    assert wrong == []


# --- 2. one problem for a body that cannot be read -----------------------------------------------

UNREADABLE: dict[str, tuple[bytes, str | None, str]] = {
    "not UTF-8": (b'{"reasons": "caf\xe9"}', "application/json", "not UTF-8"),
    "UTF-16": ('{"reasons": "x"}'.encode("utf-16"), "application/json", "not UTF-8"),
    "malformed JSON": (b'{"reasons": "x",}', "application/json", "not valid JSON"),
    "truncated JSON": (b'{"reasons": ', "application/json", "not valid JSON"),
    "a JSON array": (b"[1, 2]", "application/json", "must be a JSON object"),
    "a JSON string": (b'"x"', "application/json", "must be a JSON object"),
    "JSON null": (b"null", "application/json", "must be a JSON object"),
    "no body": (b"", "application/json", "no body"),
    "nested too deep for the parser": (b"[" * 100_000, "application/json", "cannot be parsed as JSON"),
    "not sent as JSON": (b'{"reasons": "x"}', "text/plain", "must be a JSON object"),
}


@pytest.mark.parametrize("case", list(UNREADABLE))
async def test_an_unreadable_body_answers_400_unreadable_body_on_every_route(service: Service, case: str) -> None:
    content, content_type, says = UNREADABLE[case]
    wrong: list[str] = []
    async with service.client() as client:
        for route in service.body_routes():
            headers = {"Content-Type": content_type} if content_type else {}
            response = await client.request(_method(route), _path(route), content=content, headers=headers)
            body = response.json()
            if (response.status_code, body.get("type")) != (400, PROBLEM_BASE + "unreadable-body") or says not in body["detail"]:
                wrong.append(f"{route.name}: {response.status_code} {body}")
                continue
            assert response.headers["content-type"] == "application/problem+json"
            assert body["errors"] == [{"field": "body", "reason": body["detail"]}]
    assert wrong == []


def test_every_operation_documents_the_unreadable_body_problem(service: Service) -> None:
    document = service.app.openapi()
    undocumented = [
        f"{method.upper()} {path}"
        for path, operations in document["paths"].items()
        if path.startswith("/v1/")
        for method, operation in operations.items()
        if "application/problem+json" not in operation["responses"].get("400", {}).get("content", {})
    ]
    assert undocumented == []
    described = next(
        op["responses"]["400"]["content"]["application/problem+json"]["schema"]
        for ops in document["paths"].values()
        for op in ops.values()
        if "400" in op.get("responses", {})
    )
    schema = _resolve(described, document["components"]["schemas"])
    assert "`unreadable-body`" in schema["properties"]["type"]["description"]


# --- 3. one error per field ----------------------------------------------------------------------


async def test_an_empty_family_name_in_a_patch_is_one_error_on_family_name_with_the_reason() -> None:
    """``family_name`` may be left out of a patch but not sent as null (``X | SkipJsonSchema[None]``):
    an empty one was two errors, ``family_name.constrained-str`` and ``family_name.none``."""
    referral_service = Service("referral")
    async with referral_service.client() as client:
        response = await client.patch(f"/v1/children/{uuid.uuid4()}", json={"family_name": ""})
        several = await client.patch(
            f"/v1/children/{uuid.uuid4()}", json={"given_name": "", "sex": "Q", "disabilities": ["NONE", "X"]}
        )
    assert response.status_code == 422
    assert response.json()["errors"] == [{"field": "family_name", "reason": "String should have at least 1 character"}]
    assert response.json()["detail"] == "family_name: String should have at least 1 character"
    assert {e["field"]: e["reason"] for e in several.json()["errors"]} == {
        "given_name": "String should have at least 1 character",
        "sex": "Input should be 'M', 'F' or 'U'",
        "disabilities.1": several.json()["errors"][2]["reason"],
    }
    assert several.json()["errors"][2]["reason"].startswith("Input should be 'NONE'")


async def test_every_field_of_every_body_refused_for_its_type_is_one_error_on_that_field(service: Service) -> None:
    """Whatever a field's type (a nullable or leave-out-only one included), a value of the wrong
    JSON type is one error on the field: no union branch's tag in its place, no second error."""
    wrong: list[str] = []
    async with service.client() as client:
        for route in service.body_routes():
            model = _body_model(route)
            for name, field in model.model_fields.items():
                if _nested_model(field.annotation) is not None:
                    continue
                response = await client.request(_method(route), _path(route), json={name: {"an": "object"}})
                errors = _errors_on(response, name)
                if [e["field"] for e in errors] != [name] or "none" in errors[0]["reason"].lower().split():
                    wrong.append(f"{route.name}.{name}: {errors}")
    assert wrong == []
