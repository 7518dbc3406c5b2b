"""Reviews, visits and meetings of a started plan (each saved as its own row beside the plan's
new state, in the same transaction), and the strategy discussions held during a CIN plan. Each
decides one command on the loaded plan."""

from __future__ import annotations

import uuid

from plan import commands, domain, repository
from plan.domain import Events, PlanState
from plan.use_cases.steps import At, by_whom


async def record_review(command: commands.RecordReview, at: At, plan: PlanState) -> tuple[PlanState, Events]:
    reviewed, review, events = domain.reviews.record_review(
        plan,
        review_id=uuid.uuid4(),
        by=by_whom(at.tx),
        review_date=command.review_date,
        today=at.today,
        progress={action_id: (progress, note) for action_id, progress, note in command.progress},
        decision=command.decision,
        exit_criteria_met=command.exit_criteria_met,
        concerns_remain=command.concerns_remain,
        summary=command.summary,
        latest_category=command.latest_category_of_abuse,
        policy=at.policy,
    )
    await repository.add_review(at.tx, reviewed, review, at=at.now)
    return reviewed, events


async def record_visit(command: commands.RecordVisit, at: At, plan: PlanState) -> tuple[PlanState, Events]:
    visited, visit, events = domain.visits.record_visit(
        plan, visit_id=uuid.uuid4(), by=by_whom(at.tx), today=at.today, policy=at.policy, **vars(command)
    )
    await repository.add_visit(at.tx, visited, visit, at=at.now)
    return visited, events


async def schedule_meeting(command: commands.ScheduleMeeting, at: At, plan: PlanState) -> tuple[PlanState, Events]:
    scheduled, meeting, events = domain.visits.schedule_meeting(
        plan,
        meeting_id=uuid.uuid4(),
        by=by_whom(at.tx),
        kind=command.kind,
        on=command.meeting_date,
        invitees=command.invitees,
        today=at.today,
        policy=at.policy,
    )
    await repository.add_meeting(at.tx, scheduled, meeting, at=at.now)
    return scheduled, events


async def record_attendance(command: commands.RecordAttendance, at: At, plan: PlanState) -> tuple[PlanState, Events]:
    meeting = await repository.meeting(at.tx, plan.id, command.meeting_id)
    changed, recorded, events = domain.visits.record_attendance(
        plan, meeting, attended=dict(enumerate(command.attended)), today=at.today, policy=at.policy
    )
    await repository.save_meeting(at.tx, recorded)
    return changed, events


async def record_strategy_discussion(
    command: commands.RecordStrategyDiscussion, at: At, plan: PlanState
) -> tuple[PlanState, Events]:
    """A strategy discussion held during an active CIN plan (the assessment service starts the
    section 47 enquiry from its event)."""
    return domain.lifecycle.record_strategy_discussion(
        plan, on=command.date, by=at.by, today=at.today, now=at.now, policy=at.policy
    )
