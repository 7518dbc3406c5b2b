"""Bearer tokens: every claim is checked strictly and ``org`` must be the council's code. A
malformed token is a 401 problem (never a 500, never an accepted coercion) whose detail does not
repeat what the token said. Through a real app: the referral service, on a migrated database."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest

from continuum.casework.policy import DEV_POLICY
from continuum_tools.testing import TEST_SIGNING_KEY, test_settings, unique
from referral.app import create_app
from referral.settings import ReferralSettings

REFERRAL_ALEMBIC_INI = Path(__file__).resolve().parents[1] / "services" / "referral" / "alembic.ini"
#: A route every front-door user may read, answering 200 for a valid token.
QUEUE = "/v1/front-door/queue"


@pytest.fixture(scope="module")
def database_url(make_database: Callable[[str, Path], str]) -> str:
    return make_database("tokens_referral", REFERRAL_ALEMBIC_INI)


def _settings(database_url: str, **overrides: Any) -> ReferralSettings:
    # No broker: the workers are off, and a token is checked before any handler runs.
    base = test_settings("127.0.0.1:9", database_url=database_url, run_workers=False, **overrides)
    return ReferralSettings(**base.model_dump(exclude={"service_name"}))


@pytest.fixture(scope="module")
async def app(database_url: str) -> AsyncIterator[Any]:
    application = create_app(_settings(database_url))
    async with application.router.lifespan_context(application):
        yield application


def _claims(**changes: Any) -> dict[str, Any]:
    """A valid front-door user of the development council (la_code 999), with ``changes``."""
    now = int(time.time())
    claims: dict[str, Any] = {
        "sub": unique("token-user"),
        "name": "Token User",
        "roles": ["front_door"],
        "teams": ["north"],
        "sw_qualified": False,
        "org": "999",
        "iss": "continuum-dev",
        "aud": "continuum",
        "iat": now,
        "exp": now + 600,
    }
    return claims | changes


async def _get(app: Any, claims: dict[str, Any]) -> httpx.Response:
    token = jwt.encode(claims, TEST_SIGNING_KEY, algorithm="HS256")
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://referral", headers={"Authorization": f"Bearer {token}"}
    ) as client:
        return await client.get(QUEUE)


def _assert_refused(response: httpx.Response, *, not_echoing: str | None = None) -> None:
    assert response.status_code == 401, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["www-authenticate"] == "Bearer"
    body = response.json()
    assert body["status"] == 401
    assert body["type"].endswith("/unauthorized")
    if not_echoing is not None:
        assert not_echoing not in response.text


async def test_a_well_formed_token_of_the_council_is_accepted(app: Any) -> None:
    assert (await _get(app, _claims())).status_code == 200


@pytest.mark.parametrize(
    "claim, value",
    [
        ("roles", 7),
        ("teams", 5),
        ("name", 5),
        ("org", 999),
        ("teams", [["north"]]),
    ],
    ids=["roles-7", "teams-5", "name-5", "org-a-number", "teams-nested"],
)
async def test_a_claim_of_the_wrong_type_is_401_not_500(app: Any, claim: str, value: Any) -> None:
    _assert_refused(await _get(app, _claims(**{claim: value})))


async def test_teams_as_a_string_is_refused_not_split_into_letters(app: Any) -> None:
    _assert_refused(await _get(app, _claims(teams="north")))


async def test_a_team_id_that_is_not_a_team_id_is_refused(app: Any) -> None:
    _assert_refused(await _get(app, _claims(teams=["North <script>"])), not_echoing="<script>")


async def test_sw_qualified_must_be_a_boolean_not_the_string_false(app: Any) -> None:
    _assert_refused(await _get(app, _claims(sw_qualified="false")))


async def test_an_unknown_role_is_refused_without_echoing_it(app: Any) -> None:
    _assert_refused(await _get(app, _claims(roles=["front_door", "superuser-xyzzy"])), not_echoing="xyzzy")


async def test_an_empty_or_overlong_subject_is_refused(app: Any) -> None:
    _assert_refused(await _get(app, _claims(sub="")))
    _assert_refused(await _get(app, _claims(sub="u" * 201)), not_echoing="u" * 201)


async def test_a_token_without_org_is_refused(app: Any) -> None:
    claims = _claims()
    del claims["org"]
    _assert_refused(await _get(app, claims))


async def test_a_token_of_another_council_is_refused(app: Any) -> None:
    _assert_refused(await _get(app, _claims(org="314")), not_echoing="314")


@pytest.fixture
def policy_314(tmp_path: Path) -> Path:
    """The development policy, for a council whose code is 314."""
    policy = DEV_POLICY.read_text()
    assert 'la_code: "999"' in policy
    policy_file = tmp_path / "policy.yaml"
    policy_file.write_text(policy.replace('la_code: "999"', 'la_code: "314"'))
    return policy_file


async def test_the_council_code_comes_from_the_policy_file(database_url: str, policy_314: Path) -> None:
    other_council = create_app(_settings(database_url, policy_file=policy_314))
    async with other_council.router.lifespan_context(other_council):
        assert (await _get(other_council, _claims(org="314"))).status_code == 200
        _assert_refused(await _get(other_council, _claims(org="999")))
