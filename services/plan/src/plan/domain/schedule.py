"""When things fall due: reviews on the council's cadence (CIN) or the conference rules (CP), and
visits on the council's frequency. Calendar months end on the last day of a shorter month."""

from __future__ import annotations

import calendar
from datetime import date, timedelta

from continuum.casework.policy import CouncilPolicy
from continuum.contracts.plan import PlanType
from plan.domain.policy import plan_policy
from plan.domain.states import CP_FIRST_REVIEW_MONTHS, CP_REVIEW_MONTHS


def add_months(day: date, months: int) -> date:
    """The same day ``months`` calendar months later (31 August + 6 months is 28 or 29 February)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def first_review_due(plan_type: PlanType, start: date, policy: CouncilPolicy) -> date:
    """CIN: the council's cadence after the start (6 weeks by default). CP: the first review
    conference within 3 months of the start (the initial conference)."""
    if plan_type is PlanType.CP:
        return add_months(start, CP_FIRST_REVIEW_MONTHS)
    return start + timedelta(weeks=plan_policy(policy).cin_review_cadence_weeks)


def next_review_due(plan_type: PlanType, review_date: date, policy: CouncilPolicy) -> date:
    """CIN: the cadence after the last review. CP: review conferences at most 6 months apart."""
    if plan_type is PlanType.CP:
        return add_months(review_date, CP_REVIEW_MONTHS)
    return review_date + timedelta(weeks=plan_policy(policy).cin_review_cadence_weeks)


def next_visit_due(last: date, policy: CouncilPolicy) -> date | None:
    """The council's visit frequency after the last visit (or the start); none when it sets none."""
    weeks = plan_policy(policy).visit_frequency_weeks
    if weeks is None:
        return None
    return last + timedelta(weeks=weeks)


def within_frequency(previous: date | None, visit: date, policy: CouncilPolicy) -> bool | None:
    """Whether a visit came within the council's frequency of the one before (none to compare: ``None``)."""
    weeks = plan_policy(policy).visit_frequency_weeks
    if previous is None or weeks is None:
        return None
    return (visit - previous) <= timedelta(weeks=weeks)
