"""Drift and the manager's worklist: what a started plan shows today that nobody should miss
(open past the council's thresholds, a review overdue, actions past due, a visit missed, a review
that found no progress), and whether it could close or step down, and why.

Each finding has a key that makes it new (the threshold, or the date it refers to): the drift
check publishes ``plan.drift_detected`` once per (plan, kind, key), however often it runs.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from continuum.casework.policy import CouncilPolicy
from continuum.contracts.plan import DriftKind, NextStep, PlanDriftDetected, PlanType, ReviewDecision
from plan.domain.policy import plan_policy
from plan.domain.rules import about
from plan.domain.schedule import add_months
from plan.domain.states import ActionProgress, PlanHeading, PlanState, PlanStatus, heading

DAY = timedelta(days=1)


@dataclass(frozen=True)
class Finding:
    kind: DriftKind
    key: str
    #: The first day the plan drifted this way.
    since: date


@dataclass(frozen=True)
class DriftFacts(PlanHeading):
    """What the drift rules read of a plan (the repository keeps these as columns, so the check
    reads no more than it needs); it is also what ``plan.drift_detected`` is published about."""

    start_date: date | None
    next_review_due: date | None
    next_visit_due: date | None
    open_action_due_dates: tuple[date, ...]
    last_review_on: date | None
    last_review_progressed: bool | None
    version: int

    @property
    def subject(self) -> str:
        return str(self.case_id)


def facts(plan: PlanState) -> DriftFacts:
    review = plan.last_review
    return DriftFacts(
        **heading(plan),
        start_date=plan.start_date,
        next_review_due=plan.next_review_due,
        next_visit_due=plan.visits.next_due,
        open_action_due_dates=tuple(sorted({a.due_date for a in plan.actions if not a.finished})),
        last_review_on=review.on if review else None,
        last_review_progressed=review.progressed if review else None,
        version=plan.version,
    )


def _facts(plan: PlanState | DriftFacts) -> DriftFacts:
    return plan if isinstance(plan, DriftFacts) else facts(plan)


def findings(plan: PlanState | DriftFacts, *, today: date, policy: CouncilPolicy) -> list[Finding]:
    """Every way a started plan is drifting on ``today`` (London's). Open "longer than" a
    threshold starts the day after the threshold's anniversary; only the highest one crossed counts."""
    f = _facts(plan)
    if f.status is not PlanStatus.ACTIVE or f.start_date is None:
        return []
    found: list[Finding] = []
    crossed = [m for m in plan_policy(policy).drift_thresholds_months if today > add_months(f.start_date, m)]
    if crossed:
        months = crossed[-1]
        found.append(Finding(DriftKind.OPEN_OVER_THRESHOLD, str(months), add_months(f.start_date, months) + DAY))
    if f.next_review_due is not None and today > f.next_review_due:
        found.append(Finding(DriftKind.REVIEW_OVERDUE, f.next_review_due.isoformat(), f.next_review_due + DAY))
    found.extend(Finding(DriftKind.ACTIONS_PAST_DUE, d.isoformat(), d + DAY) for d in f.open_action_due_dates if d < today)
    if f.next_visit_due is not None and today > f.next_visit_due:
        found.append(Finding(DriftKind.VISITS_MISSED, f.next_visit_due.isoformat(), f.next_visit_due + DAY))
    if f.last_review_on is not None and not f.last_review_progressed:
        found.append(Finding(DriftKind.NO_PROGRESS_SINCE_REVIEW, f.last_review_on.isoformat(), f.last_review_on))
    return found


def next_check(plan: PlanState | DriftFacts, *, today: date, policy: CouncilPolicy) -> date | None:
    """The first day after ``today`` on which the passing of time alone could add a finding (a
    threshold crossed, something falling overdue); ``None`` when nothing can (a change to the plan
    sets it again)."""
    f = _facts(plan)
    if f.status is not PlanStatus.ACTIVE or f.start_date is None:
        return None
    days = [add_months(f.start_date, m) + DAY for m in plan_policy(policy).drift_thresholds_months]
    days += [d + DAY for d in (f.next_review_due, f.next_visit_due, *f.open_action_due_dates) if d is not None]
    later = [d for d in days if d > today]
    return min(later) if later else None


def check_due(plan: PlanState | DriftFacts, *, today: date, policy: CouncilPolicy) -> date | None:
    """When the drift check should next look at the plan: today if it shows a finding now (it may
    be new), else :func:`next_check`."""
    if findings(plan, today=today, policy=policy):
        return today
    return next_check(plan, today=today, policy=policy)


def checked(plan: PlanState, *, today: date, policy: CouncilPolicy) -> PlanState:
    """The plan a transition produced, with the day the drift check should next look at it: every
    transition returns its new state through here, so the use case saves what the domain derived."""
    return replace(plan, drift_check=check_due(plan, today=today, policy=policy))


def detected(plan: DriftFacts, finding: Finding, *, now: datetime) -> PlanDriftDetected:
    return PlanDriftDetected(
        **about(plan),
        plan_type=plan.plan_type,
        kind=finding.kind,
        key=finding.key,
        since=finding.since,
        detected_at=now,
    )


# --- could close or step down ----------------------------------------------------------------


@dataclass(frozen=True)
class Closable:
    """Why a started plan could close or step down, what next, and since when."""

    reasons: tuple[str, ...]
    next_step: NextStep
    since: date


ALL_DONE = "every action done"
EXIT_MET = "exit criteria met"
NO_CONCERNS = "no open concerns"
DECIDED = "the last review decided to {}"


def could_close(plan: PlanState) -> Closable | None:
    """A started plan could close or step down when every action is done, or its last review found
    the exit criteria met with no concerns remaining, or decided to end it. A CP plan steps down to
    CIN; a CIN plan closes, or steps down to early help while concerns remain."""
    if plan.status is not PlanStatus.ACTIVE or plan.start_date is None:
        return None
    review = plan.last_review
    reasons: list[str] = []
    all_done = bool(plan.actions) and all(a.finished for a in plan.actions)
    if all_done and any(a.progress is ActionProgress.DONE for a in plan.actions):
        reasons.append(ALL_DONE)
    if review is not None and review.exit_criteria_met:
        reasons.append(EXIT_MET)
    if review is not None and not review.concerns_remain:
        reasons.append(NO_CONCERNS)
    decided = review is not None and review.decision is not ReviewDecision.CONTINUE
    if decided:
        assert review is not None
        reasons.append(DECIDED.format(review.decision.value.replace("_", " ")))
    if not (ALL_DONE in reasons or (EXIT_MET in reasons and NO_CONCERNS in reasons) or decided):
        return None
    if decided:
        assert review is not None
        step = NextStep(review.decision.value)
    elif plan.plan_type is PlanType.CP:
        step = NextStep.STEP_DOWN_CIN
    else:
        step = NextStep.CLOSE if NO_CONCERNS in reasons else NextStep.STEP_DOWN_EARLY_HELP
    return Closable(tuple(reasons), step, review.on if review is not None else plan.start_date)


@dataclass(frozen=True)
class Attention:
    """A plan on the manager's worklist: its drift findings, whether it could close, and since when
    it has needed attention (the earliest of them: the worklist's order)."""

    findings: tuple[Finding, ...]
    closable: Closable | None
    since: date


def attention(plan: PlanState, *, today: date, policy: CouncilPolicy) -> Attention | None:
    """Whether a plan belongs on the worklist today, and why; ``None`` when it does not."""
    found = tuple(findings(plan, today=today, policy=policy))
    closable = could_close(plan)
    if not found and closable is None:
        return None
    since = min([f.since for f in found] + ([closable.since] if closable else []))
    return Attention(found, closable, since)
