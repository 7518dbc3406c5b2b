"""The plan service's section of the council policy file (``plan:``): the council's review cadence
for CIN plans, its visit frequency and its drift thresholds. (The child protection conference
timings are the law's, in :mod:`plan.domain.states`.)"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator

from continuum.casework.policy import CouncilPolicy

SECTION = "plan"


class PlanPolicy(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    cin_review_cadence_weeks: int = Field(6, ge=1, le=26, description="Weeks between CIN plan reviews")
    visit_frequency_weeks: int | None = Field(4, ge=1, le=26, description="Weeks between visits to the child; none: not set")
    drift_thresholds_months: list[int] = Field([6, 9, 12], description="Months open after which a plan is flagged, ascending")

    @field_validator("drift_thresholds_months")
    @classmethod
    def _ascending(cls, value: list[int]) -> list[int]:
        if not value or sorted(value) != value or value[0] <= 0:
            raise ValueError("drift thresholds must be positive and ascending, e.g. [6, 9, 12]")
        return value


def plan_policy(policy: CouncilPolicy) -> PlanPolicy:
    """The council's ``plan:`` section (its defaults where the file has none)."""
    return policy.section(SECTION, PlanPolicy)
