"""The plan API's answers: every field described, with examples (requests: ``schemas.py``)."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

from continuum.contracts.codes import AssessmentFactor, CategoryOfAbuse, PrimaryNeedCode, ReasonForClosure
from continuum.contracts.plan import (
    Agency,
    DraftedFrom,
    DriftKind,
    MeetingKind,
    NextStep,
    PlanType,
    PreproceedingsDecision,
    PreproceedingsOutcome,
    ReviewDecision,
)
from continuum.persistence.child_copy import ChildSummary
from continuum.web.imports import ImportAnswer
from continuum.web.pagination import Page
from plan import examples
from plan.domain.states import ActionProgress, PlanStatus


class ContentOut(BaseModel):
    worries: str | None = Field(description="What we are worried about")
    working_well: str | None = Field(description="What is working well")
    outcomes_for_child: str | None = Field(description="Outcomes for the child")
    expectations_of_parents: str | None = Field(description="Expectations of the parents")
    exit_criteria: str | None = Field(description="When the plan can end")


class ActionOut(BaseModel):
    id: uuid.UUID = Field(description="The action's id")
    description: str = Field(description="What will be done")
    owner_person: str = Field(description="Who does it")
    owner_agency: Agency = Field(description="Their agency")
    success_measure: str = Field(description="How everyone will know it worked")
    due_date: date = Field(description="By when")
    progress: ActionProgress = Field(description="How it stands")
    note: str | None = Field(description="The latest note on its progress")
    actionable: bool = Field(description="Quality: a concrete step")
    measurable: bool = Field(description="Quality: its measure counts or dates something")
    owned: bool = Field(description="Quality: a named owner and agency")
    has_success_measure: bool = Field(description="Quality: a measure of success that says more than the action")
    has_timeframe: bool = Field(description="Quality: a due date")


class QualityOut(BaseModel):
    """The actions against the Children's Commissioner's five criteria."""

    actions: int = Field(description="How many actions")
    meeting_all_five: int = Field(description="How many meet all five criteria")
    share_all_five: float | None = Field(description="The share meeting all five, 0 to 1 (null without actions)")
    actionable: int = Field(description="How many are actionable")
    measurable: int = Field(description="How many are measurable")
    owned: int = Field(description="How many have an owner")
    success_measure: int = Field(description="How many have a measure of success")
    timeframe: int = Field(description="How many have a timeframe")


class VersionOut(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [examples.VERSION]})

    version: int = Field(description="The version")
    change: str = Field(description="What changed")
    changed_by: str = Field(description="Who changed it")
    changed_at: datetime = Field(description="When")
    quality: QualityOut = Field(description="Its quality at that version")


class NetworkMemberOut(BaseModel):
    name: str = Field(description="Name")
    relationship: str = Field(description="Relationship to the child")
    support: str | None = Field(description="How they help")


class FgdmMeetingOut(BaseModel):
    offered_on: date = Field(description="Offered")
    held_on: date | None = Field(description="Held")
    declined: bool = Field(description="Declined")


class FamilyOut(BaseModel):
    network: list[NetworkMemberOut] = Field(description="The family network")
    fgdm_meetings: list[FgdmMeetingOut] = Field(description="FGDM meetings")
    family_plan: str | None = Field(description="The family's own plan")


class InterventionOut(BaseModel):
    id: uuid.UUID = Field(description="Its id")
    name: str = Field(description="What it is")
    provider: str = Field(description="Who provides it")
    start_date: date = Field(description="Start")
    planned_end_date: date = Field(description="Planned end")
    actual_end_date: date | None = Field(description="Actual end")
    scale: str = Field(description="The named scale")
    score_before: float = Field(description="Score before")
    score_after: float | None = Field(description="Score after")
    change: float | None = Field(description="After minus before")


class ReviewOut(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [examples.REVIEW_OUT]})

    number: int = Field(description="1 for the first review")
    review_date: date = Field(description="When it was held")
    due_date: date = Field(description="When it was due")
    on_time: bool = Field(description="Held by its due date")
    decision: ReviewDecision = Field(description="The decision")
    exit_criteria_met: bool = Field(description="Exit criteria met")
    concerns_remain: bool = Field(description="Concerns remain")
    progressed: bool = Field(description="An action moved forward since the last review")
    summary: str | None = Field(description="What it found")
    reviewed_by: str = Field(description="Who recorded it")


class VisitOut(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [examples.VISIT_OUT]})

    planned_date: date | None = Field(description="Planned")
    visit_date: date | None = Field(description="Happened (null: it did not)")
    child_seen: bool = Field(description="Child seen")
    seen_alone: bool = Field(description="Seen alone")
    reason_not_seen: str | None = Field(description="Why not seen")
    within_frequency: bool | None = Field(description="Within the council's visit frequency of the one before")
    recorded_by: str = Field(description="Who recorded it")


class InviteeOut(BaseModel):
    agency: Agency = Field(description="Agency")
    name: str = Field(description="Who")
    attended: bool | None = Field(description="Attended (null until recorded)")


class MeetingOut(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [examples.MEETING_OUT]})

    id: uuid.UUID = Field(description="The meeting's id")
    kind: MeetingKind = Field(description="The kind of meeting")
    meeting_date: date = Field(description="When")
    invitees: list[InviteeOut] = Field(description="Who is invited, in order")
    agencies_left_out: list[Agency] = Field(description="Involved agencies not invited (flagged)")


class PreproceedingsOut(BaseModel):
    """One pre-proceedings block of an episode (census PreProceedingsandFGDM). ETag: its version."""

    model_config = ConfigDict(json_schema_extra={"examples": [examples.PREPROCEEDINGS_OUT]})

    id: uuid.UUID = Field(description="The block's id")
    case_id: uuid.UUID = Field(description="The episode (case) it belongs to")
    child_id: uuid.UUID = Field(description="The child")
    team: str = Field(description="The responsible team")
    plan_id: uuid.UUID | None = Field(description="The plan active in the episode when it started, if any")
    start_date: date = Field(description="Census PPStartDate")
    letter_before_proceedings_date: date | None = Field(description="Census LBPSentDate")
    fgdm_offered: bool | None = Field(description="Census FGDMMeetingOffer")
    fgdm_held: bool | None = Field(description="Census FGDMMeetingFac")
    initial_meeting_date: date | None = Field(description="Census InitialPPMeetingDate")
    review_meeting_dates: list[date] = Field(description="Review meetings after the initial one, in order")
    review_meetings: int = Field(description="Census ReviewMeetingsCount")
    decision: PreproceedingsDecision | None = Field(description="The step decision (null until decided)")
    decision_date: date | None = Field(description="Census StepDecisionDate")
    census_outcome: PreproceedingsOutcome | None = Field(description="Census PPOutcome (A, B or C) of the step decision")
    court_application_date: date | None = Field(description="Census CourtAppDate")
    letter_initiating_proceedings_date: date | None = Field(description="Census LetterInitCPDate")
    fgdm_exception_reason: str | None = Field(description="Why an FGDM meeting was not in the child's interests")
    version: int = Field(description="The block's version, as the ETag: send it as If-Match")


class EndingOut(BaseModel):
    end_date: date = Field(description="Census plan end date")
    reason: str = Field(description="Why it ended")
    unmet_need: bool = Field(description="Needs remain unmet")
    next_step: NextStep = Field(description="Where the child goes next")
    reason_for_closure: ReasonForClosure | None = Field(description="Census ReasonForClosure when the plan closed the case")
    ended_by: str = Field(description="Who ended it")


class DriftOut(BaseModel):
    kind: DriftKind = Field(description="How the plan drifts")
    key: str = Field(description="The threshold in months, or the date it refers to")
    since: date = Field(description="Since when")


class ClosableOut(BaseModel):
    reasons: list[str] = Field(description="Why it could close or step down")
    next_step: NextStep = Field(description="The suggested next step")
    since: date = Field(description="Since when")


class ListLink(BaseModel):
    """One of the plan's history lists: how many it holds, and where the pages after the first are."""

    count: int = Field(description="How many there are in all")
    href: str = Field(description="The list's own route: GET it with `cursor` for the pages after the first")
    next_cursor: str | None = Field(
        description="Send as `cursor` to href for the page after the one in the plan; null when the plan holds them all"
    )


class HistoryLinks(BaseModel):
    versions: ListLink = Field(description="Every version with its quality")
    reviews: ListLink = Field(description="Reviews")
    visits: ListLink = Field(description="Visits")
    meetings: ListLink = Field(description="Meetings")


class PlanOut(BaseModel):
    """A plan with its child, actions and their quality, history, drift and whether it could close. ETag: its version."""

    model_config = ConfigDict(json_schema_extra={"examples": [examples.PLAN_OUT]})

    id: uuid.UUID = Field(description="The plan's id")
    case_id: uuid.UUID = Field(description="The case (episode)")
    child_id: uuid.UUID = Field(description="The child")
    child: ChildSummary | None = Field(description="The child's identity (null until it arrives)")
    team: str = Field(description="The responsible team")
    plan_type: PlanType = Field(description="cin or cp")
    status: PlanStatus = Field(description="draft, active or ended")
    drafted_from: DraftedFrom = Field(description="What drafted it")
    drafted_at: datetime = Field(description="When")
    assessment_id: uuid.UUID | None = Field(description="The assessment it follows")
    section47_id: uuid.UUID | None = Field(description="The section 47 enquiry it follows")
    conference_date: date | None = Field(
        description="CP: the date of the initial child protection conference that decided it (census DateOfInitialCPC),"
        " on which it starts"
    )
    lead_practitioner: str | None = Field(description="The lead practitioner")
    factors: list[AssessmentFactor] = Field(description="Census assessment factors")
    primary_need: PrimaryNeedCode | None = Field(description="Census PrimaryNeedCode")
    initial_category_of_abuse: CategoryOfAbuse | None = Field(description="CP: initial category")
    latest_category_of_abuse: CategoryOfAbuse | None = Field(description="CP: latest category")
    content: ContentOut = Field(description="What the plan says")
    agencies_involved: list[Agency] = Field(description="Agencies involved (named, and every action's owner)")
    actions: list[ActionOut] = Field(description="The actions, with their quality")
    quality: QualityOut = Field(description="Quality on the five criteria now")
    family: FamilyOut = Field(description="Family network and FGDM")
    interventions: list[InterventionOut] = Field(description="Commissioned services and interventions")
    start_date: date | None = Field(
        description="Census plan start date: the approval's for a CIN plan, the initial conference's for a CP plan"
    )
    approved_by: str | None = Field(description="The manager who approved it")
    previous_cp_plans: int | None = Field(description="CP: census NumberOfPreviousCPP, counted when it started")
    strategy_discussions: list[date] = Field(description="CIN: the days strategy discussions were held during it")
    next_review_due: date | None = Field(description="When the next review is due")
    child_last_seen: date | None = Field(description="The date the child was last seen")
    child_last_seen_alone: date | None = Field(description="The date the child was last seen alone")
    next_visit_due: date | None = Field(description="When the next visit is due")
    ending: EndingOut | None = Field(description="How it ended")
    drift: list[DriftOut] = Field(description="How it drifts today")
    could_close: ClosableOut | None = Field(description="Whether it could close or step down, and why")
    versions: list[VersionOut] = Field(
        description="Its first versions with their quality, oldest first (history.versions: the rest)"
    )
    reviews: list[ReviewOut] = Field(description="Its first reviews, oldest first (history.reviews: the rest)")
    visits: list[VisitOut] = Field(description="Its first visits, oldest first (history.visits: the rest)")
    meetings: list[MeetingOut] = Field(description="Its first meetings, oldest first (history.meetings: the rest)")
    history: HistoryLinks = Field(description="How many versions, reviews, visits and meetings it has, and their pages")
    version: int = Field(description="The version, as the ETag: send it as If-Match")


class PlanSummary(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [examples.SUMMARY]})

    plan_id: uuid.UUID = Field(description="The plan (GET /v1/plans/{id} for all of it)")
    case_id: uuid.UUID = Field(description="The case")
    child_id: uuid.UUID = Field(description="The child")
    team: str = Field(description="The responsible team")
    plan_type: PlanType = Field(description="cin or cp")
    status: PlanStatus = Field(description="draft, active or ended")
    start_date: date | None = Field(description="Census plan start date")
    end_date: date | None = Field(description="Census plan end date")
    child_last_seen: date | None = Field(description="The date the child was last seen")
    next_review_due: date | None = Field(description="When the next review is due")
    version: int = Field(description="The plan's version (its ETag)")


class WorklistItem(BaseModel):
    """A plan on the manager's worklist: drifting, or could close or step down."""

    model_config = ConfigDict(json_schema_extra={"examples": [examples.WORKLIST_ITEM]})

    plan_id: uuid.UUID = Field(description="The plan")
    case_id: uuid.UUID = Field(description="The case")
    child_id: uuid.UUID = Field(description="The child")
    child_name: str | None = Field(description="The child's name (null until the identity arrives)")
    team: str = Field(description="The responsible team")
    plan_type: PlanType = Field(description="cin or cp")
    start_date: date = Field(description="When it started")
    next_review_due: date | None = Field(description="When its next review is due (from its last review, or its start)")
    needs_attention_since: date = Field(description="The earliest day it drifted or could have closed (the list's order)")
    drift: list[DriftOut] = Field(description="How it drifts")
    could_close: ClosableOut | None = Field(description="Whether it could close or step down, and why")


PlanPage = Page[PlanSummary]
VersionPage = Page[VersionOut]
ReviewPage = Page[ReviewOut]
VisitPage = Page[VisitOut]
MeetingPage = Page[MeetingOut]
PreproceedingsPage = Page[PreproceedingsOut]
WorklistPage = Page[WorklistItem]


class PlanImportAnswer(ImportAnswer):
    """What an import of plans did (or, in a dry run, would do): children imported, updated or
    unchanged, and each child refused (nothing of it written)."""

    model_config = ConfigDict(json_schema_extra={"examples": [examples.IMPORT_ANSWER]})
