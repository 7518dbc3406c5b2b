"""The manager's review: returning a submitted assessment with reasons, or authorising it with
the census authorisation date and the outcome (which may close the episode)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime

from assessment.domain.rules import (
    check_authorisation_date,
    check_can_review,
    check_enquiry_agrees,
    check_no_reallocation_pending,
    check_primary_need,
    check_sw_qualified_manager,
    closure_for,
)
from assessment.domain.states import (
    ASSESSMENT_WORKING_DAYS,
    Actor,
    AssessmentState,
    Authorisation,
    Events,
    Section47State,
    Status,
)
from continuum.casework.calendar import working_days_between
from continuum.casework.clock import london_date
from continuum.casework.errors import Conflict, Invalid
from continuum.contracts.assessment import AssessmentAuthorised, AssessmentOutcome, AssessmentReturned


def return_(state: AssessmentState, *, by: Actor, now: datetime, reasons: str) -> tuple[AssessmentState, Events]:
    """A social-work-qualified manager sends the submitted assessment back to the lead practitioner
    (the reasons stay in the service: events carry no narrative)."""
    check_sw_qualified_manager(by, "returning an assessment")
    check_can_review(state.status)
    if not reasons.strip():
        raise Invalid("reasons", "say why the assessment goes back")
    returned = replace(state, status=Status.IN_PROGRESS, submission=None, version=state.version + 1)
    event = AssessmentReturned(
        **state.about,
        returned_by=by.id,
        returned_at=now,
    )
    return returned, [event]


def authorise(
    state: AssessmentState,
    *,
    section47: Section47State | None,
    episode_had_section47: bool,
    by: Actor,
    now: datetime,
    today: date,
    outcome: AssessmentOutcome,
    on: date,
) -> tuple[AssessmentState, Events]:
    """A social-work-qualified manager authorises the submitted assessment on date ``on`` with
    ``outcome``. The date is not before the referral, the start, the submission (or a section 47
    enquiry's conclusion) and not in the future; the outcome agrees with the primary need, the
    factors and the enquiry. NFA closes the episode (RC8), early help closes it to step-down (RC9),
    or RC7 for either when the episode had a section 47 enquiry (``episode_had_section47``: one
    not withdrawn, of any of the case's assessments) or the assessment came from an escalation.

    ``assessment.authorised`` always carries the factors, the primary need and the lead
    practitioner (the plan service keeps them on a plan a conference drafted before it): an
    assessment without them is not authorised. Partners hear nothing here: the plan service
    announces a plan, and step-down a step-down or a closure."""
    check_sw_qualified_manager(by, "authorising an assessment")
    check_can_review(state.status)
    check_no_reallocation_pending(state)
    findings, lead = state.findings, state.lead
    if findings.start_date is None or findings.primary_need is None or not findings.factors or lead is None:
        raise Conflict("is not a complete record", field="assessment", slug="incomplete-assessment")
    submitted_on = london_date(state.submission.at) if state.submission else None
    check_authorisation_date(
        on, today=today, referral_date=state.referral_date, start_date=findings.start_date, submitted_on=submitted_on
    )
    check_enquiry_agrees(state.route, section47, outcome, on)
    check_primary_need(findings.primary_need, outcome, findings.factors)
    went_with_section47 = episode_had_section47 or state.escalated or (section47 is not None and section47.is_current)
    authorised, event = authorised_state(
        state, section47=section47, outcome=outcome, on=on, by=by.id, at=now, went_with_section47=went_with_section47
    )
    return authorised, [event]


def authorised_state(
    state: AssessmentState,
    *,
    section47: Section47State | None,
    outcome: AssessmentOutcome,
    on: date,
    by: str,
    at: datetime,
    went_with_section47: bool,
) -> tuple[AssessmentState, AssessmentAuthorised]:
    """The assessment authorised (its record complete and checked) and the event that says so, with
    the closure its outcome makes: the one place an authorisation is made, live or imported."""
    findings, lead = state.findings, state.lead
    assert findings.start_date is not None and findings.primary_need is not None and lead is not None
    closure = closure_for(outcome, on, went_with_section47=went_with_section47)
    authorised = replace(
        state,
        status=Status.AUTHORISED,
        authorisation=Authorisation(outcome=outcome, on=on, by=by, at=at, closure=closure),
        version=state.version + 1,
    )
    working_days = working_days_between(state.referral_date, on)
    event = AssessmentAuthorised(
        **state.about,
        referral_id=state.referral_id,
        route=state.route,
        section47_id=section47.id if section47 is not None else None,
        lead_practitioner=lead.practitioner,
        lead_practitioner_role=lead.role,
        authorised_by=by,
        referral_date=state.referral_date,
        start_date=findings.start_date,
        authorisation_date=on,
        due_date=state.due_date,
        working_days=working_days,
        within_timescale=working_days <= ASSESSMENT_WORKING_DAYS,
        child_seen_date=findings.child_seen_date,
        child_seen_alone=findings.child_seen_alone,
        factors=list(findings.factors),
        primary_need=findings.primary_need,
        specialist_assessments=[s.kind for s in findings.specialist_assessments],
        outcome=outcome,
        closure_date=closure.closed_on if closure else None,
        reason_for_closure=closure.reason if closure else None,
    )
    return authorised, event
