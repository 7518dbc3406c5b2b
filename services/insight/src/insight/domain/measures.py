"""The managers' measures: one pure function per figure, over the facts of one window of days
(:mod:`insight.domain.measure_facts`), and the answer that puts each beside the same window a year
before with the change (docs/decisions/52-insight-measures.md defines each).

Shares are 0 to 1, rounded to 4 places, ``None`` when there is nothing to share; medians are
``None`` without a value. Figures shared with another service's measures are computed by the same
rule: closures by duration band (``continuum.casework.bands``, as step-down's), working days
(``continuum.casework.calendar``, as assessment's).
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime

from continuum.casework.bands import BANDS, add_months, duration_band
from continuum.casework.calendar import working_days_between
from continuum.casework.clock import london_date
from continuum.contracts import DecisionOutcome
from continuum.contracts.plan import DriftKind, PlanType
from insight.domain.measure_facts import Facts, Plan
from insight.domain.periods import Period, Window

#: An assessment is in time when authorised within 45 working days of the referral date.
ASSESSMENT_WORKING_DAYS = 45
#: An initial child protection conference is in time within 15 working days of the strategy discussion.
ICPC_WORKING_DAYS = 15
#: The figure no event carries yet, and what is missing.
NOT_MEASURED = {
    "plan_action_quality": "no event carries the actions' quality on the five criteria (actionable, measurable, owner, "
    "success measure, timeframe): plan.started and plan.reviewed carry only the number of actions",
}

Value = int | float | None
Figure = Callable[[Facts, Window], Value]


def _share(part: int, whole: int) -> float | None:
    return None if whole == 0 else round(part / whole, 4)


def _median(values: Iterable[int]) -> float | None:
    found = list(values)
    return float(statistics.median(found)) if found else None


# --- the front door ---------------------------------------------------------------------------------


def referrals(facts: Facts, w: Window) -> int:
    """Referrals received in the window (their London date: census CINreferralDate)."""
    return sum(r.referral_date in w for r in facts.referrals)


def re_referrals(facts: Facts, w: Window) -> int:
    """Referrals in the window received within 12 months of the child's previous referral (its
    London date on or after the same date a year before; any team's), as the referral service
    flags a re-referral."""
    return sum(
        r.referral_date in w and r.previous_received_at is not None and is_re_referral(r.referral_date, r.previous_received_at)
        for r in facts.referrals
    )


def is_re_referral(referral_date: date, previous_received_at: datetime) -> bool:
    """Within 12 months: the previous referral's London date is on or after ``referral_date``
    less 12 months (29 February less 12 months is 28 February)."""
    return add_months(referral_date, -12) <= london_date(previous_received_at) <= referral_date


def re_referral_share(facts: Facts, w: Window) -> float | None:
    return _share(re_referrals(facts, w), referrals(facts, w))


def referrals_decided(facts: Facts, w: Window) -> int:
    """Referrals of the window the front door has decided (their latest decision)."""
    return sum(r.referral_date in w and r.outcome is not None for r in facts.referrals)


def nfa_share(facts: Facts, w: Window) -> float | None:
    """No further action, among the window's referrals decided (the latest decision counts)."""
    nfa = sum(r.referral_date in w and r.outcome is DecisionOutcome.NFA for r in facts.referrals)
    return _share(nfa, referrals_decided(facts, w))


# --- assessments and section 47 enquiries -----------------------------------------------------------


def _working_days(facts: Facts, w: Window) -> list[int]:
    return [working_days_between(a.referral_date, a.authorisation_date) for a in facts.assessments if a.authorisation_date in w]


def assessments_completed(facts: Facts, w: Window) -> int:
    """Assessments authorised in the window."""
    return sum(a.authorisation_date in w for a in facts.assessments)


def assessments_median_working_days(facts: Facts, w: Window) -> float | None:
    """Their median working days from the referral date to the authorisation (England and Wales)."""
    return _median(_working_days(facts, w))


def assessments_within_45_working_days(facts: Facts, w: Window) -> float | None:
    """The share of them authorised within 45 working days of the referral date."""
    days = _working_days(facts, w)
    return _share(sum(d <= ASSESSMENT_WORKING_DAYS for d in days), len(days))


def section47s_started(facts: Facts, w: Window) -> int:
    return sum(s.start_date in w for s in facts.section47s)


def icpcs(facts: Facts, w: Window) -> int:
    """Initial child protection conferences held in the window."""
    return sum(i.icpc_date in w for i in facts.icpcs)


def icpcs_within_15_working_days(facts: Facts, w: Window) -> float | None:
    """The share of them held within 15 working days of the strategy discussion (without its date:
    on or before the enquiry's ICPC target, which is those 15 working days)."""
    held = [i for i in facts.icpcs if i.icpc_date in w]
    in_time = sum(
        working_days_between(i.strategy_discussion_date, i.icpc_date) <= ICPC_WORKING_DAYS
        if i.strategy_discussion_date is not None
        else i.icpc_date <= i.icpc_target_date
        for i in held
    )
    return _share(in_time, len(held))


# --- plans ------------------------------------------------------------------------------------------


def _open_at(plan: Plan, day: date) -> bool:
    return plan.start_date <= day and (plan.end_date is None or plan.end_date > day)


def _plans(kind: PlanType) -> dict[str, Figure]:
    """The four figures of one kind of plan."""

    def open_at_end(facts: Facts, w: Window) -> int:
        """Plans open at the window's last day (started by it, not ended by it)."""
        return sum(p.plan_type == kind and _open_at(p, w.last) for p in facts.plans)

    def ended(facts: Facts, w: Window) -> int:
        return sum(p.plan_type == kind and p.end_date in w for p in facts.plans)

    def median_days_ended(facts: Facts, w: Window) -> float | None:
        """The median length in days of the plans that ended in the window (end less start)."""
        return _median(
            (p.end_date - p.start_date).days for p in facts.plans if p.plan_type == kind and p.end_date and p.end_date in w
        )

    def median_age_open(facts: Facts, w: Window) -> float | None:
        """The median age in days, at the window's last day, of the plans open then."""
        return _median((w.last - p.start_date).days for p in facts.plans if p.plan_type == kind and _open_at(p, w.last))

    return {
        f"{kind}_plans_open": open_at_end,
        f"{kind}_plans_ended": ended,
        f"{kind}_plans_ended_median_days": median_days_ended,
        f"{kind}_plans_open_median_age_days": median_age_open,
    }


def reviews(facts: Facts, w: Window) -> int:
    """Plan reviews held in the window (CIN and CP)."""
    return sum(r.review_date in w for r in facts.reviews)


def reviews_on_time(facts: Facts, w: Window) -> float | None:
    """The share of them held by their due date (``plan.reviewed`` ``on_time``)."""
    return _share(sum(r.review_date in w and r.on_time for r in facts.reviews), reviews(facts, w))


def visits(facts: Facts, w: Window) -> int:
    """Visits that happened in the window."""
    return sum(v.visit_date in w for v in facts.visits)


def visits_on_time(facts: Facts, w: Window) -> float | None:
    """The share of them within the council's visit frequency of the previous visit, among those
    the plan service could judge (a first visit has no previous one)."""
    judged = [v for v in facts.visits if v.visit_date in w and v.within_frequency is not None]
    return _share(sum(bool(v.within_frequency) for v in judged), len(judged))


def visits_child_seen(facts: Facts, w: Window) -> float | None:
    return _share(sum(v.visit_date in w and v.child_seen for v in facts.visits), visits(facts, w))


def drift_findings(facts: Facts, w: Window) -> int:
    """The plans' drift findings detected in the window (each is new: ``plan.drift_detected``)."""
    return sum(d.detected_on in w for d in facts.drift)


def _drift(kind: DriftKind) -> Figure:
    def of_kind(facts: Facts, w: Window) -> int:
        return sum(d.kind == kind and d.detected_on in w for d in facts.drift)

    return of_kind


# --- closures, step-downs and step-ups --------------------------------------------------------------


def closures(facts: Facts, w: Window) -> int:
    """Episodes closed in the window (every closure is step-down's ``case.closed``)."""
    return sum(c.closure_date in w for c in facts.closures)


def _band(band: str) -> Figure:
    def in_band(facts: Facts, w: Window) -> int:
        """Closures in the window whose duration from the referral date is in ``band``."""
        return sum(c.closure_date in w and duration_band(c.referral_date, c.closure_date) == band for c in facts.closures)

    return in_band


def closures_with_unmet_need(facts: Facts, w: Window) -> int:
    return sum(c.closure_date in w and c.unmet_need for c in facts.closures)


def unmet_need_share(facts: Facts, w: Window) -> float | None:
    return _share(closures_with_unmet_need(facts, w), closures(facts, w))


def closures_stepped_down_to_early_help(facts: Facts, w: Window) -> int:
    """Closures in the window by a step-down to early help (its acceptance closes the episode)."""
    return sum(c.closure_date in w and c.to_early_help for c in facts.closures)


def handovers_to_early_help(facts: Facts, w: Window) -> int:
    """Step-downs to early help requested in the window."""
    return sum(h.stepped_down_on in w for h in facts.handovers)


def handovers_accepted(facts: Facts, w: Window) -> int:
    return sum(h.stepped_down_on in w and h.accepted for h in facts.handovers)


def handovers_declined(facts: Facts, w: Window) -> int:
    return sum(h.stepped_down_on in w and h.declined for h in facts.handovers)


def early_help_acceptance(facts: Facts, w: Window) -> float | None:
    """Accepted among the window's handovers early help has answered (as step-down's ``acceptance_rate``)."""
    accepted = handovers_accepted(facts, w)
    return _share(accepted, accepted + handovers_declined(facts, w))


def step_ups(facts: Facts, w: Window) -> int:
    return sum(s.requested_on in w for s in facts.step_ups)


def step_ups_within_12_months(facts: Facts, w: Window) -> int:
    """Step-ups in the window within 12 months of the family's step-down (as step-down counts them)."""
    return sum(s.requested_on in w and s.within_12_months for s in facts.step_ups)


#: Every figure, in the order the answer lists them.
FIGURES: dict[str, Figure] = {
    "referrals": referrals,
    "re_referrals": re_referrals,
    "re_referral_share": re_referral_share,
    "referrals_decided": referrals_decided,
    "nfa_share": nfa_share,
    "assessments_completed": assessments_completed,
    "assessments_median_working_days": assessments_median_working_days,
    "assessments_within_45_working_days": assessments_within_45_working_days,
    "section47s_started": section47s_started,
    "icpcs": icpcs,
    "icpcs_within_15_working_days": icpcs_within_15_working_days,
    **_plans(PlanType.CIN),
    **_plans(PlanType.CP),
    "reviews": reviews,
    "reviews_on_time": reviews_on_time,
    "visits": visits,
    "visits_on_time": visits_on_time,
    "visits_child_seen": visits_child_seen,
    "drift_findings": drift_findings,
    **{f"drift_{kind.value}": _drift(kind) for kind in DriftKind},
    "closures": closures,
    **{f"closures_{band}": _band(band) for band in BANDS},
    "closures_with_unmet_need": closures_with_unmet_need,
    "unmet_need_share": unmet_need_share,
    "closures_stepped_down_to_early_help": closures_stepped_down_to_early_help,
    "handovers_to_early_help": handovers_to_early_help,
    "handovers_accepted": handovers_accepted,
    "handovers_declined": handovers_declined,
    "early_help_acceptance": early_help_acceptance,
    "step_ups": step_ups,
    "step_ups_within_12_months": step_ups_within_12_months,
}


@dataclass(frozen=True)
class Compared:
    """A figure of the period beside the same period a year before, and the change."""

    value: Value
    year_before: Value

    @property
    def change(self) -> Value:
        if self.value is None or self.year_before is None:
            return None
        difference = self.value - self.year_before
        return difference if isinstance(difference, int) else round(difference, 4)

    @property
    def change_percent(self) -> float | None:
        """The change in percent of the year before (``None`` when it was nothing or 0)."""
        if self.value is None or not self.year_before:
            return None
        return round((self.value - self.year_before) * 100 / self.year_before, 1)


@dataclass(frozen=True)
class TeamMeasures:
    team: str
    figures: dict[str, Compared]


@dataclass(frozen=True)
class Measures:
    """The figures of the period, by team (in team order) and in total, and what is not measured."""

    period: Period
    by_team: list[TeamMeasures]
    total: TeamMeasures
    not_measured: dict[str, str]


ALL_TEAMS = "all"


def compare(facts: Facts, period: Period, team: str) -> TeamMeasures:
    """Every figure of ``facts`` in the period and in the same period a year before."""
    now, before = period.current, period.year_before
    return TeamMeasures(team, {name: Compared(figure(facts, now), figure(facts, before)) for name, figure in FIGURES.items()})


def measure(facts: Facts, period: Period, *, teams: Iterable[str] = ()) -> Measures:
    """The measures of ``facts`` (of the teams asked for): each team's, those of ``teams`` with no
    fact included, and the total."""
    named = sorted(facts.teams | set(teams))
    by_team = [compare(facts.of_team(team), period, team) for team in named]
    return Measures(period=period, by_team=by_team, total=compare(facts, period, ALL_TEAMS), not_measured=dict(NOT_MEASURED))
