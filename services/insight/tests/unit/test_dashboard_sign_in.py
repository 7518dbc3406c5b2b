"""The dashboard's sign-in at the council's OpenID Connect provider (``insight.dashboard.oidc``):
PKCE, state and nonce, the sealed login cookie, the code exchange and the ID token's checks,
against a stub of the provider's token endpoint (httpx's mock transport: the provider is another
organisation's server, not ours to run here); and where the dev issuer is allowed."""

from __future__ import annotations

import base64
import hashlib
import re
import time
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from insight.dashboard import oidc, session
from insight.dashboard.signin import safe_next
from insight.settings import InsightSettings

KEY = "client-secret-of-the-council-provider"


def settings(**overrides: Any) -> InsightSettings:
    values: dict[str, Any] = {
        "env": "prod",
        "jwt_jwks_url": "https://idp.council.example/jwks",
        "oidc_issuer": "https://idp.council.example",
        "oidc_authorization_endpoint": "https://idp.council.example/authorize",
        "oidc_token_endpoint": "https://idp.council.example/token",
        "oidc_client_id": "continuum-insight",
        "oidc_client_secret": KEY,
        "oidc_redirect_uri": "https://insight.council.example/dashboard/callback",
    }
    return InsightSettings(**(values | overrides))


def test_the_challenge_is_the_verifier_s_sha256_and_each_sign_in_is_fresh() -> None:
    login, other = oidc.new_login("/dashboard"), oidc.new_login("/dashboard")
    assert 43 <= len(login.verifier) <= 128 and re.fullmatch(r"[A-Za-z0-9_-]+", login.verifier)
    digest = hashlib.sha256(login.verifier.encode()).digest()
    assert oidc.code_challenge(login.verifier) == base64.urlsafe_b64encode(digest).decode().rstrip("=")
    assert len(oidc.code_challenge(login.verifier)) == 43
    assert {login.state, login.nonce, login.verifier}.isdisjoint({other.state, other.nonce, other.verifier})


def test_the_provider_is_asked_for_a_code_with_state_nonce_and_an_s256_challenge() -> None:
    login = oidc.new_login("/dashboard")
    url = urlsplit(oidc.authorization_url(settings(), login))
    query = {k: v[0] for k, v in parse_qs(url.query).items()}
    assert f"{url.scheme}://{url.netloc}{url.path}" == "https://idp.council.example/authorize"
    assert query == {
        "response_type": "code",
        "client_id": "continuum-insight",
        "redirect_uri": "https://insight.council.example/dashboard/callback",
        "scope": "openid profile",
        "state": login.state,
        "nonce": login.nonce,
        "code_challenge": oidc.code_challenge(login.verifier),
        "code_challenge_method": "S256",
    }
    assert login.verifier not in url.query


def test_the_login_cookie_cannot_be_forged_altered_or_kept() -> None:
    login = oidc.new_login("/dashboard?period=2019-20-Q1")
    sealed = oidc.seal(login, KEY)
    assert oidc.unseal(sealed, KEY) == login
    payload, mac = sealed.split(".")
    altered = base64.urlsafe_b64encode(base64.urlsafe_b64decode(payload + "==").replace(b"/dashboard", b"/dashboarx")).decode()
    other_mac = mac[:-1] + ("B" if mac[-1] == "A" else "A")
    for bad in (f"{altered.rstrip('=')}.{mac}", f"{payload}.{other_mac}", "", None, "no-dot", "a.b.c"):
        assert oidc.unseal(bad, KEY) is None, bad
    assert oidc.unseal(sealed, "another-key") is None
    assert oidc.unseal(sealed, KEY, now=login.started + oidc.LOGIN_SECONDS + 1) is None


def test_the_way_back_must_carry_this_sign_in_s_state_and_a_code() -> None:
    login = oidc.new_login("/dashboard")
    assert oidc.check_callback(login, state=login.state, code="the-code", error=None) == "the-code"
    refusals = {
        "state does not match": dict(state="another", code="c", error=None),
        "sent no code": dict(state=login.state, code=None, error=None),
        "answered access_denied": dict(state=login.state, code=None, error="access_denied"),
        "answered an error": dict(state=login.state, code=None, error="<script>alert(1)</script>"),
    }
    for reason, answer in refusals.items():
        with pytest.raises(oidc.SignInRefused, match=reason):
            oidc.check_callback(login, **answer)
    with pytest.raises(oidc.SignInRefused, match="not started here"):
        oidc.check_callback(None, state=login.state, code="c", error=None)
    with pytest.raises(oidc.SignInRefused, match="state does not match"):
        oidc.check_callback(login, state=None, code="c", error=None)


def _provider(private_key: Any, *, nonce: str, audience: str = "continuum-insight", status: int = 200) -> httpx.MockTransport:
    asked: list[httpx.Request] = []

    def token_endpoint(request: httpx.Request) -> httpx.Response:
        asked.append(request)
        now = int(time.time())
        id_token = jwt.encode(
            {"iss": "https://idp.council.example", "aud": audience, "sub": "kim", "nonce": nonce, "iat": now, "exp": now + 300},
            private_key,
            algorithm="RS256",
        )
        return httpx.Response(status, json={"access_token": "the-access-token", "id_token": id_token, "token_type": "Bearer"})

    transport = httpx.MockTransport(token_endpoint)
    transport.asked = asked  # type: ignore[attr-defined]
    return transport


async def test_the_code_is_exchanged_with_the_verifier_and_the_id_token_must_carry_the_nonce() -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    login, config = oidc.new_login("/dashboard"), settings()
    transport = _provider(key, nonce=login.nonce)
    async with httpx.AsyncClient(transport=transport) as client:
        tokens = await oidc.exchange_code(config, login, "the-code", client=client)
    sent = transport.asked[0]  # type: ignore[attr-defined]
    form = {k: v[0] for k, v in parse_qs(sent.content.decode()).items()}
    assert form == {
        "grant_type": "authorization_code",
        "code": "the-code",
        "redirect_uri": "https://insight.council.example/dashboard/callback",
        "code_verifier": login.verifier,
    }
    assert sent.headers["authorization"] == "Basic " + base64.b64encode(f"continuum-insight:{KEY}".encode()).decode()
    claims = oidc.check_id_token(tokens["id_token"], key=key.public_key(), settings=config, login=login)
    assert claims["sub"] == "kim" and tokens["access_token"] == "the-access-token"

    # Another sign-in's nonce (a replayed ID token), another client's token, another key: refused.
    with pytest.raises(oidc.SignInRefused, match="nonce"):
        oidc.check_id_token(tokens["id_token"], key=key.public_key(), settings=config, login=oidc.new_login("/dashboard"))
    async with httpx.AsyncClient(transport=_provider(key, nonce=login.nonce, audience="another-client")) as client:
        other_client = await oidc.exchange_code(config, login, "the-code", client=client)
    with pytest.raises(oidc.SignInRefused, match="does not verify"):
        oidc.check_id_token(other_client["id_token"], key=key.public_key(), settings=config, login=login)
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    with pytest.raises(oidc.SignInRefused, match="does not verify"):
        oidc.check_id_token(tokens["id_token"], key=stranger.public_key(), settings=config, login=login)
    async with httpx.AsyncClient(transport=_provider(key, nonce=login.nonce, status=400)) as client:
        with pytest.raises(oidc.SignInRefused, match="refused the code"):
            await oidc.exchange_code(config, login, "a-used-code", client=client)


def test_the_dev_issuer_is_for_dev_and_test_only() -> None:
    dev_key = {"jwt_jwks_url": None, "jwt_secret": "a-test-signing-key-0123456789-abcdefghij"}
    assert session.dev_issuer_allowed(settings(env="dev", **dev_key))
    assert session.dev_issuer_allowed(settings(env="test", **dev_key))
    assert not session.dev_issuer_allowed(settings(env="prod", **dev_key))
    assert not session.dev_issuer_allowed(settings(env="test"))  # tokens from a real provider: no dev issuer
    assert settings().oidc_configured and not settings(oidc_client_secret=None).oidc_configured


def test_after_signing_in_only_a_dashboard_path() -> None:
    assert safe_next("/dashboard?period=2019-20-Q1&team=east") == "/dashboard?period=2019-20-Q1&team=east"
    for elsewhere in (None, "", "//evil.example", "https://evil.example/dashboard", "/v1/census/2027", "/dashboard\\..\\x"):
        assert safe_next(elsewhere) == "/dashboard", elsewhere
