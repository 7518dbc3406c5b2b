"""The dashboard's session: the verified token in a cookie, read back through the API's
``TokenVerifier`` on every request, so a page knows its caller exactly as an API operation does.

The cookie is HttpOnly (no script reads it), SameSite=Lax (not sent with another site's requests
but a link followed to the dashboard), Secure (except over plain HTTP to the loopback in dev and
test, where ``make run`` serves), scoped to ``/dashboard`` and lasting as long as the token. The
pages change nothing (GET only); the two POSTs (dev sign-in and sign-out) check the Origin.
"""

from __future__ import annotations

import time
from typing import Any

import jwt
from fastapi import Request, Response

from continuum.casework.principal import Principal
from continuum.settings import Environment
from continuum.web.auth import TokenVerifier
from continuum.web.errors import Problem
from insight.settings import InsightSettings

COOKIE = "continuum_dashboard"
LOGIN_COOKIE = "continuum_dashboard_login"
PATH = "/dashboard"
#: Browsers keep a cookie of at most about 4 KB; a token that would not fit cannot be a session.
MAX_TOKEN_BYTES = 3800
_LOOPBACK = ("localhost", "127.0.0.1", "::1")


def dev_issuer_allowed(settings: InsightSettings) -> bool:
    """The dev issuer signs anyone in as anyone: only where the dev key is the key (dev and test)."""
    return settings.env in (Environment.DEV, Environment.TEST) and settings.jwt_jwks_url is None


def secure(request: Request, settings: InsightSettings) -> bool:
    """Secure cookies, except over plain HTTP to the loopback in dev and test."""
    plain_local = request.url.scheme == "http" and request.url.hostname in _LOOPBACK
    return not (plain_local and settings.env in (Environment.DEV, Environment.TEST))


def token_expiry(token: str) -> int:
    """The ``exp`` of a token that has been verified already."""
    claims: dict[str, Any] = jwt.decode(token, options={"verify_signature": False})
    return int(claims["exp"])


def start(response: Response, request: Request, settings: InsightSettings, token: str) -> None:
    """Keep ``token`` (verified by the caller) as the session, until it expires."""
    if len(token) > MAX_TOKEN_BYTES:
        raise Problem(400, "token-too-large", "The token is too large for a session cookie")
    max_age = max(0, token_expiry(token) - int(time.time()))
    response.set_cookie(
        COOKIE, token, max_age=max_age, path=PATH, secure=secure(request, settings), httponly=True, samesite="lax"
    )


def end(response: Response, request: Request, settings: InsightSettings) -> None:
    response.delete_cookie(COOKIE, path=PATH, secure=secure(request, settings), httponly=True, samesite="lax")


def principal(request: Request) -> Principal | None:
    """The signed-in caller, or ``None`` (no session, or its token no longer verifies)."""
    token = request.cookies.get(COOKIE)
    if not token or len(token) > MAX_TOKEN_BYTES:
        return None
    verifier: TokenVerifier = request.app.state.token_verifier
    try:
        return verifier.verify(token)
    except Problem:
        return None


def same_origin(request: Request) -> bool:
    """A POST's Origin (or, without one, Referer) is this site: no other site can sign a user in or out."""
    origin = request.headers.get("origin") or request.headers.get("referer")
    if not origin:
        return False
    own = f"{request.url.scheme}://{request.url.netloc}"
    return origin == own or origin.startswith(own + "/")
