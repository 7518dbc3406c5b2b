"""The published language: every event contract has a published JSON Schema in docs/events, and
no change to a contract breaks what was published (consumers built on it keep working)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from continuum.contracts import CATALOGUE, json_schemas
from continuum.contracts.compat import breaking_changes

PUBLISHED = Path(__file__).resolve().parents[1] / "docs" / "events"


def test_every_contract_has_a_published_schema() -> None:
    missing = [name for name in json_schemas() if not (PUBLISHED / f"{name}.schema.json").exists()]
    assert missing == [], "run `make schemas` and commit docs/events"


@pytest.mark.parametrize("published", sorted(PUBLISHED.glob("*.schema.json")), ids=lambda p: p.name.removesuffix(".schema.json"))
def test_no_contract_change_breaks_its_published_schema(published: Path) -> None:
    name = published.name.removesuffix(".schema.json")
    current = json_schemas().get(name)
    assert current is not None, f"{name} was published and is gone: keep it or publish a new version beside it"
    assert breaking_changes(json.loads(published.read_text()), current) == []


def test_asyncapi_document_names_every_event() -> None:
    document = json.loads((PUBLISHED / "asyncapi.json").read_text())
    assert {m["name"] for m in document["components"]["messages"].values()} == set(CATALOGUE)
