"""Earlier major versions of published contracts, kept so their published schemas stay checked
(``tests/test_contracts.py``); nothing publishes them. Each keeps the class name it was published
under, so its schema is generated exactly as it was."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from pydantic import Field

from continuum.contracts.envelope import EventData
from continuum.contracts.partner import PARTNER_STATUS_TOPIC, PartnerStatus
from continuum.contracts.plan import PLAN_TOPIC, PreproceedingsDecision, PreproceedingsRecord


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


# Version 1 of the pre-proceedings events: they belonged to a child protection plan (``plan_id``
# required); since version 2 they belong to the episode, with or without a plan (issue 16).
class PreproceedingsEventV1(EventData):
    """What every version 1 pre-proceedings event opens with: the plan, its case, its child and team."""

    schema_version = 1
    topic = PLAN_TOPIC

    plan_id: uuid.UUID
    case_id: uuid.UUID
    child_id: uuid.UUID
    team: str


class PreproceedingsStarted(PreproceedingsEventV1):
    event_type = "preproceedings.started"

    start_date: date = Field(description="Census PPStartDate")


class PreproceedingsRecorded(PreproceedingsRecord, PreproceedingsEventV1):
    """The pre-proceedings record changed (census PreProceedingsandFGDM items)."""

    event_type = "preproceedings.recorded"


class PreproceedingsDecided(PreproceedingsEventV1):
    event_type = "preproceedings.decided"

    decision: PreproceedingsDecision
    decision_date: date = Field(description="Census StepDecisionDate")
    court_application_date: date | None = Field(description="Census CourtAppDate")
    fgdm_offered: bool
    fgdm_exception: bool = Field(description="A reasoned exception replaced the FGDM offer (the reason stays in the service)")


RETIRED: tuple[type[EventData], ...] = (StatusChanged, PreproceedingsStarted, PreproceedingsRecorded, PreproceedingsDecided)
