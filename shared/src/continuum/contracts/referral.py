"""Events the referral service publishes on ``continuum.referral``."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum

from pydantic import Field

from continuum.contracts.codes import Disability, Ethnicity, PrimaryNeedCode, ReferralSource, Sex, UPNUnknownReason
from continuum.contracts.envelope import EventData

REFERRAL_TOPIC = "continuum.referral"


class ChildCharacteristics(EventData):
    """Identity and census characteristics of a child, as every service keeps a local copy of them."""

    topic = REFERRAL_TOPIC

    child_id: uuid.UUID
    la_child_id: str
    given_name: str
    family_name: str
    date_of_birth: date | None
    expected_date_of_birth: date | None
    sex: Sex
    ethnicity: Ethnicity
    disabilities: list[Disability]
    upn: str | None
    nhs_number: str | None
    postcode: str | None
    version: int
    former_upn: str | None = Field(default=None, description="Census FormerUPN")
    upn_unknown_reason: UPNUnknownReason | None = Field(default=None, description="Census UPNunknown: why there is no UPN")
    date_of_death: date | None = Field(default=None, description="Census PersonDeathDate")
    previous_cp_plans_elsewhere: int | None = Field(
        default=None, ge=0, description="Child protection plans the child had in other councils (in NumberOfPreviousCPP)"
    )


class ChildRegistered(ChildCharacteristics):
    event_type = "child.registered"


class ChildUpdated(ChildCharacteristics):
    event_type = "child.updated"


class ThresholdLevel(StrEnum):
    """The continuum-of-need level a referrer suggests (levels 1 to 4 in most councils' documents)."""

    UNIVERSAL = "universal"
    EARLY_HELP = "early_help"
    CHILD_IN_NEED = "child_in_need"
    CHILD_PROTECTION = "child_protection"


class ReferralEvent(EventData):
    """What every referral event opens with: the referral, its case (the Kafka key), its child and when it came."""

    topic = REFERRAL_TOPIC

    referral_id: uuid.UUID
    case_id: uuid.UUID
    child_id: uuid.UUID
    received_at: datetime


class ReferralReceived(ReferralEvent):
    event_type = "referral.received"

    source: ReferralSource
    referrer_agency: str
    suggested_threshold: ThresholdLevel
    re_referral: bool
    decision_due_at: datetime
    team: str | None
    stepped_up_from: uuid.UUID | None = None


class DecisionOutcome(StrEnum):
    NFA = "nfa"
    EARLY_HELP = "early_help"
    ASSESSMENT = "assessment"
    STRATEGY_DISCUSSION = "strategy_discussion"


class ReferralDecided(ReferralEvent):
    event_type = "referral.decided"

    referral_date: date
    source: ReferralSource
    outcome: DecisionOutcome
    team: str
    decided_by: str
    decided_at: datetime
    within_one_working_day: bool
    correction_of: uuid.UUID | None = Field(default=None, description="The earlier decision event this one corrects, if any.")
    closed_on: date | None = Field(default=None, description="Set when the decision (NFA) closes the episode.")
    primary_need: PrimaryNeedCode | None = Field(
        default=None,
        exclude_if=lambda value: value is None,
        description="Census PrimaryNeedCode where the decision carries one: an imported episode's, as its census return"
        " gives it (decision 59). Live work records it at the assessment's authorisation (assessment.authorised).",
    )


class InformationEvent(EventData):
    """What the events of a request for information open with: the request, its referral and case, the agency asked."""

    topic = REFERRAL_TOPIC

    request_id: uuid.UUID
    referral_id: uuid.UUID
    case_id: uuid.UUID
    agency: str


class InformationRequested(InformationEvent):
    event_type = "information.requested"

    due_at: datetime


class InformationReceived(InformationEvent):
    event_type = "information.received"

    received_at: datetime
    on_time: bool


__all__ = [
    "REFERRAL_TOPIC",
    "ChildRegistered",
    "ChildUpdated",
    "DecisionOutcome",
    "InformationReceived",
    "InformationRequested",
    "ReferralDecided",
    "ReferralReceived",
    "ThresholdLevel",
]
