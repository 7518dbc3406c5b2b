"""The plan service's import path's request model (decision 59): a batch of children from one CIN
census return, each with its episodes' CIN and CP plans and pre-proceedings, as ``continuum import
census`` sends them (``continuum_tools.importing.payloads``). Beside ``schemas.py`` (which it would
take over 400 lines), in the same style: every field described, every string and list bounded."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import ConfigDict, Field, StringConstraints

from continuum.casework.policy import TEAM_PATTERN
from continuum.contracts.codes import CategoryOfAbuse, ReasonForClosure
from continuum.contracts.plan import NextStep, PlanType, PreproceedingsOutcome
from continuum.web.imports import BATCH_LIMIT
from continuum.web.limits import Day
from continuum.web.requests import RequestModel
from plan import examples
from plan.domain.import_blocks import ImportedBlock
from plan.domain.imports import ImportedPlan
from plan.use_cases.imports import ImportedChild, ImportedEpisode, ImportPlans

Source = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
LaChildId = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=36)]
Reviews = Annotated[list[Day], Field(default_factory=list, max_length=200, description="Each review's date, in order")]
CurrentStatus = Annotated[
    bool, Field(description="Whether this plan is its open episode's current stage: partners are told its status")
]


class CinPlanImportIn(RequestModel):
    """A census ``CINPlanDates`` module."""

    start: Day = Field(description="Census CINPlanStartDate")
    end: Day | None = Field(None, description="Census CINPlanEndDate; null while open")
    next_step: NextStep | None = Field(None, description="What came next, when it ended")
    reason_for_closure: ReasonForClosure | None = Field(None, description="Census reason, when next_step is close (RC1-RC7)")
    reviews: Reviews
    current_status: CurrentStatus = False

    def record(self) -> ImportedPlan:
        return ImportedPlan(
            PlanType.CIN,
            self.start,
            self.end,
            self.next_step,
            self.reason_for_closure,
            tuple(self.reviews),
            current_status=self.current_status,
        )


class CpPlanImportIn(CinPlanImportIn):
    """A census ``ChildProtectionPlans`` module (its start is its initial conference's date)."""

    initial_category: CategoryOfAbuse | None = Field(None, description="Census InitialCategoryOfAbuse (needed)")
    latest_category: CategoryOfAbuse | None = Field(None, description="Census LatestCategoryOfAbuse")
    previous_plans: int | None = Field(None, ge=0, le=99, description="Census NumberOfPreviousCPP")

    def record(self) -> ImportedPlan:
        return ImportedPlan(
            PlanType.CP,
            self.start,
            self.end,
            self.next_step,
            self.reason_for_closure,
            tuple(self.reviews),
            self.initial_category,
            self.latest_category,
            self.previous_plans,
            self.current_status,
        )


class PreproceedingsImportIn(RequestModel):
    """A census ``PreProceedingsandFGDM`` block."""

    start: Day = Field(description="Census PPStartDate")
    letter: Day | None = Field(None, description="Census LBPSentDate")
    fgdm_offered: bool | None = Field(None, description="Census FGDMMeetingOffer")
    fgdm_held: bool | None = Field(None, description="Census FGDMMeetingFac")
    initial_meeting: Day | None = Field(None, description="Census InitialPPMeetingDate")
    review_meetings: int | None = Field(None, ge=0, le=100, description="Census ReviewMeetingsCount")
    review_meeting_dates: list[Day] = Field(
        default_factory=list, max_length=100, description="The review meetings' dates in order, when known (else the count)"
    )
    decided: Day | None = Field(None, description="Census StepDecisionDate")
    outcome: PreproceedingsOutcome | None = Field(None, description="Census PPOutcome (A, B or C)")
    court_application: Day | None = Field(None, description="Census CourtAppDate")
    letter_initiating: Day | None = Field(None, description="Census LetterInitCPDate")

    def record(self) -> ImportedBlock:
        dates, count = tuple(self.review_meeting_dates), self.review_meetings
        return ImportedBlock(
            self.start,
            self.letter,
            self.fgdm_offered,
            self.fgdm_held,
            self.initial_meeting,
            dates,
            count,
            self.decided,
            self.outcome,
            self.court_application,
            self.letter_initiating,
        )


class EpisodeImportIn(RequestModel):
    """An episode's plans and pre-proceedings, keyed in its child by its referral date."""

    referral_date: Day = Field(description="Census ReferralDate: the episode's key")
    cin_plans: list[CinPlanImportIn] = Field([], max_length=50, description="Its CIN plans")
    cp_plans: list[CpPlanImportIn] = Field([], max_length=50, description="Its child protection plans")
    preproceedings: list[PreproceedingsImportIn] = Field([], max_length=20, description="Its pre-proceedings blocks, in order")

    def episode(self) -> ImportedEpisode:
        values: dict[tuple[str, int], Any] = {}
        for kind, items in (("cin_plan", self.cin_plans), ("cp_plan", self.cp_plans), ("preproceedings", self.preproceedings)):
            values |= {(kind, i): item.model_dump(mode="json") for i, item in enumerate(items)}
        plans = tuple(p.record() for p in [*self.cin_plans, *self.cp_plans])
        return ImportedEpisode(self.referral_date, plans, tuple(b.record() for b in self.preproceedings), values)


class ChildImportIn(RequestModel):
    """One child's part: its LA child id, its team and its episodes."""

    la_child_id: LaChildId = Field(description="Census LAchildID")
    team: str = Field(pattern=TEAM_PATTERN, max_length=50, description="The team responsible (the return has none)")
    episodes: list[EpisodeImportIn] = Field(max_length=100, description="Its episodes with plans or pre-proceedings")


class PlanImportIn(RequestModel):
    """A batch of children's plans from one census return."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [examples.PLAN_IMPORT]})

    source: Source = Field(description="The census return's file name")
    la: str = Field(pattern=r"^\d{3}$", max_length=3, description="The council's LA code")
    children: list[ChildImportIn] = Field(min_length=1, max_length=BATCH_LIMIT, description="The children, at most 200")

    def command(self, *, dry_run: bool) -> ImportPlans:
        children = tuple(ImportedChild(c.la_child_id, c.team, tuple(e.episode() for e in c.episodes)) for c in self.children)
        return ImportPlans(self.source, self.la, children, dry_run)
