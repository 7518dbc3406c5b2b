"""A council's history imported (decision 59): each closed episode of its CIN census returns becomes
step-down's closure record and its ``case.closed``, with its real dates, checked by the census rules
a live closure is checked by (the reason's code, rule 2990, RC2 and the date of death, the order of
the dates, the front door's ReferralNFA on its referral date, nothing after today). Step-down closes
every episode, so the closure is step-down's own record: no other service's import closes one.

A later return that repeats a closure changes nothing; one that takes it back (another date, another
reason, the front door's NFA or the assessment gone) is refused: that is a correction, live work.
A closure live work made already is left as it is: a return that agrees with it adds nothing, one
that differs is refused, and an episode still open in live work is closed there, not by an import.

Pure: the ids, the source file and today's date come in as arguments.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime

from continuum.casework.errors import Conflict, Invalid
from continuum.casework.imports import ImportOutcome, instant_on
from continuum.contracts.codes import ReasonForClosure
from stepdown.domain.closure import AFTER_ASSESSMENT_ONLY, close_episode
from stepdown.domain.codes import StatutoryWork, StepdownStatus, TransitionKind, TransitionTrigger
from stepdown.domain.states import Episode, Events, Stepdown

#: An imported closure's event is late in its day: after the day's other imported facts (a plan's
#: end, an assessment's authorisation: their orders are lower), as a closure follows them.
CLOSURE_ORDER = 50


@dataclass(frozen=True)
class ClosedEpisode:
    """One closed episode of a child's imported history, as the return tells it, with the ids
    derived for it (the case's, the child's, and the closure record's: one closure per episode)."""

    case_id: uuid.UUID
    child_id: uuid.UUID
    closure_id: uuid.UUID
    team: str
    referral_date: date
    closure_date: date
    reason_for_closure: str
    referral_nfa: bool
    assessed: bool
    statutory: bool
    unmet_need: bool | None
    source: str


@dataclass(frozen=True)
class ImportedClosure:
    """What importing a closed episode changes: the episode to save (``None``: nothing), the
    closure record made (``None``: none new) and its events."""

    episode: Episode | None
    stepdown: Stepdown | None
    events: Events


def closure_instant(closure_date: date) -> datetime:
    """The instant an imported closure is filed at: its day, late (noon in London + ``CLOSURE_ORDER`` s)."""
    return instant_on(closure_date, CLOSURE_ORDER)


def reason_of(code: str) -> ReasonForClosure:
    """The census reason for closure the return gives, or ``Invalid`` naming it."""
    try:
        return ReasonForClosure(code)
    except ValueError:
        raise Invalid("reason_for_closure", f"{code!r} is not a census reason for closure (RC1 to RC9)") from None


def unmet_need_of(record: ClosedEpisode, reason: ReasonForClosure) -> bool:
    """Unmet need as the return gives it; a census return carries none, so unknown is what live work
    would have recorded: needs early help picks up after an assessment (RC9), none otherwise."""
    if record.unmet_need is not None:
        return record.unmet_need
    return reason is ReasonForClosure.EARLY_HELP_AFTER_ASSESSMENT


def distinct_episodes(referral_dates: Iterable[date]) -> None:
    """A child's history names each episode (its referral date) once."""
    seen: set[date] = set()
    for index, day in enumerate(referral_dates):
        if day in seen:
            raise Invalid(f"episodes[{index}].referral_date", f"the episode referred on {day.isoformat()} is given twice")
        seen.add(day)


def child_outcome(outcomes: Iterable[ImportOutcome]) -> ImportOutcome:
    """A child's import by its records': all new, imported; all held with the same values,
    unchanged; anything else (a new closure beside held ones, a record added to), updated."""
    found = set(outcomes)
    if found <= {ImportOutcome.UNCHANGED}:
        return ImportOutcome.UNCHANGED
    if found == {ImportOutcome.IMPORTED}:
        return ImportOutcome.IMPORTED
    return ImportOutcome.UPDATED


def _check_return(record: ClosedEpisode, reason: ReasonForClosure) -> None:
    """What the return says of the episode holds together: the front door's NFA had no assessment
    and no statutory work; RC8 and RC9 only for an episode without statutory work (rule 2990, by
    the return's own account: step-down may not have heard of that work yet)."""
    if record.referral_nfa and (record.assessed or record.statutory):
        raise Invalid(
            "referral_nfa", "a referral closed at the front door (ReferralNFA) had no assessment, section 47, conference or plan"
        )
    if record.statutory and reason in AFTER_ASSESSMENT_ONLY:
        raise Invalid(
            "reason_for_closure",
            f"{reason.value} is only for an episode with no section 47, initial conference, CIN or CP plan "
            "(census rule 2990); this one had statutory work: use RC7",
        )


def _draft(record: ClosedEpisode, reason: ReasonForClosure, work: frozenset[StatutoryWork]) -> Stepdown:
    """The closure record before it closes: kind close (the return does not say whether early help
    took the family, so no handover is claimed), triggered by the front door, statutory work or
    else the assessment, stepped down on its closure date, at its closure's instant."""
    if record.referral_nfa:
        trigger = TransitionTrigger.FRONT_DOOR
    elif record.statutory:
        trigger = TransitionTrigger.PLAN
    else:
        trigger = TransitionTrigger.ASSESSMENT
    return Stepdown(
        id=record.closure_id,
        case_id=record.case_id,
        child_id=record.child_id,
        team=record.team,
        kind=TransitionKind.CLOSE,
        trigger=trigger,
        status=StepdownStatus.AWAITING_CLOSURE,
        referral_date=record.referral_date,
        ended_on=record.closure_date,
        assessed=record.assessed,
        unmet_need=unmet_need_of(record, reason),
        actions=None,
        lead_practitioner=None,
        receiving_team=None,
        requested_at=closure_instant(record.closure_date),
        stepped_down_on=record.closure_date,
        response_due=None,
        statutory_work=work,
        imported_from=record.source,
    )


def _differs(held: Stepdown, record: ClosedEpisode, reason: ReasonForClosure) -> tuple[str, object, object] | None:
    """The first thing the return says of a closure held already that differs from it (field,
    held, returned), or ``None``. A live closure is compared on what the return can know of it."""
    assert held.closure is not None
    compared: list[tuple[str, object, object]] = [
        ("closure_date", held.closure.closure_date, record.closure_date),
        ("reason_for_closure", held.closure.reason, reason),
        ("referral_nfa", held.trigger is TransitionTrigger.FRONT_DOOR, record.referral_nfa),
    ]
    if held.imported_from is not None:
        compared += [
            ("assessed", held.assessed, record.assessed),
            ("unmet_need", held.closure.unmet_need, unmet_need_of(record, reason)),
        ]
    return next(((f, was, now) for f, was, now in compared if was != now), None)


def _check_repeat(held: Stepdown, record: ClosedEpisode, reason: ReasonForClosure) -> None:
    """A closure held already (imported before, or made live) is repeated, not taken back."""
    if held.closure is None:
        raise Conflict(
            "the episode is open in live work: it is closed there, not by an import", field="closure_date", slug="episode-open"
        )
    found = _differs(held, record, reason)
    if found is not None:
        field, was, now = found
        whose = "imported before" if held.imported_from is not None else "recorded in live work"
        raise Conflict(
            f"the closure {whose} has {field} {_shown(was)}, this return {_shown(now)}: a correction is live work",
            field=field,
            slug="history-taken-back",
        )


def _shown(value: object) -> str:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, ReasonForClosure):
        return value.value
    return str(value).lower()


def import_closure(
    episode: Episode | None,
    held: Stepdown | None,
    record: ClosedEpisode,
    *,
    today: date,
    date_of_death: date | None,
) -> ImportedClosure:
    """Import one closed episode: checked by the census rules of every closure
    (:func:`stepdown.domain.closure.check_closure`; RC2 with the child's date of death when
    step-down's copy has it, else on the return's word), then closed through the one place an
    episode closes, at its real instant. ``held``: the episode's standing closure record, if any
    (a repeat changes nothing; a return that takes it back is refused)."""
    reason = reason_of(record.reason_for_closure)
    _check_return(record, reason)
    if held is not None:
        _check_repeat(held, record, reason)
        return ImportedClosure(None, None, [])
    work = episode.statutory_work if episode is not None else frozenset()
    draft = _draft(record, reason, work)
    closed, events = close_episode(
        draft,
        reason=reason,
        on=record.closure_date,
        now=draft.requested_at,
        unmet_need=draft.unmet_need,
        today=today,
        date_of_death=date_of_death,
        death_attested=True,
    )
    known = episode or Episode(case_id=record.case_id, child_id=record.child_id, team=record.team)
    marked = replace(
        known,
        referral_date=known.referral_date or record.referral_date,
        stepdown_id=closed.id,
        imported_from=known.imported_from or record.source,
        version=known.version + 1,
    )
    return ImportedClosure(marked, closed, events)
