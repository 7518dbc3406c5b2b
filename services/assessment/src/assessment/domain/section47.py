"""Transitions of a section 47 enquiry: its start (the strategy discussion sets the conference's
15-working-day target) and its conclusion (the conference's date, or none needed, and whether it
decided a child protection plan). Section 47 work is a social worker's."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime

from assessment.domain.rules import (
    check_may_change_section47,
    check_section47_conclusion,
    check_section47_start,
    icpc_target,
)
from assessment.domain.states import Actor, AssessmentState, Events, Section47State, Section47Status
from continuum.contracts.assessment import Section47Concluded, Section47Outcome, Section47Started


def start_section47(
    section47: Section47State,
    *,
    assessment: AssessmentState,
    by: Actor,
    today: date,
    strategy_discussion_date: date,
    start_date: date,
) -> tuple[Section47State, Events]:
    """Record the strategy discussion and the enquiry's start (census S47ActualStartDate)."""
    check_may_change_section47(assessment, by)
    check_section47_start(
        section47.status,
        referral_date=assessment.referral_date,
        strategy_discussion_date=strategy_discussion_date,
        start_date=start_date,
        today=today,
    )
    target = icpc_target(strategy_discussion_date)
    started = replace(
        section47,
        status=Section47Status.STARTED,
        strategy_discussion_date=strategy_discussion_date,
        start_date=start_date,
        icpc_target_date=target,
        started_by=by.id,
        version=section47.version + 1,
    )
    event = Section47Started(
        **started.about,
        strategy_discussion_date=strategy_discussion_date,
        start_date=start_date,
        icpc_target_date=target,
        started_by=by.id,
    )
    return started, [event]


def conclude_section47(
    section47: Section47State,
    *,
    assessment: AssessmentState,
    by: Actor,
    now: datetime,
    today: date,
    icpc_date: date | None,
    icpc_not_required: bool,
    outcome: Section47Outcome,
) -> tuple[Section47State, Events]:
    """Conclude the enquiry with the initial child protection conference's date (or none needed)
    and its outcome; a child protection plan needs a conference."""
    check_may_change_section47(assessment, by)
    check_section47_conclusion(
        section47.status,
        start_date=section47.start_date,
        icpc_date=icpc_date,
        icpc_not_required=icpc_not_required,
        outcome=outcome,
        today=today,
    )
    assert section47.start_date is not None and section47.icpc_target_date is not None  # started, so set
    concluded = replace(
        section47,
        status=Section47Status.CONCLUDED,
        icpc_date=icpc_date,
        icpc_not_required=icpc_not_required,
        outcome=outcome,
        concluded_by=by.id,
        concluded_at=now,
        version=section47.version + 1,
    )
    event = Section47Concluded(
        **concluded.about,
        start_date=section47.start_date,
        icpc_target_date=section47.icpc_target_date,
        icpc_date=icpc_date,
        icpc_not_required=icpc_not_required,
        icpc_within_target=icpc_date <= section47.icpc_target_date if icpc_date else None,
        outcome=outcome,
        concluded_by=by.id,
        concluded_at=now,
    )
    return concluded, [event]
