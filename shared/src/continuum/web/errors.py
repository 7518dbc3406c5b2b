"""RFC 9457 problem details: every error a client sees is ``application/problem+json``.

Errors carry their HTTP status (polar's habit), a stable ``type`` URI and, for bad input, the
fields at fault and why, so an integrating council system can show the user what to fix.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError
from starlette.exceptions import HTTPException as StarletteHTTPException

from continuum.casework.errors import (
    Conflict,
    DomainError,
    Exhausted,
    FieldError,
    Invalid,
    NotFound,
    Refused,
    StaleVersion,
)
from continuum.persistence.db import DatabaseUnavailable

PROBLEM_JSON = "application/problem+json"
#: What a 503 ``database-unavailable`` tells the caller to wait before trying again.
DATABASE_RETRY_AFTER_SECONDS = 5
PROBLEM_BASE = "https://continuum.example/problems/"

log = logging.getLogger("continuum.web.errors")


@dataclass
class Problem(Exception):
    """An error the API reports to the caller. Raise it from services; the handler renders it."""

    status: int
    slug: str
    title: str
    detail: str | None = None
    errors: list[FieldError] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)
    #: Extension members of the problem (RFC 9457 section 3.2), e.g. a 409's structured candidates.
    extensions: dict[str, Any] = field(default_factory=dict)

    def body(self, instance: str | None = None) -> dict[str, Any]:
        body: dict[str, Any] = {
            "type": PROBLEM_BASE + self.slug,
            "title": self.title,
            "status": self.status,
        }
        if self.detail:
            body["detail"] = self.detail
        if instance:
            body["instance"] = instance
        if self.errors:
            body["errors"] = [{"field": e.field, "reason": e.reason} for e in self.errors]
        return body | self.extensions


#: The one table from a domain error's class to the status its problem answers with; the most
#: specific class that an error is an instance of decides.
PROBLEM_STATUS: dict[type[DomainError], int] = {
    Invalid: 422,
    Refused: 403,
    NotFound: 404,
    Conflict: 409,
    Exhausted: 429,
    StaleVersion: 412,
    DomainError: 422,
}


def problem_for(error: DomainError) -> Problem:
    """The problem+json answer to a domain error, by :data:`PROBLEM_STATUS`."""
    status = next(PROBLEM_STATUS[cls] for cls in type(error).__mro__ if cls in PROBLEM_STATUS)
    headers: dict[str, str] = {}
    if isinstance(error, Exhausted):
        headers["Retry-After"] = str(error.retry_after)
    elif isinstance(error, StaleVersion):
        headers["ETag"] = f'"{error.current}"'  # the version to read again, as a GET answers it
    return Problem(
        status,
        error.slug,
        error.title,
        detail=error.detail,
        errors=error.errors,
        headers=headers,
        extensions=dict(error.extensions),
    )


def invalid(field_name: str, reason: str) -> Problem:
    """A 422 for one field of the request that breaks a rule."""
    return Problem(
        422,
        "validation-error",
        "The request is not valid",
        detail=f"{field_name}: {reason}",
        errors=[FieldError(field_name, reason)],
    )


def unreadable_body(detail: str) -> Problem:
    """A 400 for a body that is not a JSON object in UTF-8: not UTF-8, not JSON, empty, or JSON
    of another kind (an array, a string) where the operation takes an object. ``detail`` says
    which; it never echoes the body."""
    return Problem(400, "unreadable-body", "The request body cannot be read", detail=detail, errors=[FieldError("body", detail)])


def not_found(what: str) -> Problem:
    return Problem(404, "not-found", f"{what} not found")


def forbidden(reason: str) -> Problem:
    return Problem(403, "forbidden", "You may not do this", detail=reason)


def conflict(slug: str, title: str, detail: str) -> Problem:
    return Problem(409, slug, title, detail=detail)


def if_match_required() -> Problem:
    return Problem(
        428, "if-match-required", "Send If-Match with the version you read", errors=[FieldError("If-Match", "required")]
    )


def check_version(current: int, expected: int | None, *, required: bool = True) -> None:
    """Optimistic concurrency: 412 when If-Match names another version than ``current``; 428 when
    If-Match is ``required`` (every change of an existing record) and missing."""
    if expected is None:
        if required:
            raise if_match_required()
        return
    if expected != current:
        raise precondition_failed(current)


def precondition_failed(current_version: int) -> Problem:
    return Problem(
        412,
        "stale-version",
        "The record changed since you read it",
        detail=f"If-Match does not match the current version {current_version}; read it again",
        errors=[FieldError("If-Match", f"current version is {current_version}")],
        headers={"ETag": f'"{current_version}"'},
    )


def _location(loc: tuple[Any, ...] | list[Any]) -> str:
    """A validation error's place as the API names it: ``child.family_name``, ``disabilities.0``,
    ``query.limit`` (FastAPI's leading ``body`` dropped; the whole body is ``body``)."""
    parts = [str(p) for p in (loc[1:] if loc and loc[0] == "body" else loc)]
    return ".".join(parts) if parts else "body"


#: FastAPI's errors for a body that is no JSON object at all (loc ``("body",)``): absent or
#: null, and JSON of another kind. Other errors there (a model's own check) are about the content.
_NOT_AN_OBJECT = frozenset({"model_attributes_type", "model_type", "dict_type"})


def _unreadable(errors: Sequence[Mapping[str, Any]]) -> str | None:
    """Why the body cannot be read, when one of FastAPI's validation errors says it cannot."""
    for error in errors:
        loc = tuple(error["loc"])
        if error["type"] == "json_invalid":
            # json's own message ("Expecting ',' delimiter") and the offset: never the body itself.
            where = f" at character {loc[1]}" if len(loc) > 1 else ""
            reason = (error.get("ctx") or {}).get("error", "malformed")
            return f"the body is not valid JSON ({reason}{where})"
        if loc == ("body",) and error["type"] == "missing":
            return "the request has no body: send a JSON object"
        if loc == ("body",) and error["type"] in _NOT_AN_OBJECT:
            return "the body must be a JSON object, sent as Content-Type: application/json"
    return None


def field_errors(errors: Sequence[Mapping[str, Any]]) -> list[FieldError]:
    """Pydantic's validation errors as the fields at fault, one error per field.

    A field that may be left out but not sent as null is typed ``X | SkipJsonSchema[None]``
    (a union, not pydantic's nullable): a bad value fails both branches, and pydantic reports
    each with the branch's tag in its place (``family_name.constrained-str`` "at least 1
    character", ``family_name.none`` "Input should be None"). The ``none`` branch is never the
    reason (the value was not null), so it is dropped, and the other branches' tags are taken out
    of their places: one error on ``family_name`` with the real reason. Any union with a ``none``
    branch folds so, at any depth, whatever the field. Errors left on one place are joined."""
    unions = {tuple(e["loc"][:-1]) for e in errors if e["type"] == "none_required" and e["loc"] and e["loc"][-1] == "none"}
    reasons: dict[str, list[str]] = {}
    for error in errors:
        loc = tuple(error["loc"])
        if error["type"] == "none_required" and loc[:-1] in unions and loc[-1] == "none":
            continue
        # The branch tag follows each union's place in this error's location.
        tags = {len(prefix) for prefix in unions if loc[: len(prefix)] == prefix and len(loc) > len(prefix)}
        place = _location([part for index, part in enumerate(loc) if index not in tags])
        # Pydantic messages never echo the input value here: it may be a child's name.
        if error["msg"] not in reasons.setdefault(place, []):
            reasons[place].append(error["msg"])
    return [FieldError(place, " or ".join(texts)) for place, texts in reasons.items()]


def problem_response(problem: Problem, request: Request) -> JSONResponse:
    return JSONResponse(
        problem.body(instance=request.url.path),
        status_code=problem.status,
        media_type=PROBLEM_JSON,
        headers=problem.headers or None,
    )


def install_problem_handlers(app: FastAPI) -> None:
    """Render every error as problem+json: ours, FastAPI's validation errors and Starlette's."""

    async def on_problem(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, Problem)
        return problem_response(exc, request)

    async def on_domain_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, DomainError)
        return problem_response(problem_for(exc), request)

    async def on_validation(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RequestValidationError)
        if any(tuple(e["loc"]) == ("header", "If-Match") and e["type"] == "missing" for e in exc.errors()):
            # Every change of an existing record says which version it changes: 428, not 422.
            return problem_response(if_match_required(), request)
        unreadable = _unreadable(exc.errors())
        if unreadable is not None:
            return problem_response(unreadable_body(unreadable), request)
        errors = field_errors(exc.errors())
        problem = Problem(
            422,
            "validation-error",
            "The request is not valid",
            detail="; ".join(f"{e.field}: {e.reason}" for e in errors),
            errors=errors,
        )
        return problem_response(problem, request)

    async def on_http(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, StarletteHTTPException)
        if exc.status_code == 400:
            # FastAPI's answer to a body its JSON parser gave up on (nested too deep for it): the
            # services raise their own problems, so a 400 from the framework is about the body.
            return problem_response(unreadable_body("the body cannot be parsed as JSON"), request)
        problem = Problem(exc.status_code, f"http-{exc.status_code}", str(exc.detail))
        problem.headers = dict(exc.headers or {})
        return problem_response(problem, request)

    async def on_database_error(request: Request, exc: Exception) -> JSONResponse:
        if isinstance(exc, DatabaseUnavailable):
            # Nothing was done and nothing is wrong with the request: the caller may try again.
            log.warning("database unavailable", extra={"path": request.url.path})
            problem = Problem(503, "database-unavailable", "The service cannot reach its database; try again shortly")
            problem.headers = {"Retry-After": str(DATABASE_RETRY_AFTER_SECONDS)}
            return problem_response(problem, request)
        # Class 22 is "data exception": a value the database cannot store (a NUL character, a
        # number out of range). Everything was rolled back, so it is the caller's bad input.
        sqlstate = str(getattr(getattr(exc, "orig", None), "sqlstate", "") or "")
        if sqlstate.startswith("22"):
            problem = Problem(422, "unstorable-value", "A value in the request cannot be stored", detail=f"SQLSTATE {sqlstate}")
            return problem_response(problem, request)
        return await on_unexpected(request, exc)

    async def on_unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error", extra={"path": request.url.path})
        return problem_response(Problem(500, "internal-error", "Something went wrong"), request)

    app.add_exception_handler(Problem, on_problem)
    app.add_exception_handler(DomainError, on_domain_error)
    app.add_exception_handler(RequestValidationError, on_validation)
    app.add_exception_handler(StarletteHTTPException, on_http)
    app.add_exception_handler(DBAPIError, on_database_error)
    app.add_exception_handler(Exception, on_unexpected)
