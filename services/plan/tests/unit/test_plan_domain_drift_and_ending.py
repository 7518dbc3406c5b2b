"""Drift, the could-close rules, ending and escalation, with no database and every date given:
the thresholds at their edges, what makes a finding new, and the refusals that change nothing."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import date

import pytest
from plan_builders import MANAGER, POLICY, at, policy, reviewed, started, status_of, with_actions_done

from continuum.casework.errors import DomainError
from continuum.contracts.codes import ReasonForClosure
from continuum.contracts.plan import DriftKind, NextStep, PlanType
from plan import domain
from plan.domain import ActionProgress
from plan.domain.drift import Finding, attention, could_close, findings, next_check

START = date(2026, 1, 5)


def _kinds(plan: domain.PlanState, today: date) -> dict[DriftKind, list[str]]:
    found: dict[DriftKind, list[str]] = {}
    for f in findings(plan, today=today, policy=POLICY):
        found.setdefault(f.kind, []).append(f.key)
    return found


def _quiet(plan: domain.PlanState) -> domain.PlanState:
    """The plan with nothing due: only the months open can make it drift."""
    return replace(plan, next_review_due=None, visits=domain.Visits(), actions=())


@pytest.mark.parametrize(
    ("today", "months"),
    [
        (date(2026, 7, 5), None),
        (date(2026, 7, 6), "6"),
        (date(2026, 10, 5), "6"),
        (date(2026, 10, 6), "9"),
        (date(2027, 1, 5), "9"),
        (date(2027, 1, 6), "12"),
        (date(2028, 6, 1), "12"),
    ],
)
def test_open_longer_than_each_threshold_starts_the_day_after_its_anniversary(today: date, months: str | None) -> None:
    found = _kinds(_quiet(started(start=START)), today).get(DriftKind.OPEN_OVER_THRESHOLD)
    assert found == ([months] if months else None)


def test_the_thresholds_are_the_councils() -> None:
    plan = _quiet(started(start=START))
    found = findings(plan, today=date(2026, 4, 6), policy=policy(drift_thresholds_months=[3, 12]))
    assert found == [Finding(DriftKind.OPEN_OVER_THRESHOLD, "3", date(2026, 4, 6))]


def test_a_review_overdue_the_day_after_its_due_date() -> None:
    plan = started(start=START)  # due 16 February
    assert DriftKind.REVIEW_OVERDUE not in _kinds(plan, date(2026, 2, 16))
    assert _kinds(plan, date(2026, 2, 17))[DriftKind.REVIEW_OVERDUE] == ["2026-02-16"]


def test_actions_past_due_and_visits_missed_the_day_after() -> None:
    plan = started(start=START)  # actions due 1 and 2 March; first visit due 2 February
    assert _kinds(plan, date(2026, 2, 3))[DriftKind.VISITS_MISSED] == ["2026-02-02"]
    assert DriftKind.ACTIONS_PAST_DUE not in _kinds(plan, date(2026, 3, 1))
    assert _kinds(plan, date(2026, 3, 3))[DriftKind.ACTIONS_PAST_DUE] == ["2026-03-01", "2026-03-02"]
    assert DriftKind.ACTIONS_PAST_DUE not in _kinds(with_actions_done(plan), date(2026, 3, 3))


def test_a_review_that_found_no_progress_is_drift_until_the_next_one() -> None:
    plan = reviewed(started(start=START), on=date(2026, 2, 10), progress=ActionProgress.NOT_STARTED)
    assert _kinds(plan, date(2026, 2, 11))[DriftKind.NO_PROGRESS_SINCE_REVIEW] == ["2026-02-10"]
    plan = reviewed(plan, on=date(2026, 3, 1), progress=ActionProgress.IN_PROGRESS)
    assert DriftKind.NO_PROGRESS_SINCE_REVIEW not in _kinds(plan, date(2026, 3, 2))


def test_drafts_and_ended_plans_do_not_drift() -> None:
    from plan_builders import drafted

    assert findings(drafted(), today=date(2030, 1, 1), policy=POLICY) == []


def test_the_next_check_is_the_first_day_something_can_fall_due() -> None:
    plan = started(start=START)
    assert next_check(plan, today=START, policy=POLICY) == date(2026, 2, 3)  # the visit due 2 February
    assert next_check(_quiet(plan), today=START, policy=POLICY) == date(2026, 7, 6)
    assert next_check(_quiet(plan), today=date(2027, 1, 6), policy=POLICY) is None
    assert domain.drift.check_due(plan, today=date(2026, 2, 3), policy=POLICY) == date(2026, 2, 3)


def test_a_plan_with_every_action_done_could_step_down_until_a_review_finds_no_concerns() -> None:
    closable = could_close(with_actions_done(started(start=START)))
    assert closable is not None and closable.reasons == ("every action done",)
    assert closable.next_step is NextStep.STEP_DOWN_EARLY_HELP
    plan = reviewed(with_actions_done(started(start=START)), on=date(2026, 2, 10), concerns_remain=False)
    closable = could_close(plan)
    assert closable is not None and closable.next_step is NextStep.CLOSE


def test_exit_criteria_met_with_no_concerns_could_close_and_a_cp_plan_steps_down_to_cin() -> None:
    cp = reviewed(started(PlanType.CP, start=START), on=date(2026, 3, 1), exit_criteria_met=True, concerns_remain=False)
    closable = could_close(cp)
    assert closable is not None and closable.next_step is NextStep.STEP_DOWN_CIN and closable.since == date(2026, 3, 1)
    assert set(closable.reasons) == {"exit criteria met", "no open concerns"}


def test_exit_criteria_met_with_concerns_remaining_is_not_enough() -> None:
    plan = reviewed(started(start=START), on=date(2026, 2, 10), exit_criteria_met=True, concerns_remain=True)
    assert could_close(plan) is None


def test_a_review_decision_to_step_down_puts_the_plan_on_the_worklist() -> None:
    plan = reviewed(started(start=START), on=date(2026, 2, 1), decision="step_down_early_help")
    item = attention(plan, today=date(2026, 2, 2), policy=POLICY)
    assert item is not None and item.closable is not None and item.closable.next_step is NextStep.STEP_DOWN_EARLY_HELP
    assert item.findings == () and item.since == date(2026, 2, 1)


def test_the_worklist_orders_by_the_earliest_day_a_plan_needed_attention() -> None:
    plan = started(start=START)
    item = attention(plan, today=date(2026, 3, 3), policy=POLICY)
    assert item is not None and item.since == date(2026, 2, 3) and item.closable is None
    assert attention(plan, today=START, policy=POLICY) is None


# --- pre-proceedings ----------------------------------------------------------------------------


# --- ending -------------------------------------------------------------------------------------


def _end(
    plan: domain.PlanState, final: dict[uuid.UUID, tuple[ActionProgress, str | None]], step: NextStep = NextStep.CLOSE
) -> tuple[domain.PlanState, domain.Events]:
    return domain.lifecycle.end(
        plan,
        by=MANAGER,
        end_date=date(2026, 3, 1),
        today=date(2026, 3, 2),
        now=at(date(2026, 3, 2)),
        reason="Needs met.",
        unmet_need=False,
        next_step=step,
        final=final,
        reason_for_closure=ReasonForClosure.SERVICES_CEASED if step is NextStep.CLOSE else None,
    )


def test_a_plan_that_closes_the_case_gives_the_census_reason_and_plan_ended_carries_it() -> None:
    plan = started(start=START, actions=1)
    ended, events = _end(plan, {plan.actions[0].id: (ActionProgress.DONE, None)})
    assert ended.ending is not None and ended.ending.reason_for_closure is ReasonForClosure.SERVICES_CEASED
    assert events[0].reason_for_closure is ReasonForClosure.SERVICES_CEASED  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("step", "reason", "refusal"),
    [
        (NextStep.CLOSE, None, "gives the census reason"),
        (NextStep.CLOSE, ReasonForClosure.NFA_AFTER_ASSESSMENT, "after an assessment alone"),
        (NextStep.CLOSE, ReasonForClosure.EARLY_HELP_AFTER_ASSESSMENT, "after an assessment alone"),
        (NextStep.STEP_DOWN_EARLY_HELP, ReasonForClosure.SERVICES_CEASED, "only a plan that closes the case"),
    ],
)
def test_the_reason_for_closure_is_given_when_and_only_when_the_plan_closes_the_case(
    step: NextStep, reason: ReasonForClosure | None, refusal: str
) -> None:
    plan = started(start=START, actions=1)
    with pytest.raises(DomainError, match=refusal) as refused:
        domain.lifecycle.end(
            plan,
            by=MANAGER,
            end_date=date(2026, 3, 1),
            today=date(2026, 3, 2),
            now=at(date(2026, 3, 2)),
            reason="Needs met.",
            unmet_need=False,
            next_step=step,
            final={plan.actions[0].id: (ActionProgress.DONE, None)},
            reason_for_closure=reason,
        )
    assert refused.value.field == "reason_for_closure"


def test_ending_needs_every_actions_final_status() -> None:
    plan = started(start=START)
    with pytest.raises(DomainError) as refused:
        _end(plan, {plan.actions[0].id: (ActionProgress.DONE, None)})
    assert refused.value.field == "actions" and str(plan.actions[1].id) in refused.value.reason


def test_ending_carries_the_next_step_and_the_action_summary_and_tells_partners_nothing() -> None:
    """Changed in issue 16: partners heard ``closed`` here; step-down alone announces it now, when
    the episode closes."""
    plan = started(start=START)
    ended, events = _end(
        plan, {plan.actions[0].id: (ActionProgress.DONE, None), plan.actions[1].id: (ActionProgress.DROPPED, "No longer needed")}
    )
    assert ended.status.value == "ended" and ended.ending is not None and ended.next_review_due is None
    assert [e.event_type for e in events] == ["plan.ended"]
    summary = events[0].actions  # type: ignore[attr-defined]
    assert (summary.total, summary.done, summary.dropped, events[0].next_step) == (2, 1, 1, NextStep.CLOSE)  # type: ignore[attr-defined]


def test_a_cp_plan_stepping_down_drafts_a_cin_plan_with_its_unfinished_actions() -> None:
    cp = started(PlanType.CP, start=START)
    final = {cp.actions[0].id: (ActionProgress.DONE, None), cp.actions[1].id: (ActionProgress.IN_PROGRESS, None)}
    ended, events = _end(cp, final, NextStep.STEP_DOWN_CIN)
    assert [e.event_type for e in events] == ["plan.ended"]  # the CIN plan's start tells partners
    cin, drafted_events = domain.drafting.step_down_to_cin(
        ended, plan_id=uuid.uuid4(), now=at(date(2026, 3, 2)), ids=[uuid.uuid4()]
    )
    assert cin.plan_type is PlanType.CIN and cin.status.value == "draft" and cin.case_id == cp.case_id
    assert [a.description for a in cin.actions] == [cp.actions[1].description] and cin.actions[0].id != cp.actions[1].id
    assert drafted_events[0].drafted_from.value == "step_down_from_cp"  # type: ignore[attr-defined]


def test_a_draft_cannot_be_ended_and_a_cin_plan_does_not_step_down_to_cin() -> None:
    from plan_builders import drafted

    with pytest.raises(DomainError) as refused:
        _end(drafted(), {})
    assert refused.value.slug == "plan-not-started"
    plan = started(start=START)
    with pytest.raises(DomainError) as refused:
        _end(plan, {a.id: (ActionProgress.DONE, None) for a in plan.actions}, NextStep.STEP_DOWN_CIN)
    assert refused.value.field == "next_step"


def test_rule_8840_a_cp_plan_ending_on_its_start_day_is_refused() -> None:
    cp = started(PlanType.CP, start=START)
    final = {a.id: (ActionProgress.DONE, None) for a in cp.actions}
    ending = {
        "by": MANAGER,
        "today": START,
        "now": at(START),
        "reason": "Concerns resolved.",
        "unmet_need": False,
        "next_step": NextStep.STEP_DOWN_EARLY_HELP,
        "final": final,
    }
    with pytest.raises(DomainError, match="8840") as refused:
        domain.lifecycle.end(cp, end_date=START, **ending)  # type: ignore[arg-type]
    assert (refused.value.field, status_of(refused.value)) == ("end_date", 422)
    next_day = date(2026, 1, 6)
    ended, _ = domain.lifecycle.end(cp, end_date=next_day, **ending | {"today": next_day})  # type: ignore[arg-type]
    assert ended.ending is not None and ended.ending.end_date == next_day


def test_a_cin_plan_may_still_end_on_its_start_day() -> None:
    plan = started(start=START)
    ended, _ = domain.lifecycle.end(
        plan,
        by=MANAGER,
        end_date=START,
        today=START,
        now=at(START),
        reason="Moved away.",
        unmet_need=False,
        next_step=NextStep.UNIVERSAL,
        final={a.id: (ActionProgress.DROPPED, None) for a in plan.actions},
    )
    assert ended.ending is not None and ended.ending.end_date == START


# --- escalation ---------------------------------------------------------------------------------

QUALIFIED = domain.Actor("sw-1", sw_qualified=True)


def test_a_strategy_discussion_during_an_active_cin_plan_is_announced_for_the_assessment_service() -> None:
    plan = started(start=START)
    on = date(2026, 2, 3)
    recorded, events = domain.lifecycle.record_strategy_discussion(plan, on=on, by=QUALIFIED, today=on, now=at(on), policy=POLICY)
    assert recorded.strategy_discussions == (on,) and recorded.version == plan.version + 1
    (event,) = events
    assert (event.event_type, event.strategy_discussion_date, event.plan_type, event.recorded_by) == (  # type: ignore[attr-defined]
        "plan.strategy_discussion_recorded",
        on,
        PlanType.CIN,
        "sw-1",
    )
    with pytest.raises(DomainError) as refused:
        domain.lifecycle.record_strategy_discussion(recorded, on=on, by=QUALIFIED, today=on, now=at(on), policy=POLICY)
    assert (status_of(refused.value), refused.value.slug) == (409, "strategy-discussion-recorded")


@pytest.mark.parametrize(
    ("plan_of", "on", "by", "status", "field"),
    [
        (lambda: started(start=START), date(2026, 2, 3), domain.Actor("fsw", sw_qualified=False), 403, "recorded_by"),
        (lambda: started(PlanType.CP, start=START), date(2026, 2, 3), QUALIFIED, 409, "plan"),
        (lambda: __import__("plan_builders").drafted(), date(2026, 2, 3), QUALIFIED, 409, "plan"),
        (lambda: started(start=START), date(2026, 1, 4), QUALIFIED, 422, "date"),  # before the plan's start
        (lambda: started(start=START), date(2026, 2, 4), QUALIFIED, 422, "date"),  # in the future
    ],
)
def test_a_strategy_discussion_is_refused_unless_on_an_active_cin_plan_by_a_social_worker_on_a_day_it_covers(
    plan_of: object, on: date, by: domain.Actor, status: int, field: str
) -> None:
    with pytest.raises(DomainError) as refused:
        domain.lifecycle.record_strategy_discussion(
            plan_of(),
            on=on,
            by=by,
            today=date(2026, 2, 3),
            now=at(date(2026, 2, 3)),  # type: ignore[operator]
            policy=POLICY,
        )
    assert (status_of(refused.value), refused.value.field) == (status, field)


def test_the_cp_plan_replaces_the_cin_plan_on_its_start_date() -> None:
    cin = started(start=START)
    ended, events = domain.lifecycle.replaced_by_child_protection(
        cin, cp_start=date(2026, 2, 20), by=MANAGER, now=at(date(2026, 2, 23))
    )
    assert ended.status.value == "ended" and ended.ending is not None
    assert (ended.ending.end_date, ended.ending.next_step) == (date(2026, 2, 20), NextStep.ESCALATE_CP)
    assert [(e.event_type, e.end_date, e.next_step) for e in events] == [  # type: ignore[attr-defined]
        ("plan.ended", date(2026, 2, 20), NextStep.ESCALATE_CP)
    ]
    later = reviewed(cin, on=date(2026, 2, 21))  # a CIN review after the conference: the ending follows it
    ended, _ = domain.lifecycle.replaced_by_child_protection(
        later, cp_start=date(2026, 2, 20), by=MANAGER, now=at(date(2026, 2, 23))
    )
    assert ended.ending is not None and ended.ending.end_date == date(2026, 2, 21)


@pytest.mark.parametrize(("end_date", "refused"), [(date(2026, 3, 1), False), (date(2026, 3, 2), True)])
def test_a_plan_of_a_child_who_has_died_ends_on_or_before_the_day_of_death(end_date: date, refused: bool) -> None:
    """Census 4009Q: a CIN plan cannot end after the child's date of death (a CP plan alike)."""
    plan = started(start=START, actions=1)

    def end() -> tuple[domain.PlanState, domain.Events]:
        return domain.lifecycle.end(
            plan,
            by=MANAGER,
            end_date=end_date,
            today=date(2026, 3, 3),
            now=at(date(2026, 3, 3)),
            reason="The child died.",
            unmet_need=False,
            next_step=NextStep.CLOSE,
            final={plan.actions[0].id: (ActionProgress.DONE, None)},
            reason_for_closure=ReasonForClosure.DIED,
            died_on=date(2026, 3, 1),
        )

    if not refused:
        ended, _ = end()
        assert ended.ending is not None and ended.ending.end_date == end_date
        return
    with pytest.raises(DomainError, match="died on 2026-03-01") as refusal:
        end()
    assert refusal.value.field == "end_date"
