"""The assessment's rules, as pure functions over plain values: the working-day clocks, who may
lead, what a complete record is, and the dates and outcomes that agree with each other.

Clocks: an assessment concludes no later than 45 working days after the referral; the initial
child protection conference is due 15 working days after the strategy discussion. Working days are
those of England and Wales (``continuum.casework.calendar``); every date is a London calendar date.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from assessment.domain.policy import LeadPractitionerPolicy
from assessment.domain.states import (
    ASSESSMENT_WORKING_DAYS,
    ICPC_WORKING_DAYS,
    Actor,
    AssessmentState,
    Findings,
    Section47State,
    Section47Status,
    Status,
)
from continuum.casework.calendar import add_working_days, working_days_between
from continuum.casework.clock import london_date
from continuum.casework.closure import Closure
from continuum.casework.errors import Conflict, Invalid, Refused
from continuum.contracts.assessment import AssessmentOutcome, AssessmentRoute, Section47Outcome
from continuum.contracts.codes import AssessmentFactor, PrimaryNeedCode, ReasonForClosure, validate_assessment_factors
from continuum.contracts.referral import DecisionOutcome, ReferralDecided


def refused(field: str, reason: str, *, slug: str) -> Refused:
    """A refusal (403) answered as this service's always were: the rule broken as the title, and
    the field at fault in the detail as well as in the errors."""
    error = Refused(reason, field=field, slug=slug)
    error.title, error.detail = reason, f"{field}: {reason}"
    return error


# --- the clocks ---------------------------------------------------------------------------------


def due_date(referral_date: date) -> date:
    return add_working_days(referral_date, ASSESSMENT_WORKING_DAYS)


def icpc_target(strategy_discussion_date: date) -> date:
    return add_working_days(strategy_discussion_date, ICPC_WORKING_DAYS)


def working_days_left(due: date, today: date) -> int:
    """Working days from ``today`` to ``due``: 0 on the due date, negative once it has passed."""
    if today <= due:
        return working_days_between(today, due)
    return -working_days_between(due, today)


def is_overdue(due: date, today: date) -> bool:
    """Overdue from the day after the due date: authorising on the due date is within 45."""
    return today > due


def referral_date_of(decision: ReferralDecided) -> date:
    """The census referral date: the London calendar date of the instant the referral was received.

    The instant wins over the event's ``referral_date``: a producer that took the UTC date would give
    the day before for a referral received between midnight and 01:00 in a British summer."""
    return london_date(decision.received_at)


def route_for(outcome: DecisionOutcome) -> AssessmentRoute | None:
    """Which assessment a front-door decision opens; ``None`` when it opens none."""
    if outcome is DecisionOutcome.ASSESSMENT:
        return AssessmentRoute.SECTION17
    if outcome is DecisionOutcome.STRATEGY_DISCUSSION:
        return AssessmentRoute.SECTION47
    return None


# --- who may do what ----------------------------------------------------------------------------


def check_sw_qualified_manager(by: Actor, action: str) -> None:
    if not by.sw_qualified_manager:
        raise refused("manager", f"{action} is reserved for a social-work-qualified manager", slug="not-sw-qualified")


def check_is_lead(state: AssessmentState, by: Actor, action: str) -> None:
    if state.lead is None or state.lead.practitioner != by.id:
        raise refused("lead_practitioner", f"only the assessment's lead practitioner may {action}", slug="forbidden")


def check_section47_actor(assessment: AssessmentState, by: Actor) -> None:
    """Section 47 work is a social worker's: the lead practitioner in a social-work role, or a
    social-work-qualified manager."""
    if by.sw_qualified_manager:
        return
    lead = assessment.lead
    if lead is not None and lead.practitioner == by.id and lead.social_worker:
        return
    raise refused(
        "section47",
        "the lead practitioner (a social worker) or a social-work-qualified manager records section 47 enquiries",
        slug="not-sw-qualified",
    )


def check_lead_practitioner(role: str, route: AssessmentRoute, policy: LeadPractitionerPolicy) -> bool:
    """Whether ``role`` may lead this assessment; returns whether it is a social-work role.

    Social workers may lead any assessment; the council's named non-social-work roles may lead
    section 17 work only (under the allocating manager's oversight), never section 47.
    """
    if role in policy.social_worker_roles:
        return True
    if role in policy.section17_roles:
        if route is AssessmentRoute.SECTION47:
            raise Invalid(
                "lead_practitioner_role",
                f"section 47 work needs a social worker ({', '.join(policy.social_worker_roles)}); "
                f"{role} may lead section 17 work only",
                slug="not-eligible-lead-practitioner",
            )
        return False
    allowed = ", ".join([*policy.social_worker_roles, *policy.section17_roles])
    raise Invalid("lead_practitioner_role", f"{role!r} may not be a lead practitioner; the council's roles are: {allowed}")


def check_allocation(
    status: Status, current_lead: str | None, new_lead: str, reason: str | None, *, reallocation_required: bool = False
) -> None:
    """An open assessment may be allocated; a reallocation needs a reason. While a reallocation is
    required, the manager may also confirm the lead in place (with a reason)."""
    if status in (Status.AUTHORISED, Status.WITHDRAWN):
        raise Conflict(f"is {status.value}; it cannot be allocated", field="assessment", slug="assessment-closed")
    if current_lead is not None:
        if new_lead == current_lead and not reallocation_required:
            raise Invalid("lead_practitioner", "already leads this assessment")
        if not reason:
            raise Invalid("reason", "give the reason for the reallocation")


def check_no_reallocation_pending(state: AssessmentState) -> None:
    if state.reallocation_required is not None:
        raise Conflict(
            f"a reallocation is required ({state.reallocation_required.value}): a manager must reallocate first",
            field="lead_practitioner",
            slug="reallocation-required",
        )


# --- recording ----------------------------------------------------------------------------------


def parse_factors(codes: Sequence[str]) -> list[AssessmentFactor]:
    """Census factors: known codes, none twice, and ``21`` (no factors) only on its own."""
    try:
        return validate_assessment_factors(list(codes))
    except ValueError as exc:
        raise Invalid("factors", str(exc)) from exc


def check_can_record(status: Status) -> None:
    if status is Status.UNALLOCATED:
        raise Conflict("is not allocated yet", field="assessment", slug="not-allocated")
    if status is not Status.IN_PROGRESS:
        raise Conflict(f"is {status.value}; it can no longer be changed", field="assessment", slug=f"assessment-{status.value}")


def check_dates(*, referral_date: date, today: date, start_date: date | None, child_seen_date: date | None) -> None:
    for name, value in (("start_date", start_date), ("child_seen_date", child_seen_date)):
        if value is None:
            continue
        if value < referral_date:
            raise Invalid(name, f"is before the referral date {referral_date.isoformat()}")
        if value > today:
            raise Invalid(name, "is in the future")


def check_specialist_date(index: int, on: date, today: date) -> None:
    if on > today:
        raise Invalid(f"specialist_assessments.{index}.date", "is in the future")


def check_primary_need(primary_need: PrimaryNeedCode, outcome: AssessmentOutcome, factors: Sequence[AssessmentFactor]) -> None:
    """The primary need and the factors must agree with the outcome.

    - N0 (not stated) cannot stand for a child found in need (CIN plan or child protection).
    - N9 (cases other than children in need) means the child is not in need: only NFA or early help.
    - Child protection needs at least one factor identified (not ``21``, no factors).
    """
    in_need = outcome in (AssessmentOutcome.CIN_PLAN, AssessmentOutcome.CHILD_PROTECTION)
    if in_need and primary_need is PrimaryNeedCode.NOT_STATED:
        raise Invalid("primary_need", f"N0 (not stated) is not a primary need for a child on a {outcome.value} outcome")
    if in_need and primary_need is PrimaryNeedCode.NOT_CHILD_IN_NEED:
        raise Invalid("primary_need", f"N9 (cases other than children in need) contradicts a {outcome.value} outcome")
    if outcome is AssessmentOutcome.CHILD_PROTECTION and list(factors) == [AssessmentFactor.NO_FACTORS]:
        raise Invalid("factors", "a child protection outcome needs the factors identified, not 21 (no factors)")


def check_can_submit(status: Status, findings: Findings, *, unborn: bool) -> None:
    """A complete record, in progress, may be submitted; a second submission is a conflict."""
    if status is Status.SUBMITTED:
        raise Conflict("is already submitted and awaits the manager", field="assessment", slug="already-submitted")
    check_can_record(status)
    missing = []
    if findings.start_date is None:
        missing.append("start_date")
    if findings.child_seen_date is None and not unborn:
        missing.append("child_seen_date")
    if findings.child_seen_date is not None and findings.child_seen_alone is None:
        missing.append("child_seen_alone")
    if not findings.factors:
        missing.append("factors (21 when no factors were identified)")
    if findings.primary_need is None:
        missing.append("primary_need")
    if findings.recommendation is None:
        missing.append("recommendation")
    if not findings.recommendation_summary:
        missing.append("recommendation_summary")
    if missing:
        raise Invalid(missing[0].split(" ")[0], f"record {', '.join(missing)} before submitting", slug="incomplete-assessment")
    assert findings.primary_need is not None and findings.recommendation is not None
    check_primary_need(findings.primary_need, findings.recommendation, findings.factors)


# --- review and authorisation -------------------------------------------------------------------


def check_can_review(status: Status) -> None:
    """Only a submitted assessment may be authorised or returned."""
    if status is Status.AUTHORISED:
        raise Conflict("is already authorised", field="assessment", slug="already-authorised")
    if status is not Status.SUBMITTED:
        raise Conflict("has not been submitted for authorisation", field="assessment", slug="not-submitted")


def check_authorisation_date(
    authorisation_date: date, *, today: date, referral_date: date, start_date: date, submitted_on: date | None = None
) -> None:
    """The census authorisation date follows what it authorises: not before the referral, the
    assessment's start or its submission (the London date), and not in the future."""
    if authorisation_date > today:
        raise Invalid("authorisation_date", "is in the future")
    for what, earliest in (("referral date", referral_date), ("assessment's start date", start_date)):
        if authorisation_date < earliest:
            raise Invalid("authorisation_date", f"is before the {what} {earliest.isoformat()}")
    if submitted_on is not None and authorisation_date < submitted_on:
        raise Invalid("authorisation_date", f"is before the submission on {submitted_on.isoformat()}")


def check_enquiry_agrees(
    route: AssessmentRoute, section47: Section47State | None, outcome: AssessmentOutcome, authorisation_date: date
) -> None:
    """A section 47 assessment and its enquiry agree (decision 24): it is authorised only
    once the enquiry has concluded, not before the day it concluded, and its outcome follows the
    conference's: a child protection plan is a ``child_protection`` outcome, and no plan is not."""
    if route is not AssessmentRoute.SECTION47:
        return
    if section47 is None or section47.status is not Section47Status.CONCLUDED or section47.concluded_at is None:
        raise Conflict(
            "the section 47 enquiry has not concluded: conclude it before authorising its assessment",
            field="section47",
            slug="section47-not-concluded",
        )
    concluded_on = london_date(section47.concluded_at)
    if authorisation_date < concluded_on:
        raise Invalid("authorisation_date", f"is before the section 47 enquiry concluded on {concluded_on.isoformat()}")
    if section47.outcome is Section47Outcome.CP_PLAN and outcome is not AssessmentOutcome.CHILD_PROTECTION:
        raise Invalid("outcome", "the section 47 enquiry ended in a child protection plan: the outcome is child_protection")
    if section47.outcome is Section47Outcome.NO_CP_PLAN and outcome is AssessmentOutcome.CHILD_PROTECTION:
        raise Invalid("outcome", "the section 47 enquiry ended without a child protection plan: child_protection contradicts it")


def closure_for(outcome: AssessmentOutcome, authorisation_date: date, *, went_with_section47: bool) -> Closure | None:
    """NFA closes the episode (RC8); early help closes it to social care (RC9, handed to step-down).
    Rule 2990: RC8 and RC9 mean "closed after assessment" in an episode with no section 47 enquiry
    (nor conference nor plan); when the episode had an enquiry (or the assessment was opened by an
    escalation from a child in need plan) the same outcomes close it with RC7, services ceased."""
    if outcome not in (AssessmentOutcome.NFA, AssessmentOutcome.EARLY_HELP):
        return None
    if went_with_section47:
        return Closure(authorisation_date, ReasonForClosure.SERVICES_CEASED)
    if outcome is AssessmentOutcome.NFA:
        return Closure(authorisation_date, ReasonForClosure.NFA_AFTER_ASSESSMENT)
    return Closure(authorisation_date, ReasonForClosure.EARLY_HELP_AFTER_ASSESSMENT)


# --- section 47 ---------------------------------------------------------------------------------


def check_may_change_section47(assessment: AssessmentState, by: Actor) -> None:
    """Every change of the enquiry: by whom section 47 work may be done, and only while its
    assessment is open."""
    check_section47_actor(assessment, by)
    if not assessment.is_open:
        raise Conflict(
            f"is {assessment.status.value}; its section 47 enquiry can no longer change",
            field="assessment",
            slug=f"assessment-{assessment.status.value}",
        )


def check_section47_start(
    status: Section47Status, *, referral_date: date, strategy_discussion_date: date, start_date: date, today: date
) -> None:
    if status is Section47Status.WITHDRAWN:
        raise Conflict("was withdrawn by a corrected front-door decision", field="section47", slug="section47-withdrawn")
    if status is not Section47Status.AWAITING_START:
        raise Conflict("has already started", field="section47", slug="section47-already-started")
    if strategy_discussion_date < referral_date:
        raise Invalid("strategy_discussion_date", f"is before the referral date {referral_date.isoformat()}")
    if strategy_discussion_date > today:
        raise Invalid("strategy_discussion_date", "is in the future")
    if start_date < strategy_discussion_date:
        raise Invalid("start_date", "is before the strategy discussion that decided the enquiry")
    if start_date > today:
        raise Invalid("start_date", "is in the future")


def check_section47_conclusion(
    status: Section47Status,
    *,
    start_date: date | None,
    icpc_date: date | None,
    icpc_not_required: bool,
    outcome: Section47Outcome,
    today: date,
) -> None:
    if status is Section47Status.WITHDRAWN:
        raise Conflict("was withdrawn by a corrected front-door decision", field="section47", slug="section47-withdrawn")
    if status is Section47Status.AWAITING_START or start_date is None:
        raise Conflict("has not started", field="section47", slug="section47-not-started")
    if status is Section47Status.CONCLUDED:
        raise Conflict("is already concluded", field="section47", slug="section47-already-concluded")
    if icpc_not_required == (icpc_date is not None):
        raise Invalid("icpc_date", "give the conference date, or icpc_not_required = true (exactly one)")
    if icpc_date is not None:
        if icpc_date < start_date:
            raise Invalid("icpc_date", f"is before the enquiry's start date {start_date.isoformat()}")
        if icpc_date > today:
            raise Invalid("icpc_date", "is in the future")
    if icpc_not_required and outcome is Section47Outcome.CP_PLAN:
        raise Invalid("outcome", "a child protection plan needs an initial child protection conference")
