"""The test session's servers (embedded PostgreSQL, the Tansu broker), its log, and a migrated
database per service."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import make_url

from continuum.contracts import ALL_TOPICS
from continuum.messaging.kafka import ensure_topics
from continuum.settings import ServiceSettings
from continuum_tools.devstack import EmbeddedPostgres, TansuBroker, free_port, migrate

#: Every log line of the test session, as written, for the no-personal-data check.
SESSION_LOG = Path(".continuum") / "test-session.log"

#: Names and dates of birth the tests put into children's records (see ``remember_personal_data``).
PERSONAL_DATA: set[str] = set()


def remember_personal_data(*values: str) -> None:
    """Tests call this with each name and date of birth they send, so the log check can look for them."""
    PERSONAL_DATA.update(v for v in values if v)


@pytest.fixture(scope="session", autouse=True)
def session_log() -> Iterator[Path]:
    from continuum.observability import configure_logging

    configure_logging("DEBUG")
    SESSION_LOG.parent.mkdir(exist_ok=True)
    handler = logging.FileHandler(SESSION_LOG, mode="w")
    handler.setFormatter(logging.getLogger().handlers[0].formatter)
    handler.setLevel(logging.DEBUG)
    logging.getLogger().addHandler(handler)
    yield SESSION_LOG
    logging.getLogger().removeHandler(handler)
    handler.close()


@pytest.fixture(scope="session")
def postgres(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedPostgres]:
    server = EmbeddedPostgres(tmp_path_factory.mktemp("pg") / "data", free_port())
    server.start()
    yield server
    server.stop()


def start_broker(log_dir: Path) -> TansuBroker:
    broker = TansuBroker(free_port(), log_path=log_dir / "tansu.log")
    broker.start()
    asyncio.run(ensure_topics(test_settings(broker.bootstrap), ALL_TOPICS))
    return broker


@pytest.fixture(scope="session")
def broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TansuBroker]:
    b = start_broker(tmp_path_factory.mktemp("tansu"))
    yield b
    b.stop()


#: The tests' own signing key: outside dev the settings refuse the development key.
TEST_SIGNING_KEY = "continuum-test-signing-key-for-the-test-suite-only"


def test_settings(bootstrap: str, **overrides: Any) -> ServiceSettings:
    values: dict[str, Any] = {
        "env": "test",
        "jwt_secret": TEST_SIGNING_KEY,
        "kafka_bootstrap": bootstrap,
        "kafka_idempotence": False,
        "outbox_poll_interval_seconds": 0.05,
        # Tansu holds a new group member for the rebalance timeout and a departed one for the
        # session timeout; short ones keep the tests quick.
        "kafka_session_timeout_ms": 3000,
        "kafka_rebalance_timeout_ms": 500,
    }
    return ServiceSettings(**(values | overrides))


test_settings.__test__ = False  # type: ignore[attr-defined]  # not a test, despite the name


@pytest.fixture(scope="session")
def make_database(postgres: EmbeddedPostgres) -> Callable[[str, Path], str]:
    """Create (afresh) a service database laid out as in production: owned by the role
    ``<name>_owner``, which runs the service's Alembic migrations, and returns the URL of the
    runtime role ``<name>``, the one the service runs as (it cannot alter or erase the audit log).
    :func:`owner_url` turns that URL into the owner's."""

    def make(name: str, alembic_ini: Path) -> str:
        roles = postgres.create_service_database(name, drop_first=True)
        migrate(alembic_ini, postgres.url(name, user=roles.owner), runtime_role=roles.runtime)
        return postgres.url(name, user=roles.runtime)

    return make


def owner_url(url: str) -> str:
    """The owner (migration) role's URL for a runtime URL from ``make_database``: for a test that
    must do what the service may not, such as proving the audit log's trigger holds for the owner."""
    parsed = make_url(url)
    return parsed.set(username=f"{parsed.username}_owner").render_as_string(hide_password=False)
