"""Signing in to the dashboard and out: the council's OpenID Connect provider (authorization code
with PKCE, ``oidc``), or in dev and test the dev issuer, which mints the dev token for a role and
team the developer chooses (``continuum.web.auth.mint_dev_token``, as ``continuum token`` does).
Either way the session is a token the API's ``TokenVerifier`` accepts."""

from __future__ import annotations

import asyncio
import re
from typing import Annotated
from urllib.parse import parse_qs

import httpx
import jwt
from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import RedirectResponse

from continuum.casework.principal import Role
from continuum.web import http
from continuum.web.auth import TokenVerifier, mint_dev_token
from continuum.web.errors import Problem
from insight.dashboard import oidc, render, session
from insight.settings import InsightSettings

_SUB = re.compile(r"^[A-Za-z0-9._@-]{1,60}$")
#: How long a dev sign-in lasts.
DEV_SESSION_SECONDS = 8 * 3600
NextQuery = Annotated[str | None, Query(alias="next", max_length=2000)]


def safe_next(value: str | None) -> str:
    """Where to go after signing in: a path of the dashboard, never another site (``//host``)."""
    if value and value.startswith("/dashboard") and not value.startswith("//") and "\\" not in value:
        return value
    return "/dashboard"


def router(settings: InsightSettings) -> APIRouter:
    routes = APIRouter(prefix="/dashboard", include_in_schema=False)

    def refused(reason: str, status: int = 400) -> Response:
        return render.page("signin_refused.html", status=status, reason=reason)

    @routes.get("/sign-in")
    async def sign_in(request: Request, next_path: NextQuery = None) -> Response:
        """The dev issuer's form in dev and test; else to the council's provider."""
        back = safe_next(next_path)
        if session.dev_issuer_allowed(settings):
            policy = http.council_policy(request)
            return render.page("dev_sign_in.html", roles=list(Role), teams=policy.teams, next_path=back)
        if not settings.oidc_configured or settings.oidc_client_secret is None:
            return refused("Sign-in is not set up for this service: ask the council's administrators.", status=503)
        login = oidc.new_login(back)
        redirect = RedirectResponse(oidc.authorization_url(settings, login), status_code=303)
        redirect.set_cookie(
            session.LOGIN_COOKIE,
            oidc.seal(login, settings.oidc_client_secret.get_secret_value()),
            max_age=oidc.LOGIN_SECONDS,
            path="/dashboard/callback",
            secure=session.secure(request, settings),
            httponly=True,
            samesite="lax",
        )
        return redirect

    @routes.post("/dev-sign-in")
    async def dev_sign_in(request: Request) -> Response:
        """Dev and test only: sign in as the role, team and name chosen on the form."""
        if not session.dev_issuer_allowed(settings):
            return refused("The dev sign-in is for development only.", status=403)
        if not session.same_origin(request):
            return refused("Sign in from this service's own sign-in page.", status=403)
        body = await request.body()
        form = {k: v[0] for k, v in parse_qs(body.decode("utf-8", "replace"), max_num_fields=10).items()}
        role, team, sub = form.get("role", ""), form.get("team", ""), form.get("sub", "").strip()
        policy = http.council_policy(request)
        if role not in {r.value for r in Role} or (team and policy.team(team) is None) or not _SUB.match(sub):
            return refused("Choose a role, a team (or none) and a name of letters, digits, dots and dashes.", status=422)
        token = mint_dev_token(
            settings, sub=sub, roles=[role], teams=[team] if team else [], name=sub, ttl_seconds=DEV_SESSION_SECONDS
        )
        redirect = RedirectResponse(safe_next(form.get("next")), status_code=303)
        session.start(redirect, request, settings, token)
        return redirect

    @routes.get("/callback")
    async def callback(
        request: Request,
        code: Annotated[str | None, Query(max_length=2000)] = None,
        state: Annotated[str | None, Query(max_length=200)] = None,
        error: Annotated[str | None, Query(max_length=200)] = None,
    ) -> Response:
        """The council's provider sends the browser back here with a code (or an error)."""
        if not settings.oidc_configured or settings.oidc_client_secret is None:
            return refused("Sign-in is not set up for this service.", status=503)
        login = oidc.unseal(request.cookies.get(session.LOGIN_COOKIE), settings.oidc_client_secret.get_secret_value())
        try:
            checked = oidc.check_callback(login, state=state, code=code, error=error)
            assert login is not None
            async with httpx.AsyncClient(timeout=10) as client:
                tokens = await oidc.exchange_code(settings, login, checked, client=client)
            key = await asyncio.to_thread(_signing_key, settings, tokens["id_token"])
            oidc.check_id_token(tokens["id_token"], key=key, settings=settings, login=login)
            verifier: TokenVerifier = request.app.state.token_verifier
            verifier.verify(tokens["access_token"])
        except oidc.SignInRefused as exc:
            return refused(f"Signing in did not work: {exc.reason}. Try again.")
        except Problem as exc:
            return refused(f"The council's sign-in service gave a token this service does not accept: {exc.detail}.", status=403)
        except (httpx.HTTPError, jwt.PyJWTError):
            return refused("The council's sign-in service could not be reached. Try again.", status=502)
        redirect = RedirectResponse(login.next_path, status_code=303)
        session.start(redirect, request, settings, tokens["access_token"])
        redirect.delete_cookie(session.LOGIN_COOKIE, path="/dashboard/callback")
        return redirect

    @routes.post("/sign-out")
    async def sign_out(request: Request) -> Response:
        if not session.same_origin(request):
            return refused("Sign out from this service's own pages.", status=403)
        redirect = RedirectResponse("/dashboard/signed-out", status_code=303)
        session.end(redirect, request, settings)
        return redirect

    @routes.get("/signed-out")
    async def signed_out() -> Response:
        return render.page("signed_out.html")

    return routes


def _signing_key(settings: InsightSettings, token: str) -> object:
    """The provider's key that signed ``token``, from its JWKS (the one the API verifies with)."""
    if settings.jwt_jwks_url is None:
        raise jwt.PyJWTError("no JWKS")
    return jwt.PyJWKClient(settings.jwt_jwks_url).get_signing_key_from_jwt(token).key
