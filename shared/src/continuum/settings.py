"""Settings common to every service, read from ``CONTINUUM_*`` environment variables."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import Field, SecretStr, ValidationError, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

#: The signing key `continuum token` and the embedded stack use. Refused outside dev.
DEV_SIGNING_KEY = "continuum-dev-signing-key-not-for-production-use"

#: Outside dev a local signing key must be at least this long, with this many distinct characters.
MIN_KEY_LENGTH = 32
MIN_KEY_DISTINCT_CHARACTERS = 10


class Environment(StrEnum):
    DEV = "dev"
    TEST = "test"
    PROD = "prod"


class ServiceSettings(BaseSettings):
    """What every Continuum service needs to start. A service subclasses it for its own extras."""

    # hide_input_in_errors: a validation error must never print what it was given (the signing
    # key, the Kafka password, a database URL with its password).
    model_config = SettingsConfigDict(env_prefix="CONTINUUM_", extra="ignore", hide_input_in_errors=True)

    #: No default: a process that does not say where it runs does not start (production must never
    #: run as dev by accident). `continuum up` and the CLI's dev commands set ``dev``, the tests ``test``.
    env: Environment
    service_name: str = "continuum"
    # Not in repr: the URL may carry the database password.
    database_url: str = Field("postgresql+asyncpg://postgres@127.0.0.1:55432/postgres", repr=False)
    database_pool_size: int = 10

    kafka_bootstrap: str = "127.0.0.1:19092"
    # Idempotent producers need InitProducerId, which the embedded Tansu broker rejects;
    # `continuum up` and the tests turn it off, production keeps it on.
    kafka_idempotence: bool = True
    kafka_security_protocol: str = "PLAINTEXT"
    kafka_sasl_username: str | None = None
    kafka_sasl_password: SecretStr | None = None
    # Strimzi signs its listeners with its own CA; mount it and point here (SSL / SASL_SSL).
    kafka_ssl_cafile: str | None = None
    # Services declare the topics they read and write (partitions, retention) at start and on
    # reconnect; turn off where the platform (Strimzi KafkaTopics) alone may create topics.
    kafka_manage_topics: bool = True
    kafka_session_timeout_ms: int = 10_000
    kafka_rebalance_timeout_ms: int = 5_000

    jwt_secret: SecretStr = SecretStr(DEV_SIGNING_KEY)
    jwt_jwks_url: str | None = None
    jwt_issuer: str = "continuum-dev"
    jwt_audience: str = "continuum"

    policy_file: Path | None = None
    run_workers: bool = True
    log_level: str = "INFO"
    # A request body longer than this answers 413 (continuum.web.limits.BodyLimit); 1 MiB by default.
    max_body_bytes: int = Field(1024 * 1024, gt=0)
    # Request headers longer than this altogether answer 431 (continuum.web.limits.HeaderLimit); 16 KiB.
    max_header_bytes: int = Field(16 * 1024, gt=0)

    outbox_batch_size: int = 200
    # How long an idle relay waits before it looks again: an event committed meanwhile waits up to
    # this long to be published. From an outbox row to the next service's committed row, p99 262 ms
    # at 0.2 s, 108 ms at 0.05 s (bench/bench_assessment.py); each look is one indexed query.
    outbox_poll_interval_seconds: float = 0.05
    # Published events stay in the outbox this long (for diagnosis and republishing), then move to the
    # service's event history, which keeps them for good (decision 53).
    outbox_retention_days: int = 7
    # The publishing replica renews its lease every step; a frozen one is replaced after this long.
    outbox_lease_seconds: float = Field(10.0, gt=0)

    if not TYPE_CHECKING:  # mypy keeps the field-checked __init__ that the pydantic plugin writes

        def __init__(self, **values: Any) -> None:
            # hide_input_in_errors hides the input from the message only: errors() still holds it
            # (for a missing field or a model validator, the whole input, secrets included).
            try:
                super().__init__(**values)
                return
            except ValidationError as exc:
                error = _without_inputs(exc)
            raise error  # outside the except block, so the original is not kept as its context

    @model_validator(mode="before")
    @classmethod
    def _env_is_required(cls, data: Any) -> Any:
        if isinstance(data, dict) and data.get("env") in (None, ""):
            raise ValueError("CONTINUUM_ENV is not set: set it to dev, test or prod")
        return data

    @model_validator(mode="after")
    def _refuse_weak_key_outside_dev(self) -> ServiceSettings:
        if self.env is Environment.DEV or self.jwt_jwks_url is not None:
            return self
        key = self.jwt_secret.get_secret_value()
        if key == DEV_SIGNING_KEY:
            reason = "is the development key"
        elif len(key) < MIN_KEY_LENGTH:
            reason = f"is shorter than {MIN_KEY_LENGTH} characters"
        elif len(set(key)) < MIN_KEY_DISTINCT_CHARACTERS:
            reason = f"has fewer than {MIN_KEY_DISTINCT_CHARACTERS} distinct characters"
        else:
            return self
        # Never the key itself in the message.
        raise ValueError(
            f"CONTINUUM_JWT_SECRET {reason}, which only CONTINUUM_ENV=dev accepts (this is {self.env.value}); "
            "in production set CONTINUUM_JWT_JWKS_URL to the council's identity provider"
        )


def _without_inputs(exc: ValidationError) -> ValidationError:
    """The same errors, without the values that were given."""
    details: list[Any] = [
        {"type": e["type"], "loc": e["loc"], "input": None} | ({"ctx": e["ctx"]} if "ctx" in e else {})
        for e in exc.errors(include_url=False)
    ]
    return ValidationError.from_exception_data(exc.title, details, hide_input=True)
