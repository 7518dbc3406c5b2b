"""Events the plan service publishes on ``continuum.plan``: child in need and child protection
plans, their reviews, visits and meetings, pre-proceedings, drift and ending.

Narrative (what people are worried about, action descriptions, review notes) never leaves the
service: events carry codes, dates, counts and ids, which is what step-down, the census and the
read side need. Invitations name agencies, never people.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from continuum.contracts.codes import AssessmentFactor, CategoryOfAbuse, PrimaryNeedCode, ReasonForClosure
from continuum.contracts.envelope import EventData

PLAN_TOPIC = "continuum.plan"


class PlanType(StrEnum):
    """A child in need plan (section 17) or a child protection plan (after an initial conference)."""

    CIN = "cin"
    CP = "cp"


class DraftedFrom(StrEnum):
    """What drafted the plan: an authorised assessment or a concluded section 47 enquiry."""

    ASSESSMENT = "assessment"
    SECTION47 = "section47"
    STEP_DOWN_FROM_CP = "step_down_from_cp"


class ReviewDecision(StrEnum):
    CONTINUE = "continue"
    ESCALATE_CP = "escalate_cp"
    STEP_DOWN_CIN = "step_down_cin"
    STEP_DOWN_EARLY_HELP = "step_down_early_help"
    CLOSE = "close"


class NextStep(StrEnum):
    """Where the child goes when the plan ends (step-down consumes it)."""

    CLOSE = "close"
    STEP_DOWN_EARLY_HELP = "step_down_early_help"
    UNIVERSAL = "universal"
    ESCALATE_CP = "escalate_cp"
    STEP_DOWN_CIN = "step_down_cin"


class Agency(StrEnum):
    """Who may own an action or be invited to a meeting: the family, social care and partners."""

    FAMILY = "family"
    SOCIAL_CARE = "social_care"
    POLICE = "police"
    HEALTH = "health"
    GP = "gp"
    SCHOOL = "school"
    EARLY_YEARS = "early_years"
    PROBATION = "probation"
    ADULT_MENTAL_HEALTH = "adult_mental_health"
    SUBSTANCE_MISUSE = "substance_misuse"
    DOMESTIC_ABUSE_SERVICE = "domestic_abuse_service"
    HOUSING = "housing"
    YOUTH_JUSTICE = "youth_justice"
    EARLY_HELP = "early_help"
    VOLUNTARY_SECTOR = "voluntary_sector"
    OTHER = "other"


class MeetingKind(StrEnum):
    CIN_MEETING = "cin_meeting"
    CORE_GROUP = "core_group"
    REVIEW_CONFERENCE = "review_conference"
    PROFESSIONALS_MEETING = "professionals_meeting"


class DriftKind(StrEnum):
    OPEN_OVER_THRESHOLD = "open_over_threshold"
    REVIEW_OVERDUE = "review_overdue"
    ACTIONS_PAST_DUE = "actions_past_due"
    VISITS_MISSED = "visits_missed"
    NO_PROGRESS_SINCE_REVIEW = "no_progress_since_review"


class PreproceedingsDecision(StrEnum):
    """The step decision at the end of pre-proceedings."""

    ISSUE_PROCEEDINGS = "issue_proceedings"
    STEP_DOWN = "step_down"
    EXTEND = "extend"


class ActionSummary(BaseModel):
    """How many actions stand in each status (counts only)."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    total: int
    done: int
    in_progress: int
    not_started: int
    dropped: int


class PlanEvent(EventData):
    """What every event about a whole plan opens with: the plan, its case (the Kafka key), its child and team."""

    topic = PLAN_TOPIC

    plan_id: uuid.UUID
    case_id: uuid.UUID
    child_id: uuid.UUID
    team: str


class PlanDrafted(PlanEvent):
    event_type = "plan.drafted"

    plan_type: PlanType
    drafted_from: DraftedFrom
    assessment_id: uuid.UUID | None
    section47_id: uuid.UUID | None
    factors: list[AssessmentFactor] = Field(description="Census AssessmentFactors carried from the assessment")
    primary_need: PrimaryNeedCode | None
    drafted_at: datetime


class PlanStarted(PlanEvent):
    """A social-work-qualified manager approved the plan: census CINPlanStartDate or CPPstartDate."""

    event_type = "plan.started"

    plan_type: PlanType
    start_date: date
    approved_by: str
    initial_category_of_abuse: CategoryOfAbuse | None = Field(description="Census initial CategoryOfAbuse (CP plans)")
    next_review_due: date
    actions: int
    previous_cp_plans: int | None = Field(
        default=None,
        ge=0,
        description="CP plans: census NumberOfPreviousCPP, the child's earlier child protection plans in this council"
        " and, as recorded on the child, in others",
    )


class PlanReviewed(PlanEvent):
    event_type = "plan.reviewed"

    plan_type: PlanType
    review_number: int
    review_date: date = Field(description="Census CPPreviewDate for a CP plan")
    due_date: date
    on_time: bool
    decision: ReviewDecision
    latest_category_of_abuse: CategoryOfAbuse | None
    actions: ActionSummary
    next_review_due: date | None


class PlanCategoryChanged(PlanEvent):
    """The latest category of abuse of a started child protection plan changed (census
    LatestCategoryOfAbuse), at a review conference or between them; the initial one never changes
    once the plan has started."""

    event_type = "plan.category_changed"

    initial_category_of_abuse: CategoryOfAbuse = Field(description="Census InitialCategoryOfAbuse")
    previous_category_of_abuse: CategoryOfAbuse = Field(description="The latest category until this change")
    latest_category_of_abuse: CategoryOfAbuse = Field(description="Census LatestCategoryOfAbuse from now on")
    changed_on: date = Field(description="The London date of the change: the review's date, or the day it was recorded")
    changed_by: str


class VisitRecorded(EventData):
    event_type = "visit.recorded"
    topic = PLAN_TOPIC

    plan_id: uuid.UUID
    visit_id: uuid.UUID
    case_id: uuid.UUID
    child_id: uuid.UUID
    team: str
    planned_date: date | None
    visit_date: date | None = Field(description="When it happened; null when it did not")
    child_seen: bool
    seen_alone: bool
    within_frequency: bool | None = Field(description="Within the council's visit frequency of the previous visit")
    child_last_seen: date | None


class Invitation(BaseModel):
    """One invited agency (people's names stay in the service)."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    agency: Agency


class MeetingScheduled(EventData):
    """A meeting was scheduled and its invitations go out (agencies only, never names)."""

    event_type = "meeting.scheduled"
    topic = PLAN_TOPIC

    plan_id: uuid.UUID
    meeting_id: uuid.UUID
    case_id: uuid.UUID
    child_id: uuid.UUID
    team: str
    kind: MeetingKind
    meeting_date: date
    invited: list[Invitation]
    agencies_left_out: list[Agency] = Field(description="Agencies involved with the family that were not invited")


class PlanDriftDetected(PlanEvent):
    event_type = "plan.drift_detected"

    plan_type: PlanType
    kind: DriftKind
    key: str = Field(description="What makes the finding new: the threshold in months, or the date it refers to")
    since: date = Field(description="The date the plan started drifting this way")
    detected_at: datetime


class PreproceedingsOutcome(StrEnum):
    """Census PPOutcome (CIN census 2026-27, item N00833, code set CS131; validator rule 9011 checks
    the three values). Which step decision gives which code is the plan service's, in one place:
    ``plan.domain.preproceedings.CENSUS_OUTCOME`` (docs/decisions/36-plan-service-records-census-cp.md: why, and its source)."""

    A = "A"
    B = "B"
    C = "C"


class PreproceedingsStarted(EventData):
    """Pre-proceedings started for a child with an open episode (census PPStartDate), with or
    without a plan: a new PreProceedingsandFGDM block of the episode."""

    event_type = "preproceedings.started"
    schema_version = 2
    topic = PLAN_TOPIC

    preproceedings_id: uuid.UUID = Field(description="The block (one census PreProceedingsandFGDM element)")
    case_id: uuid.UUID = Field(description="The episode the block belongs to")
    child_id: uuid.UUID
    team: str
    plan_id: uuid.UUID | None = Field(description="The plan active in the episode when it started, if any")
    start_date: date = Field(description="Census PPStartDate")


class PreproceedingsEvent(EventData):
    """What the events of a pre-proceedings block open with (version 2): the block, its episode's case, its child and team."""

    topic = PLAN_TOPIC

    preproceedings_id: uuid.UUID
    case_id: uuid.UUID
    child_id: uuid.UUID
    team: str
    plan_id: uuid.UUID | None


class PreproceedingsRecord(BaseModel):
    """The census PreProceedingsandFGDM items a ``preproceedings.recorded`` event carries, the same in
    every version of it (``continuum.contracts.retired`` keeps version 1). Listed first among an
    event's bases, its fields come after the event's opening ones."""

    start_date: date
    letter_before_proceedings_date: date | None = Field(description="Census LBPSentDate")
    fgdm_offered: bool | None = Field(description="Census FGDMMeetingOffer")
    fgdm_held: bool | None = Field(description="Census FGDMMeetingFac")
    initial_meeting_date: date | None = Field(description="Census InitialPPMeetingDate")
    review_meetings: int = Field(description="Census ReviewMeetingsCount")


class PreproceedingsRecorded(PreproceedingsRecord, PreproceedingsEvent):
    """The pre-proceedings record changed (census PreProceedingsandFGDM items)."""

    event_type = "preproceedings.recorded"
    schema_version = 2


class PreproceedingsDecided(PreproceedingsEvent):
    """The step decision that ends the block (census StepDecisionDate and PPOutcome), with the
    court application when proceedings are issued."""

    event_type = "preproceedings.decided"
    schema_version = 2

    decision: PreproceedingsDecision
    decision_date: date = Field(description="Census StepDecisionDate")
    outcome: PreproceedingsOutcome = Field(description="Census PPOutcome")
    court_application_date: date | None = Field(description="Census CourtAppDate")
    letter_initiating_proceedings_date: date | None = Field(
        default=None, description="Census LetterInitCPDate, when recorded with the decision"
    )
    fgdm_offered: bool
    fgdm_exception: bool = Field(description="A reasoned exception replaced the FGDM offer (the reason stays in the service)")


class CareProceedingsLetterSent(PreproceedingsEvent):
    """The letter initiating care proceedings was sent to the parents or guardians after the court
    application (census LetterInitCPDate, not before CourtAppDate: rule 9013)."""

    event_type = "preproceedings.care_proceedings_letter_sent"

    court_application_date: date = Field(description="Census CourtAppDate")
    letter_date: date = Field(description="Census LetterInitCPDate")


class StrategyDiscussionRecorded(PlanEvent):
    """Concerns about significant harm during an open child in need plan: a strategy discussion
    was held. The assessment service starts a section 47 enquiry from it (with the ICPC clock);
    the plan goes on until a child protection plan replaces it or it ends."""

    event_type = "plan.strategy_discussion_recorded"

    plan_type: PlanType
    strategy_discussion_date: date = Field(description="The London date the strategy discussion was held")
    recorded_by: str
    recorded_at: datetime


class PlanEnded(PlanEvent):
    event_type = "plan.ended"

    plan_type: PlanType
    start_date: date
    end_date: date = Field(description="Census CINPlanEndDate or CPPendDate")
    next_step: NextStep
    unmet_need: bool = Field(description="Needs remain that step-down should pick up")
    actions: ActionSummary
    latest_category_of_abuse: CategoryOfAbuse | None
    reason_for_closure: ReasonForClosure | None = Field(
        default=None, description="Census ReasonForClosure (RC1 to RC7), when the plan closes the case (next step close)"
    )
