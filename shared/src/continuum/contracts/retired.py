"""Earlier major versions of published contracts, kept so their published schemas stay checked
(``tests/test_contracts.py``); nothing publishes them. Each keeps the class name it was published
under, so its schema is generated exactly as it was."""

from __future__ import annotations

from datetime import date, datetime

from continuum.contracts.envelope import EventData
from continuum.contracts.partner import PARTNER_STATUS_TOPIC, PartnerStatus


# Version 1 of ``status.changed``: it carried the internal team id and the processing instant.
class StatusChanged(EventData):

    event_type = "status.changed"
    schema_version = 1
    topic = PARTNER_STATUS_TOPIC

    nhs_number: str | None
    date_of_birth: date | None
    status: PartnerStatus
    since: datetime
    responsible_team: str
    team_contact: str


RETIRED: tuple[type[EventData], ...] = (StatusChanged,)
