"""The closure of an episode, whoever closes it: the census reason an automatic closure gives, the
census's rules every closure is checked against (rule 2990: RC8 and RC9 only for an episode with
no section 47, ICPC, CIN plan or CP plan; RC2 only with the child's date of death), the one place
an episode closes (``case.closed``) and the withdrawal of a closure the front door's correction
undid (``case.reopened``)."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import date, datetime

from continuum.casework.errors import Conflict, Invalid
from continuum.contracts.codes import ReasonForClosure
from continuum.contracts.stepdown import CaseClosed, CaseReopened
from stepdown.domain.codes import StatutoryWork, StepdownStatus, TransitionTrigger
from stepdown.domain.states import ClosureRecord, Events, Stepdown

#: Reasons for closure the census keeps for episodes closed after an assessment and nothing more.
AFTER_ASSESSMENT_ONLY = frozenset({ReasonForClosure.NFA_AFTER_ASSESSMENT, ReasonForClosure.EARLY_HELP_AFTER_ASSESSMENT})

#: How the census names each kind of statutory work (in the refusals a manager reads).
WORK_NAMES = {
    StatutoryWork.SECTION47: "a section 47 enquiry",
    StatutoryWork.ICPC: "an initial child protection conference",
    StatutoryWork.CIN_PLAN: "a CIN plan",
    StatutoryWork.CP_PLAN: "a CP plan",
}


def census_reason(wanted: ReasonForClosure, statutory_work: frozenset[StatutoryWork]) -> ReasonForClosure:
    """The reason an automatic closure gives: RC8 and RC9 mean "closed after assessment" and nothing
    more, so an episode that had a section 47, an ICPC, a CIN or a CP plan closes with RC7 (services
    ceased) instead (census rule 2990)."""
    if wanted in AFTER_ASSESSMENT_ONLY and statutory_work:
        return ReasonForClosure.SERVICES_CEASED
    return wanted


def handover_closure_reason(stepdown: Stepdown) -> ReasonForClosure:
    """Accepted by early help: RC9 after an assessment; at the front door, the census's ReferralNFA
    closure, RC8; RC7 for an episode with statutory work (a plan's step-down, an assessment that
    went with a section 47: rule 2990)."""
    wanted = ReasonForClosure.EARLY_HELP_AFTER_ASSESSMENT if stepdown.assessed else ReasonForClosure.NFA_AFTER_ASSESSMENT
    return census_reason(wanted, stepdown.statutory_work)


def _named(work: frozenset[StatutoryWork]) -> str:
    return ", ".join(WORK_NAMES[w] for w in StatutoryWork if w in work)


def check_closure(
    stepdown: Stepdown,
    *,
    reason: ReasonForClosure,
    on: date,
    today: date | None = None,
    date_of_death: date | None = None,
    death_attested: bool = False,
) -> None:
    """The census rules for a closure: RC8 and RC9 only after an assessment (the front door's
    ReferralNFA closure is RC8 by the census's own rule) and only for an episode with no section
    47, ICPC, CIN plan or CP plan (rule 2990); RC2 only with the child's date of death, not after
    the closure date; the date not before the referral nor before statutory work ended, nor in the
    future; a front-door episode (ReferralNFA) on its referral date. ``death_attested``: an imported
    closure for RC2 whose census return is the evidence of the death (its date not known here)."""
    if stepdown.closure is not None:
        raise Conflict("the episode is closed already: an episode closes once", field="status", slug="already-closed")
    referral_nfa = stepdown.trigger is TransitionTrigger.FRONT_DOOR
    if (
        reason in AFTER_ASSESSMENT_ONLY
        and not stepdown.assessed
        and not (referral_nfa and reason is ReasonForClosure.NFA_AFTER_ASSESSMENT)
    ):
        raise Invalid("reason_for_closure", f"{reason.value} is only for an episode closed after an assessment")
    if reason in AFTER_ASSESSMENT_ONLY and stepdown.statutory_work:
        raise Invalid(
            "reason_for_closure",
            f"{reason.value} is only for an episode with no section 47, initial conference, CIN or CP plan "
            f"(census rule 2990); this one had {_named(stepdown.statutory_work)}: use RC7",
        )
    if reason is ReasonForClosure.DIED and date_of_death is None and not death_attested:
        raise Invalid("reason_for_closure", "RC2 needs the child's date of death: record it on the child first")
    if reason is ReasonForClosure.DIED and date_of_death is not None and on < date_of_death:
        raise Invalid("closure_date", f"is before the child's date of death {date_of_death.isoformat()}")
    if on < stepdown.referral_date:
        raise Invalid("closure_date", f"is before the referral date {stepdown.referral_date.isoformat()}")
    if referral_nfa and on != stepdown.referral_date:
        # The census's referral with no further action closes on its referral date; a later date
        # would overlap a referral the front door may take meanwhile (rule 8820).
        raise Invalid(
            "closure_date",
            "a referral closed at the front door (census ReferralNFA) closes on its referral date "
            f"{stepdown.referral_date.isoformat()}",
        )
    if on < stepdown.ended_on:
        raise Invalid("closure_date", f"is before statutory work ended on {stepdown.ended_on.isoformat()}")
    if today is not None and on > today:
        raise Invalid("closure_date", "is in the future")


def close_episode(
    stepdown: Stepdown,
    *,
    reason: ReasonForClosure,
    on: date,
    now: datetime,
    unmet_need: bool,
    today: date | None = None,
    date_of_death: date | None = None,
    death_attested: bool = False,
) -> tuple[Stepdown, Events]:
    """Close the episode: the census closure (London date ``on``, reason) and ``case.closed``, once.
    Every closure, whoever makes it, comes through here: the one place an episode closes."""
    check_closure(stepdown, reason=reason, on=on, today=today, date_of_death=date_of_death, death_attested=death_attested)
    closure = ClosureRecord(closure_date=on, reason=reason, unmet_need=unmet_need, closed_at=now)
    status = StepdownStatus.ACCEPTED if stepdown.status is StepdownStatus.ACCEPTED else StepdownStatus.CLOSED
    closed = replace(stepdown, closure=closure, unmet_need=unmet_need, status=status, version=stepdown.version + 1)
    event = CaseClosed(
        **closed.named(),
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


def reopen(stepdown: Stepdown, *, now: datetime, correction_of: uuid.UUID | None) -> tuple[Stepdown, Events]:
    """Withdraw the episode's closure because the front door corrected the decision that closed it
    (``case.reopened``): the transition no longer stands, the episode goes on, and a later closure
    is a new ``case.closed``. The measures and the census no longer count the closure."""
    assert stepdown.closure is not None
    reopened = replace(stepdown, status=StepdownStatus.WITHDRAWN, closure=None, reopened_at=now, version=stepdown.version + 1)
    return reopened, [
        CaseReopened(
            **stepdown.named(),
            closure_date=stepdown.closure.closure_date,
            correction_of=correction_of,
            reopened_at=now,
        )
    ]
