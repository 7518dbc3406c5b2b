"""What the code says each service does on Kafka, for the manifests to be compared against: the
consumer groups and the topics each reads (taken from the service's own app factory), the topics it
publishes, and the partner agencies of a council policy. Derived, never listed here, so that a new
consumer, topic or agency without its KafkaTopic, KafkaUser or ACL fails tests/deploy/test_k8s.py."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from unittest.mock import MagicMock

import yaml

from continuum.contracts import PARTNER_STATUS_TOPIC
from continuum.manifest import ServiceManifest
from continuum.messaging.kafka import dlq_topic, retry_topic

SERVICES = ("referral", "assessment", "plan", "stepdown", "insight", "partners")
REPO = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class KafkaUse:
    """One service's traffic: what it reads (with which groups) and what it writes."""

    service: str
    groups: dict[str, tuple[str, ...]] = field(default_factory=dict)  # group -> topics it reads
    writes: frozenset[str] = frozenset()

    @property
    def reads(self) -> frozenset[str]:
        """Every topic it reads: its groups' topics and each group's own retry topic."""
        return frozenset(t for g, topics in self.groups.items() for t in (*topics, retry_topic(g)))

    @property
    def dead_letters(self) -> frozenset[str]:
        return frozenset(dlq_topic(g) for g in self.groups)


class _Recorder:
    """Stands in for the Runtime that build_app hands a service's ``consumers`` callable: it keeps
    each consumer's group and topics instead of connecting anything."""

    def __init__(self) -> None:
        self.groups: dict[str, tuple[str, ...]] = {}

    def event_consumer(self, *, name: str, topics: Sequence[str], **_: Any) -> None:
        self.groups[name] = tuple(topics)


def consumer_groups(service: str) -> dict[str, tuple[str, ...]]:
    """Each consumer group the service's app factory makes, with the topics it subscribes to."""
    app_module = importlib.import_module(f"{service}.app")
    settings_module = importlib.import_module(f"{service}.settings")
    settings_cls = next(
        v for k, v in vars(settings_module).items() if k.endswith("Settings") and v.__module__ == settings_module.__name__
    )
    captured: dict[str, Callable[[Any], Any]] = {}

    def build_app(**kwargs: Any) -> MagicMock:
        captured["consumers"] = kwargs.get("consumers") or (lambda runtime: [])
        return MagicMock()  # the app the factory goes on to add routes to

    original = app_module.build_app
    app_module.build_app = build_app
    try:
        app_module.create_app(settings_cls(env="dev"))
    finally:
        app_module.build_app = original
    recorder = _Recorder()
    captured["consumers"](recorder)
    return recorder.groups


def published_topics(service: str) -> frozenset[str]:
    """Its own domain topic (the contracts module named after it), continuum.partner-status when it
    builds partner statuses (continuum.casework.partners), and the partners service's agency topics."""
    topics: set[str] = set()
    try:
        contracts = importlib.import_module(f"continuum.contracts.{service}")
        topics |= {v for k, v in vars(contracts).items() if k.endswith("_TOPIC") and k.startswith(service.upper())}
    except ModuleNotFoundError:
        pass
    sources = (REPO / "services" / service / "src" / service).rglob("*.py")
    if any("casework.partners" in p.read_text() or "casework import partners" in p.read_text() for p in sources):
        topics.add(PARTNER_STATUS_TOPIC)
    manifest: ServiceManifest = importlib.import_module(f"{service}.manifest").MANIFEST
    return frozenset(topics | set(manifest.topics))


def kafka_use(service: str) -> KafkaUse:
    return KafkaUse(service=service, groups=consumer_groups(service), writes=published_topics(service))


def agencies(policy_text: str) -> tuple[str, ...]:
    """The agency ids of a council policy file's partners: section, read by the partners service's
    own model of it (the rest of the file may be a council's template that does not validate yet)."""
    from partners.domain.policy import SECTION, PartnersPolicy

    section = (yaml.safe_load(policy_text) or {}).get(SECTION) or {}
    return tuple(agency.id for agency in PartnersPolicy.model_validate(section).agencies)
