"""Records every service of the case flow builds the same way: the closure of an episode (census
date and reason) and the partner status (the minimum a partner agency may know).

Published language, not a service's rules: which outcome closes an episode, and when, is decided
in each service's domain; this module only gives the records their one shape.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

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
    since: date,
    team: str,
    policy: CouncilPolicy,
) -> StatusChanged | None:
    """What a partner agency is told: the identifiers it already holds, the status, the London date
    it began, and the public name and contact of the responsible service (never the internal team
    id). ``None`` when the child's NHS number is not known: partners match on it, so there is
    nothing they could use; the status is sent when the number becomes known."""
    if nhs_number is None:
        return None
    responsible, contact = policy.partner_contact(team)
    return StatusChanged(
        nhs_number=nhs_number,
        date_of_birth=date_of_birth,
        status=status,
        since=since,
        responsible_service=responsible,
        contact=contact,
    )
