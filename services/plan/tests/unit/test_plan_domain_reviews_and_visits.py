"""Reviews, visits and meetings, with no database and every date given: review due dates on the
council's cadence (CIN) and the conference rules (CP), a review's refusals, visit frequency and
the date last seen, and meetings that leave out an involved agency."""

from __future__ import annotations

import uuid
from datetime import date

import pytest
from plan_builders import DRAFTED_ON, POLICY, action, drafted, policy, reviewed, started, status_of

from continuum.casework.errors import DomainError
from continuum.contracts.codes import CategoryOfAbuse
from continuum.contracts.plan import Agency, MeetingKind, PlanType, ReviewDecision
from plan import domain
from plan.domain import ActionProgress
from plan.domain.policy import plan_policy
from plan.domain.schedule import add_months, first_review_due, next_review_due
from plan.domain.visits import Invitee


def test_a_cin_plan_is_first_reviewed_six_weeks_after_its_start_by_default() -> None:
    assert started(start=date(2026, 1, 5)).next_review_due == date(2026, 2, 16)


def test_the_cin_review_cadence_is_the_councils() -> None:
    every_four = policy(cin_review_cadence_weeks=4)
    assert first_review_due(PlanType.CIN, date(2026, 1, 5), every_four) == date(2026, 2, 2)
    assert next_review_due(PlanType.CIN, date(2026, 2, 2), every_four) == date(2026, 3, 2)


def test_a_cp_plans_first_review_conference_is_within_three_months_then_at_most_six() -> None:
    plan = started(PlanType.CP, start=date(2026, 1, 5))
    assert (plan.start_date, plan.next_review_due) == (date(2026, 1, 5), date(2026, 4, 5))  # of the conference
    plan = reviewed(plan, on=date(2026, 4, 1))
    assert plan.next_review_due == date(2026, 10, 1)


def _cp_review(plan: domain.PlanState, on: date, category: CategoryOfAbuse | None = None) -> tuple[domain.PlanState, list[str]]:
    done, _, events = domain.reviews.record_review(
        plan,
        review_id=uuid.uuid4(),
        by="chair",
        review_date=on,
        today=on,
        progress={a.id: (ActionProgress.IN_PROGRESS, None) for a in plan.actions},
        decision=ReviewDecision.CONTINUE,
        exit_criteria_met=False,
        concerns_remain=True,
        summary=None,
        latest_category=category,
        policy=POLICY,
    )
    return done, [e.event_type for e in events]


def test_rule_8841_a_cp_review_on_the_plans_start_day_is_refused() -> None:
    plan = started(PlanType.CP, start=date(2026, 1, 5))
    with pytest.raises(DomainError, match="8841") as refused:
        _cp_review(plan, date(2026, 1, 5))
    assert (refused.value.field, status_of(refused.value)) == ("review_date", 422)
    reviewed_plan, _ = _cp_review(plan, date(2026, 1, 6))
    assert reviewed_plan.last_review is not None and reviewed_plan.last_review.on == date(2026, 1, 6)


def test_a_cin_review_may_still_fall_on_the_plans_start_day() -> None:
    plan = started(start=date(2026, 1, 5))
    assert reviewed(plan, on=date(2026, 1, 5)).last_review is not None


def test_a_cp_review_that_changes_the_latest_category_announces_it() -> None:
    plan = started(PlanType.CP, start=date(2026, 1, 5))
    same, types = _cp_review(plan, date(2026, 2, 2), CategoryOfAbuse.NEGLECT)
    assert types == ["plan.reviewed"]
    changed, types = _cp_review(same, date(2026, 3, 2), CategoryOfAbuse.MULTIPLE)
    assert types == ["plan.reviewed", "plan.category_changed"] and changed.latest_category is CategoryOfAbuse.MULTIPLE
    _, types = _cp_review(changed, date(2026, 4, 2))  # no category given: it stays
    assert types == ["plan.reviewed"]


def test_review_months_end_on_the_last_day_of_a_shorter_month() -> None:
    assert add_months(date(2025, 11, 30), 3) == date(2026, 2, 28)
    assert add_months(date(2027, 8, 31), 6) == date(2028, 2, 29)
    assert first_review_due(PlanType.CP, date(2026, 11, 30), POLICY) == date(2027, 2, 28)


def test_a_review_of_an_unapproved_plan_is_refused() -> None:
    with pytest.raises(DomainError) as refused:
        reviewed(drafted(), on=DRAFTED_ON)
    assert (status_of(refused.value), refused.value.slug) == (409, "plan-not-started")


def test_a_review_needs_the_progress_of_every_unfinished_action() -> None:
    plan = started()
    with pytest.raises(DomainError) as refused:
        domain.reviews.record_review(
            plan,
            review_id=uuid.uuid4(),
            by="sw",
            review_date=date(2026, 2, 10),
            today=date(2026, 2, 10),
            progress={plan.actions[0].id: (ActionProgress.DONE, None)},
            decision=ReviewDecision.CONTINUE,
            exit_criteria_met=False,
            concerns_remain=True,
            summary=None,
            latest_category=None,
            policy=POLICY,
        )
    assert refused.value.field == "progress" and str(plan.actions[1].id) in refused.value.reason


def test_a_review_records_progress_on_time_or_late_and_the_next_due_date() -> None:
    plan = started(start=date(2026, 1, 5))
    done, review, events = domain.reviews.record_review(
        plan,
        review_id=uuid.uuid4(),
        by="sw",
        review_date=date(2026, 2, 17),
        today=date(2026, 2, 20),
        progress={
            plan.actions[0].id: (ActionProgress.DONE, "Completed."),
            plan.actions[1].id: (ActionProgress.NOT_STARTED, None),
        },
        decision=ReviewDecision.CONTINUE,
        exit_criteria_met=False,
        concerns_remain=True,
        summary="Going well.",
        latest_category=None,
        policy=POLICY,
    )
    event = events[0]
    assert (event.review_number, event.on_time, event.due_date, event.next_review_due) == (  # type: ignore[attr-defined]
        1,
        False,
        date(2026, 2, 16),
        date(2026, 3, 31),
    )
    assert event.actions.done == 1 and event.actions.not_started == 1  # type: ignore[attr-defined]
    assert done.actions[0].note == "Completed." and review.record.progressed


@pytest.mark.parametrize(("plan_type", "decision"), [(PlanType.CIN, "step_down_cin"), (PlanType.CP, "escalate_cp")])
def test_a_review_decision_must_suit_the_plan_type(plan_type: PlanType, decision: str) -> None:
    with pytest.raises(DomainError) as refused:
        reviewed(started(plan_type), on=date(2026, 2, 1), decision=decision)
    assert refused.value.field == "decision"


def test_a_review_before_the_last_one_or_in_the_future_is_refused() -> None:
    plan = reviewed(started(), on=date(2026, 2, 1))
    with pytest.raises(DomainError, match="before the last review"):
        reviewed(plan, on=date(2026, 1, 31))


def _visit(
    plan: domain.PlanState,
    on: date | None,
    *,
    seen: bool = True,
    alone: bool = False,
    reason: str | None = None,
    planned: date | None = None,
) -> tuple[domain.PlanState, domain.visits.Visit]:
    changed, visit, _ = domain.visits.record_visit(
        plan,
        visit_id=uuid.uuid4(),
        by="sw",
        planned_date=planned,
        visit_date=on,
        child_seen=seen,
        seen_alone=alone,
        reason_not_seen=reason,
        today=date(2026, 12, 31),
        policy=POLICY,
    )
    return changed, visit


def test_visits_fall_due_on_the_councils_frequency_and_keep_the_date_last_seen() -> None:
    plan = started(start=date(2026, 1, 5))
    assert plan.visits.next_due == date(2026, 2, 2)
    plan, first = _visit(plan, date(2026, 1, 20), alone=True)
    assert (plan.visits.last_seen, plan.visits.last_seen_alone, plan.visits.next_due, first.within_frequency) == (
        date(2026, 1, 20),
        date(2026, 1, 20),
        date(2026, 2, 17),
        True,
    )
    plan, late = _visit(plan, date(2026, 3, 2), seen=False, reason="Nobody answered the door.")
    assert (plan.visits.last_seen, plan.visits.last_visit, late.within_frequency) == (date(2026, 1, 20), date(2026, 3, 2), False)


def test_a_child_not_seen_needs_the_reason_and_seen_alone_needs_seen() -> None:
    with pytest.raises(DomainError) as refused:
        _visit(started(), date(2026, 1, 20), seen=False)
    assert refused.value.field == "reason_not_seen"
    with pytest.raises(DomainError) as refused:
        _visit(started(), date(2026, 1, 20), seen=False, alone=True, reason="Asleep")
    assert refused.value.field == "seen_alone"


def test_a_planned_visit_that_did_not_happen_keeps_the_visit_due() -> None:
    plan = started(start=date(2026, 1, 5))
    changed, visit = _visit(plan, None, seen=False, reason="Family cancelled.", planned=date(2026, 1, 30))
    assert changed.visits.next_due == plan.visits.next_due and visit.within_frequency is False


def test_a_meeting_that_leaves_out_an_involved_agency_is_flagged() -> None:
    plan = started(actions=1)  # owned by the family
    plan, _ = domain.content.add_action(
        plan, action(agency=Agency.PROBATION, person="Pat Officer"), today=DRAFTED_ON, policy=POLICY
    )
    plan, _ = domain.content.edit(
        plan, today=DRAFTED_ON, policy=POLICY, by="sw", agencies_involved=(Agency.ADULT_MENTAL_HEALTH, Agency.SCHOOL)
    )
    _, meeting, events = domain.visits.schedule_meeting(
        plan,
        meeting_id=uuid.uuid4(),
        by="sw",
        today=date(2026, 2, 1),
        policy=POLICY,
        kind=MeetingKind.CIN_MEETING,
        on=date(2026, 2, 1),
        invitees=(Invitee(Agency.SCHOOL, "Head of year"), Invitee(Agency.FAMILY, "Jo Parent"), Invitee(Agency.SOCIAL_CARE, "SW")),
    )
    assert meeting.agencies_left_out == (Agency.ADULT_MENTAL_HEALTH, Agency.PROBATION)
    assert [a.value for a in events[0].agencies_left_out] == ["adult_mental_health", "probation"]  # type: ignore[attr-defined]


def test_a_core_group_belongs_to_a_cp_plan_and_attendance_waits_for_the_day() -> None:
    with pytest.raises(DomainError):
        domain.visits.schedule_meeting(
            started(),
            meeting_id=uuid.uuid4(),
            by="sw",
            today=date(2026, 2, 1),
            policy=POLICY,
            kind=MeetingKind.CORE_GROUP,
            on=date(2026, 2, 1),
            invitees=(Invitee(Agency.SCHOOL, "Head"),),
        )
    plan, meeting, _ = domain.visits.schedule_meeting(
        started(PlanType.CP),
        meeting_id=uuid.uuid4(),
        by="sw",
        today=date(2026, 2, 1),
        policy=POLICY,
        kind=MeetingKind.CORE_GROUP,
        on=date(2026, 2, 1),
        invitees=(Invitee(Agency.SCHOOL, "Head"), Invitee(Agency.POLICE, "PC")),
    )
    with pytest.raises(DomainError, match="after it"):
        domain.visits.record_attendance(plan, meeting, attended={0: True, 1: False}, today=date(2026, 1, 31), policy=POLICY)
    with pytest.raises(DomainError, match="each of the 2"):
        domain.visits.record_attendance(plan, meeting, attended={0: True}, today=date(2026, 2, 1), policy=POLICY)
    _, after, _ = domain.visits.record_attendance(
        plan, meeting, attended={0: True, 1: False}, today=date(2026, 2, 1), policy=POLICY
    )
    assert [i.attended for i in after.invitees] == [True, False]


def test_the_review_cadence_comes_from_the_plan_section_of_the_policy_file() -> None:
    assert plan_policy(POLICY).cin_review_cadence_weeks == 6
    assert first_review_due(PlanType.CIN, date(2026, 1, 5), policy(cin_review_cadence_weeks=4)) == date(2026, 2, 2)
    with pytest.raises(ValueError, match="the plan section of the council policy file"):
        plan_policy(policy(cin_review_cadence_weeks=0))
