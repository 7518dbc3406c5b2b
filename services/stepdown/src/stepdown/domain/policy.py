"""The step-down service's section of the council policy file (``stepdown:``): which team receives
handovers to early help, how long it has to answer, and the monthly audit's sampling rate."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from continuum.casework.policy import TEAM_PATTERN, CouncilPolicy

SECTION = "stepdown"


class StepdownPolicy(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    early_help_team: str = Field(
        "early-help", pattern=TEAM_PATTERN, description="The early help (family help) team that receives handovers"
    )
    early_help_acceptance_deadline_working_days: int = Field(
        10, ge=1, description="Working days early help has to accept or decline"
    )
    audit_sampling_rate: float = Field(
        0.05, ge=0, le=1, description="Share of last month's step-downs and step-ups drawn for audit"
    )


def stepdown_policy(policy: CouncilPolicy) -> StepdownPolicy:
    """The council's ``stepdown:`` section (its defaults where the file has none)."""
    return policy.section(SECTION, StepdownPolicy)
