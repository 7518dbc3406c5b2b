"""From events to transitions: what step-down learns of an episode (the front door's early help
decision, an authorised assessment, a plan's end) in whatever order it arrives, and the one
transition out of statutory social care that the episode's facts call for, once they are all in.

A plan's end needs the assessment (the referral date the durations are measured from, and whether
RC8 and RC9 are open to the closure): until it arrives the plan's end waits, never guessed at.
"""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import date, datetime

from continuum.calendar import add_working_days
from continuum.clock import london_date
from continuum.codes import ReasonForClosure
from continuum.contracts.plan import ActionSummary, NextStep
from continuum.contracts.stepdown import CaseClosed, StepdownRequested, TransitionKind, TransitionTrigger
from continuum.errors import RuleBroken
from stepdown.domain.states import (
    AssessmentFacts,
    ClosureRecord,
    Episode,
    Events,
    FrontDoorDecision,
    PlanEnd,
    Stepdown,
    StepdownStatus,
)

#: Reasons for closure the census keeps for episodes closed after an assessment.
AFTER_ASSESSMENT_ONLY = frozenset({ReasonForClosure.NFA_AFTER_ASSESSMENT, ReasonForClosure.EARLY_HELP_AFTER_ASSESSMENT})


def add_months(day: date, months: int) -> date:
    """``day`` plus calendar months, the day clamped to the month's end (31 January + 1 month is
    28 or 29 February), as PostgreSQL's ``date + interval 'n months'`` does."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    for last in (31, 30, 29, 28):
        try:
            return date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")  # pragma: no cover


def _episode(episode: Episode | None, *, case_id: uuid.UUID, child_id: uuid.UUID, team: str) -> Episode:
    return episode if episode is not None else Episode(case_id=case_id, child_id=child_id, team=team)


def receive_front_door_early_help(
    episode: Episode | None,
    *,
    case_id: uuid.UUID,
    child_id: uuid.UUID,
    team: str,
    referral_id: uuid.UUID,
    referral_date: date,
    decided_at: datetime,
) -> Episode:
    """The front door decided early help: the episode ends at the referral (no assessment)."""
    known = _episode(episode, case_id=case_id, child_id=child_id, team=team)
    return replace(
        known,
        referral_date=known.referral_date or referral_date,
        front_door=FrontDoorDecision(referral_id=referral_id, decided_at=decided_at),
        version=known.version + 1,
    )


def receive_assessment(
    episode: Episode | None,
    *,
    case_id: uuid.UUID,
    child_id: uuid.UUID,
    team: str,
    referral_date: date,
    facts: AssessmentFacts,
) -> Episode:
    """An assessment of the episode was authorised (any outcome: a plan's end may be waiting for it)."""
    known = _episode(episode, case_id=case_id, child_id=child_id, team=team)
    # The assessment's team holds the case from now on (the front door's team is the referral's).
    return replace(known, team=team, referral_date=referral_date, assessment=facts, version=known.version + 1)


def receive_plan_end(
    episode: Episode | None, *, case_id: uuid.UUID, child_id: uuid.UUID, team: str, plan_end: PlanEnd
) -> Episode:
    """A plan of the episode ended; the latest end is the one that counts."""
    known = _episode(episode, case_id=case_id, child_id=child_id, team=team)
    return replace(known, team=team, plan_end=plan_end, version=known.version + 1)


def waiting_for(episode: Episode) -> str | None:
    """What the episode's transition still waits for, or ``None`` when nothing (or nothing more) is due."""
    if episode.plan_end is not None and episode.assessment is None:
        return "assessment.authorised"
    return None


def make_transition(
    episode: Episode,
    *,
    stepdown_id: uuid.UUID,
    now: datetime,
    receiving_team: str,
    response_working_days: int,
) -> tuple[Episode, Stepdown | None, Events]:
    """The transition the episode's facts call for, if they are complete and none was made yet (an
    episode transitions, and closes, once). Returns the episode (marked), the transition and its events."""
    if episode.stepdown_id is not None or waiting_for(episode) is not None:
        return episode, None, []
    shape = _shape(episode)
    if shape is None:
        return episode, None, []
    kind, trigger, ended_on, unmet_need, actions = shape
    assert episode.referral_date is not None  # every shape has it
    today = london_date(now)
    early_help = kind is TransitionKind.EARLY_HELP
    stepdown = Stepdown(
        id=stepdown_id,
        case_id=episode.case_id,
        child_id=episode.child_id,
        team=episode.team,
        kind=kind,
        trigger=trigger,
        status=StepdownStatus.PENDING if early_help else StepdownStatus.AWAITING_CLOSURE,
        referral_date=episode.referral_date,
        ended_on=ended_on,
        assessed=episode.assessment is not None,
        unmet_need=unmet_need,
        actions=actions,
        lead_practitioner=episode.assessment.lead_practitioner if episode.assessment else None,
        receiving_team=receiving_team if early_help else None,
        requested_at=now,
        stepped_down_on=today,
        response_due=add_working_days(today, response_working_days) if early_help else None,
    )
    events: Events = []
    if kind is not TransitionKind.CLOSE:
        events.append(
            StepdownRequested(
                stepdown_id=stepdown.id,
                case_id=stepdown.case_id,
                child_id=stepdown.child_id,
                team=stepdown.team,
                kind=kind,
                trigger=trigger,
                receiving_team=stepdown.receiving_team,
                response_due=stepdown.response_due,
                requested_at=now,
            )
        )
    reason = _reason_without_a_person(episode, kind)
    if reason is not None:
        stepdown, closed = close_episode(stepdown, reason=reason, on=ended_on, now=now, unmet_need=unmet_need)
        events.extend(closed)
    return replace(episode, stepdown_id=stepdown.id, version=episode.version + 1), stepdown, events


Shape = tuple[TransitionKind, TransitionTrigger, date, bool, ActionSummary | None]


def _shape(episode: Episode) -> Shape | None:
    """Kind, trigger, the day statutory work ended, unmet need and the plan's actions, by what the episode holds."""
    plan, assessment = episode.plan_end, episode.assessment
    if plan is not None:
        if plan.next_step is NextStep.STEP_DOWN_EARLY_HELP:
            return TransitionKind.EARLY_HELP, TransitionTrigger.PLAN, plan.end_date, True, plan.actions
        if plan.next_step is NextStep.UNIVERSAL:
            return TransitionKind.UNIVERSAL, TransitionTrigger.PLAN, plan.end_date, plan.unmet_need, plan.actions
        if plan.next_step is NextStep.CLOSE:
            return TransitionKind.CLOSE, TransitionTrigger.PLAN, plan.end_date, plan.unmet_need, plan.actions
        return None  # escalated to CP or stepped down to CIN: the episode goes on, with another plan
    if assessment is not None:
        if assessment.outcome == "nfa":
            return TransitionKind.CLOSE, TransitionTrigger.ASSESSMENT, assessment.authorisation_date, False, None
        if assessment.outcome == "early_help":
            return TransitionKind.EARLY_HELP, TransitionTrigger.ASSESSMENT, assessment.authorisation_date, True, None
        return None  # a plan follows
    if episode.front_door is not None:
        assert episode.referral_date is not None
        return TransitionKind.EARLY_HELP, TransitionTrigger.FRONT_DOOR, episode.referral_date, True, None
    return None


def _reason_without_a_person(episode: Episode, kind: TransitionKind) -> ReasonForClosure | None:
    """The census reason when the events settle it: NFA after assessment (RC8); universal services
    after a plan (RC7, services ceased); a plan that closed the case, the reason it gave (a plan
    ended before plans gave one waits for the manager's). A handover closes when early help
    accepts it."""
    if kind is TransitionKind.UNIVERSAL:
        return ReasonForClosure.SERVICES_CEASED
    if kind is TransitionKind.CLOSE and episode.plan_end is not None:
        return episode.plan_end.reason_for_closure
    if kind is TransitionKind.CLOSE and episode.plan_end is None:
        return ReasonForClosure.NFA_AFTER_ASSESSMENT
    return None


def handover_closure_reason(stepdown: Stepdown) -> ReasonForClosure:
    """Accepted by early help: RC9 after an assessment; at the front door, the census's ReferralNFA
    closure, RC8 (decisions.md 8: the referral service records it so)."""
    return ReasonForClosure.EARLY_HELP_AFTER_ASSESSMENT if stepdown.assessed else ReasonForClosure.NFA_AFTER_ASSESSMENT


def check_closure(stepdown: Stepdown, *, reason: ReasonForClosure, on: date, today: date | None = None) -> None:
    """The census rules for a closure: RC8 and RC9 only after an assessment (the front door's
    ReferralNFA closure is RC8 by the census's own rule), the date not before the referral nor
    before statutory work ended, nor in the future."""
    if stepdown.closure is not None:
        raise RuleBroken("status", "the episode is closed already: an episode closes once", status=409, slug="already-closed")
    referral_nfa = stepdown.trigger is TransitionTrigger.FRONT_DOOR
    if (
        reason in AFTER_ASSESSMENT_ONLY
        and not stepdown.assessed
        and not (referral_nfa and reason is ReasonForClosure.NFA_AFTER_ASSESSMENT)
    ):
        raise RuleBroken("reason_for_closure", f"{reason.value} is only for an episode closed after an assessment")
    if on < stepdown.referral_date:
        raise RuleBroken("closure_date", f"is before the referral date {stepdown.referral_date.isoformat()}")
    if on < stepdown.ended_on:
        raise RuleBroken("closure_date", f"is before statutory work ended on {stepdown.ended_on.isoformat()}")
    if today is not None and on > today:
        raise RuleBroken("closure_date", "is in the future")


def close_episode(
    stepdown: Stepdown, *, reason: ReasonForClosure, on: date, now: datetime, unmet_need: bool, today: date | None = None
) -> tuple[Stepdown, Events]:
    """Close the episode: the census closure (London date ``on``, reason) and ``case.closed``, once."""
    check_closure(stepdown, reason=reason, on=on, today=today)
    closure = ClosureRecord(closure_date=on, reason=reason, unmet_need=unmet_need, closed_at=now)
    status = StepdownStatus.ACCEPTED if stepdown.status is StepdownStatus.ACCEPTED else StepdownStatus.CLOSED
    closed = replace(stepdown, closure=closure, unmet_need=unmet_need, status=status, version=stepdown.version + 1)
    event = CaseClosed(
        case_id=closed.case_id,
        child_id=closed.child_id,
        team=closed.team,
        stepdown_id=closed.id,
        kind=closed.kind,
        referral_date=closed.referral_date,
        closure_date=on,
        reason_for_closure=reason,
        referral_nfa=closed.trigger is TransitionTrigger.FRONT_DOOR,
        assessed=closed.assessed,
        unmet_need=unmet_need,
        actions=closed.actions,
        closed_at=now,
    )
    return closed, [event]
