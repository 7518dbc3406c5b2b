"""The council policy file: what each council sets locally, validated at start-up.

One YAML file (``CONTINUUM_POLICY_FILE``); without one, the development policy shipped beside this
module is used. A file that does not validate stops the service from starting, with the reason.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from continuum.ratelimit import ReadLimitPolicy

DEV_POLICY = Path(__file__).with_name("dev_policy.yaml")


#: What a team id looks like, in the policy file and in every request that names a team.
TEAM_PATTERN = r"^[a-z0-9][a-z0-9-]{1,49}$"


class Team(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(pattern=TEAM_PATTERN)
    name: str
    contact: str = Field(description="Duty telephone or shared mailbox that partners may be given")
    front_door: bool = False


class LeadPractitionerPolicy(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    social_worker_roles: list[str] = ["social_worker"]
    section17_roles: list[str] = Field(
        default_factory=lambda: ["family_support_practitioner", "domestic_abuse_practitioner", "substance_misuse_practitioner"],
        description="Non-social-work roles who may lead section 17 (never section 47) work",
    )


class CouncilPolicy(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    la_code: str = Field(pattern=r"^\d{3}$", description="The council's three-digit LEA code")
    council_name: str
    teams: list[Team]
    lead_practitioners: LeadPractitionerPolicy = LeadPractitionerPolicy()
    cin_review_cadence_weeks: int = Field(6, ge=1, le=26)
    visit_frequency_weeks: int | None = Field(4, ge=1, le=26)
    drift_thresholds_months: list[int] = [6, 9, 12]
    early_help_acceptance_deadline_working_days: int = Field(10, ge=1)
    audit_sampling_rate: float = Field(0.05, ge=0, le=1)
    read_limit: ReadLimitPolicy = ReadLimitPolicy()

    @field_validator("drift_thresholds_months")
    @classmethod
    def _ascending(cls, value: list[int]) -> list[int]:
        if not value or sorted(value) != value or value[0] <= 0:
            raise ValueError("drift thresholds must be positive and ascending, e.g. [6, 9, 12]")
        return value

    @model_validator(mode="after")
    def _teams_unique_and_one_front_door(self) -> CouncilPolicy:
        ids = [t.id for t in self.teams]
        if len(ids) != len(set(ids)):
            raise ValueError("team ids must be unique")
        if not any(t.front_door for t in self.teams):
            raise ValueError("one team must be the front door (front_door: true)")
        return self

    def team(self, team_id: str) -> Team | None:
        return next((t for t in self.teams if t.id == team_id), None)

    @property
    def front_door_team(self) -> Team:
        return next(t for t in self.teams if t.front_door)


@lru_cache(maxsize=8)
def load_policy(path: Path | None = None) -> CouncilPolicy:
    """Read and validate the policy file; raises ``ValueError`` naming what is wrong."""
    source = path or DEV_POLICY
    try:
        raw = yaml.safe_load(source.read_text())
    except (OSError, yaml.YAMLError) as exc:
        raise ValueError(f"cannot read the council policy file {source}: {exc}") from exc
    return CouncilPolicy.model_validate(raw)
