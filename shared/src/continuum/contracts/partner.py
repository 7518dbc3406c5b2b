"""The partner-facing status feed on ``continuum.partner-status``.

Only identifiers a partner already holds (NHS number, date of birth), the status, since when and
the responsible team's contact: never names, addresses or narrative (compare NHS CP-IS).
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from continuum.contracts.envelope import EventData

PARTNER_STATUS_TOPIC = "continuum.partner-status"


class PartnerStatus(StrEnum):
    REFERRED = "referred"
    ASSESSMENT = "assessment"
    CIN_PLAN = "cin_plan"
    CP_PLAN = "cp_plan"
    STEPPED_DOWN = "stepped_down"
    CLOSED = "closed"


class StatusChanged(EventData):
    event_type = "status.changed"
    topic = PARTNER_STATUS_TOPIC

    nhs_number: str | None
    date_of_birth: date | None
    status: PartnerStatus
    since: datetime
    responsible_team: str
    team_contact: str
