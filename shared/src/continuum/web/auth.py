"""Who is calling: bearer JWT verification, roles, teams and the social-work qualification.

Production verifies tokens from the council's OpenID Connect provider (JWKS, RS256/ES256); dev and
tests use a locally held HMAC key that ``continuum token`` signs with.
"""

from __future__ import annotations

import time
from typing import Annotated, Any

import jwt
from fastapi import Request
from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictFloat, StrictStr, ValidationError

from continuum.casework.policy import TEAM_PATTERN, load_policy
from continuum.casework.principal import Principal, Role
from continuum.settings import ServiceSettings
from continuum.web.errors import Problem


def unauthorized(detail: str) -> Problem:
    return Problem(
        401,
        "unauthorized",
        "Authentication required",
        detail=detail,
        headers={"WWW-Authenticate": "Bearer"},
    )


Sub = Annotated[StrictStr, Field(min_length=1, max_length=200)]
TeamId = Annotated[StrictStr, Field(max_length=50, pattern=TEAM_PATTERN)]


class Claims(BaseModel):
    """What a token must say, checked strictly: a claim of the wrong type is refused, never coerced
    (``"teams": "north"`` is not four teams, ``"sw_qualified": "false"`` is not qualified)."""

    model_config = ConfigDict(extra="ignore", hide_input_in_errors=True)

    sub: Sub
    name: Annotated[StrictStr, Field(max_length=200)] | None = None
    # Lax only so that the JSON strings become Role members; anything but a known role is refused.
    roles: list[Role] = Field(max_length=20)
    teams: list[TeamId] = Field(default_factory=list, max_length=100)
    sw_qualified: StrictBool = False
    org: Annotated[StrictStr, Field(min_length=1, max_length=20)]
    exp: StrictFloat  # a JSON number (an int is accepted); PyJWT has checked it is in the future


def _jwt_detail(exc: jwt.PyJWTError) -> str:
    """Why a token was refused, in words that never repeat what the token (or its header) said."""
    if isinstance(exc, jwt.ExpiredSignatureError):
        return "invalid token: it has expired"
    if isinstance(exc, jwt.ImmatureSignatureError):
        return "invalid token: it is not valid yet"
    if isinstance(exc, jwt.InvalidAudienceError):
        return "invalid token: wrong audience"
    if isinstance(exc, jwt.InvalidIssuerError):
        return "invalid token: wrong issuer"
    if isinstance(exc, jwt.MissingRequiredClaimError):
        return f"invalid token: it has no {exc.claim} claim"
    if isinstance(exc, jwt.InvalidSignatureError):
        return "invalid token: the signature does not verify"
    return "invalid token: it cannot be decoded or verified"


class TokenVerifier:
    """Verifies bearer tokens. A verified token is remembered until it expires (at most
    ``CACHE_SIZE`` of them), since an integrating system sends the same token many times.

    ``council`` is the council's code (``la_code`` of its policy); a token whose ``org`` is not it is
    refused. Without it, the code comes from the policy file the settings name."""

    CACHE_SIZE = 4096

    def __init__(self, settings: ServiceSettings, *, council: str | None = None) -> None:
        self._settings = settings
        self._council = council if council is not None else load_policy(settings.policy_file).la_code
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
                key, algorithms = s.jwt_secret.get_secret_value(), ["HS256"]
            raw = jwt.decode(
                token,
                key,
                algorithms=algorithms,
                audience=s.jwt_audience,
                issuer=s.jwt_issuer,
                options={"require": ["sub", "exp", "roles", "org"]},
            )
        except jwt.PyJWTError as exc:
            raise unauthorized(_jwt_detail(exc)) from exc
        try:
            claims = Claims.model_validate(raw)
        except ValidationError as exc:
            # Name the claims, never their values.
            names = sorted({str(e["loc"][0]) for e in exc.errors(include_input=False) if e["loc"]})
            raise unauthorized(f"invalid token: malformed claim(s): {', '.join(names) or 'payload'}") from None
        if claims.org != self._council:
            raise unauthorized("invalid token: it was issued for another council")
        principal = Principal(
            sub=claims.sub,
            name=claims.name or claims.sub,
            roles=frozenset(claims.roles),
            teams=frozenset(claims.teams),
            sw_qualified=claims.sw_qualified,
            org=claims.org,
        )
        return principal, claims.exp


def mint_dev_token(
    settings: ServiceSettings,
    *,
    sub: str,
    roles: list[str],
    teams: list[str] | None = None,
    sw_qualified: bool = False,
    name: str | None = None,
    org: str | None = None,
    ttl_seconds: int = 12 * 3600,
) -> str:
    """A token signed with the local key, for `continuum token`, the README and the tests. Its
    ``org`` is, unless given, the code of the council whose policy file the settings name."""
    now = int(time.time())
    if org is None:
        org = load_policy(settings.policy_file).la_code
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
    return jwt.encode(claims, settings.jwt_secret.get_secret_value(), algorithm="HS256")


#: How OpenAPI names the bearer scheme every ``/v1`` operation requires (``build_app`` documents it).
BEARER_SCHEME = {"HTTPBearer": {"type": "http", "scheme": "bearer"}}


def bearer_token(request: Request) -> str | None:
    """The token of an ``Authorization: Bearer <token>`` header (the scheme in any case), else
    ``None``. Read here rather than through FastAPI's ``HTTPBearer`` dependency: each dependency
    FastAPI solves costs more per request than reading the header."""
    scheme, _, token = (request.headers.get("authorization") or "").partition(" ")
    return token if scheme.lower() == "bearer" and token else None


def authenticate(request: Request) -> Principal:
    """The caller the bearer token names (401 without a valid one); kept on the request's state
    for the request log and the unit of work."""
    token = bearer_token(request)
    if token is None:
        raise unauthorized("send a bearer token in the Authorization header")
    verifier: TokenVerifier = request.app.state.token_verifier
    principal = verifier.verify(token)
    request.state.principal = principal
    return principal


def current_principal(request: Request) -> Principal:
    """The caller :func:`continuum.web.permissions.authorize` authenticated for this request. Every
    API route runs behind it (``build_app`` puts it on every router), so a route that reaches here
    without it is a wiring mistake, not a caller's."""
    principal: Principal | None = getattr(request.state, "principal", None)
    if principal is None:
        raise RuntimeError("this route is not behind authorize(): no authenticated principal")
    return principal


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
