"""The partner status: the minimum a partner agency (police, health, schools) may know of a child,
built one way by whichever service owns the status (decision 34)."""

from __future__ import annotations

import uuid
from datetime import date

from continuum.casework.policy import CouncilPolicy
from continuum.contracts import PartnerStatus, StatusChanged, StatusWithheld, WithheldReason


def partner_status(
    *,
    child_id: uuid.UUID,
    nhs_number: str | None,
    date_of_birth: date | None,
    status: PartnerStatus,
    since: date,
    team: str,
    policy: CouncilPolicy,
) -> StatusChanged | StatusWithheld:
    """What a partner agency is told: the identifiers it already holds, the status, the London date
    it began, and the public name and contact of the responsible service (never the internal team
    id). When the child's NHS number is not known, partners could not match it: the status is
    withheld (``status.withheld``, keyed by the child's id, which the partners service logs as a
    decision not to share and forwards to nobody); it is sent when the number becomes known."""
    if nhs_number is None:
        return StatusWithheld(child_id=child_id, status=status, since=since, reason=WithheldReason.NO_NHS_NUMBER)
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
