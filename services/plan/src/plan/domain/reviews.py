"""Reviews: each records every unfinished action's progress and a decision, and sets the next
review's due date (the council's cadence for CIN, at most 6 months for CP review conferences)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date

from continuum.casework.errors import Invalid
from continuum.casework.policy import CouncilPolicy
from continuum.contracts.codes import CategoryOfAbuse
from continuum.contracts.plan import PlanReviewed, PlanType, ReviewDecision
from plan.domain import rules
from plan.domain.content import category_change
from plan.domain.drift import checked
from plan.domain.schedule import next_review_due
from plan.domain.states import FINISHED, Action, ActionProgress, Events, PlanState, ReviewRecord

#: How far along an action is, to tell progress from none.
_RANK = {ActionProgress.NOT_STARTED: 0, ActionProgress.IN_PROGRESS: 1, ActionProgress.DONE: 2, ActionProgress.DROPPED: 2}


@dataclass(frozen=True)
class Review:
    """A review as the service keeps it (its own row): the plan's record plus what was said."""

    id: uuid.UUID
    record: ReviewRecord
    due_date: date
    progress: tuple[tuple[uuid.UUID, ActionProgress, str | None], ...]
    summary: str | None
    by: str


def progressed(before: tuple[Action, ...], after: tuple[Action, ...]) -> bool:
    """Whether any action moved forward (or finished) between the two."""
    was = {a.id: a.progress for a in before}
    return any(_RANK[a.progress] > _RANK[was.get(a.id, ActionProgress.NOT_STARTED)] for a in after) or (
        bool(after) and all(a.progress in FINISHED for a in after)
    )


def record_review(
    plan: PlanState,
    *,
    review_id: uuid.UUID,
    by: str,
    review_date: date,
    today: date,
    progress: Mapping[uuid.UUID, tuple[ActionProgress, str | None]],
    decision: ReviewDecision,
    exit_criteria_met: bool,
    concerns_remain: bool,
    summary: str | None,
    latest_category: CategoryOfAbuse | None,
    policy: CouncilPolicy,
) -> tuple[PlanState, Review, Events]:
    """Review a started plan on ``review_date`` (not before its start or the last review, not in
    the future; a CP review conference after the day the plan started, census rule 8841). Every
    unfinished action needs its progress. Escalation is for CIN plans, a step down to CIN for CP
    plans; a CP review may record the latest category of abuse (announced when it changes)."""
    rules.check_started(plan, "a review")
    assert plan.start_date is not None and plan.next_review_due is not None
    floor, what = plan.start_date, "the plan's start"
    if plan.last_review is not None:
        floor, what = plan.last_review.on, "the last review"
    rules.check_day("review_date", review_date, today=today, not_before=floor, what=what)
    rules.check_after_cp_start(plan, "review_date", review_date, "a review", "8841")
    rules.check_next_step(plan.plan_type, decision, "decision")
    if latest_category is not None and plan.plan_type is not PlanType.CP:
        raise Invalid("latest_category_of_abuse", "only a child protection plan has a category of abuse")
    actions = rules.apply_progress(plan, progress, field="progress", every=False)
    number = plan.last_review.number + 1 if plan.last_review else 1
    record = ReviewRecord(
        number=number,
        on=review_date,
        decision=decision,
        exit_criteria_met=exit_criteria_met,
        concerns_remain=concerns_remain,
        progressed=progressed(plan.actions, actions),
    )
    due = next_review_due(plan.plan_type, review_date, policy)
    category = latest_category or plan.latest_category
    reviewed = replace(
        plan, actions=actions, last_review=record, next_review_due=due, latest_category=category, version=plan.version + 1
    )
    reviewed = checked(reviewed, today=today, policy=policy)
    review = Review(
        id=review_id,
        record=record,
        due_date=plan.next_review_due,
        progress=tuple((k, v[0], v[1]) for k, v in progress.items()),
        summary=summary.strip() if summary else None,
        by=by,
    )
    event = PlanReviewed(
        **rules.about(plan),
        plan_type=plan.plan_type,
        review_number=number,
        review_date=review_date,
        due_date=plan.next_review_due,
        on_time=review_date <= plan.next_review_due,
        decision=decision,
        latest_category_of_abuse=category,
        actions=rules.action_summary(actions),
        next_review_due=due,
    )
    return reviewed, review, [event, *category_change(plan, reviewed, on=review_date, by=by)]
