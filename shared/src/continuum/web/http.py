"""HTTP plumbing every service's ``api.py`` shares: the API router, the unit of work and the
council's policy a route asks for, ETags and ``If-Match``, ``Idempotency-Key``, and the
documented problem responses."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import pydantic_core
from fastapi import APIRouter, Header, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from continuum.casework.policy import CouncilPolicy
from continuum.persistence.idempotency import Replayed
from continuum.persistence.uow import UnitOfWork
from continuum.web.auth import current_principal
from continuum.web.errors import PROBLEM_BASE, invalid
from continuum.web.permissions import AuthorizedRoute, operation_id

if TYPE_CHECKING:  # the app imports the kernel's own routes, which use this module
    from continuum.web.app import Runtime

#: The problem types every service may answer (``type`` is ``PROBLEM_BASE`` + one of these);
#: services add their own for the conflicts of their records, documented on their routes.
PROBLEM_TYPES: dict[str, str] = {
    "unreadable-body": "400: the body is not a JSON object in UTF-8 (not UTF-8, not JSON, empty, or an array or other value)",
    "unauthorized": "401: no valid bearer token, or a claim is malformed, or another council's",
    "forbidden": "403: the permission table does not grant your role this operation",
    "not-sw-qualified": "403: a social-work-qualified manager must do this",
    "not-found": "404: no such record, or not visible to you (the answer never says which)",
    "possible-match": "409: a registered child has the same name and date of birth; see `candidates`",
    "identity-conflict": "409: a registered child has this NHS number or UPN with another identity; see `candidates`",
    "front-door-review": "409: the child may already be registered; the front door must review it",
    "stale-version": "412: If-Match names an older version; read the record again",
    "body-too-large": "413: the request body is over the limit",
    "validation-error": "422: bad input; `errors` names each field and why",
    "idempotency-key-reused": "422: this Idempotency-Key was used with another body",
    "unstorable-value": "422: a value the database cannot store",
    "if-match-required": "428: send If-Match with the version you read",
    "too-many-reads": "429: your budget of child-record reads is spent; see Retry-After",
    "internal-error": "500: something went wrong; the request id names it in the logs",
    "database-unavailable": "503: the service cannot reach its database; nothing was done, try again after Retry-After",
}

#: RFC 9457 problem details as every error is answered (``application/problem+json``).
PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "Problem",
    "type": "object",
    "required": ["type", "title", "status"],
    "properties": {
        "type": {
            "type": "string",
            "format": "uri",
            "description": "Stable problem type: " + "; ".join(f"`{slug}` ({text})" for slug, text in PROBLEM_TYPES.items()),
            "examples": [PROBLEM_BASE + "validation-error"],
        },
        "title": {"type": "string", "description": "Short, human-readable summary of the problem type"},
        "status": {"type": "integer", "description": "The HTTP status code"},
        "detail": {"type": "string", "description": "What went wrong with this request"},
        "instance": {"type": "string", "description": "The request path"},
        "errors": {
            "type": "array",
            "description": "Each field at fault and why (bad input, conflicts)",
            "items": {
                "type": "object",
                "required": ["field", "reason"],
                "properties": {
                    "field": {"type": "string", "description": "Dotted path of the field in the request, or a header name"},
                    "reason": {"type": "string", "description": "Why it is refused"},
                },
            },
        },
        "candidates": {
            "type": "array",
            "description": "possible-match and identity-conflict only, and only for the front door: the registered children",
            "items": {"type": "object"},
        },
    },
}


def _problem(description: str, **headers: str) -> dict[str, Any]:
    response: dict[str, Any] = {"description": description, "content": {"application/problem+json": {"schema": PROBLEM_SCHEMA}}}
    if headers:
        response["headers"] = {name: {"description": text, "schema": {"type": "string"}} for name, text in headers.items()}
    return response


#: The error answers every endpoint may give, for OpenAPI (``responses=PROBLEM_RESPONSES``).
PROBLEM_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: _problem("The body cannot be read: not a JSON object in UTF-8 (`unreadable-body`)"),
    401: _problem("No valid bearer token", **{"WWW-Authenticate": "Bearer"}),
    403: _problem("Your role may not do this (or a social-work-qualified manager must)"),
    404: _problem("Not found, or not visible to you"),
    409: _problem("Conflicts with the record's state"),
    412: _problem("If-Match does not match the current version", ETag="The current version"),
    413: _problem("The request body is over the limit"),
    422: _problem("Bad input: the errors list names each field and why"),
    428: _problem("Send If-Match with the version you read"),
    429: _problem("Your budget of child-record reads is spent", **{"Retry-After": "Seconds to wait"}),
}

#: The ETag header of an answer that carries a versioned record (for ``responses=``).
ETAG_HEADER = {"ETag": {"description": 'The record\'s version, for the next If-Match: "3"', "schema": {"type": "string"}}}


def api_router() -> APIRouter:
    """A service's API router: its routes live under ``/v1`` and each checks the caller and its
    permission before anything else (:class:`continuum.web.permissions.AuthorizedRoute`)."""
    return APIRouter(prefix="/v1", route_class=AuthorizedRoute, generate_unique_id_function=operation_id)


# What a route needs of the kernel it asks for with the request, not as FastAPI dependencies:
# FastAPI solves every dependency of every request anew, and each cost more CPU than the work it
# did (decision 33). ``AuthorizedRoute`` has checked the caller before the route runs.


def unit_of_work(request: Request) -> UnitOfWork:
    """A unit of work acting for the caller that ``authorize`` authenticated, carrying the
    request id and trace."""
    runtime: Runtime = request.app.state.runtime
    return runtime.unit_of_work(current_principal(request), request)


def council_policy(request: Request) -> CouncilPolicy:
    """The council's policy (calendar, timescales, read budget) this service was built with."""
    runtime: Runtime = request.app.state.runtime
    if runtime.policy is None:
        raise RuntimeError("this service was built without a council policy")
    return runtime.policy


#: Required on every change of an existing record (a missing one answers 428, a stale one 412).
IfMatch = Annotated[str, Header(alias="If-Match", description='The version you read, as its ETag: "3" (required)')]

_IDEMPOTENCY_KEY_LENGTH = 200
_IDEMPOTENCY_KEY_DESCRIPTION = "Repeat a request safely: same key, same body, same answer"
#: A create route that takes an ``Idempotency-Key`` says so with ``openapi_extra=IDEMPOTENT`` and
#: reads it with :func:`idempotency_key`. Not a header parameter: FastAPI's handling of one (its
#: annotation inspected and a validator run on every request) cost the referral intake 12 µs, a
#: tenth of its framework path (decision 33). The document says what the parameter said.
IDEMPOTENT: dict[str, Any] = {
    "parameters": [
        {
            "description": _IDEMPOTENCY_KEY_DESCRIPTION,
            "in": "header",
            "name": "Idempotency-Key",
            "required": False,
            "schema": {
                "anyOf": [{"maxLength": _IDEMPOTENCY_KEY_LENGTH, "type": "string"}, {"type": "null"}],
                "description": _IDEMPOTENCY_KEY_DESCRIPTION,
                "title": "Idempotency-Key",
            },
        }
    ]
}


def idempotency_key(request: Request) -> str | None:
    """The request's ``Idempotency-Key`` (at most 200 characters, else 422), if it sent one."""
    key = request.headers.get("idempotency-key")
    if key is not None and len(key) > _IDEMPOTENCY_KEY_LENGTH:
        raise invalid("header.Idempotency-Key", f"String should have at most {_IDEMPOTENCY_KEY_LENGTH} characters")
    return key


#: A list's keyset page: where the previous page ended, and how many items at most.
Cursor = Annotated[str | None, Query(max_length=200, description="next_cursor from the previous page")]
Limit = Annotated[int, Query(ge=1, le=200, description="At most this many items")]


def versioned_answer(description: str, status: int = 200) -> dict[int | str, dict[str, Any]]:
    """The documented answers of a route that answers a versioned record: ``status`` with its
    ETag, and the problems."""
    return {status: {"description": description, "headers": ETAG_HEADER}, **PROBLEM_RESPONSES}


#: Versions are PostgreSQL integers: no record has a larger one.
MAX_VERSION = 2**31 - 1


def expected_version(if_match: str | None) -> int | None:
    """The version an ``If-Match`` ETag names: ``"3"`` (or ``W/"3"``) is 3."""
    if if_match is None:
        return None
    raw = if_match.removeprefix("W/").strip().strip('"')
    # ASCII digits only: str.isdigit() also accepts "²", which int() refuses. At most ten of them,
    # so int() never meets more than the 4300 digits it refuses, and the number fits the column.
    if not (raw.isascii() and raw.isdigit()):
        raise invalid("If-Match", 'send the ETag you read, e.g. "3"')
    if len(raw) > len(str(MAX_VERSION)) or int(raw) > MAX_VERSION:
        raise invalid("If-Match", f"is not a version this API gave out (at most {MAX_VERSION})")
    return int(raw)


def required_version(if_match: str) -> int:
    """The version a required ``If-Match`` names (its absence answered 428 before the route ran)."""
    version = expected_version(if_match)
    assert version is not None
    return version


class JSONAnswer(JSONResponse):
    """A JSON answer rendered by pydantic-core: the same compact UTF-8 JSON as Starlette's
    ``json.dumps``, in a quarter of the time."""

    def render(self, content: Any) -> bytes:
        return pydantic_core.to_json(content)


def with_etag(body: Any, version: int, status_code: int = 200) -> JSONResponse:
    """A JSON answer carrying the record's version as its ETag, for the next If-Match."""
    return JSONAnswer(body, status_code=status_code, headers={"ETag": f'"{version}"'})


R = TypeVar("R")


def answer(result: R | Replayed, view: Callable[[R], BaseModel | Mapping[str, Any]], *, status: int = 200) -> JSONResponse:
    """The route's answer to a use case's result: ``view(result)`` as JSON, or a replayed
    Idempotency-Key's body as it was stored; ``status`` is the route's either way (``201`` for a
    create). A body with a ``version`` carries it as the ETag, for the next If-Match."""
    if isinstance(result, Replayed):
        body: Any = result.body
    else:
        shown = view(result)
        body = shown.model_dump(mode="json") if isinstance(shown, BaseModel) else dict(shown)
    version = body.get("version")
    if isinstance(version, int) and not isinstance(version, bool):
        return with_etag(body, version, status)
    return JSONAnswer(body, status_code=status)
