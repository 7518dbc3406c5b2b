"""The assessment service's section of the council policy file (``assessment:``): who may be an
assessment's lead practitioner."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from continuum.casework.policy import CouncilPolicy

SECTION = "assessment"


class LeadPractitionerPolicy(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    social_worker_roles: list[str] = Field(["social_worker"], description="Roles that are registered social workers")
    section17_roles: list[str] = Field(
        default_factory=lambda: ["family_support_practitioner", "domestic_abuse_practitioner", "substance_misuse_practitioner"],
        description="Non-social-work roles who may lead section 17 (never section 47) work",
    )


class AssessmentPolicy(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    lead_practitioners: LeadPractitionerPolicy = LeadPractitionerPolicy()


def assessment_policy(policy: CouncilPolicy) -> AssessmentPolicy:
    """The council's ``assessment:`` section (its defaults where the file has none)."""
    return policy.section(SECTION, AssessmentPolicy)
