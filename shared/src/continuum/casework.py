"""Records every service of the case flow builds the same way: the closure of an episode (census
date and reason) and the partner status (the minimum a partner agency may know).

Published language, not a service's rules: which outcome closes an episode, and when, is decided
in each service's domain; this module only gives the records their one shape.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from continuum.codes import ReasonForClosure
from continuum.contracts import PartnerStatus, StatusChanged
from continuum.policy import CouncilPolicy


@dataclass(frozen=True)
class Closure:
    """An episode's census closure: the London calendar date and the reason (RC1 to RC9)."""

    closed_on: date
    reason: ReasonForClosure


def partner_status(
    *,
    nhs_number: str | None,
    date_of_birth: date | None,
    status: PartnerStatus,
    since: datetime,
    team: str,
    policy: CouncilPolicy,
) -> StatusChanged:
    """What a partner agency is told: identifiers it already holds, the status, since when, and
    the responsible team's contact (the front door's when the team is not the council's)."""
    contact = policy.team(team)
    return StatusChanged(
        nhs_number=nhs_number,
        date_of_birth=date_of_birth,
        status=status,
        since=since,
        responsible_team=team,
        team_contact=contact.contact if contact else policy.front_door_team.contact,
    )
