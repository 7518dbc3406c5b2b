"""Who is calling: bearer JWT verification, roles, teams and the social-work qualification.

Production verifies tokens from the council's OpenID Connect provider (JWKS, RS256/ES256); dev and
tests use a locally held HMAC key that ``continuum token`` signs with.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated, Any

import jwt
from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from continuum.errors import Problem
from continuum.settings import ServiceSettings


class Role(StrEnum):
    FRONT_DOOR = "front_door"
    PRACTITIONER = "practitioner"
    MANAGER = "manager"
    EARLY_HELP = "early_help"
    AUDITOR = "auditor"
    ADMIN = "admin"
    SERVICE = "service"


@dataclass(frozen=True)
class Principal:
    sub: str
    name: str
    roles: frozenset[Role]
    teams: frozenset[str]
    sw_qualified: bool
    org: str

    def has(self, *roles: Role) -> bool:
        return bool(self.roles.intersection(roles))

    @property
    def sees_all_teams(self) -> bool:
        """Auditors (read-only), admins and other services see every team's cases."""
        return self.has(Role.AUDITOR, Role.ADMIN, Role.SERVICE)

    def can_see_team(self, team: str | None) -> bool:
        if self.sees_all_teams:
            return True
        return team is not None and team in self.teams


def unauthorized(detail: str) -> Problem:
    return Problem(
        401,
        "unauthorized",
        "Authentication required",
        detail=detail,
        headers={"WWW-Authenticate": "Bearer"},
    )


class TokenVerifier:
    """Verifies bearer tokens. A verified token is remembered until it expires (at most
    ``CACHE_SIZE`` of them), since an integrating system sends the same token many times."""

    CACHE_SIZE = 4096

    def __init__(self, settings: ServiceSettings) -> None:
        self._settings = settings
        self._jwks = jwt.PyJWKClient(settings.jwt_jwks_url) if settings.jwt_jwks_url else None
        self._verified: dict[str, tuple[float, Principal]] = {}

    def verify(self, token: str) -> Principal:
        cached = self._verified.get(token)
        if cached is not None and cached[0] > time.time():
            return cached[1]
        principal, expires = self._decode(token)
        if len(self._verified) >= self.CACHE_SIZE:
            self._verified.clear()
        self._verified[token] = (expires, principal)
        return principal

    def _decode(self, token: str) -> tuple[Principal, float]:
        s = self._settings
        try:
            if self._jwks is not None:
                key: Any = self._jwks.get_signing_key_from_jwt(token).key
                algorithms = ["RS256", "ES256"]
            else:
                key, algorithms = s.jwt_secret, ["HS256"]
            claims = jwt.decode(
                token,
                key,
                algorithms=algorithms,
                audience=s.jwt_audience,
                issuer=s.jwt_issuer,
                options={"require": ["sub", "exp", "roles"]},
            )
        except jwt.PyJWTError as exc:
            raise unauthorized(f"invalid token: {exc}") from exc
        try:
            roles = frozenset(Role(r) for r in claims.get("roles", []))
        except ValueError as exc:
            raise unauthorized(f"invalid token: {exc}") from exc
        principal = Principal(
            sub=str(claims["sub"]),
            name=str(claims.get("name", claims["sub"])),
            roles=roles,
            teams=frozenset(str(t) for t in claims.get("teams", [])),
            sw_qualified=bool(claims.get("sw_qualified", False)),
            org=str(claims.get("org", "")),
        )
        return principal, float(claims["exp"])


def mint_dev_token(
    settings: ServiceSettings,
    *,
    sub: str,
    roles: list[str],
    teams: list[str] | None = None,
    sw_qualified: bool = False,
    name: str | None = None,
    org: str = "999",
    ttl_seconds: int = 12 * 3600,
) -> str:
    """A token signed with the local key, for `continuum token`, the README and the tests."""
    now = int(time.time())
    claims = {
        "sub": sub,
        "name": name or sub,
        "roles": roles,
        "teams": teams or [],
        "sw_qualified": sw_qualified,
        "org": org,
        "iss": settings.jwt_issuer,
        "aud": settings.jwt_audience,
        "iat": now,
        "exp": now + ttl_seconds,
    }
    return jwt.encode(claims, settings.jwt_secret, algorithm="HS256")


_bearer = HTTPBearer(auto_error=False)


async def authenticate(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    if credentials is None:
        raise unauthorized("send a bearer token in the Authorization header")
    verifier: TokenVerifier = request.app.state.token_verifier
    principal = verifier.verify(credentials.credentials)
    request.state.principal = principal
    return principal


CurrentPrincipal = Annotated[Principal, Depends(authenticate)]


def require_role(principal: Principal, *roles: Role, action: str) -> None:
    """403 unless the caller holds one of ``roles``."""
    if not principal.has(*roles):
        wanted = ", ".join(sorted(r.value for r in roles))
        raise Problem(403, "forbidden", "You may not do this", detail=f"{action} needs one of: {wanted}")


def require_sw_qualified_manager(principal: Principal, *, action: str) -> None:
    """Guidance reserves some decisions for a social-work-qualified manager."""
    require_role(principal, Role.MANAGER, action=action)
    if not principal.sw_qualified:
        raise Problem(
            403,
            "not-sw-qualified",
            "A social-work-qualified manager must do this",
            detail=f"{action} is reserved for a social-work-qualified manager",
        )
