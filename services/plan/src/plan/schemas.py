"""The plan API's request models: every field described, every string and list bounded, examples
an integrator can start from (answers: ``answers.py``). Dates are London calendar dates."""

from __future__ import annotations

import uuid
from typing import Annotated

from pydantic import ConfigDict, Field, StringConstraints

from continuum.contracts.codes import CategoryOfAbuse, ReasonForClosure
from continuum.contracts.plan import Agency, MeetingKind, NextStep, PreproceedingsDecision, ReviewDecision
from continuum.web.limits import Day
from continuum.web.requests import RequestModel
from plan import commands, examples
from plan.domain import ActionProgress, Content, Family, FgdmMeeting, NetworkMember
from plan.domain.visits import Invitee

# Every string a request sends has a maximum length (test_bad_input walks the OpenAPI document).
#: Narrative: what people are worried about, reasons, summaries (about three pages).
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=10_000)]
#: A line: an action, a measure of success, a note.
Line = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2_000)]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Score = Annotated[float, Field(ge=-1_000_000, le=1_000_000)]


class Strict(RequestModel):
    """A request body: unknown fields and NUL characters refused (see RequestModel)."""


class ContentIn(Strict):
    """What the plan says (Signs of Safety); the whole content each time (an omitted part is cleared)."""

    worries: Text | None = Field(None, description="What we are worried about")
    working_well: Text | None = Field(None, description="What is working well")
    outcomes_for_child: Text | None = Field(None, description="What needs to change: the outcomes for the child")
    expectations_of_parents: Text | None = Field(None, description="What needs to change: what is expected of the parents")
    exit_criteria: Text | None = Field(None, description="When the plan can end")


class NetworkMemberIn(Strict):
    name: Name = Field(description="The relative's or friend's name")
    relationship: Name = Field(description="Their relationship to the child")
    support: Line | None = Field(None, description="How they help")


class FgdmMeetingIn(Strict):
    offered_on: Day = Field(description="When a family group decision-making meeting was offered")
    held_on: Day | None = Field(None, description="When it was held")
    declined: bool = Field(False, description="The family declined it")


class FamilyIn(Strict):
    """The family network, FGDM meetings and the family's own plan (the whole record each time)."""

    network: list[NetworkMemberIn] = Field(default_factory=list, max_length=50, description="The family network")
    fgdm_meetings: list[FgdmMeetingIn] = Field(default_factory=list, max_length=20, description="FGDM meetings offered")
    family_plan: Text | None = Field(None, description="The family's own plan, in their words, when there is one")


class PlanEditIn(Strict):
    """Change what the plan says; omitted parts keep their value."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [examples.EDIT]})

    content: ContentIn | None = Field(None, description="What the plan says")
    agencies_involved: list[Agency] | None = Field(None, max_length=20, description="Agencies involved with the family")
    family: FamilyIn | None = Field(None, description="The family network and family group decision-making")
    category_of_abuse: CategoryOfAbuse | None = Field(
        None, description="CP plans: the initial category while drafted, the latest once started (census CategoryOfAbuse)"
    )

    def command(self) -> commands.EditPlan:
        family = self.family
        return commands.EditPlan(
            content=Content(**self.content.model_dump()) if self.content else None,
            agencies_involved=tuple(self.agencies_involved) if self.agencies_involved is not None else None,
            family=Family(
                network=tuple(NetworkMember(m.name, m.relationship, m.support) for m in family.network),
                fgdm_meetings=tuple(FgdmMeeting(m.offered_on, m.held_on, m.declined) for m in family.fgdm_meetings),
                family_plan=family.family_plan,
            )
            if family is not None
            else None,
            category_of_abuse=self.category_of_abuse,
        )


class OwnerIn(Strict):
    person: Name = Field(description="Who will do it, by name or role (not 'all professionals')")
    agency: Agency = Field(description="Their agency, or family")


class ActionIn(Strict):
    """An action: every part is required (an action without one is refused, naming it)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [examples.ACTION]})

    description: Line = Field(description="What will be done: a concrete step")
    owner: OwnerIn = Field(description="Who does it")
    success_measure: Line = Field(description="How everyone will know it worked (something to count or see)")
    due_date: Day = Field(description="By when; not in the past, at most a year away")

    def command(self) -> commands.AddAction:
        return commands.AddAction(
            description=self.description,
            owner_person=self.owner.person,
            owner_agency=self.owner.agency,
            success_measure=self.success_measure,
            due_date=self.due_date,
        )


class ActionChangeIn(Strict):
    """Change an action's terms or record its progress; omitted fields keep their value."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [examples.ACTION_CHANGE]})

    description: Line | None = Field(None, description="What will be done")
    owner: OwnerIn | None = Field(None, description="Who does it")
    success_measure: Line | None = Field(None, description="How everyone will know it worked")
    due_date: Day | None = Field(None, description="By when")
    progress: ActionProgress | None = Field(None, description="done, in_progress, not_started or dropped")
    note: Line | None = Field(None, description="A note on its progress")

    def command(self, action_id: uuid.UUID) -> commands.ChangeAction:
        return commands.ChangeAction(
            action_id=action_id,
            description=self.description,
            owner_person=self.owner.person if self.owner else None,
            owner_agency=self.owner.agency if self.owner else None,
            success_measure=self.success_measure,
            due_date=self.due_date,
            progress=self.progress,
            note=self.note,
        )


class ApprovalIn(Strict):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [examples.APPROVAL]})

    start_date: Day | None = Field(
        None,
        description="Census plan start date. CIN plans: required, not before the plan was drafted, not in the future."
        " CP plans: the date of the initial conference that decided the plan (census rule 2885); leave it out"
        " (or give that date)",
    )

    def command(self) -> commands.Approve:
        return commands.Approve(start_date=self.start_date)


class StrategyDiscussionIn(Strict):
    """A strategy discussion held during an active child in need plan (section 47 work)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [examples.STRATEGY_DISCUSSION]})

    date: Day = Field(description="The London date it was held: not in the future, not before the plan's start")

    def command(self) -> commands.RecordStrategyDiscussion:
        return commands.RecordStrategyDiscussion(date=self.date)


class ProgressIn(Strict):
    action_id: uuid.UUID = Field(description="The action")
    progress: ActionProgress = Field(description="done, in_progress, not_started or dropped")
    note: Line | None = Field(None, description="What happened")


def _progress(given: list[ProgressIn]) -> commands.Progress:
    return tuple((p.action_id, p.progress, p.note) for p in given)


class ReviewIn(Strict):
    """A review: every unfinished action's progress and the decision."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [examples.REVIEW]})

    review_date: Day = Field(description="When it was held (census CPPreviewDate for CP); not before the last one")
    progress: list[ProgressIn] = Field(max_length=100, description="Each unfinished action's progress")
    decision: ReviewDecision = Field(description="continue, escalate_cp (CIN), step_down_cin (CP), step_down_early_help, close")
    exit_criteria_met: bool = Field(description="The plan's exit criteria are met")
    concerns_remain: bool = Field(description="Concerns remain open")
    summary: Text | None = Field(None, description="What the review found (stays in the service)")
    latest_category_of_abuse: CategoryOfAbuse | None = Field(None, description="CP: the latest category, if it changed")

    def command(self) -> commands.RecordReview:
        return commands.RecordReview(**(self.model_dump() | {"progress": _progress(self.progress)}))


class VisitIn(Strict):
    """A visit that happened (visit_date), or a planned one that did not (planned_date only)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [examples.VISIT]})

    planned_date: Day | None = Field(None, description="When it was planned")
    visit_date: Day | None = Field(None, description="When it happened; not before the plan's start, not in the future")
    child_seen: bool = Field(description="The child was seen")
    seen_alone: bool = Field(False, description="The child was seen alone")
    reason_not_seen: Line | None = Field(None, description="Why the child was not seen (required then)")

    def command(self) -> commands.RecordVisit:
        return commands.RecordVisit(**self.model_dump())


class InviteeIn(Strict):
    agency: Agency = Field(description="Their agency, or family")
    name: Name = Field(description="Who is invited (stays in the service: invitations name agencies)")


class MeetingIn(Strict):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [examples.MEETING]})

    kind: MeetingKind = Field(description="cin_meeting (CIN), core_group or review_conference (CP), professionals_meeting")
    meeting_date: Day = Field(description="When it is held")
    invitees: list[InviteeIn] = Field(min_length=1, max_length=50, description="Who is invited")

    def command(self) -> commands.ScheduleMeeting:
        invitees = tuple(Invitee(i.agency, i.name) for i in self.invitees)
        return commands.ScheduleMeeting(kind=self.kind, meeting_date=self.meeting_date, invitees=invitees)


class AttendanceIn(Strict):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [examples.ATTENDANCE]})

    attended: list[bool] = Field(max_length=50, description="For each invitee, in the order invited, whether they attended")

    def command(self, meeting_id: uuid.UUID) -> commands.RecordAttendance:
        return commands.RecordAttendance(meeting_id=meeting_id, attended=tuple(self.attended))


class InterventionIn(Strict):
    """A commissioned service or intervention and the score of need before it."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [examples.INTERVENTION]})

    name: Name = Field(description="What it is (e.g. a 12-week intensive family programme)")
    provider: Name = Field(description="Who provides it")
    start_date: Day = Field(description="When it starts")
    planned_end_date: Day = Field(description="When it is planned to end")
    scale: Name = Field(description="The named scale need is measured on")
    score_before: Score = Field(description="The score before it")

    def command(self) -> commands.AddIntervention:
        return commands.AddIntervention(**self.model_dump())


class InterventionOutcomeIn(Strict):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [examples.INTERVENTION_OUTCOME]})

    actual_end_date: Day = Field(description="When it ended; not in the future")
    score_after: Score = Field(description="The score after it, on the same scale")

    def command(self, intervention_id: uuid.UUID) -> commands.CompleteIntervention:
        return commands.CompleteIntervention(intervention_id=intervention_id, **self.model_dump())


class PreproceedingsStartIn(Strict):
    """Start pre-proceedings for a child's open episode, with or without a plan."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [examples.PP_START]})

    case_id: uuid.UUID = Field(description="The episode (case) the block belongs to")
    start_date: Day = Field(
        description="Census PPStartDate: not in the future, not before the episode's referral or the step decision of its"
        " previous pre-proceedings"
    )

    def command(self) -> commands.StartPreproceedings:
        return commands.StartPreproceedings(case_id=self.case_id, start_date=self.start_date)


class PreproceedingsIn(Strict):
    """The pre-proceedings record (the whole record each time)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [examples.PP_RECORD]})

    letter_before_proceedings_date: Day | None = Field(None, description="Census LBPSentDate")
    fgdm_offered: bool | None = Field(None, description="Census FGDMMeetingOffer (made in the letter)")
    fgdm_held: bool | None = Field(None, description="Census FGDMMeetingFac: whether the offered meeting was held")
    initial_meeting_date: Day | None = Field(None, description="Census InitialPPMeetingDate")
    review_meeting_dates: list[Day] = Field(default_factory=list, max_length=50, description="Review meetings, in order")

    def command(self) -> commands.RecordPreproceedings:
        return commands.RecordPreproceedings(**(self.model_dump() | {"review_meeting_dates": tuple(self.review_meeting_dates)}))


class PreproceedingsDecisionIn(Strict):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [examples.PP_DECISION]})

    decision: PreproceedingsDecision = Field(description="issue_proceedings, step_down or extend")
    decision_date: Day = Field(description="Census StepDecisionDate: not before the start (rule 9009)")
    court_application_date: Day | None = Field(
        None, description="Census CourtAppDate (issue_proceedings only): not before the decision (rule 9012)"
    )
    letter_initiating_proceedings_date: Day | None = Field(
        None, description="Census LetterInitCPDate, if already sent: not before the court application (rule 9013)"
    )
    fgdm_exception_reason: Text | None = Field(
        None, description="Why an FGDM meeting is not in the child's interests (needed to apply without the offer)"
    )

    def command(self) -> commands.DecidePreproceedings:
        return commands.DecidePreproceedings(**self.model_dump())


class CareProceedingsLetterIn(Strict):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [examples.CARE_PROCEEDINGS_LETTER]})

    letter_date: Day = Field(
        description="Census LetterInitCPDate: the letter initiating care proceedings was sent to the parents or guardians;"
        " not before the court application (rule 9013), not in the future"
    )

    def command(self) -> commands.RecordCareProceedingsLetter:
        return commands.RecordCareProceedingsLetter(letter_date=self.letter_date)


class EndingIn(Strict):
    """End the plan: every action's final status, the reason, unmet need and the next step."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [examples.ENDING]})

    end_date: Day = Field(description="Census plan end date; not before the start or the last review")
    reason: Text = Field(description="Why the plan ends")
    unmet_need: bool = Field(description="Needs remain unmet (step-down picks them up)")
    next_step: NextStep = Field(description="close, step_down_early_help, universal, escalate_cp (CIN) or step_down_cin (CP)")
    reason_for_closure: ReasonForClosure | None = Field(
        default=None, description="Census ReasonForClosure, RC1 to RC7: required when next_step is close, refused otherwise"
    )
    actions: list[ProgressIn] = Field(max_length=100, description="Every action's final status")

    def command(self) -> commands.EndPlan:
        return commands.EndPlan(**(self.model_dump() | {"actions": _progress(self.actions)}))
