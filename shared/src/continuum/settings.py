"""Settings common to every service, read from ``CONTINUUM_*`` environment variables."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

from pydantic import model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

#: The signing key `continuum token` and the embedded stack use. Refused outside dev and test.
DEV_SIGNING_KEY = "continuum-dev-signing-key-not-for-production-use"


class Environment(StrEnum):
    DEV = "dev"
    TEST = "test"
    PROD = "prod"


class ServiceSettings(BaseSettings):
    """What every Continuum service needs to start. A service subclasses it for its own extras."""

    model_config = SettingsConfigDict(env_prefix="CONTINUUM_", extra="ignore")

    env: Environment = Environment.DEV
    service_name: str = "continuum"
    database_url: str = "postgresql+asyncpg://postgres@127.0.0.1:55432/postgres"
    database_pool_size: int = 10

    kafka_bootstrap: str = "127.0.0.1:19092"
    # Idempotent producers need InitProducerId, which the embedded Tansu broker rejects;
    # `continuum up` and the tests turn it off, production keeps it on.
    kafka_idempotence: bool = True
    kafka_security_protocol: str = "PLAINTEXT"
    kafka_sasl_username: str | None = None
    kafka_sasl_password: str | None = None
    # Strimzi signs its listeners with its own CA; mount it and point here (SSL / SASL_SSL).
    kafka_ssl_cafile: str | None = None
    kafka_session_timeout_ms: int = 10_000
    kafka_rebalance_timeout_ms: int = 5_000

    jwt_secret: str = DEV_SIGNING_KEY
    jwt_jwks_url: str | None = None
    jwt_issuer: str = "continuum-dev"
    jwt_audience: str = "continuum"

    policy_file: Path | None = None
    run_workers: bool = True
    log_level: str = "INFO"

    outbox_batch_size: int = 200
    outbox_poll_interval_seconds: float = 0.2
    # Published events stay in the outbox this long (for diagnosis), then Kafka alone holds them.
    outbox_retention_days: int = 7

    @model_validator(mode="after")
    def _refuse_dev_key_outside_dev(self) -> ServiceSettings:
        weak_key = self.jwt_secret == DEV_SIGNING_KEY or len(self.jwt_secret) < 32
        if self.env is not Environment.DEV and self.jwt_jwks_url is None and weak_key:
            raise ValueError(
                f"CONTINUUM_JWT_SECRET is the development key (or shorter than 32 characters), which only "
                f"CONTINUUM_ENV=dev accepts (this is {self.env.value}); in production set CONTINUUM_JWT_JWKS_URL "
                "to the council's identity provider"
            )
        return self
