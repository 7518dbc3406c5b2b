"""Pre-proceedings (the 2026-27 census's PreProceedingsandFGDM block) for any child with an open
episode, with or without a plan, and the rule the Children's Wellbeing and Schools Act 2026 adds: a
court application needs the family group decision-making offer, or a reasoned exception.

A block runs from its start (PPStartDate) to its step decision (StepDecisionDate and PPOutcome);
the census repeats the block in the episode, so a later block may start once the one before is
decided, never two at once. Its dates follow each other as the DfE's draft rules 9005 to 9013
say (the year-bound halves of those rules are the census builder's, at the reference date):
the letter before proceedings not before the start (9006), the step decision not before the start
(9009), the court application not before the step decision (9012), the letter initiating care
proceedings not before the court application (9013); and where a letter was sent, whether it
offered an FGDM meeting (9007), where one was offered, whether it was held (9010Q).
"""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import date
from typing import Any, Final

from continuum.casework.errors import Conflict, Invalid
from continuum.contracts.plan import (
    CareProceedingsLetterSent,
    PreproceedingsDecided,
    PreproceedingsDecision,
    PreproceedingsOutcome,
    PreproceedingsRecorded,
    PreproceedingsStarted,
)
from plan.domain.rules import check_day
from plan.domain.states import Episode, Events, Preproceedings

#: Census PPOutcome for each step decision: the one place the mapping is kept (its source and
#: reading: decision 36). A: care proceedings issued (the court application follows; the
#: validator's 2026 sample block pairs A with a CourtAppDate). B: stepped down from pre-proceedings
#: without proceedings. C: pre-proceedings extended past their planned end.
CENSUS_OUTCOME: Final = {
    PreproceedingsDecision.ISSUE_PROCEEDINGS: PreproceedingsOutcome.A,
    PreproceedingsDecision.STEP_DOWN: PreproceedingsOutcome.B,
    PreproceedingsDecision.EXTEND: PreproceedingsOutcome.C,
}


def about(pp: Preproceedings) -> dict[str, Any]:
    """What every pre-proceedings event says of its block: which block, episode, child, team and plan."""
    return {"preproceedings_id": pp.id, "case_id": pp.case_id, "child_id": pp.child_id, "team": pp.team, "plan_id": pp.plan_id}


def start(
    episode: Episode,
    *,
    block_id: uuid.UUID,
    current: Preproceedings | None,
    last_decided_on: date | None,
    plan_id: uuid.UUID | None,
    start_date: date,
    today: date,
    by: str,
) -> tuple[Preproceedings, Events]:
    """A new block for an open episode (PPStartDate: not in the future, not before the episode was
    opened nor before the step decision of the episode's previous block), while no other is
    undecided. ``plan_id``: the plan active in the episode, if any (any plan type, or none)."""
    if not episode.is_open:
        assert episode.closed_on is not None
        raise Conflict(f"the episode closed on {episode.closed_on.isoformat()}", field="case_id", slug="episode-closed")
    if current is not None:
        raise Conflict(
            f"pre-proceedings started on {current.start_date.isoformat()} are not decided yet",
            field="case_id",
            slug="preproceedings-started",
        )
    floor, what = episode.opened_on, "the episode's referral"
    if last_decided_on is not None and (floor is None or last_decided_on > floor):
        floor, what = last_decided_on, "the step decision of the episode's previous pre-proceedings"
    check_day("start_date", start_date, today=today, not_before=floor, what=what)
    block = Preproceedings(
        id=block_id,
        case_id=episode.case_id,
        child_id=episode.child_id,
        team=episode.team,
        plan_id=plan_id,
        start_date=start_date,
        started_by=by,
    )
    event = PreproceedingsStarted(**about(block), start_date=start_date)
    return block, [event]


def check_record(pp: Preproceedings, *, today: date) -> None:
    """The census's rules on the record: each date follows the one before; a letter says whether it
    offered an FGDM meeting (9007); an offer needs a letter and whether the meeting was held;
    review meetings follow the initial meeting."""
    start_date = pp.start_date
    letter = pp.letter_before_proceedings_date
    if letter is not None:
        check_day("letter_before_proceedings_date", letter, today=today, not_before=start_date, what="the start (rule 9006)")
        if pp.fgdm_offered is None:
            raise Invalid("fgdm_offered", "say whether the letter before proceedings offered an FGDM meeting (rule 9007)")
    if pp.fgdm_offered and letter is None:
        raise Invalid("fgdm_offered", "the FGDM offer is made in the letter before proceedings: record the letter's date")
    if pp.fgdm_offered and pp.fgdm_held is None:
        raise Invalid("fgdm_held", "say whether the offered FGDM meeting was held")
    if not pp.fgdm_offered and pp.fgdm_held:
        raise Invalid("fgdm_held", "a meeting that was not offered was not held")
    if pp.initial_meeting_date is not None:
        check_day("initial_meeting_date", pp.initial_meeting_date, today=today, not_before=start_date, what="the start")
    previous = pp.initial_meeting_date
    for i, on in enumerate(pp.review_meeting_dates):
        if previous is None:
            raise Invalid(f"review_meeting_dates.{i}", "review meetings follow the initial meeting: record its date")
        check_day(f"review_meeting_dates.{i}", on, today=today, not_before=previous, what="the meeting before")
        previous = on


def record(
    pp: Preproceedings,
    *,
    letter_before_proceedings_date: date | None,
    fgdm_offered: bool | None,
    fgdm_held: bool | None,
    initial_meeting_date: date | None,
    review_meeting_dates: tuple[date, ...],
    today: date,
) -> tuple[Preproceedings, Events]:
    """Record the letter, the FGDM offer and whether it was held, and the meetings (the whole
    record each time) until the decision."""
    if pp.decision is not None:
        raise Conflict("are decided; they no longer change", field="pre_proceedings", slug="preproceedings-decided")
    changed = replace(
        pp,
        letter_before_proceedings_date=letter_before_proceedings_date,
        fgdm_offered=fgdm_offered,
        fgdm_held=fgdm_held,
        initial_meeting_date=initial_meeting_date,
        review_meeting_dates=review_meeting_dates,
        version=pp.version + 1,
    )
    check_record(changed, today=today)
    event = PreproceedingsRecorded(
        **about(pp),
        start_date=pp.start_date,
        letter_before_proceedings_date=letter_before_proceedings_date,
        fgdm_offered=fgdm_offered,
        fgdm_held=fgdm_held,
        initial_meeting_date=initial_meeting_date,
        review_meetings=len(review_meeting_dates),
    )
    return changed, [event]


def check_letter_initiating_proceedings(pp: Preproceedings, on: date, *, today: date) -> None:
    """The letter initiating care proceedings follows the court application (rule 9013)."""
    if pp.court_application_date is None:
        raise Invalid("letter_initiating_proceedings_date", "care proceedings start with a court application: record it first")
    check_day(
        "letter_initiating_proceedings_date",
        on,
        today=today,
        not_before=pp.court_application_date,
        what="the court application (rule 9013)",
    )


def decide(
    pp: Preproceedings,
    *,
    decision: PreproceedingsDecision,
    decision_date: date,
    court_application_date: date | None,
    letter_initiating_proceedings_date: date | None = None,
    fgdm_exception_reason: str | None,
    today: date,
) -> tuple[Preproceedings, Events]:
    """The step decision that ends the block (not before its start, rule 9009), mapped to the
    census outcome. A court application (issuing proceedings only; not before the decision, rule
    9012) needs the FGDM offer recorded, or a reasoned exception (an FGDM meeting is not in the
    child's interests); the letter initiating care proceedings may come with it or later."""
    if pp.decision is not None:
        raise Conflict("are decided already", field="pre_proceedings", slug="preproceedings-decided")
    check_day(
        "decision_date", decision_date, today=today, not_before=pp.start_date, what="the start of pre-proceedings (rule 9009)"
    )
    if decision is PreproceedingsDecision.ISSUE_PROCEEDINGS and court_application_date is None:
        raise Invalid("court_application_date", "issuing proceedings needs the court application date")
    if decision is not PreproceedingsDecision.ISSUE_PROCEEDINGS and court_application_date is not None:
        raise Invalid("court_application_date", "only a decision to issue proceedings applies to court")
    exception = (fgdm_exception_reason or "").strip() or None
    if court_application_date is not None:
        check_day(
            "court_application_date",
            court_application_date,
            today=today,
            not_before=decision_date,
            what="the decision (rule 9012)",
        )
        if not pp.fgdm_offered and exception is None:
            raise Conflict(
                "a court application needs the FGDM offer recorded, "
                "or the reason an FGDM meeting is not in the child's interests",
                field="fgdm_exception_reason",
                slug="fgdm-offer-required",
            )
    decided = replace(
        pp,
        decision=decision,
        decision_date=decision_date,
        court_application_date=court_application_date,
        fgdm_exception_reason=exception,
        version=pp.version + 1,
    )
    if letter_initiating_proceedings_date is not None:
        check_letter_initiating_proceedings(decided, letter_initiating_proceedings_date, today=today)
        decided = replace(decided, letter_initiating_proceedings_date=letter_initiating_proceedings_date)
    event = PreproceedingsDecided(
        **about(pp),
        decision=decision,
        decision_date=decision_date,
        outcome=CENSUS_OUTCOME[decision],
        court_application_date=court_application_date,
        letter_initiating_proceedings_date=letter_initiating_proceedings_date,
        fgdm_offered=bool(pp.fgdm_offered),
        fgdm_exception=exception is not None,
    )
    return decided, [event]


def record_care_proceedings_letter(pp: Preproceedings, *, on: date, today: date) -> tuple[Preproceedings, Events]:
    """The letter initiating care proceedings was sent on ``on`` (census LetterInitCPDate), after
    the court application; recorded once."""
    if pp.letter_initiating_proceedings_date is not None:
        raise Conflict(
            f"was recorded already ({pp.letter_initiating_proceedings_date.isoformat()})",
            field="letter_initiating_proceedings_date",
            slug="care-proceedings-letter-recorded",
        )
    check_letter_initiating_proceedings(pp, on, today=today)
    assert pp.court_application_date is not None
    sent = replace(pp, letter_initiating_proceedings_date=on, version=pp.version + 1)
    event = CareProceedingsLetterSent(
        **about(pp),
        court_application_date=pp.court_application_date,
        letter_date=on,
    )
    return sent, [event]
