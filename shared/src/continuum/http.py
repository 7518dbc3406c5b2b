"""HTTP plumbing every service's ``api.py`` shares: the unit-of-work and policy dependencies,
ETags and ``If-Match``, ``Idempotency-Key``, and the documented problem responses."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Header, Request
from fastapi.responses import JSONResponse

from continuum.auth import CurrentPrincipal
from continuum.errors import invalid
from continuum.policy import CouncilPolicy
from continuum.service_app import RuntimeDep
from continuum.uow import UnitOfWork

#: The error answers every endpoint may give, for OpenAPI (``responses=PROBLEM_RESPONSES``).
PROBLEM_RESPONSES: dict[int | str, dict[str, Any]] = {
    code: {"description": text, "content": {"application/problem+json": {}}}
    for code, text in {
        401: "No valid bearer token",
        403: "Your role may not do this (or a social-work-qualified manager must)",
        404: "Not found, or not visible to you",
        409: "Conflicts with the record's state",
        412: "If-Match does not match the current version",
        422: "Bad input: the errors list names each field and why",
        428: "Send If-Match with the version you read",
    }.items()
}


def unit_of_work(runtime: RuntimeDep, principal: CurrentPrincipal, request: Request) -> UnitOfWork:
    """A unit of work acting for the authenticated caller, carrying the request id and trace."""
    return runtime.unit_of_work(principal, request)


def council_policy(runtime: RuntimeDep) -> CouncilPolicy:
    if runtime.policy is None:
        raise RuntimeError("this service was built without a council policy")
    return runtime.policy


UnitOfWorkDep = Annotated[UnitOfWork, Depends(unit_of_work)]
PolicyDep = Annotated[CouncilPolicy, Depends(council_policy)]
IfMatch = Annotated[str | None, Header(alias="If-Match", description='The version you read, as its ETag: "3"')]
IdempotencyKey = Annotated[
    str | None,
    Header(alias="Idempotency-Key", max_length=200, description="Repeat a request safely: same key, same body, same answer"),
]


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


def with_etag(body: Any, version: int, status_code: int = 200) -> JSONResponse:
    """A JSON answer carrying the record's version as its ETag, for the next If-Match."""
    return JSONResponse(body, status_code=status_code, headers={"ETag": f'"{version}"'})
