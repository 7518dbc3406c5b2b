"""The dashboard's sign-in at the council's OpenID Connect provider: the authorization-code flow
with PKCE (RFC 7636, ``S256``), ``state`` and ``nonce``.

The browser goes to the provider's authorization endpoint with a fresh state, nonce and code
challenge; what it must bring back is kept in a short-lived cookie, sealed (HMAC-SHA256 with the
client secret) so that it cannot be forged or altered. On its way back the state must be the
cookie's (else a code an attacker obtained could sign the user in as the attacker), the code is
exchanged at the token endpoint with the verifier (a code stolen on the way is useless without
it), and the ID token's nonce must be the cookie's (a replayed ID token is refused). The session
keeps the provider's access token: the token the API's callers send, verified by the same
``TokenVerifier``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import secrets
import time
from dataclasses import asdict, dataclass
from typing import Any
from urllib.parse import urlencode

import httpx
import jwt

from insight.settings import InsightSettings

#: How long a sign-in may take at the provider before its state is forgotten.
LOGIN_SECONDS = 600
_PROVIDER_ERROR = re.compile(r"^[a-z_]{1,40}$")


class SignInRefused(Exception):
    """The way back from the provider is not the one this sign-in started (the reason is shown)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Login:
    """A sign-in under way: what the provider must send back, and where to go afterwards."""

    state: str
    nonce: str
    verifier: str
    next_path: str
    started: int


def new_login(next_path: str, *, now: float | None = None) -> Login:
    return Login(
        state=secrets.token_urlsafe(32),
        nonce=secrets.token_urlsafe(32),
        # 64 characters of the unreserved set: RFC 7636 asks for 43 to 128.
        verifier=secrets.token_urlsafe(48),
        next_path=next_path,
        started=int(time.time() if now is None else now),
    )


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def code_challenge(verifier: str) -> str:
    """The S256 challenge of a verifier: BASE64URL(SHA256(verifier)), without padding."""
    return _b64(hashlib.sha256(verifier.encode("ascii")).digest())


def authorization_url(settings: InsightSettings, login: Login) -> str:
    """Where the browser is sent to sign in at the council's provider."""
    assert settings.oidc_authorization_endpoint is not None
    query = {
        "response_type": "code",
        "client_id": settings.oidc_client_id,
        "redirect_uri": settings.oidc_redirect_uri,
        "scope": settings.oidc_scope,
        "state": login.state,
        "nonce": login.nonce,
        "code_challenge": code_challenge(login.verifier),
        "code_challenge_method": "S256",
    }
    separator = "&" if "?" in settings.oidc_authorization_endpoint else "?"
    return settings.oidc_authorization_endpoint + separator + urlencode(query)


def _mac(payload: str, key: str) -> str:
    return _b64(hmac.new(key.encode(), payload.encode("ascii"), hashlib.sha256).digest())


def seal(login: Login, key: str) -> str:
    """The login as a cookie value: its JSON, and a MAC no one without ``key`` can make."""
    payload = _b64(json.dumps(asdict(login), separators=(",", ":")).encode())
    return f"{payload}.{_mac(payload, key)}"


def unseal(value: str | None, key: str, *, now: float | None = None) -> Login | None:
    """The login a sealed cookie holds; ``None`` if there is none, it was altered or it is stale."""
    if not value or value.count(".") != 1:
        return None
    payload, mac = value.split(".")
    if not hmac.compare_digest(mac, _mac(payload, key)):
        return None
    try:
        login = Login(**json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))))
    except (ValueError, TypeError):
        return None
    if (time.time() if now is None else now) - login.started > LOGIN_SECONDS:
        return None
    return login


def check_callback(login: Login | None, *, state: str | None, code: str | None, error: str | None) -> str:
    """The code the provider sent back, if this is the way back of the sign-in ``login`` started."""
    if error is not None:
        shown = error if _PROVIDER_ERROR.match(error) else "an error"
        raise SignInRefused(f"the council's sign-in service answered {shown}")
    if login is None:
        raise SignInRefused("this sign-in was not started here, or took longer than 10 minutes")
    if not state or not hmac.compare_digest(state.encode(), login.state.encode()):
        raise SignInRefused("the sign-in's state does not match the one this browser started")
    if not code or len(code) > 2000:
        raise SignInRefused("the council's sign-in service sent no code")
    return code


async def exchange_code(settings: InsightSettings, login: Login, code: str, *, client: httpx.AsyncClient) -> dict[str, Any]:
    """The provider's tokens for ``code`` (the verifier proves this service asked for it)."""
    assert settings.oidc_token_endpoint is not None and settings.oidc_client_secret is not None
    answer = await client.post(
        settings.oidc_token_endpoint,
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": settings.oidc_redirect_uri,
            "code_verifier": login.verifier,
        },
        auth=(settings.oidc_client_id or "", settings.oidc_client_secret.get_secret_value()),
        headers={"Accept": "application/json"},
    )
    if answer.status_code != 200:
        raise SignInRefused(f"the council's sign-in service refused the code ({answer.status_code})")
    tokens: dict[str, Any] = answer.json()
    if not isinstance(tokens.get("access_token"), str) or not isinstance(tokens.get("id_token"), str):
        raise SignInRefused("the council's sign-in service sent no access token or ID token")
    return tokens


def check_id_token(id_token: str, *, key: Any, settings: InsightSettings, login: Login) -> dict[str, Any]:
    """The ID token's claims, if it is the provider's, for this client, and carries this sign-in's nonce."""
    try:
        claims: dict[str, Any] = jwt.decode(
            id_token,
            key,
            algorithms=["RS256", "ES256"],
            audience=settings.oidc_client_id,
            issuer=settings.oidc_issuer,
            options={"require": ["exp", "iat", "sub", "nonce"]},
        )
    except jwt.PyJWTError as exc:
        raise SignInRefused("the ID token does not verify") from exc
    if not hmac.compare_digest(str(claims["nonce"]).encode(), login.nonce.encode()):
        raise SignInRefused("the ID token's nonce is not this sign-in's")
    return claims
