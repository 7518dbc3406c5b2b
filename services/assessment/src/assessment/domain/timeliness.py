"""The 45-working-day clock over many assessments: flagging one past its due date, and the
measures a manager compares against the national figures (median working days, share in time)."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime

from assessment.domain.rules import is_overdue
from assessment.domain.states import ASSESSMENT_WORKING_DAYS, AssessmentState, Events
from continuum.casework.calendar import working_days_between
from continuum.casework.errors import Conflict, Invalid
from continuum.contracts.assessment import AssessmentOutcome, AssessmentOverdue


def mark_overdue(state: AssessmentState, *, now: datetime, today: date) -> tuple[AssessmentState, Events]:
    """Flag an open assessment past its due date, once. The version stays: overdue is a fact of
    the clock, not a change anyone made, and what the API shows (``overdue``, computed from today)
    is the same before and after, so an edit in progress does not go stale."""
    if not state.is_open:
        raise Conflict(f"is {state.status.value}; it is off the clock", field="assessment", slug="assessment-closed")
    if not is_overdue(state.due_date, today):
        raise Invalid("due_date", f"is {state.due_date.isoformat()}; the assessment is not overdue on {today.isoformat()}")
    if state.overdue_notified_at is not None:
        return state, []
    event = AssessmentOverdue(
        **state.about,
        lead_practitioner=state.lead.practitioner if state.lead else None,
        due_date=state.due_date,
        detected_at=now,
    )
    return replace(state, overdue_notified_at=now), [event]


@dataclass(frozen=True)
class Completed:
    """An authorised assessment, as the measures count it."""

    team: str
    referral_date: date
    start_date: date | None
    authorisation_date: date
    outcome: AssessmentOutcome


@dataclass(frozen=True)
class Figures:
    """How many were authorised, how long they took in working days, the share in time, the outcomes."""

    completed: int
    median_working_days: float | None
    median_working_days_from_start: float | None
    within_45_working_days: float | None
    outcomes: dict[AssessmentOutcome, int] = field(default_factory=dict)


def figures(rows: Sequence[Completed]) -> Figures:
    from_referral = [working_days_between(r.referral_date, r.authorisation_date) for r in rows]
    from_start = [working_days_between(r.start_date, r.authorisation_date) for r in rows if r.start_date]
    outcomes = dict.fromkeys(AssessmentOutcome, 0)
    for r in rows:
        outcomes[r.outcome] += 1
    in_time = sum(d <= ASSESSMENT_WORKING_DAYS for d in from_referral)
    return Figures(
        completed=len(rows),
        median_working_days=float(statistics.median(from_referral)) if from_referral else None,
        median_working_days_from_start=float(statistics.median(from_start)) if from_start else None,
        within_45_working_days=round(in_time / len(from_referral), 4) if from_referral else None,
        outcomes=outcomes,
    )


def figures_by_team(rows: Sequence[Completed]) -> dict[str, Figures]:
    """The figures of each team with an authorised assessment, in team order."""
    teams: dict[str, list[Completed]] = {}
    for r in rows:
        teams.setdefault(r.team, []).append(r)
    return {team: figures(team_rows) for team, team_rows in sorted(teams.items())}
