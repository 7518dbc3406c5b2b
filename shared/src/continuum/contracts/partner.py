"""The partner statuses: the services' internal feed on ``continuum.partner-status``, and what the
partners service tells each agency on its own topic ``continuum.partner.<agency>`` (decision 56).

Only identifiers a partner already holds (the NHS number, the date of birth), the status, the date
it began and a public contact: never names, addresses, narrative, internal team ids (a team called
``disabled-children`` would disclose a disability), case ids or trace context (compare NHS CP-IS).
Each status is keyed by the child's NHS number, so one child's statuses stay in order for a partner;
a child without a known NHS number is not announced to any agency (a partner could not match it):
its service publishes ``status.withheld`` instead, which the partners service records in its sharing
log as a decision not to share and forwards to nobody.
"""

from __future__ import annotations

import uuid
from datetime import date
from enum import StrEnum
from typing import ClassVar

from pydantic import Field

from continuum.contracts.envelope import EventData

PARTNER_STATUS_TOPIC = "continuum.partner-status"
#: Each agency's own topic is this prefix and the agency's id (``continuum.partner.police``): compacted,
#: keyed by the NHS number, read only by that agency.
AGENCY_TOPIC_PREFIX = "continuum.partner."


def agency_topic(agency: str) -> str:
    """The topic of the agency ``agency`` (an id of the ``partners:`` section of the council policy)."""
    return AGENCY_TOPIC_PREFIX + agency


class PartnerStatus(StrEnum):
    REFERRED = "referred"
    ASSESSMENT = "assessment"
    CIN_PLAN = "cin_plan"
    CP_PLAN = "cp_plan"
    STEPPED_DOWN = "stepped_down"
    CLOSED = "closed"


class _AgencyStatus(EventData):
    """What a partner agency may know of a child's status, keyed by the NHS number: the fields of
    ``status.changed`` v2 and of ``partner.status`` v1 alike."""

    carries_trace: ClassVar[bool] = False

    nhs_number: str = Field(description="The child's NHS number: the identifier partners match on")
    date_of_birth: date | None = Field(description="Date of birth, for the partner to confirm the match")
    status: PartnerStatus
    since: date = Field(description="The London date the status began (the referral, the plan's start, the closure)")
    responsible_service: str = Field(description="The public name of the service responsible (never an internal team id)")
    contact: str = Field(description="Duty telephone or shared mailbox of the responsible service")

    def partition_key(self) -> str:
        return self.nhs_number


class StatusChanged(_AgencyStatus):
    """A child's status with children's social care changed (version 2: minimal and keyed by NHS number)."""

    event_type = "status.changed"
    schema_version = 2
    topic = PARTNER_STATUS_TOPIC


class WithheldReason(StrEnum):
    """Why a status was not shared with any agency."""

    NO_NHS_NUMBER = "no_nhs_number"
    #: Reserved: a child's record restricted from sharing is not modelled yet (decision 56).
    RESTRICTED = "restricted"


class StatusWithheld(EventData):
    """A child's status changed but no agency may be told (its NHS number is not known): internal to
    Continuum, for the partners service's sharing log; never forwarded to an agency. Keyed by the
    child's id. The status itself is announced as ``status.changed`` when the number becomes known."""

    event_type = "status.withheld"
    schema_version = 1
    topic = PARTNER_STATUS_TOPIC
    carries_trace: ClassVar[bool] = False

    child_id: uuid.UUID = Field(description="The child's id in Continuum (the referral service's register)")
    status: PartnerStatus
    since: date = Field(description="The London date the status began")
    reason: WithheldReason = Field(description="Why no agency is told")

    def partition_key(self) -> str:
        return str(self.child_id)


class PartnerStatusShared(_AgencyStatus):
    """What one agency is told, on its own topic ``continuum.partner.<agency>`` (compacted, keyed by
    the NHS number): the fields of ``status.changed`` v2, nothing more. The envelope's id is derived
    from the source event's id and the agency (:func:`shared_event_id`), so a redelivered source
    event yields the same id and the agency can drop it."""

    event_type = "partner.status"
    schema_version = 1
    topic = AGENCY_TOPIC_PREFIX + "{agency}"


#: The namespace of the ids of the events sent to agencies (uuid5 of the source event and the agency).
SHARED_EVENT_NAMESPACE = uuid.UUID("6f1c1f43-5a8e-4f0b-9a55-2f6e3c1d5a56")


def shared_event_id(source_event_id: uuid.UUID, agency: str) -> uuid.UUID:
    """The id of the ``partner.status`` event sent to ``agency`` for the source event: the same for
    the same pair, whatever delivers it."""
    return uuid.uuid5(SHARED_EVENT_NAMESPACE, f"{source_event_id}/{agency}")
