"""The partner status: the minimum a partner agency (police, health, schools) may know of a child,
built one way by whichever service owns the status (decision 34)."""

from __future__ import annotations

from datetime import date

from continuum.casework.policy import CouncilPolicy
from continuum.contracts import PartnerStatus, StatusChanged


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


def number_to_announce(before: str | None, after: str | None) -> str | None:
    """The NHS number to announce a child's statuses under when its copy changed from ``before`` to
    ``after``: the number it gained, or the other number it holds now; ``None`` when nothing new
    is known (no number, or the same one)."""
    return after if after is not None and after != before else None
