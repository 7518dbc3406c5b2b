"""Who may call what: one permission table per service, role by operation.

Every route of a service's API names its operation (its OpenAPI ``operationId``, the route
function's name) and the service's table says which roles may call it. The table is the one
place a service's function-level access lives (OWASP API5): ``build_app`` refuses to start when a
route has no entry or is not an :class:`AuthorizedRoute`, whose :func:`authorize` answers 403 to a
role that the table does not grant. A 403 on a route that carries a child's record is audited, like
every other refusal of a child's record. Object-level checks (which team's child) stay in the use
cases, which know the record.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Mapping
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI, Request, Response
from fastapi.routing import APIRoute

from continuum.casework.principal import Principal, Role
from continuum.web.auth import authenticate
from continuum.web.errors import Problem
from continuum.web.requests import check_body_is_utf8

#: Every role; ``grant(*EVERY_ROLE)`` is spelled out rather than implied by a missing entry.
EVERY_ROLE = tuple(Role)


@dataclass(frozen=True)
class Permission:
    """The roles that may call one operation, and the kind of child's record it carries (if any):
    ``record`` is the audit subject type of a refusal, ``None`` for operations that carry no
    child's record (aggregate measures)."""

    roles: frozenset[Role]
    record: str | None = None

    def allows(self, principal: Principal) -> bool:
        return bool(principal.roles & self.roles)


def grant(*roles: Role, record: str | None = None) -> Permission:
    return Permission(frozenset(roles), record)


#: The kernel's own operations, which ``build_app`` serves in every service: each service's table
#: carries them, so its permission walk covers them like its own. ``event_history`` (``GET
#: /v1/history``, decision 53): the service's events whole, for a rebuild of insight's read model.
KERNEL_PERMISSIONS: dict[str, Permission] = {
    "event_history": grant(Role.ADMIN, Role.SERVICE, record="history"),
}


class PermissionTable:
    """A service's role-by-operation table: its own entries and the kernel's (:data:`KERNEL_PERMISSIONS`)."""

    def __init__(self, service: str, entries: Mapping[str, Permission]) -> None:
        clash = sorted(set(entries) & set(KERNEL_PERMISSIONS))
        if clash:
            raise ValueError(f"the {service} permission table names the kernel's own operations {clash}")
        self.service = service
        self.entries = dict(entries) | KERNEL_PERMISSIONS

    def __getitem__(self, operation: str) -> Permission:
        return self.entries[operation]

    def operations(self) -> set[str]:
        return set(self.entries)

    def check_covers(self, app: FastAPI) -> None:
        """Refuse to start with a route the table does not mention, or an entry for no route."""
        routes = set(api_operations(app))
        missing, stale = routes - self.operations(), self.operations() - routes
        if missing or stale:
            raise RuntimeError(
                f"the {self.service} permission table must name every route exactly: "
                f"missing {sorted(missing)}, no such route {sorted(stale)}"
            )


def api_operations(app: FastAPI) -> dict[str, tuple[str, str]]:
    """The API's operations (everything under ``/v1``: not health, metrics or the documentation)
    as ``operationId -> (method, path)``, read from the OpenAPI document that integrators see."""
    operations: dict[str, tuple[str, str]] = {}
    for path, methods in app.openapi()["paths"].items():
        if path.startswith("/v1/"):
            for method, operation in methods.items():
                operations[operation["operationId"]] = (method.upper(), path)
    return operations


def operation_id(route: APIRoute) -> str:
    """Each route's OpenAPI ``operationId`` is its function's name: stable, readable, unique."""
    return route.name


def _subject_id(request: Request) -> str:
    """The record a refused call aimed at: the first ``*_id`` path parameter, else the collection."""
    for name, value in request.path_params.items():
        if name.endswith("_id"):
            return str(value)
    return "-"


async def authorize(request: Request, operation: str) -> Principal:
    """The caller (401 without a valid token) and the permission of ``operation`` (the route's
    name), checked before anything else of the request is read; a 403 on a child's record is
    audited (who, which record, refused) in its own transaction."""
    return await check_permission(request, authenticate(request), operation)


async def check_permission(request: Request, principal: Principal, operation: str) -> Principal:
    """``principal`` if the permission table grants it ``operation``; else 403, a refusal of a
    child's record audited (who, which record, refused) in its own transaction. For a caller
    authenticated another way than by the bearer header (insight's dashboard: a session cookie),
    so its pages and downloads are refused and audited exactly as the API's operations are."""
    request.state.principal = principal
    table: PermissionTable = request.app.state.permissions
    permission = table[operation]
    if permission.allows(principal):
        return principal
    if permission.record is not None:
        runtime = request.app.state.runtime
        async with runtime.unit_of_work(principal, request) as uow:
            await uow.audit(
                f"{permission.record}.{operation}",
                subject_type=permission.record,
                subject_id=_subject_id(request),
                purpose="refused by role",
                outcome="refused",
            )
    wanted = ", ".join(sorted(r.value for r in permission.roles))
    raise Problem(403, "forbidden", "You may not do this", detail=f"this operation needs one of the roles: {wanted}")


class AuthorizedRoute(APIRoute):
    """A route of a service's API (``continuum.web.http.api_router`` makes them): the caller is
    authenticated and the route's permission checked before FastAPI reads anything else of the
    request (body, parameters, dependencies), so a refused caller learns nothing of what a valid
    request looks like. A route class rather than a dependency on every router: FastAPI solves each
    dependency of every request anew, which cost the referral intake about a twentieth of its CPU;
    ``build_app`` refuses to serve an API route of any other class. A route that takes a body
    then checks it is UTF-8 (:func:`continuum.web.requests.check_body_is_utf8`)."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handle = super().get_route_handler()
        operation = self.name
        takes_body = self.body_field is not None

        async def authorized(request: Request) -> Response:
            await authorize(request, operation)
            if takes_body:
                await check_body_is_utf8(request)
            return await handle(request)

        return authorized
