"""The council policy file: council-wide settings in the kernel, each service's own in its section."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import BaseModel, ConfigDict, Field

from continuum.casework.policy import DEV_POLICY, CouncilPolicy, load_policy


class ExampleSection(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    reminder_days: int = Field(5, ge=1)


def dev_policy(**changes: Any) -> dict[str, Any]:
    raw: dict[str, Any] = yaml.safe_load(DEV_POLICY.read_text())
    return {**raw, **changes}


def test_the_development_policy_validates_with_every_service_section() -> None:
    policy = load_policy()
    assert policy.la_code == "999"
    assert set(policy.model_extra or {}) >= {"assessment", "plan", "stepdown"}


def test_a_service_section_is_validated_by_the_services_model() -> None:
    policy = CouncilPolicy.model_validate(dev_policy(example={"reminder_days": 3}))
    assert policy.section("example", ExampleSection).reminder_days == 3


def test_a_missing_section_gives_the_services_defaults() -> None:
    policy = CouncilPolicy.model_validate(dev_policy())
    assert policy.section("example", ExampleSection) == ExampleSection()


def test_a_bad_section_is_refused_naming_the_section_and_the_field() -> None:
    policy = CouncilPolicy.model_validate(dev_policy(example={"reminder_days": 0}))
    with pytest.raises(ValueError, match=r"(?s)the example section of the council policy file.*reminder_days"):
        policy.section("example", ExampleSection)


def test_a_misspelt_setting_inside_a_section_is_refused() -> None:
    policy = CouncilPolicy.model_validate(dev_policy(example={"reminder_dayz": 3}))
    with pytest.raises(ValueError, match="reminder_dayz"):
        policy.section("example", ExampleSection)


def test_a_misspelt_top_level_setting_is_refused_at_load(tmp_path: Path) -> None:
    file = tmp_path / "policy.yaml"
    file.write_text(yaml.safe_dump(dev_policy(la_cod="123")))
    with pytest.raises(ValueError, match="la_cod: not a council-wide setting"):
        load_policy(file)


def test_a_service_setting_left_at_the_top_level_is_refused(tmp_path: Path) -> None:
    """Where plan settings used to be: a council's old file fails at start, with the reason."""
    file = tmp_path / "policy.yaml"
    file.write_text(yaml.safe_dump(dev_policy(cin_review_cadence_weeks=4)))
    with pytest.raises(ValueError, match="cin_review_cadence_weeks"):
        load_policy(file)


def test_a_copy_of_the_policy_with_another_section_reads_its_own_section() -> None:
    policy = CouncilPolicy.model_validate(dev_policy(example={"reminder_days": 3}))
    assert policy.section("example", ExampleSection).reminder_days == 3
    other = policy.model_copy(update={"example": {"reminder_days": 7}})
    assert other.section("example", ExampleSection).reminder_days == 7
    assert policy.section("example", ExampleSection).reminder_days == 3
