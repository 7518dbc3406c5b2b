"""Settings refuse the development signing key (and any weak key) anywhere but dev, need
CONTINUUM_ENV, and never show a secret in an error or a repr."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
from pydantic import ValidationError

from continuum.settings import DEV_SIGNING_KEY, ServiceSettings
from continuum_tools.testing import TEST_SIGNING_KEY

#: Distinctive values, to look for in error messages. Both are weak keys outside dev (too short).
SECRET_KEY = "weak-key-d41d8cd9"
KAFKA_PASSWORD = "kafka-password-8f00b204e9"


@pytest.fixture(autouse=True)
def no_continuum_environment(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Only what a test sets: nothing from the shell that runs the tests."""
    for name in [n for n in os.environ if n.startswith("CONTINUUM_")]:
        monkeypatch.delenv(name)
    yield


def test_dev_accepts_the_development_key() -> None:
    assert ServiceSettings(env="dev").jwt_secret.get_secret_value() == DEV_SIGNING_KEY


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


def test_without_continuum_env_settings_refuse_to_build() -> None:
    with pytest.raises(ValidationError, match="CONTINUUM_ENV is not set"):
        ServiceSettings()


def test_an_empty_continuum_env_is_refused_too(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONTINUUM_ENV", "")
    with pytest.raises(ValidationError, match="CONTINUUM_ENV is not set"):
        ServiceSettings()


def test_continuum_env_is_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONTINUUM_ENV", "test")
    monkeypatch.setenv("CONTINUUM_JWT_SECRET", TEST_SIGNING_KEY)
    assert ServiceSettings().env == "test"


@pytest.mark.parametrize("env", ["test", "prod"])
def test_a_long_key_of_few_distinct_characters_is_refused_outside_dev(env: str) -> None:
    with pytest.raises(ValidationError, match="fewer than 10 distinct characters"):
        ServiceSettings(env=env, jwt_secret="abcdefghi" * 5)  # 45 characters, 9 distinct


def test_a_long_varied_key_is_accepted_outside_dev() -> None:
    key = "0123456789" * 3 + "ab"  # 32 characters, 12 distinct
    assert ServiceSettings(env="prod", jwt_secret=key).jwt_secret.get_secret_value() == key


def test_dev_accepts_a_weak_key() -> None:
    assert ServiceSettings(env="dev", jwt_secret="k").env == "dev"


def _error_text(error: ValidationError) -> str:
    """Everything a ValidationError can show: its message, repr, JSON and structured errors."""
    return "\n".join([str(error), repr(error), error.json(), repr(error.errors())])


@pytest.mark.parametrize(
    "values",
    [
        {"env": "prod"},  # the weak key: a model validator, whose input is every value
        {},  # no CONTINUUM_ENV: the same
        {"env": "prod", "jwt_jwks_url": "https://idp.example/jwks", "database_pool_size": "many"},  # one field
        {"env": "production"},  # a bad environment name
    ],
    ids=["weak-key", "no-env", "bad-field", "bad-env"],
)
def test_a_settings_error_never_contains_the_secrets(monkeypatch: pytest.MonkeyPatch, values: dict[str, Any]) -> None:
    monkeypatch.setenv("CONTINUUM_JWT_SECRET", SECRET_KEY)
    monkeypatch.setenv("CONTINUUM_KAFKA_SASL_PASSWORD", KAFKA_PASSWORD)
    monkeypatch.setenv("CONTINUUM_DATABASE_URL", f"postgresql+asyncpg://referral:{KAFKA_PASSWORD}@db:5432/referral")
    with pytest.raises(ValidationError) as caught:
        ServiceSettings(**values)
    text = _error_text(caught.value)
    assert SECRET_KEY not in text
    assert KAFKA_PASSWORD not in text
    assert caught.value.__context__ is None and caught.value.__cause__ is None


def test_a_secret_given_directly_is_not_in_the_error_either() -> None:
    with pytest.raises(ValidationError) as caught:
        ServiceSettings(env="prod", jwt_secret=SECRET_KEY, kafka_sasl_password=KAFKA_PASSWORD)
    text = _error_text(caught.value)
    assert SECRET_KEY not in text
    assert KAFKA_PASSWORD not in text


def test_settings_keep_their_secrets_out_of_repr() -> None:
    settings = ServiceSettings(
        env="dev",
        jwt_secret=SECRET_KEY,
        kafka_sasl_password=KAFKA_PASSWORD,
        database_url=f"postgresql+asyncpg://referral:{KAFKA_PASSWORD}-db@db:5432/referral",
    )
    for text in (repr(settings), str(settings)):
        assert SECRET_KEY not in text
        assert KAFKA_PASSWORD not in text
    assert settings.kafka_sasl_password is not None
    assert settings.kafka_sasl_password.get_secret_value() == KAFKA_PASSWORD
