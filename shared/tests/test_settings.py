"""Settings refuse the development signing key anywhere but dev."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from continuum.settings import DEV_SIGNING_KEY, ServiceSettings


def test_dev_accepts_the_development_key() -> None:
    assert ServiceSettings(env="dev").jwt_secret == DEV_SIGNING_KEY


@pytest.mark.parametrize("env", ["test", "prod"])
def test_outside_dev_the_development_key_is_refused(env: str) -> None:
    with pytest.raises(ValidationError, match="development key"):
        ServiceSettings(env=env)


def test_a_short_key_is_refused_in_production() -> None:
    with pytest.raises(ValidationError, match="shorter than 32 characters"):
        ServiceSettings(env="prod", jwt_secret="too-short")


def test_production_with_the_councils_identity_provider_needs_no_local_key() -> None:
    settings = ServiceSettings(env="prod", jwt_jwks_url="https://login.council.example/.well-known/jwks.json")
    assert settings.jwt_jwks_url is not None
