"""Transitions of the assessment's work: allocating the lead practitioner, the lead's record of
what the assessment found, and its submission for authorisation."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from enum import Enum
from typing import TypeVar

from assessment.domain.policy import LeadPractitionerPolicy
from assessment.domain.rules import (
    check_allocation,
    check_can_record,
    check_can_submit,
    check_dates,
    check_is_lead,
    check_lead_practitioner,
    check_no_reallocation_pending,
    check_specialist_date,
    check_sw_qualified_manager,
    parse_factors,
)
from assessment.domain.states import (
    Actor,
    AssessmentState,
    ChildIdentity,
    Events,
    Findings,
    Lead,
    SpecialistAssessment,
    Status,
    Submission,
)
from continuum.casework.clock import london_date
from continuum.contracts.assessment import AssessmentAllocated, AssessmentOutcome, AssessmentRecorded, AssessmentSubmitted
from continuum.contracts.codes import PrimaryNeedCode

T = TypeVar("T")


class Keep(Enum):
    """A field of a partial record left as it is (distinct from ``None``, which clears it)."""

    KEEP = "keep"


KEEP = Keep.KEEP


@dataclass(frozen=True)
class FindingsChange:
    """What one recording changes: each field a new value, ``None`` to clear it, or ``KEEP``."""

    start_date: date | Keep | None = KEEP
    child_seen_date: date | Keep | None = KEEP
    child_seen_alone: bool | Keep | None = KEEP
    factors: Sequence[str] | Keep | None = KEEP
    primary_need: PrimaryNeedCode | Keep | None = KEEP
    specialist_assessments: Sequence[SpecialistAssessment] | Keep | None = KEEP
    recommendation: AssessmentOutcome | Keep | None = KEEP
    recommendation_summary: str | Keep | None = KEEP


def _pick(new: T | Keep, old: T) -> T:
    return old if isinstance(new, Keep) else new


def allocate(
    state: AssessmentState,
    *,
    by: Actor,
    now: datetime,
    lead_practitioner: str,
    role: str,
    reason: str | None,
    policy: LeadPractitionerPolicy,
) -> tuple[AssessmentState, Events]:
    """A social-work-qualified manager allocates the lead practitioner, or reallocates with a
    reason; the role must be allowed to lead this route (section 47 needs a social worker)."""
    check_sw_qualified_manager(by, "allocating a lead practitioner")
    previous = state.lead.practitioner if state.lead else None
    check_allocation(
        state.status, previous, lead_practitioner, reason, reallocation_required=state.reallocation_required is not None
    )
    social_worker = check_lead_practitioner(role, state.route, policy)
    allocated = replace(
        state,
        lead=Lead(lead_practitioner, role, social_worker, now),
        status=Status.IN_PROGRESS if state.status is Status.UNALLOCATED else state.status,
        reallocation_required=None,
        version=state.version + 1,
    )
    event = AssessmentAllocated(
        **state.about,
        lead_practitioner=lead_practitioner,
        lead_practitioner_role=role,
        social_worker=social_worker,
        allocated_by=by.id,
        allocated_at=now,
        previous_lead_practitioner=previous,
    )
    return allocated, [event]


def record(state: AssessmentState, *, by: Actor, now: datetime, changes: FindingsChange) -> tuple[AssessmentState, Events]:
    """The lead practitioner records what the assessment found; fields not changed keep their value.
    Census factor codes are checked, and no date is before the referral or in the future (London's
    today, from ``now``). When the start date, the date the child was seen or the primary need
    changed, ``assessment.recorded`` says what they are now: the census and Ofsted read them while
    the assessment is open."""
    today = london_date(now)
    check_is_lead(state, by, "record it")
    check_can_record(state.status)
    check_no_reallocation_pending(state)
    old = state.findings
    factors = old.factors if isinstance(changes.factors, Keep) else tuple(parse_factors(changes.factors or []))
    specialist = old.specialist_assessments
    if not isinstance(changes.specialist_assessments, Keep):
        specialist = tuple(changes.specialist_assessments or ())
        for index, item in enumerate(specialist):
            check_specialist_date(index, item.on, today)
    findings = Findings(
        start_date=_pick(changes.start_date, old.start_date),
        child_seen_date=_pick(changes.child_seen_date, old.child_seen_date),
        child_seen_alone=_pick(changes.child_seen_alone, old.child_seen_alone),
        factors=factors,
        primary_need=_pick(changes.primary_need, old.primary_need),
        specialist_assessments=specialist,
        recommendation=_pick(changes.recommendation, old.recommendation),
        recommendation_summary=_pick(changes.recommendation_summary, old.recommendation_summary),
    )
    check_dates(
        referral_date=state.referral_date, today=today, start_date=findings.start_date, child_seen_date=findings.child_seen_date
    )
    recorded = replace(state, findings=findings, version=state.version + 1)
    if _census_view(findings) == _census_view(old):
        return recorded, []
    event = AssessmentRecorded(
        **state.about,
        route=state.route,
        start_date=findings.start_date,
        child_seen_date=findings.child_seen_date,
        primary_need=findings.primary_need,
        recorded_by=by.id,
        recorded_at=now,
    )
    return recorded, [event]


def _census_view(findings: Findings) -> tuple[date | None, date | None, PrimaryNeedCode | None]:
    """What the census and Ofsted read of an open assessment (``assessment.recorded``)."""
    return findings.start_date, findings.child_seen_date, findings.primary_need


def submit(state: AssessmentState, *, by: Actor, now: datetime, child: ChildIdentity | None) -> tuple[AssessmentState, Events]:
    """The lead practitioner submits a complete record for authorisation."""
    check_is_lead(state, by, "submit it")
    check_can_submit(state.status, state.findings, unborn=child is not None and child.unborn)
    check_no_reallocation_pending(state)
    recommendation = state.findings.recommendation
    assert recommendation is not None  # check_can_submit saw to it
    submitted = replace(state, status=Status.SUBMITTED, submission=Submission(by.id, now), version=state.version + 1)
    event = AssessmentSubmitted(
        **state.about,
        submitted_by=by.id,
        submitted_at=now,
        recommendation=recommendation,
    )
    return submitted, [event]
