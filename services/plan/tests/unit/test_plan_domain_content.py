"""The plan's content and actions, with no database: an action missing what the Commissioner's
criteria need is refused naming the field, quality is scored on the five criteria, and only a
social-work-qualified manager approves a complete plan."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import date

import pytest
from plan_builders import CONTENT, DRAFTED_ON, MANAGER, POLICY, PRACTITIONER, action, at, drafted, status_of

from continuum.casework.errors import DomainError
from continuum.contracts.codes import CategoryOfAbuse
from continuum.contracts.plan import Agency, PlanType
from plan import domain
from plan.domain import Actor, Content, PlanStatus

CHILD = domain.ChildIdentity("9434765919", date(2016, 3, 14))


@pytest.mark.parametrize(
    ("missing", "field"),
    [
        ({"description": " "}, "description"),
        ({"owner_person": None}, "owner.person"),
        ({"owner_agency": None}, "owner.agency"),
        ({"success_measure": ""}, "success_measure"),
        ({"due_date": None}, "due_date"),
    ],
)
def test_an_action_without_each_of_its_parts_is_refused_naming_the_field(missing: dict[str, object], field: str) -> None:
    values: dict[str, object] = {
        "action_id": uuid.uuid4(),
        "description": "Take Sam to the GP about his asthma",
        "owner_person": "Jo Parent",
        "owner_agency": Agency.FAMILY,
        "success_measure": "Two GP appointments attended",
        "due_date": date(2026, 2, 1),
        "today": DRAFTED_ON,
    }
    with pytest.raises(DomainError) as refused:
        domain.content.new_action(**(values | missing))  # type: ignore[arg-type]
    assert refused.value.field == field


def test_an_action_due_in_the_past_or_more_than_a_year_away_is_refused() -> None:
    with pytest.raises(DomainError, match="before today"):
        action(due=date(2026, 1, 4))
    with pytest.raises(DomainError, match="more than a year"):
        action(due=date(2027, 1, 7))


def test_quality_scores_each_action_on_the_five_criteria() -> None:
    good = action()
    vague = action(description="Monitor the situation", measure="Things improve", person="All professionals")
    plan = drafted(actions=0)
    plan, _ = domain.content.add_action(plan, good, today=DRAFTED_ON, policy=POLICY)
    plan, _ = domain.content.add_action(plan, vague, today=DRAFTED_ON, policy=POLICY)
    quality = plan.quality
    first, second = quality.actions
    assert first.all_five and (first.actionable, first.measurable, first.owned, first.success_measure, first.timeframe) == (
        True,
        True,
        True,
        True,
        True,
    )
    assert (second.actionable, second.measurable, second.owned, second.success_measure, second.timeframe) == (
        False,
        False,
        False,
        False,
        True,
    )
    assert (quality.total, quality.meeting_all_five, quality.share_all_five) == (2, 1, 0.5)
    assert [quality.meeting(c) for c in domain.quality.CRITERIA] == [1, 1, 1, 1, 2]


def test_a_plan_without_actions_has_no_quality_share() -> None:
    assert drafted(actions=0).quality.share_all_five is None


def test_approval_by_a_manager_who_is_not_social_work_qualified_is_refused() -> None:
    with pytest.raises(DomainError) as refused:
        domain.lifecycle.approve(
            drafted(),
            by=Actor("m", sw_qualified_manager=False),
            start_date=DRAFTED_ON,
            today=DRAFTED_ON,
            now=at(DRAFTED_ON),
            child=CHILD,
            policy=POLICY,
        )
    assert (status_of(refused.value), refused.value.slug) == (403, "not-sw-qualified")


@pytest.mark.parametrize(
    ("plan_type", "content", "actions", "field"),
    [
        (PlanType.CIN, Content(), 1, "content.worries"),
        (PlanType.CIN, CONTENT, 0, "actions"),
        (PlanType.CP, CONTENT, 1, "category_of_abuse"),
    ],
)
def test_an_incomplete_plan_cannot_be_approved(plan_type: PlanType, content: Content, actions: int, field: str) -> None:
    plan = domain.drafting.draft(
        plan_id=uuid.uuid4(),
        case_id=uuid.uuid4(),
        child_id=uuid.uuid4(),
        team="north",
        plan_type=plan_type,
        drafted_from=domain.states.DraftedFrom.ASSESSMENT,
        now=at(DRAFTED_ON),
        content=content,
    )[0]
    for _ in range(actions):
        plan, _ = domain.content.add_action(plan, action(), today=DRAFTED_ON, policy=POLICY)
    with pytest.raises(DomainError) as refused:
        domain.lifecycle.approve(
            plan, by=MANAGER, start_date=DRAFTED_ON, today=DRAFTED_ON, now=at(DRAFTED_ON), child=CHILD, policy=POLICY
        )
    assert (refused.value.field, status_of(refused.value)) == (field, 409)


def test_rule_2885_a_cp_plan_starts_on_its_conference_date_whatever_day_it_is_approved() -> None:
    conference = date(2026, 1, 5)
    plan, events = domain.lifecycle.approve(
        drafted(PlanType.CP, on=date(2026, 1, 6), conference=conference),  # recorded a day late
        by=MANAGER,
        start_date=None,
        today=date(2026, 1, 8),
        now=at(date(2026, 1, 8)),
        child=CHILD,
        policy=POLICY,
        previous_cp_plans=2,
    )
    assert (plan.status, plan.start_date, plan.next_review_due) == (PlanStatus.ACTIVE, conference, date(2026, 4, 5))
    assert [e.event_type for e in events] == ["plan.started", "status.changed"]
    started = events[0]
    assert (started.start_date, started.initial_category_of_abuse, started.previous_cp_plans) == (  # type: ignore[attr-defined]
        conference,
        CategoryOfAbuse.NEGLECT,
        2,
    )
    assert (events[1].status.value, events[1].since) == ("cp_plan", conference)  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("conference", "start", "field", "status"),
    [
        (date(2026, 1, 5), date(2026, 1, 6), "start_date", 422),  # another day than the conference's
        (None, None, "start_date", 409),  # the conference's date has not arrived
    ],
)
def test_rule_2885_a_cp_plan_cannot_start_on_another_day_than_its_conference(
    conference: date | None, start: date | None, field: str, status: int
) -> None:
    plan = replace(drafted(PlanType.CP, on=date(2026, 1, 6)), conference_date=conference)
    with pytest.raises(DomainError) as refused:
        domain.lifecycle.approve(
            plan, by=MANAGER, start_date=start, today=date(2026, 1, 8), now=at(date(2026, 1, 8)), child=CHILD, policy=POLICY
        )
    assert (refused.value.field, status_of(refused.value)) == (field, status)


def test_a_cin_plan_starts_on_the_date_given() -> None:
    with pytest.raises(DomainError) as refused:
        domain.lifecycle.approve(
            drafted(), by=MANAGER, start_date=None, today=DRAFTED_ON, now=at(DRAFTED_ON), child=CHILD, policy=POLICY
        )
    assert refused.value.field == "start_date"
    plan, events = domain.lifecycle.approve(
        drafted(), by=MANAGER, start_date=DRAFTED_ON, today=DRAFTED_ON, now=at(DRAFTED_ON), child=CHILD, policy=POLICY
    )
    assert plan.start_date == DRAFTED_ON and events[0].previous_cp_plans is None  # type: ignore[attr-defined]
    assert (events[1].status.value, events[1].since) == ("cin_plan", DRAFTED_ON)  # type: ignore[attr-defined]


def test_approval_dates_are_not_before_the_draft_nor_in_the_future() -> None:
    for start in (date(2026, 1, 4), date(2026, 1, 6)):
        with pytest.raises(DomainError) as refused:
            domain.lifecycle.approve(
                drafted(), by=MANAGER, start_date=start, today=DRAFTED_ON, now=at(DRAFTED_ON), child=CHILD, policy=POLICY
            )
        assert refused.value.field == "start_date"


def test_the_partner_status_goes_out_when_the_nhs_number_becomes_known() -> None:
    plan, events = domain.lifecycle.approve(
        drafted(), by=MANAGER, start_date=DRAFTED_ON, today=DRAFTED_ON, now=at(DRAFTED_ON), child=None, policy=POLICY
    )
    assert [e.event_type for e in events] == ["plan.started"]
    without = domain.ChildIdentity(None, date(2016, 3, 14))
    assert domain.lifecycle.child_identified(plan, child=without, known_before=None, policy=POLICY) == []
    told = domain.lifecycle.child_identified(plan, child=CHILD, known_before=None, policy=POLICY)
    assert [(e.event_type, e.status.value, e.since) for e in told] == [("status.changed", "cin_plan", DRAFTED_ON)]  # type: ignore[attr-defined]
    assert domain.lifecycle.child_identified(plan, child=CHILD, known_before=CHILD.nhs_number, policy=POLICY) == []


def test_only_a_cp_plan_has_a_category_and_the_latest_changes_once_started() -> None:
    with pytest.raises(DomainError, match="only a child protection plan"):
        domain.content.edit(drafted(PlanType.CIN), today=DRAFTED_ON, policy=POLICY, by="sw-1", category=CategoryOfAbuse.NEGLECT)
    cp = drafted(PlanType.CP)
    started, _ = domain.lifecycle.approve(
        cp, by=MANAGER, start_date=None, today=DRAFTED_ON, now=at(DRAFTED_ON), child=CHILD, policy=POLICY
    )
    changed, events = domain.content.edit(
        started, today=date(2026, 2, 2), policy=POLICY, by="sw-1", category=CategoryOfAbuse.EMOTIONAL_ABUSE
    )
    assert (changed.initial_category, changed.latest_category) == (CategoryOfAbuse.NEGLECT, CategoryOfAbuse.EMOTIONAL_ABUSE)
    assert [e.model_dump() for e in events] == [
        {
            "plan_id": cp.id,
            "case_id": cp.case_id,
            "child_id": cp.child_id,
            "team": "north",
            "initial_category_of_abuse": CategoryOfAbuse.NEGLECT,
            "previous_category_of_abuse": CategoryOfAbuse.NEGLECT,
            "latest_category_of_abuse": CategoryOfAbuse.EMOTIONAL_ABUSE,
            "changed_on": date(2026, 2, 2),
            "changed_by": "sw-1",
        }
    ]
    same, events = domain.content.edit(
        changed, today=date(2026, 2, 3), policy=POLICY, by="sw-1", category=CategoryOfAbuse.EMOTIONAL_ABUSE
    )
    assert events == [] and same.latest_category is CategoryOfAbuse.EMOTIONAL_ABUSE


def test_a_practitioner_is_not_an_approver() -> None:
    with pytest.raises(DomainError):
        domain.lifecycle.approve(
            drafted(), by=PRACTITIONER, start_date=DRAFTED_ON, today=DRAFTED_ON, now=at(DRAFTED_ON), child=CHILD, policy=POLICY
        )
