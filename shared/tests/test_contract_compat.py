"""The backward-compatibility rules for published event schemas."""

from __future__ import annotations

import copy
from typing import Any

from continuum.contracts import json_schemas
from continuum.contracts.compat import breaking_changes

NAME = "referral.received.v1"


def published() -> dict[str, Any]:
    return json_schemas()[NAME]


def payload(schema: dict[str, Any]) -> dict[str, Any]:
    d: dict[str, Any] = schema["$defs"]["ReferralReceived"]
    return d


def test_an_unchanged_schema_is_compatible() -> None:
    assert breaking_changes(published(), published()) == []


def test_adding_an_optional_field_is_compatible() -> None:
    new = copy.deepcopy(published())
    payload(new)["properties"]["priority"] = {"type": "string"}
    assert breaking_changes(published(), new) == []


def test_removing_a_field_breaks_consumers() -> None:
    new = copy.deepcopy(published())
    del payload(new)["properties"]["team"]
    assert breaking_changes(published(), new) == ["data.team: removed"]


def test_requiring_a_new_field_breaks_consumers() -> None:
    new = copy.deepcopy(published())
    payload(new)["properties"]["priority"] = {"type": "string"}
    payload(new)["required"].append("priority")
    assert breaking_changes(published(), new) == ["data.priority: now required"]


def test_changing_a_type_breaks_consumers() -> None:
    new = copy.deepcopy(published())
    payload(new)["properties"]["re_referral"] = {"type": "string"}
    assert breaking_changes(published(), new) == [
        "data.re_referral: new shape ('string', None, (), None) not in the published [('boolean', None, (), None)]"
    ]


def test_adding_a_code_to_a_code_list_breaks_strict_consumers() -> None:
    new = copy.deepcopy(published())
    new["$defs"]["ThresholdLevel"]["enum"].append("level_5")
    assert len(breaking_changes(published(), new)) == 1
