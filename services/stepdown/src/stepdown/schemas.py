"""The step-down API's request and response models: every field described, every string and list
bounded. Dates are London calendar dates (ISO 8601); instants are UTC."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from continuum.casework.policy import TEAM_PATTERN
from continuum.contracts.codes import ReasonForClosure
from continuum.web.imports import BATCH_LIMIT, ImportAnswer
from continuum.web.limits import Day
from continuum.web.pagination import Page
from continuum.web.requests import RequestModel
from stepdown import examples
from stepdown.domain import (
    DeclineReason,
    EarlyHelpOutcome,
    Engagement,
    EscalationReason,
    Rating,
    SampledKind,
    StatutoryWork,
    StepdownStatus,
    TransitionKind,
    TransitionTrigger,
)
from stepdown.domain.audit import MONTH_PATTERN

#: Narrative (about three pages); names; team ids.
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=10_000)]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
TeamId = Annotated[str, StringConstraints(pattern=TEAM_PATTERN, max_length=50)]
Month = Annotated[str, StringConstraints(pattern=MONTH_PATTERN, max_length=7)]
#: What a history import names: a census code (checked by the domain), an LA child id, a file, an LA code.
Code = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=10)]
LaChildId = Annotated[str, StringConstraints(min_length=1, max_length=36)]
SourceFile = Annotated[str, StringConstraints(min_length=1, max_length=200)]
LaCode = Annotated[str, StringConstraints(pattern=r"^[0-9]{3}$", max_length=3)]


def _examples(example: dict[str, Any]) -> ConfigDict:
    """A model's configuration: its example in the OpenAPI document (a request model forbids
    unknown fields by its base, ``RequestModel``)."""
    return ConfigDict(json_schema_extra={"examples": [example]})


# --- requests -------------------------------------------------------------------------------------


class HandoverIn(RequestModel):
    model_config = _examples(examples.HANDOVER)

    unmet_needs: Text = Field(description="The needs still unmet that early help should pick up")
    what_has_worked: Text = Field(description="What has worked with the family so far")
    proposed_lead_professional: Name | None = Field(
        None, description="Who should lead in early help; leave out when the same lead practitioner continues"
    )
    same_lead_practitioner: bool = Field(description="The lead practitioner continues under family help")
    family_agreed: bool = Field(description="The family agreed to the step-down")


class DeclineIn(RequestModel):
    model_config = _examples(examples.DECLINE)

    reason: DeclineReason = Field(description="Why early help declines")
    detail: Text = Field(description="What the team manager needs to know (stays in the service)")


class EngagementIn(RequestModel):
    model_config = _examples(examples.ENGAGEMENT)

    engagement: Engagement = Field(description="The family's engagement at the council's check point")
    recorded_on: Day | None = Field(None, description="The London date of the check (default: today)")


class OutcomeIn(RequestModel):
    model_config = _examples(examples.OUTCOME)

    outcome: EarlyHelpOutcome = Field(description="How early help's work with the family ended")
    closed_on: Day = Field(description="The London date early help closed")


class ClosureIn(RequestModel):
    model_config = _examples(examples.CLOSURE)

    reason_for_closure: ReasonForClosure = Field(
        description="Census ReasonForClosure: RC8 and RC9 only after an assessment and only for an episode with no section 47, "
        "initial conference, CIN or CP plan (rule 2990); RC2 only when the child's date of death is recorded"
    )
    closure_date: Day | None = Field(None, description="Census CINclosureDate (default: when statutory work ended)")
    unmet_need: bool = Field(description="Needs remain that early help should pick up")


class StepUpIn(RequestModel):
    model_config = _examples(examples.STEP_UP)

    stepdown_id: uuid.UUID | None = Field(None, description="The step-down the family came to early help by, if any")
    child_id: uuid.UUID = Field(description="The child")
    team: TeamId | None = Field(
        None, description="The social-care team to refer to (default: the step-down's, or the front door)"
    )
    concerns: Text = Field(description="What early help is worried about now")
    what_was_tried: Text = Field(description="What early help has tried")


class AuditDrawIn(RequestModel):
    model_config = _examples(examples.AUDIT_DRAW)

    month: Month = Field(description="The month to sample (YYYY-MM), once it is over")


class FindingIn(RequestModel):
    model_config = _examples(examples.FINDING)

    rating: Rating = Field(description="The auditor's judgement of the step-down or step-up")
    finding: Text = Field(description="What the auditor found")
    learning: Text = Field(description="What the service should learn from it")


class EpisodeClosureIn(RequestModel):
    """A closed episode of the council's history, as its CIN census return tells it."""

    referral_date: Day = Field(description="Census CINreferralDate: the episode's (with the LA child id, its key)")
    closure_date: Day = Field(description="Census CINclosureDate")
    reason_for_closure: Code = Field(
        description="Census ReasonForClosure, RC1 to RC9 (checked child by child: a child with another code is refused alone)"
    )
    referral_nfa: bool = Field(description="Census ReferralNFA: closed at the front door, on its referral date")
    assessed: bool = Field(description="An assessment of the episode was authorised")
    statutory: bool = Field(description="A section 47 enquiry, an initial conference, a CIN or a CP plan happened (rule 2990)")
    unmet_need: bool | None = Field(
        None, description="Needs remained that early help should pick up (a return has none: unknown is true for RC9 only)"
    )


class ChildClosuresIn(RequestModel):
    """One child's closed episodes."""

    la_child_id: LaChildId = Field(description="Census LAchildID: the child's key, with the council's LA code")
    team: TeamId = Field(description="The team that held the child's cases (a team of the council's policy)")
    episodes: list[EpisodeClosureIn] = Field(min_length=1, max_length=100, description="The child's closed episodes, each once")


class ClosuresImportIn(RequestModel):
    """A batch of a council's history for step-down: the closed episodes of at most 200 children."""

    model_config = _examples(examples.CLOSURES_IMPORT)

    source: SourceFile = Field(description="The file the history came from (each record is marked with it)")
    la: LaCode = Field(description="The council's LA code (3 digits): every id is derived from it")
    children: list[ChildClosuresIn] = Field(min_length=1, max_length=BATCH_LIMIT, description="The children, each once")


# --- answers --------------------------------------------------------------------------------------


class ClosuresImportOut(ImportAnswer):
    """What the import did (or, in a dry run, would do): children by outcome, and each child refused."""

    model_config = _examples(examples.IMPORT_ANSWER)


class HandoverOut(BaseModel):
    model_config = _examples(examples.HANDOVER)

    unmet_needs: str = Field(description="The needs still unmet that early help should pick up")
    what_has_worked: str = Field(description="What has worked with the family so far")
    proposed_lead_professional: str | None = Field(description="Who should lead in early help (null: the same lead practitioner)")
    same_lead_practitioner: bool = Field(description="The lead practitioner continues under family help")
    family_agreed: bool = Field(description="The family agreed to the step-down")


class ClosureOut(BaseModel):
    model_config = _examples(examples.CLOSURE_OUT)

    closure_date: date = Field(description="Census CINclosureDate (a London date)")
    reason_for_closure: ReasonForClosure = Field(description="Census ReasonForClosure")
    unmet_need: bool = Field(description="Closed with needs unmet that early help should pick up")
    closed_at: datetime = Field(description="When the episode was closed here")


class ActionsOut(BaseModel):
    """How many of a plan's actions stood in each status when it ended."""

    model_config = _examples(examples.ACTIONS_OUT)

    total: int = Field(description="Actions of the plan")
    done: int = Field(description="Completed")
    in_progress: int = Field(description="Started, not completed")
    not_started: int = Field(description="Never started")
    dropped: int = Field(description="Given up or replaced")


class StepdownOut(BaseModel):
    model_config = _examples(examples.STEPDOWN_OUT)

    id: uuid.UUID = Field(description="The step-down (transition) id")
    case_id: uuid.UUID = Field(description="The case (episode) id")
    child_id: uuid.UUID = Field(description="The child")
    team: str = Field(description="The social-care team")
    kind: TransitionKind = Field(description="To early help, to universal services, or close")
    trigger: TransitionTrigger = Field(description="What made it: the front door, an assessment or a plan's end")
    status: StepdownStatus = Field(
        description="pending, accepted, declined, awaiting_closure, closed, or withdrawn (the front door corrected its decision)"
    )
    referral_date: date = Field(description="Census CINreferralDate: durations are measured from it")
    ended_on: date = Field(description="When statutory work ended (referral, authorisation or plan end)")
    assessed: bool = Field(description="An assessment was authorised in the episode (RC8 and RC9 need one)")
    unmet_need: bool = Field(description="Needs remain that early help should pick up")
    actions: ActionsOut | None = Field(description="For plan closures: the plan's action completion")
    lead_practitioner: str | None = Field(description="The episode's lead practitioner, if known")
    receiving_team: str | None = Field(description="The early help team asked to take the family")
    requested_at: datetime = Field(description="When the transition was made")
    stepped_down_on: date = Field(description="Its London date")
    response_due: date | None = Field(description="Early help answers by this London date")
    handover: HandoverOut | None = Field(description="What social care handed over (null until recorded)")
    answered_at: datetime | None = Field(description="When early help accepted or declined")
    answered_by: str | None = Field(description="Who in early help answered")
    decline_reason: DeclineReason | None = Field(description="Why early help declined")
    decline_detail: str | None = Field(description="What early help told the team manager")
    escalated_at: datetime | None = Field(description="When it went back to the team's manager")
    escalation_reason: EscalationReason | None = Field(description="declined or unanswered")
    engagement: Engagement | None = Field(description="The family's engagement with early help")
    engagement_recorded_on: date | None = Field(description="The London date of the check")
    outcome: EarlyHelpOutcome | None = Field(description="How early help's work ended")
    early_help_closed_on: date | None = Field(description="When early help closed")
    closure: ClosureOut | None = Field(description="The episode's census closure (null while open)")
    step_up_id: uuid.UUID | None = Field(description="The step-up that followed, if any")
    re_referred_on: date | None = Field(description="A new referral within 12 months of the step-down")
    statutory_work: list[StatutoryWork] = Field(
        description="Section 47, initial conference, CIN or CP plan the episode had: with any, RC8 and RC9 are refused "
        "(rule 2990)"
    )
    reopened_at: datetime | None = Field(description="When a corrected front-door decision withdrew its closure (case.reopened)")
    version: int = Field(description="The version, for If-Match (also the ETag)")


StepdownPage = Page[StepdownOut]


class EscalationOut(BaseModel):
    model_config = _examples(examples.ESCALATION_OUT)

    stepdown_id: uuid.UUID = Field(description="The step-down escalated")
    case_id: uuid.UUID = Field(description="The case (episode) id")
    child_id: uuid.UUID = Field(description="The child")
    team: str = Field(description="The social-care team whose manager has it")
    reason: EscalationReason = Field(description="declined or unanswered")
    response_due: date = Field(description="The deadline early help had")
    escalated_at: datetime = Field(description="When it was escalated")
    status: StepdownStatus = Field(description="The step-down's status now")
    version: int = Field(description="The step-down's version, for If-Match when closing it")


EscalationPage = Page[EscalationOut]


class StepUpOut(BaseModel):
    model_config = _examples(examples.STEP_UP_OUT)

    id: uuid.UUID = Field(description="The step-up id")
    child_id: uuid.UUID = Field(description="The child")
    team: str = Field(description="The social-care team it goes to")
    requested_by: str = Field(description="Who in early help asked")
    requested_at: datetime = Field(description="When")
    requested_on: date = Field(description="Its London date")
    concerns: str = Field(description="What early help is worried about now")
    what_was_tried: str = Field(description="What early help has tried")
    stepdown_id: uuid.UUID | None = Field(description="The step-down the family came to early help by")
    within_12_months_of_step_down: bool | None = Field(description="Within 12 months of that step-down (null: none)")


class AuditItemOut(BaseModel):
    model_config = _examples(examples.AUDIT_ITEM_OUT)

    id: uuid.UUID = Field(description="The sampled item")
    kind: SampledKind = Field(description="A step-down or a step-up")
    record_id: uuid.UUID = Field(description="The step-down's or step-up's id")
    child_id: uuid.UUID = Field(description="The child")
    team: str = Field(description="The social-care team")
    rating: Rating | None = Field(description="The auditor's judgement (null until reviewed)")
    finding: str | None = Field(description="What the auditor found")
    learning: str | None = Field(description="What the service should learn")
    reviewed_by: str | None = Field(description="The auditor")
    reviewed_at: datetime | None = Field(description="When")
    version: int = Field(description="The item's version, for If-Match (also the ETag)")


class AuditSampleOut(BaseModel):
    model_config = _examples(examples.AUDIT_SAMPLE_OUT)

    month: str = Field(description="The audited month (YYYY-MM)")
    items: list[AuditItemOut] = Field(description="The sampled step-downs and step-ups, by kind and id")


class CountsOut(BaseModel):
    model_config = _examples(examples.COUNTS)

    closures: int = Field(description="Episodes closed in the quarter")
    closures_by_duration: dict[str, int] = Field(
        description="From the referral date: under_3_months, 3_to_6_months, 6_to_9_months, 9_months_or_more"
    )
    closures_with_unmet_need: int = Field(description="Closed with unmet need needing early help")
    unmet_need_share: float | None = Field(description="Their share of the closures (null: none closed)")
    handovers: int = Field(description="Handovers to early help made in the quarter")
    accepted: int = Field(description="Of those, accepted by early help")
    declined: int = Field(description="Of those, declined")
    acceptance_rate: float | None = Field(description="Accepted among the handovers early help answered")
    engagement_recorded: int = Field(description="Families whose engagement was recorded")
    engaged: int = Field(description="Of those, engaged")
    partly_engaged: int = Field(description="Of those, partly engaged")
    engagement_rate: float | None = Field(description="Fully engaged among the families whose engagement was recorded")
    step_ups_within_12_months: int = Field(description="Step-ups requested within 12 months of a step-down")
    re_referrals_within_12_months: int = Field(description="New referrals within 12 months of a step-down")


class QuarterOut(BaseModel):
    model_config = _examples(examples.QUARTER_OUT)

    team: str = Field(description="A team, or `all`")
    quarter: str = Field(description="Financial quarter, e.g. 2026-27 Q1 (April to June 2026)")
    quarter_start: date = Field(description="Its first day")
    partial: bool = Field(description="The period covers only part of the quarter: the figures are not the whole quarter's")
    counted_from: date = Field(description="The first day of the quarter counted")
    counted_to: date = Field(description="The last day of the quarter counted")
    current: CountsOut = Field(description="The quarter's counts")
    year_before: CountsOut = Field(description="The same quarter a year before")
    change_percent: dict[str, float | None] = Field(description="Change on the year before, in percent (null: nothing then)")


class MeasuresOut(BaseModel):
    model_config = _examples(examples.MEASURES)

    date_from: date = Field(description="The first London date counted")
    date_to: date = Field(description="The last London date counted")
    quarters: list[QuarterOut] = Field(description="By team (then all teams) and quarter")
