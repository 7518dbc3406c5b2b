"""The one table of plain words: for every event type of the case topics, what a chronology says
happened, as a practitioner or a family would read it. Each entry reads the event's data (as the
read model keeps it: JSON) for the few facts worth saying (who referred, what was decided); no
name, no narrative. A unit test walks every event type the contracts define and fails if one has
no words here."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from continuum.contracts import assessment, plan, referral, stepdown
from continuum.contracts.codes import ReferralSource

Data = Mapping[str, Any]

#: Who referred, in words (the census's referral source codes).
REFERRAL_SOURCES: dict[ReferralSource, str] = {
    ReferralSource.FAMILY_RELATIVE_CARER: "a family member, relative or carer",
    ReferralSource.ACQUAINTANCE: "an acquaintance",
    ReferralSource.SELF: "the child or young person",
    ReferralSource.OTHER_INDIVIDUAL: "another individual",
    ReferralSource.SCHOOL: "the school",
    ReferralSource.EDUCATION_SERVICES: "education services",
    ReferralSource.GP: "the GP",
    ReferralSource.HEALTH_VISITOR: "the health visitor",
    ReferralSource.SCHOOL_NURSE: "the school nurse",
    ReferralSource.OTHER_PRIMARY_HEALTH: "primary health services",
    ReferralSource.A_AND_E: "A&E",
    ReferralSource.OTHER_HEALTH: "health services",
    ReferralSource.HOUSING: "housing",
    ReferralSource.LA_SOCIAL_CARE: "the council's social care",
    ReferralSource.OTHER_INTERNAL_LA_SERVICE: "another council service",
    ReferralSource.ANOTHER_LA: "another council",
    ReferralSource.EARLY_HELP: "early help",
    ReferralSource.POLICE: "the police",
    ReferralSource.OTHER_LEGAL_AGENCY: "a legal agency",
    ReferralSource.OTHER: "another source",
    ReferralSource.ANONYMOUS: "an anonymous referrer",
    ReferralSource.UNKNOWN: "an unknown source",
}

#: Codes the events carry, in words (any other code is said with its underscores as spaces).
CODES: dict[str, str] = {
    "nfa": "no further action",
    "early_help": "early help",
    "assessment": "a single assessment",
    "strategy_discussion": "a strategy discussion",
    "cin_plan": "child in need plan",
    "child_protection": "child protection enquiries",
    "cp_plan": "child protection plan",
    "no_cp_plan": "no child protection plan",
    "cin": "child in need",
    "cp": "child protection",
    "close": "case to close",
    "step_down_early_help": "step down to early help",
    "universal": "universal services",
    "escalate_cp": "escalation to child protection",
    "step_down_cin": "step down to a child in need plan",
}


def said(code: object) -> str:
    """A code in words."""
    text = str(code) if code is not None else "not given"
    return CODES.get(text, text.replace("_", " "))


def _source(d: Data) -> str:
    try:
        return REFERRAL_SOURCES[ReferralSource(str(d.get("source")))]
    except ValueError:
        return "an unknown source"


def _plan(d: Data) -> str:
    return "Child protection plan" if d.get("plan_type") == "cp" else "Child in need plan"


def _reassigned(d: Data) -> str:
    """What a corrected front-door decision changed of an assessment: its team, its route, whether
    it was brought back from withdrawn; else only its dates."""
    changes = []
    if d.get("previous_team") != d.get("team"):
        changes.append(f"moved from team {d.get('previous_team')} to team {d.get('team')}")
    if d.get("previous_route") != d.get("route"):
        changes.append("now with a section 47 enquiry" if d.get("route") == "section47" else "now without a section 47 enquiry")
    if d.get("previous_status") == "withdrawn" and d.get("status") != "withdrawn":
        changes.append("reinstated")
    return f"Assessment {', '.join(changes) or 'dates changed'} after the front door corrected its decision"


def _reason(d: Data) -> str:
    return f" (census reason {d['reason_for_closure']})" if d.get("reason_for_closure") else ""


WORDS: dict[str, Callable[[Data], str]] = {
    referral.ChildRegistered.event_type: lambda d: "Child registered at the front door",
    referral.ChildUpdated.event_type: lambda d: "Child's details updated",
    referral.ReferralReceived.event_type: lambda d: f"Referral received from {_source(d)}",
    referral.ReferralDecided.event_type: lambda d: (
        f"Referral decision {'corrected' if d.get('correction_of') else 'made'}: {said(d.get('outcome'))}"
    ),
    referral.InformationRequested.event_type: lambda d: f"Information requested from {d.get('agency') or 'a partner agency'}",
    referral.InformationReceived.event_type: lambda d: f"Information received from {d.get('agency') or 'a partner agency'}",
    stepdown.StepUpRequested.event_type: lambda d: "Step-up from early help requested",
    assessment.AssessmentOpened.event_type: lambda d: "Assessment opened",
    assessment.AssessmentAllocated.event_type: lambda d: "Assessment allocated to a lead practitioner",
    assessment.AssessmentRecorded.event_type: lambda d: "Assessment recorded",
    assessment.AssessmentSubmitted.event_type: lambda d: f"Assessment submitted, recommending {said(d.get('recommendation'))}",
    assessment.AssessmentReturned.event_type: lambda d: "Assessment returned by the manager for more work",
    assessment.AssessmentAuthorised.event_type: lambda d: f"Assessment authorised: {said(d.get('outcome'))}",
    assessment.AssessmentOverdue.event_type: lambda d: "Assessment overdue: past its 45 working days",
    assessment.AssessmentWithdrawn.event_type: lambda d: "Assessment withdrawn",
    assessment.AssessmentReassigned.event_type: _reassigned,
    assessment.AssessmentReallocationRequired.event_type: lambda d: "Assessment needs a new lead practitioner",
    assessment.Section47Started.event_type: lambda d: "Section 47 enquiry started",
    assessment.Section47Concluded.event_type: lambda d: f"Section 47 enquiry concluded: {said(d.get('outcome'))}",
    assessment.Section47Withdrawn.event_type: lambda d: "Section 47 enquiry withdrawn",
    plan.PlanDrafted.event_type: lambda d: f"{_plan(d)} drafted",
    plan.PlanStarted.event_type: lambda d: f"{_plan(d)} started",
    plan.PlanReviewed.event_type: lambda d: f"{_plan(d)} reviewed (review {d.get('review_number')})",
    plan.PlanCategoryChanged.event_type: lambda d: "Category of abuse changed",
    plan.VisitRecorded.event_type: lambda d: "Visit recorded" + (": child seen" if d.get("child_seen") else ": child not seen"),
    plan.MeetingScheduled.event_type: lambda d: f"Meeting scheduled: {said(d.get('kind'))}",
    plan.PlanDriftDetected.event_type: lambda d: f"{_plan(d)} drifting: {said(d.get('kind'))}",
    plan.PreproceedingsStarted.event_type: lambda d: "Pre-proceedings started",
    plan.PreproceedingsRecorded.event_type: lambda d: "Pre-proceedings recorded",
    plan.PreproceedingsDecided.event_type: lambda d: f"Pre-proceedings decided: {said(d.get('decision'))}",
    plan.CareProceedingsLetterSent.event_type: lambda d: "Letter initiating care proceedings sent",
    plan.StrategyDiscussionRecorded.event_type: lambda d: "Strategy discussion recorded",
    plan.PlanEnded.event_type: lambda d: f"{_plan(d)} ended: {said(d.get('next_step'))}",
    stepdown.StepdownRequested.event_type: lambda d: f"Step-down requested: {said(d.get('kind'))}",
    stepdown.StepdownAccepted.event_type: lambda d: "Step-down accepted by early help",
    stepdown.StepdownDeclined.event_type: lambda d: "Step-down declined by early help",
    stepdown.StepdownEscalated.event_type: lambda d: "Step-down escalated to the team manager",
    stepdown.StepdownEngagementRecorded.event_type: lambda d: (
        f"Family's engagement with early help recorded: {said(d.get('engagement'))}"
    ),
    stepdown.StepdownWithdrawn.event_type: lambda d: "Step-down withdrawn: the front door's decision was corrected",
    stepdown.StepdownDecisionCorrected.event_type: lambda d: "Step-down's decision corrected",
    stepdown.CaseClosed.event_type: lambda d: f"Case closed{_reason(d)}",
    stepdown.CaseReopened.event_type: lambda d: "Case reopened: its closure was corrected",
}


def plain_words(event_type: str, data: Data) -> str:
    """What ``event_type`` with ``data`` says happened, in plain words."""
    return WORDS[event_type](data)
