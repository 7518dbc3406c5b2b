"""Who acts: the principal a verified token names (roles, teams, the social-work qualification).

Rules read it to decide who may see or change a case; how a token becomes a principal is the web
room's business (``continuum.web.auth``).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    FRONT_DOOR = "front_door"
    PRACTITIONER = "practitioner"
    MANAGER = "manager"
    EARLY_HELP = "early_help"
    AUDITOR = "auditor"
    #: The council's performance and data officers: its returns (the CIN census, Ofsted's Annex A)
    #: and its figures, across every team; no casework in any service.
    PERFORMANCE = "performance"
    ADMIN = "admin"
    SERVICE = "service"
    #: The history import's service account (decision 59): each service's import path, nothing else.
    IMPORTER = "importer"


@dataclass(frozen=True)
class Principal:
    sub: str
    name: str
    roles: frozenset[Role]
    teams: frozenset[str]
    sw_qualified: bool
    org: str

    def has(self, *roles: Role) -> bool:
        return bool(self.roles.intersection(roles))

    @property
    def sees_all_teams(self) -> bool:
        """Auditors (read-only), performance officers (figures and returns only), admins and other
        services see every team's cases."""
        return self.has(Role.AUDITOR, Role.PERFORMANCE, Role.ADMIN, Role.SERVICE)

    def can_see_team(self, team: str | None) -> bool:
        if self.sees_all_teams:
            return True
        return team is not None and team in self.teams
