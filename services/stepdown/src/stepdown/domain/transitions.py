"""From events to transitions: what step-down learns of an episode (the front door's decision, an
authorised assessment, section 47 enquiries and plans, a plan's end) in whatever order it arrives,
and the one transition out of statutory social care that the episode's facts call for, once they
are all in.

A plan's end needs the assessment (the referral date the durations are measured from): until it
arrives the plan's end waits, never guessed at. An automatic closure goes through
:mod:`stepdown.domain.closure`, like every other.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import replace
from datetime import date, datetime

from continuum.casework.bands import add_months
from continuum.casework.calendar import add_working_days
from continuum.casework.clock import london_date
from continuum.contracts.assessment import AssessmentOutcome
from continuum.contracts.codes import ReasonForClosure
from continuum.contracts.plan import ActionSummary, NextStep, PlanType
from continuum.contracts.stepdown import StepdownRequested
from stepdown.domain.closure import census_reason, close_episode
from stepdown.domain.codes import FrontDoorOutcome, StatutoryWork, StepdownStatus, TransitionKind, TransitionTrigger
from stepdown.domain.states import AssessmentFacts, Episode, Events, FrontDoorDecision, PlanEnd, Stepdown


def within_12_months(stepped_down_on: date, day: date) -> bool:
    """On the day of the step-down or after it, up to the same date a year later (London dates):
    the one window for re-referrals and step-ups alike (census practice: "within 12 months")."""
    return stepped_down_on <= day <= add_months(stepped_down_on, 12)


def _episode(episode: Episode | None, *, case_id: uuid.UUID, child_id: uuid.UUID, team: str) -> Episode:
    return episode if episode is not None else Episode(case_id=case_id, child_id=child_id, team=team)


def receive_referral(
    episode: Episode | None, *, case_id: uuid.UUID, child_id: uuid.UUID, team: str, referral_date: date
) -> Episode:
    """A referral of the child opened this episode: step-down knows it exists, and is open until it
    closes here (a child's partner status is step-down's only while none of its episodes is open)."""
    known = _episode(episode, case_id=case_id, child_id=child_id, team=team)
    if episode is not None and known.referral_date is not None:
        return known
    return replace(known, referral_date=known.referral_date or referral_date, version=known.version + 1)


def receive_front_door_decision(
    episode: Episode | None,
    *,
    case_id: uuid.UUID,
    child_id: uuid.UUID,
    team: str,
    referral_id: uuid.UUID,
    referral_date: date,
    decided_at: datetime,
    outcome: FrontDoorOutcome,
    imported: bool = False,
) -> Episode:
    """The front door decided no further action (the episode closes at once) or early help (a
    handover): either way the episode ends at the referral, without an assessment. ``imported``:
    told by the council's history (kept, never a trigger)."""
    known = _episode(episode, case_id=case_id, child_id=child_id, team=team)
    decision = FrontDoorDecision(referral_id=referral_id, decided_at=decided_at, outcome=outcome, imported=imported)
    return replace(
        known,
        team=team,
        referral_date=known.referral_date or referral_date,
        front_door=decision,
        version=known.version + 1,
    )


def heard_from_import(before: Episode | None, after: Episode, *, source: str | None) -> Episode:
    """An episode first heard of from an imported record (decision 59) is marked with its file;
    one step-down knew already keeps what it was."""
    if before is not None or source is None or after.imported_from is not None:
        return after
    return replace(after, imported_from=source)


def receive_statutory_work(
    episode: Episode | None, *, case_id: uuid.UUID, child_id: uuid.UUID, team: str, work: Iterable[StatutoryWork]
) -> Episode:
    """A section 47 enquiry, an initial conference or a plan of the episode: kept (a set, so the same
    fact twice, or facts in any order, give the same episode)."""
    known = _episode(episode, case_id=case_id, child_id=child_id, team=team)
    merged = known.statutory_work | frozenset(work)
    if episode is not None and merged == known.statutory_work:
        return known
    return replace(known, statutory_work=merged, version=known.version + 1)


def plan_work(plan_type: PlanType) -> StatutoryWork:
    return StatutoryWork.CP_PLAN if plan_type is PlanType.CP else StatutoryWork.CIN_PLAN


def receive_assessment(
    episode: Episode | None,
    *,
    case_id: uuid.UUID,
    child_id: uuid.UUID,
    team: str,
    referral_date: date,
    facts: AssessmentFacts,
    section47: bool = False,
) -> Episode:
    """An assessment of the episode was authorised (any outcome: a plan's end may be waiting for
    it); ``section47``: it went with a section 47 enquiry (the event itself says so)."""
    known = _episode(episode, case_id=case_id, child_id=child_id, team=team)
    work = known.statutory_work | ({StatutoryWork.SECTION47} if section47 else set())
    # The assessment's team holds the case from now on (the front door's team is the referral's).
    return replace(
        known, team=team, referral_date=referral_date, assessment=facts, statutory_work=work, version=known.version + 1
    )


def receive_plan_end(
    episode: Episode | None,
    *,
    case_id: uuid.UUID,
    child_id: uuid.UUID,
    team: str,
    plan_end: PlanEnd,
    plan_type: PlanType,
) -> Episode:
    """A plan of the episode ended (which proves the episode had that plan, whatever else arrived);
    the latest end is the one that counts."""
    known = _episode(episode, case_id=case_id, child_id=child_id, team=team)
    work = known.statutory_work | {plan_work(plan_type)}
    return replace(known, team=team, plan_end=plan_end, statutory_work=work, version=known.version + 1)


def carry_statutory_work(stepdown: Stepdown | None, episode: Episode) -> Stepdown | None:
    """The episode's open transition learns statutory work that arrived after it was made (it decides
    the reasons its closure may give); ``None`` when nothing changes. A closed one is left as it is:
    see decision 37 for why no fact can arrive after the closure it would have changed."""
    if stepdown is None or stepdown.closure is not None or stepdown.status is StepdownStatus.WITHDRAWN:
        return None
    if episode.statutory_work <= stepdown.statutory_work:
        return None
    return replace(stepdown, statutory_work=stepdown.statutory_work | episode.statutory_work, version=stepdown.version + 1)


def close_when_death_known(
    stepdown: Stepdown | None, episode: Episode, *, date_of_death: date | None, now: datetime
) -> tuple[Stepdown, Events] | None:
    """A plan that closed the case for RC2 arrived before the child's date of death did, so its
    closure waited (``awaiting_closure``): now that the copy has the date, and it is not after the
    plan's end, the episode closes as it would have had the events come the other way round.
    ``None`` when there is nothing to close (another reason, already closed, or the date after the end)."""
    if stepdown is None or stepdown.status is not StepdownStatus.AWAITING_CLOSURE or stepdown.closure is not None:
        return None
    reason = _reason_without_a_person(stepdown, episode)
    if reason is not ReasonForClosure.DIED or not _died_by(reason, on=stepdown.ended_on, date_of_death=date_of_death):
        return None
    return close_episode(
        stepdown, reason=reason, on=stepdown.ended_on, now=now, unmet_need=stepdown.unmet_need, date_of_death=date_of_death
    )


def ended_by_import(episode: Episode) -> bool:
    """Whether what would end the episode (a plan's end, else an authorised assessment, else the
    front door's decision) was told by the council's imported history: such a fact is kept for the
    episode's live work but starts nothing (the closure, if any, is imported by step-down itself)."""
    ending = episode.plan_end or episode.assessment or episode.front_door
    return ending is not None and ending.imported


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
    date_of_death: date | None = None,
) -> tuple[Episode, Stepdown | None, Events]:
    """The transition the episode's facts call for, if they are complete and none was made yet (an
    episode transitions, and closes, once). ``date_of_death``: the child's, from the local copy (a
    plan closed for RC2 closes with it only once it is known). A fact of the imported history ends
    nothing (:func:`ended_by_import`). Returns the episode (marked), the transition and its events."""
    if episode.stepdown_id is not None or waiting_for(episode) is not None or ended_by_import(episode):
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
        statutory_work=episode.statutory_work,
    )
    events: Events = []
    if kind is not TransitionKind.CLOSE:
        events.append(
            StepdownRequested(
                **stepdown.named(),
                kind=kind,
                trigger=trigger,
                receiving_team=stepdown.receiving_team,
                response_due=stepdown.response_due,
                requested_at=now,
            )
        )
    reason = _reason_without_a_person(stepdown, episode)
    if reason is not None and _died_by(reason, on=ended_on, date_of_death=date_of_death):
        stepdown, closed = close_episode(
            stepdown, reason=reason, on=ended_on, now=now, unmet_need=unmet_need, date_of_death=date_of_death
        )
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
        if assessment.outcome is AssessmentOutcome.NFA:
            return TransitionKind.CLOSE, TransitionTrigger.ASSESSMENT, assessment.authorisation_date, False, None
        if assessment.outcome is AssessmentOutcome.EARLY_HELP:
            return TransitionKind.EARLY_HELP, TransitionTrigger.ASSESSMENT, assessment.authorisation_date, True, None
        return None  # a plan follows
    if episode.front_door is not None:
        assert episode.referral_date is not None
        if episode.front_door.outcome is FrontDoorOutcome.NFA:
            return TransitionKind.CLOSE, TransitionTrigger.FRONT_DOOR, episode.referral_date, False, None
        return TransitionKind.EARLY_HELP, TransitionTrigger.FRONT_DOOR, episode.referral_date, True, None
    return None


def _reason_without_a_person(stepdown: Stepdown, episode: Episode) -> ReasonForClosure | None:
    """The census reason when the events settle it: no further action at the front door or after an
    assessment (RC8, or RC7 after statutory work); universal services after a plan (RC7, services
    ceased); a plan that closed the case, the reason it gave (a plan ended before plans gave one
    waits for the manager's). A handover closes when early help accepts it."""
    if stepdown.kind is TransitionKind.UNIVERSAL:
        return ReasonForClosure.SERVICES_CEASED
    if stepdown.kind is not TransitionKind.CLOSE:
        return None
    if stepdown.trigger is TransitionTrigger.PLAN:
        given = episode.plan_end.reason_for_closure if episode.plan_end else None
        return census_reason(given, stepdown.statutory_work) if given is not None else None
    return census_reason(ReasonForClosure.NFA_AFTER_ASSESSMENT, stepdown.statutory_work)


def _died_by(reason: ReasonForClosure, *, on: date, date_of_death: date | None) -> bool:
    """An automatic closure for RC2 waits for the manager unless the child's date of death is known
    and not after the closure date (rule: RC2 goes with the child's date of death)."""
    return reason is not ReasonForClosure.DIED or (date_of_death is not None and date_of_death <= on)
