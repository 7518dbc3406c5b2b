"""The council policy file: what each council sets locally, validated at start-up.

One YAML file (``CONTINUUM_POLICY_FILE``); without one, the development policy shipped beside this
module is used. A file that does not validate stops the service from starting, with the reason.

At the top level, what every service reads (the council, its teams, the read budget); below it, one
section per service that has settings of its own (``assessment:``, ``plan:``, ``stepdown:``), which
that service declares as a model and validates at its start (:meth:`CouncilPolicy.section`). One
file serves every service, and no service's settings live in the kernel.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, model_validator

DEV_POLICY = Path(__file__).with_name("dev_policy.yaml")


#: What a team id looks like, in the policy file and in every request that names a team.
TEAM_PATTERN = r"^[a-z0-9][a-z0-9-]{1,49}$"


class ReadLimitPolicy(BaseModel):
    """The council's budget of child-record reads per principal (policy file, ``read_limit``)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    per_minute: int = Field(600, ge=1, le=100_000, description="Child records a user may read per minute, sustained")
    burst: int = Field(600, ge=1, le=100_000, description="Child records a user may read at once (a page of a list counts each)")


class Team(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(pattern=TEAM_PATTERN)
    name: str
    contact: str = Field(description="Duty telephone or shared mailbox that partners may be given")
    front_door: bool = False
    partner_label: str | None = Field(
        default=None,
        description="The public name partners are given for this team (default: the council's children's social care)."
        " Never the internal id or a name that discloses something about the children it serves.",
    )


Section = TypeVar("Section", bound=BaseModel)


class CouncilPolicy(BaseModel):
    """What every service reads, and each service's section left for it to validate."""

    model_config = ConfigDict(frozen=True, extra="allow")

    la_code: str = Field(pattern=r"^\d{3}$", description="The council's three-digit LEA code")
    council_name: str
    teams: list[Team]
    read_limit: ReadLimitPolicy = ReadLimitPolicy()
    _sections: dict[str, tuple[object, BaseModel]] = PrivateAttr(default_factory=dict)

    @model_validator(mode="after")
    def _teams_unique_and_one_front_door(self) -> CouncilPolicy:
        ids = [t.id for t in self.teams]
        if len(ids) != len(set(ids)):
            raise ValueError("team ids must be unique")
        if not any(t.front_door for t in self.teams):
            raise ValueError("one team must be the front door (front_door: true)")
        return self

    @model_validator(mode="after")
    def _the_rest_are_sections(self) -> CouncilPolicy:
        # A misspelt top-level setting is refused here; a section is its service's to check.
        for name, value in (self.model_extra or {}).items():
            if not isinstance(value, dict):
                raise ValueError(f"{name}: not a council-wide setting, and not a service's section (a mapping)")
        return self

    def section(self, name: str, model: type[Section]) -> Section:
        """The section ``name:`` of the policy file, validated by the service's ``model`` (its
        defaults where the file has none); raises ``ValueError`` naming what is wrong. Validated
        once per policy."""
        # Read on hot paths (the domain's rules take it per call): straight from pydantic's store of
        # private attributes, not through its attribute hook, which costs several times the lookup.
        # Keyed by the section's raw mapping too: a copy of the policy with another section shares
        # this store (pydantic copies it shallowly) but not the mapping.
        sections: dict[str, tuple[object, BaseModel]] = self.__pydantic_private__["_sections"]  # type: ignore[index]
        raw = (self.__pydantic_extra__ or {}).get(name)
        entry = sections.get(name)
        if entry is not None and entry[0] is raw:
            cached = entry[1]
        else:
            try:
                cached = model.model_validate(raw or {})
            except ValidationError as exc:
                raise ValueError(f"the {name} section of the council policy file: {exc}") from exc
            sections[name] = (raw, cached)
        if not isinstance(cached, model):
            raise TypeError(f"the {name} section was read as {type(cached).__name__}, not {model.__name__}")
        return cached

    def team(self, team_id: str) -> Team | None:
        return next((t for t in self.teams if t.id == team_id), None)

    @property
    def front_door_team(self) -> Team:
        return next(t for t in self.teams if t.front_door)

    def partner_contact(self, team_id: str) -> tuple[str, str]:
        """The public name and contact partners are given for ``team_id`` (the front door's contact
        when the team is not the council's): never the internal team id."""
        team = self.team(team_id) or self.front_door_team
        return team.partner_label or f"{self.council_name} children's social care", team.contact


@lru_cache(maxsize=8)
def load_policy(path: Path | None = None) -> CouncilPolicy:
    """Read and validate the policy file; raises ``ValueError`` naming what is wrong."""
    source = path or DEV_POLICY
    try:
        raw = yaml.safe_load(source.read_text())
    except (OSError, yaml.YAMLError) as exc:
        raise ValueError(f"cannot read the council policy file {source}: {exc}") from exc
    return CouncilPolicy.model_validate(raw)
