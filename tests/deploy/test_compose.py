"""docker-compose.yml: parsed against the Compose specification, and checked against the code it runs.

The specification check is the ``compose-spec`` package (bindings of the Rust ``compose_spec`` crate,
a typed parser of the current specification that refuses unknown keys, bad enums and bad durations).
Neither PyPI package offers a current JSON Schema: ``compose-spec`` ships none, and ``docker-compose``
1.29.2's ``compose_spec.json`` is the 2021 draft, which refuses the top-level ``name`` this file uses,
and the package itself requires PyYAML < 6, which our pins exclude.

What the specification cannot know is checked here: every service has its one-shot migration and its
API, started in order; each container is given every setting its code requires and none that its
code does not read (a typo check); kafka-topics creates every topic the code uses.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from compose_spec import PyCompose
from pydantic import ValidationError

from continuum.casework.policy import load_policy
from continuum.contracts import ALL_TOPICS
from continuum.persistence.migrations import RUNTIME_ROLE_ENV
from continuum.settings import ServiceSettings
from continuum_tools.devstack import discover_services
from continuum_tools.importing.send import PATHS as IMPORTED_BY
from partners.domain.policy import partners_policy

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = ROOT / "docker-compose.yml"
INIT_DATABASES = ROOT / "deploy" / "postgres" / "init-databases.sh"
SERVICES = sorted(p.parent.name for p in (ROOT / "services").glob("*/pyproject.toml"))
PREFIX = "CONTINUUM_"
IMPORT_JOB = "import"

#: What a migration reads (continuum.persistence.migrations.run_migrations): no settings class.
MIGRATION_SETTINGS = {"CONTINUUM_DATABASE_URL", RUNTIME_ROLE_ENV}
#: Settings whose defaults are the embedded dev stack's ports on 127.0.0.1: in a container they
#: point nowhere, so compose must give them although the class has a default.
EMBEDDED_DEFAULTS = {"database_url", "kafka_bootstrap"}

Compose = dict[str, Any]


def load(text: str) -> Compose:
    """The file as Compose reads it (YAML merge keys resolved)."""
    loaded: Compose = yaml.safe_load(text)
    return loaded


def spec_problems(compose: Compose) -> list[str]:
    """What the Compose specification refuses. Given as JSON: the parser does not take YAML merge keys
    inside a mapping value, which Compose resolves before it reads the file anyway."""
    try:
        PyCompose.from_json(json.dumps(compose)).validate()
    except ValueError as exc:
        return [f"specification: {exc}"]
    return []


# --- settings ----------------------------------------------------------------------------------


def settings_class(service: str) -> type[ServiceSettings]:
    """The service's settings class: the one subclass of ServiceSettings its settings module defines."""
    module = __import__(f"{service}.settings", fromlist=["*"])
    (found,) = [
        v for v in vars(module).values() if isinstance(v, type) and issubclass(v, ServiceSettings) and v is not ServiceSettings
    ]
    return found


def env_name(field: str) -> str:
    return PREFIX + field.upper()


def api_settings(service: str) -> tuple[set[str], set[str]]:
    """(every CONTINUUM_ variable the service's API reads, those it cannot run without)."""
    fields = settings_class(service).model_fields
    required = {name for name, info in fields.items() if info.is_required()} | EMBEDDED_DEFAULTS
    return {env_name(n) for n in fields}, {env_name(n) for n in required}


def import_settings() -> tuple[set[str], set[str]]:
    """The history import: the common settings (its dev token), a token, and the URL of every service
    it writes to (continuum_tools.services.service_url)."""
    urls = {f"{PREFIX}{service.upper()}_URL" for service in IMPORTED_BY}
    return {env_name(n) for n in ServiceSettings.model_fields} | urls | {"CONTINUUM_TOKEN"}, urls


def settings_problems(name: str, environment: dict[str, Any], reads: set[str], requires: set[str]) -> list[str]:
    given = {k for k in environment if k.startswith(PREFIX)}
    problems = [f"{name}: {v} is not given" for v in sorted(requires - given)]
    problems += [f"{name}: {v} is given but not read (a typo?)" for v in sorted(given - reads)]
    return problems


def value_problems(name: str, service: str, environment: dict[str, Any]) -> list[str]:
    """The API's values as its settings class parses them, and its database its own, as its runtime role."""
    given = {k.removeprefix(PREFIX).lower(): str(v) for k, v in environment.items() if k.startswith(PREFIX)}
    try:
        settings = settings_class(service)(**given)
    except (ValidationError, ValueError) as exc:
        return [f"{name}: its settings do not parse: {exc}"]
    problems = [] if settings.service_name == service else [f"{name}: CONTINUUM_SERVICE_NAME is {settings.service_name}"]
    if not settings.database_url.endswith(f"://{service}:{service}@postgres:5432/{service}"):
        problems.append(f"{name}: CONTINUUM_DATABASE_URL is not its own database as its runtime role")
    return problems


# --- the whole file ----------------------------------------------------------------------------


def compose_problems(compose: Compose) -> list[str]:
    """Everything wrong with the file: the specification's refusals, then the checks against the code."""
    problems = spec_problems(compose)
    if problems:
        return problems
    services: dict[str, Compose] = compose["services"]
    problems += dependency_problems(services)
    for service in SERVICES:
        problems += service_problems(service, services)
    if IMPORT_JOB not in services:
        problems.append("no history import job")
    else:
        problems += settings_problems(IMPORT_JOB, services[IMPORT_JOB].get("environment", {}), *import_settings())
    problems += database_problems(services)
    problems += topic_problems(services)
    return problems


def dependency_problems(services: dict[str, Compose]) -> list[str]:
    """depends_on names a service that exists; service_healthy one with a healthcheck; one-shots
    (everything a service_completed_successfully waits for) never restart."""
    problems = []
    for name, service in services.items():
        for target, how in service.get("depends_on", {}).items():
            if target not in services:
                problems.append(f"{name} depends on {target}, which is not a service")
            elif how["condition"] == "service_healthy" and "healthcheck" not in services[target]:
                problems.append(f"{name} waits for {target} to be healthy, which has no healthcheck")
            elif how["condition"] == "service_completed_successfully" and services[target].get("restart") != "no":
                problems.append(f"{name} waits for {target} to complete, which restarts")
    return problems


def service_problems(service: str, services: dict[str, Compose]) -> list[str]:
    """The service's migration runs first, as the owner; its API after it, with a healthcheck."""
    migrate, api = f"{service}-migrate", service
    if migrate not in services or api not in services:
        return [f"{service}: needs both {migrate} and {api}"]
    problems = []
    command = services[migrate].get("command", [])
    if command[:3] != ["alembic", "-c", f"services/{service}/alembic.ini"] or not (ROOT / command[2]).exists():
        problems.append(f"{migrate}: does not run the service's own alembic.ini")
    if services[api].get("depends_on", {}).get(migrate) != {"condition": "service_completed_successfully"}:
        problems.append(f"{api}: does not wait for {migrate} to complete")
    if "healthcheck" not in services[api]:
        problems.append(f"{api}: no healthcheck")
    migrate_env = services[migrate].get("environment", {})
    problems += settings_problems(migrate, migrate_env, MIGRATION_SETTINGS, MIGRATION_SETTINGS)
    if not str(migrate_env.get("CONTINUUM_DATABASE_URL", "")).startswith(f"postgresql+asyncpg://{service}_owner:"):
        problems.append(f"{migrate}: does not migrate as {service}_owner")
    api_env = services[api].get("environment", {})
    problems += settings_problems(api, api_env, *api_settings(service))
    return problems + value_problems(api, service, api_env)


def database_problems(services: dict[str, Compose]) -> list[str]:
    """PostgreSQL creates a database and its two roles for exactly the services there are."""
    listed = str(services["postgres"]["environment"].get("CONTINUUM_SERVICES", "")).split()
    mounted = any("init-databases.sh:/docker-entrypoint-initdb.d/" in v for v in services["postgres"].get("volumes", []))
    problems = [] if sorted(listed) == SERVICES else [f"postgres: CONTINUUM_SERVICES is {listed}, the services are {SERVICES}"]
    return problems + ([] if mounted else ["postgres: init-databases.sh is not mounted into docker-entrypoint-initdb.d"])


def topic_problems(services: dict[str, Compose]) -> list[str]:
    """kafka-topics creates every topic the code uses (the broker creates none on its own)."""
    created = created_topics(services["kafka-topics"]["environment"])
    missing = sorted(expected_topics(policy_file(services)) - created)
    return [f"kafka-topics: does not create {topic}" for topic in missing]


def created_topics(environment: dict[str, str]) -> set[str]:
    """The topics kafka-topics' script creates from its lists."""

    def words(key: str) -> list[str]:
        return str(environment.get(key, "")).split()

    groups = words("CONSUMER_GROUPS")
    return {
        *words("DOMAIN_TOPICS"), *words("PARTNER_STATUS_TOPICS"),
        *(f"continuum.dlq.{g}" for g in groups), *(f"continuum.retry.{g}" for g in groups),
        *(f"continuum.partner.{a}" for a in words("AGENCIES")),
    }  # fmt: skip


def expected_topics(policy: Path) -> set[str]:
    """Continuum's topics, each consumer group's dead-letter and retry topics, each agency's topic."""
    groups = [group for manifest in discover_services() for group in manifest.consumer_groups]
    agencies = partners_policy(load_policy(policy)).topics
    return {*ALL_TOPICS, *(f"continuum.dlq.{g}" for g in groups), *(f"continuum.retry.{g}" for g in groups), *agencies}


def policy_file(services: dict[str, Compose]) -> Path:
    """The council policy the services are given (the host side of its mount)."""
    target = services["partners"]["environment"]["CONTINUUM_POLICY_FILE"]
    (source,) = [v.split(":")[0] for v in services["partners"]["volumes"] if v.split(":")[1] == target]
    return ROOT / source


# --- tests -------------------------------------------------------------------------------------

GOOD = load(COMPOSE.read_text())


def test_the_compose_file_meets_the_specification_and_the_code() -> None:
    assert compose_problems(GOOD) == []


def test_every_service_is_in_the_compose_file_with_postgres_kafka_and_the_topic_step() -> None:
    assert {"postgres", "kafka", "kafka-topics", *SERVICES, *(f"{s}-migrate" for s in SERVICES)} <= set(GOOD["services"])
    assert (
        "KRaft" in COMPOSE.read_text() and GOOD["services"]["kafka"]["environment"]["KAFKA_PROCESS_ROLES"] == "broker,controller"
    )


def test_init_databases_creates_every_service_by_default() -> None:
    default = next(line for line in INIT_DATABASES.read_text().splitlines() if line.startswith("services="))
    assert sorted(default.split(":-", 1)[1].rstrip('}"').split()) == SERVICES


def _api_env(c: Compose) -> dict[str, Any]:
    env: dict[str, Any] = c["services"]["referral"]["environment"]
    return env


def _drop(key: str) -> Callable[[Compose], None]:
    return lambda c: _api_env(c).pop(key)


BREAKAGES: dict[str, tuple[Callable[[Compose], None], str]] = {
    "unknown key": (lambda c: c["services"]["referral"].update(helthcheck={}), "specification"),
    "bad condition": (
        lambda c: c["services"]["referral"]["depends_on"]["kafka-topics"].update(condition="service_done"),
        "specification",
    ),
    "bad restart": (lambda c: c["services"]["referral"].update(restart="sometimes"), "specification"),
    "missing required setting": (_drop("CONTINUUM_ENV"), "referral: CONTINUUM_ENV is not given"),
    "missing database url": (_drop("CONTINUUM_DATABASE_URL"), "referral: CONTINUUM_DATABASE_URL is not given"),
    "misspelt setting": (
        lambda c: _api_env(c).update(CONTINUUM_KAFKA_BOOTSTRAPS="kafka:9092"),
        "CONTINUUM_KAFKA_BOOTSTRAPS is given but not read",
    ),
    "setting of another process": (
        lambda c: _api_env(c).update(CONTINUUM_DATABASE_RUNTIME_ROLE="referral"),
        "RUNTIME_ROLE is given but not read",
    ),
    "unparsable value": (lambda c: _api_env(c).update(CONTINUUM_KAFKA_IDEMPOTENCE="ture"), "referral: its settings do not parse"),
    "another service's database": (
        lambda c: _api_env(c).update(CONTINUUM_DATABASE_URL="postgresql+asyncpg://plan:plan@postgres:5432/plan"),
        "not its own database",
    ),
    "dangling depends_on": (
        lambda c: c["services"]["referral"]["depends_on"].update(kafak={"condition": "service_healthy"}),
        "kafak, which is not a service",
    ),
    "api before its migration": (
        lambda c: c["services"]["referral"]["depends_on"].pop("referral-migrate"),
        "does not wait for referral-migrate",
    ),
    "migration as the runtime role": (
        lambda c: c["services"]["plan-migrate"]["environment"].update(
            CONTINUUM_DATABASE_URL="postgresql+asyncpg://plan:plan@postgres:5432/plan"
        ),
        "does not migrate as plan_owner",
    ),
    "service left out": (lambda c: c["services"].pop("insight"), "insight: needs both"),
    "import job without a url": (
        lambda c: c["services"]["import"]["environment"].pop("CONTINUUM_PLAN_URL"),
        "CONTINUUM_PLAN_URL is not given",
    ),
    "consumer group without topics": (
        lambda c: c["services"]["kafka-topics"]["environment"].update(CONSUMER_GROUPS="referral.stepup"),
        "does not create continuum.dlq.referral.episodes",
    ),
    "agency without a topic": (
        lambda c: c["services"]["kafka-topics"]["environment"].update(AGENCIES="police"),
        "does not create continuum.partner.housing",
    ),
    "database not created": (
        lambda c: c["services"]["postgres"]["environment"].update(CONTINUUM_SERVICES="referral"),
        "CONTINUUM_SERVICES",
    ),
}


@pytest.mark.parametrize("breakage", sorted(BREAKAGES))
def test_a_broken_compose_file_is_reported(breakage: str) -> None:
    change, reported = BREAKAGES[breakage]
    broken = copy.deepcopy(GOOD)
    change(broken)
    problems = compose_problems(broken)
    assert any(reported in problem for problem in problems), problems
