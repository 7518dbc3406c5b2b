"""The partner-facing status feed on ``continuum.partner-status``.

Only identifiers a partner already holds (the NHS number, the date of birth), the status, the date
it began and a public contact: never names, addresses, narrative, internal team ids (a team called
``disabled-children`` would disclose a disability), case ids or trace context (compare NHS CP-IS).
Each status is keyed by the child's NHS number, so one child's statuses stay in order for a partner;
a child without a known NHS number is not announced (a partner could not match it).
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import ClassVar

from pydantic import Field

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
    """A child's status with children's social care changed (version 2: minimal and keyed by NHS number)."""

    event_type = "status.changed"
    schema_version = 2
    topic = PARTNER_STATUS_TOPIC
    carries_trace: ClassVar[bool] = False

    nhs_number: str = Field(description="The child's NHS number: the identifier partners match on")
    date_of_birth: date | None = Field(description="Date of birth, for the partner to confirm the match")
    status: PartnerStatus
    since: date = Field(description="The London date the status began (the referral, the plan's start, the closure)")
    responsible_service: str = Field(description="The public name of the service responsible (never an internal team id)")
    contact: str = Field(description="Duty telephone or shared mailbox of the responsible service")

    def partition_key(self) -> str:
        return self.nhs_number
