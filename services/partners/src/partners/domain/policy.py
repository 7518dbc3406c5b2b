"""The partners service's section of the council policy file (``partners:``): each partner agency,
the statuses it receives, its lawful basis and its contact. Validated strictly at start: an unknown
status, a duplicate id or a missing basis stops the service with the reason."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from continuum.casework.policy import CouncilPolicy
from continuum.contracts import PartnerStatus, agency_topic

SECTION = "partners"

#: An agency's id: lower case, the last part of its topic's name (``continuum.partner.<id>``) and the
#: prefix of its consumer groups (``<id>.``).
AGENCY_PATTERN = r"^[a-z][a-z0-9-]{1,39}$"
#: Ids an agency may not have: a service's consumer groups are named "<service>.*", and an agency
#: reads with groups "<agency>.*" (its KafkaUser's ACL prefix).
RESERVED_IDS = frozenset({"referral", "assessment", "plan", "stepdown", "insight", "partners", "continuum"})


class LawfulBasis(BaseModel):
    """Why the council may tell the agency (UK GDPR and the Data Protection Act 2018): all three,
    in words an auditor reads back in the sharing log."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    article_6: str = Field(
        pattern=r"^6\(1\)\([a-f]\)", max_length=200, description="UK GDPR Article 6(1) condition, e.g. 6(1)(e) public task"
    )
    article_9: str = Field(
        pattern=r"^9\(2\)\([a-j]\)",
        max_length=200,
        description="UK GDPR Article 9(2) condition, e.g. 9(2)(g) substantial public interest",
    )
    dpa_2018: str = Field(
        min_length=10, max_length=200, description="DPA 2018 Schedule 1 condition, e.g. paragraph 18, safeguarding of children"
    )

    def __str__(self) -> str:
        return f"UK GDPR Art. {self.article_6}; Art. {self.article_9}; DPA 2018 {self.dpa_2018}"


class Agency(BaseModel):
    """One partner agency's subscription."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(pattern=AGENCY_PATTERN, description="Its id: its topic is continuum.partner.<id>")
    name: str = Field(min_length=1, max_length=200)
    statuses: frozenset[PartnerStatus] = Field(min_length=1, description="The statuses it receives")
    lawful_basis: LawfulBasis
    contact: str = Field(min_length=1, max_length=200, description="Who at the agency answers for the feed")

    @field_validator("id")
    @classmethod
    def _not_a_services_name(cls, value: str) -> str:
        if value in RESERVED_IDS:
            raise ValueError(f"{value!r} is a Continuum service's name: its consumer groups would share the agency's prefix")
        return value

    @property
    def topic(self) -> str:
        return agency_topic(self.id)

    def receives(self, status: PartnerStatus) -> bool:
        return status in self.statuses


class PartnersPolicy(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    agencies: tuple[Agency, ...] = ()

    @model_validator(mode="after")
    def _ids_unique(self) -> PartnersPolicy:
        ids = [a.id for a in self.agencies]
        twice = sorted({i for i in ids if ids.count(i) > 1})
        if twice:
            raise ValueError(f"agency ids must be unique: {', '.join(twice)} given more than once")
        return self

    def agency(self, agency_id: str) -> Agency | None:
        return next((a for a in self.agencies if a.id == agency_id), None)

    @property
    def topics(self) -> list[str]:
        return [a.topic for a in self.agencies]


def partners_policy(policy: CouncilPolicy) -> PartnersPolicy:
    """The council's ``partners:`` section (no agency where the file has none); raises ``ValueError``
    naming what is wrong."""
    return policy.section(SECTION, PartnersPolicy)
