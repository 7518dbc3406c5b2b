"""The step-down domain without a database or a clock: transitions from the three producers in any
order, the handover and its answers, escalation, closure rules, step-ups, the audit sample."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

import pytest

from continuum.casework.errors import Conflict, Invalid
from continuum.casework.policy import load_policy
from continuum.contracts.assessment import AssessmentOutcome
from continuum.contracts.codes import ReasonForClosure
from continuum.contracts.plan import ActionSummary, NextStep, PlanType
from stepdown import domain
from stepdown.domain import (
    Actor,
    AssessmentFacts,
    DeclineReason,
    EarlyHelpOutcome,
    Engagement,
    FrontDoorOutcome,
    Handover,
    PlanEnd,
    StepdownStatus,
    TransitionKind,
)
from stepdown.domain.audit import Candidate, SampledKind, check_month_is_over, draw_sample, month_bounds, previous_month

CASE, CHILD = uuid.uuid4(), uuid.uuid4()
NOW = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)  # a Monday
EARLY_HELP = Actor("early-help-worker")
ACTIONS = ActionSummary(total=4, done=3, in_progress=1, not_started=0, dropped=0)


def assessment(outcome: AssessmentOutcome = AssessmentOutcome.CIN_PLAN, on: date = date(2026, 5, 20)) -> AssessmentFacts:
    return AssessmentFacts(assessment_id=uuid.uuid4(), outcome=outcome, authorisation_date=on, lead_practitioner="sw-1")


def plan_end(next_step: NextStep = NextStep.STEP_DOWN_EARLY_HELP, on: date = date(2026, 10, 30)) -> PlanEnd:
    return PlanEnd(plan_id=uuid.uuid4(), end_date=on, next_step=next_step, unmet_need=False, actions=ACTIONS)


def transition(episode: domain.Episode, now: datetime = NOW) -> tuple[domain.Episode, domain.Stepdown | None, domain.Events]:
    return domain.make_transition(
        episode, stepdown_id=uuid.uuid4(), now=now, receiving_team="early-help", response_working_days=10
    )


def with_assessment(episode: domain.Episode | None, outcome: AssessmentOutcome = AssessmentOutcome.CIN_PLAN) -> domain.Episode:
    return domain.receive_assessment(
        episode, case_id=CASE, child_id=CHILD, team="north", referral_date=date(2026, 4, 1), facts=assessment(outcome)
    )


def with_plan_end(episode: domain.Episode | None, next_step: NextStep = NextStep.STEP_DOWN_EARLY_HELP) -> domain.Episode:
    return domain.receive_plan_end(
        episode, case_id=CASE, child_id=CHILD, team="north", plan_end=plan_end(next_step), plan_type=PlanType.CIN
    )


def handover_pending() -> domain.Stepdown:
    _, stepdown, _ = transition(with_plan_end(with_assessment(None)))
    assert stepdown is not None
    return stepdown


HANDOVER = Handover(
    unmet_needs="school attendance",
    what_has_worked="parenting course",
    proposed_lead_professional=None,
    same_lead_practitioner=True,
    family_agreed=True,
)


def test_a_plan_end_before_the_assessment_waits_for_it_and_then_steps_down() -> None:
    early = with_plan_end(None)
    assert domain.waiting_for(early) == "assessment.authorised"
    assert transition(early)[1] is None
    episode, stepdown, events = transition(with_assessment(early))
    assert stepdown is not None and stepdown.kind is TransitionKind.EARLY_HELP and stepdown.status is StepdownStatus.PENDING
    assert stepdown.referral_date == date(2026, 4, 1) and stepdown.ended_on == date(2026, 10, 30) and stepdown.assessed
    assert [e.event_type for e in events] == ["stepdown.requested"]
    assert episode.stepdown_id == stepdown.id


def test_the_same_facts_in_the_other_order_make_the_same_transition() -> None:
    one = transition(with_plan_end(with_assessment(None)))[1]
    other = transition(with_assessment(with_plan_end(None)))[1]
    assert one is not None and other is not None
    assert (one.kind, one.referral_date, one.ended_on, one.response_due) == (
        other.kind,
        other.referral_date,
        other.ended_on,
        other.response_due,
    )


def test_an_episode_transitions_once() -> None:
    episode, first, _ = transition(with_plan_end(with_assessment(None)))
    assert first is not None
    again = domain.receive_plan_end(
        episode, case_id=CASE, child_id=CHILD, team="north", plan_end=plan_end(NextStep.CLOSE), plan_type=PlanType.CIN
    )
    assert transition(again)[1] is None


def test_a_plan_escalated_to_child_protection_makes_no_transition() -> None:
    assert transition(with_plan_end(with_assessment(None), NextStep.ESCALATE_CP))[1] is None


def test_nfa_after_assessment_closes_at_once_with_rc8_on_the_authorisation_date() -> None:
    _, stepdown, events = transition(with_assessment(None, AssessmentOutcome.NFA))
    assert stepdown is not None and stepdown.closure is not None
    assert stepdown.closure.reason is ReasonForClosure.NFA_AFTER_ASSESSMENT and stepdown.closure.closure_date == date(2026, 5, 20)
    assert [e.event_type for e in events] == ["case.closed"]


def test_universal_services_after_a_plan_close_with_rc7_and_the_action_summary() -> None:
    _, stepdown, events = transition(with_plan_end(with_assessment(None), NextStep.UNIVERSAL))
    assert stepdown is not None and stepdown.status is StepdownStatus.CLOSED
    closed = events[-1]
    assert closed.event_type == "case.closed" and closed.reason_for_closure is ReasonForClosure.SERVICES_CEASED  # type: ignore[attr-defined]
    assert closed.actions == ACTIONS  # type: ignore[attr-defined]


def test_a_plan_that_closed_without_a_reason_waits_for_the_managers() -> None:
    _, stepdown, events = transition(with_plan_end(with_assessment(None), NextStep.CLOSE))
    assert stepdown is not None and stepdown.status is StepdownStatus.AWAITING_CLOSURE and events == []
    closed, closing = domain.close_by_manager(
        stepdown,
        reason=ReasonForClosure.TRANSFERRED_TO_ANOTHER_LA,
        on=date(2026, 11, 1),
        unmet_need=False,
        now=NOW,
        today=date(2026, 11, 2),
    )
    assert closed.status is StepdownStatus.CLOSED and [e.event_type for e in closing] == ["case.closed"]
    with pytest.raises(Conflict, match="closes once"):
        domain.close_episode(closed, reason=ReasonForClosure.SERVICES_CEASED, on=date(2026, 11, 1), now=NOW, unmet_need=False)


def test_a_plan_that_closed_the_case_with_its_census_reason_closes_the_episode_at_once_with_it() -> None:
    ended = PlanEnd(
        plan_id=uuid.uuid4(),
        end_date=date(2026, 10, 30),
        next_step=NextStep.CLOSE,
        unmet_need=False,
        actions=ACTIONS,
        reason_for_closure=ReasonForClosure.TRANSFERRED_TO_ANOTHER_LA,
    )
    episode = domain.receive_plan_end(
        with_assessment(None), case_id=CASE, child_id=CHILD, team="north", plan_end=ended, plan_type=PlanType.CIN
    )
    _, stepdown, events = transition(episode)
    assert stepdown is not None and stepdown.status is StepdownStatus.CLOSED
    [closed] = [e for e in events if e.event_type == "case.closed"]
    assert closed.reason_for_closure is ReasonForClosure.TRANSFERRED_TO_ANOTHER_LA  # type: ignore[attr-defined]
    assert closed.closure_date == date(2026, 10, 30)  # type: ignore[attr-defined]


def _front_door(outcome: FrontDoorOutcome) -> domain.Episode:
    """The front door's NFA or early help decision on a referral of 1 October 2026, as step-down receives it."""
    return domain.receive_front_door_decision(
        None,
        case_id=CASE,
        child_id=CHILD,
        team="front-door",
        referral_id=uuid.uuid4(),
        referral_date=date(2026, 10, 1),
        decided_at=NOW,
        outcome=outcome,
    )


def test_front_door_early_help_is_a_handover_that_closes_as_the_census_referral_nfa() -> None:
    episode = _front_door(FrontDoorOutcome.EARLY_HELP)
    _, stepdown, _ = transition(episode)
    assert stepdown is not None and not stepdown.assessed
    ready, _ = domain.record_handover(stepdown, handover=Handover("needs", "worked", "Early help worker", False, True))
    _, events = domain.accept(ready, by=EARLY_HELP, now=NOW, today=date(2026, 11, 2))
    closed = events[-1]
    assert closed.reason_for_closure is ReasonForClosure.NFA_AFTER_ASSESSMENT and closed.referral_nfa  # type: ignore[attr-defined]
    assert closed.closure_date == date(2026, 10, 1)  # type: ignore[attr-defined]


def test_rc8_and_rc9_need_an_assessment() -> None:
    _, stepdown, _ = transition(with_plan_end(None, NextStep.CLOSE))
    assert stepdown is None  # waits; build one without an assessment by hand instead
    pending = handover_pending()
    from dataclasses import replace

    unassessed = replace(pending, assessed=False, status=StepdownStatus.AWAITING_CLOSURE)
    for reason in (ReasonForClosure.NFA_AFTER_ASSESSMENT, ReasonForClosure.EARLY_HELP_AFTER_ASSESSMENT):
        with pytest.raises(Invalid, match="only for an episode closed after an assessment"):
            domain.close_by_manager(
                unassessed, reason=reason, on=date(2026, 11, 1), unmet_need=False, now=NOW, today=date(2026, 11, 2)
            )


def test_a_closure_date_in_the_future_or_before_the_plan_ended_is_refused() -> None:
    _, stepdown, _ = transition(with_plan_end(with_assessment(None), NextStep.CLOSE))
    assert stepdown is not None
    with pytest.raises(Invalid, match="future"):
        domain.close_by_manager(
            stepdown,
            reason=ReasonForClosure.SERVICES_CEASED,
            on=date(2026, 11, 3),
            unmet_need=False,
            now=NOW,
            today=date(2026, 11, 2),
        )
    with pytest.raises(Invalid, match="statutory work ended"):
        domain.close_by_manager(
            stepdown,
            reason=ReasonForClosure.SERVICES_CEASED,
            on=date(2026, 10, 29),
            unmet_need=False,
            now=NOW,
            today=date(2026, 11, 2),
        )


def test_the_response_deadline_counts_working_days_from_the_london_date_and_skips_bank_holidays() -> None:
    # 23:30 UTC on 17 December 2026 is 23:30 in London (GMT): the 17th. Ten working days skip
    # the weekend, Christmas Day, Boxing Day (substitute Monday 28th) and New Year's Day.
    _, stepdown, _ = transition(with_plan_end(with_assessment(None)), now=datetime(2026, 12, 17, 23, 30, tzinfo=UTC))
    assert stepdown is not None and stepdown.stepped_down_on == date(2026, 12, 17)
    assert stepdown.response_due == date(2027, 1, 5)
    # 23:30 UTC on 30 June is 00:30 on 1 July in London (BST): the London date is the 1st.
    _, summer, _ = transition(with_plan_end(with_assessment(None)), now=datetime(2026, 6, 30, 23, 30, tzinfo=UTC))
    assert summer is not None and summer.stepped_down_on == date(2026, 7, 1) and summer.response_due == date(2026, 7, 15)


def test_rule_2990_early_help_accepts_only_a_recorded_handover_and_a_plans_step_down_closes_rc7() -> None:
    """A CIN plan's step-down accepted by early help closed with RC9 until issue 16; the episode had
    a CIN plan, so the census allows RC7 only (rule 2990)."""
    pending = handover_pending()
    with pytest.raises(Conflict, match="not recorded the handover"):
        domain.accept(pending, by=EARLY_HELP, now=NOW, today=date(2026, 11, 2))
    ready, _ = domain.record_handover(pending, handover=HANDOVER)
    accepted, events = domain.accept(ready, by=EARLY_HELP, now=NOW, today=date(2026, 11, 2))
    assert accepted.status is StepdownStatus.ACCEPTED and accepted.closure is not None
    assert [e.event_type for e in events] == ["stepdown.accepted", "case.closed"]
    assert events[1].reason_for_closure is ReasonForClosure.SERVICES_CEASED  # type: ignore[attr-defined]
    assert events[1].closure_date == date(2026, 10, 30) and events[1].unmet_need  # type: ignore[attr-defined]
    assert domain.status_of(accepted) == ("stepped_down", date(2026, 11, 2), "early-help")


def test_rule_2990_early_help_after_an_assessment_alone_closes_rc9_and_after_a_section_47_rc7() -> None:
    for section47, reason in ((False, ReasonForClosure.EARLY_HELP_AFTER_ASSESSMENT), (True, ReasonForClosure.SERVICES_CEASED)):
        episode = domain.receive_assessment(
            None,
            case_id=CASE,
            child_id=CHILD,
            team="north",
            referral_date=date(2026, 4, 1),
            facts=assessment(AssessmentOutcome.EARLY_HELP),
            section47=section47,
        )
        _, stepdown, _ = transition(episode)
        assert stepdown is not None and stepdown.kind is TransitionKind.EARLY_HELP
        ready, _ = domain.record_handover(stepdown, handover=HANDOVER)
        _, events = domain.accept(ready, by=EARLY_HELP, now=NOW, today=date(2026, 11, 2))
        assert events[-1].reason_for_closure is reason  # type: ignore[attr-defined]


def test_the_handover_names_a_lead_professional_or_the_same_lead_practitioner() -> None:
    with pytest.raises(Invalid, match="name the proposed lead professional"):
        domain.record_handover(handover_pending(), handover=Handover("n", "w", None, False, True))
    with pytest.raises(Invalid, match="leave it out"):
        domain.record_handover(handover_pending(), handover=Handover("n", "w", "someone", True, True))


def test_a_declined_handover_goes_back_to_the_manager_once_and_never_closes() -> None:
    ready, _ = domain.record_handover(handover_pending(), handover=HANDOVER)
    declined, events = domain.decline(ready, by=EARLY_HELP, now=NOW, reason=DeclineReason.ABOVE_THRESHOLD)
    assert [e.event_type for e in events] == ["stepdown.declined", "stepdown.escalated"]
    assert declined.closure is None and declined.status is StepdownStatus.DECLINED
    assert domain.escalate_if_overdue(declined, now=NOW, today=date(2027, 3, 1)) == (declined, [])


def test_an_unanswered_handover_escalates_the_day_after_its_deadline_and_only_once() -> None:
    pending = handover_pending()
    assert pending.response_due == date(2026, 11, 16)
    assert domain.escalate_if_overdue(pending, now=NOW, today=date(2026, 11, 16)) == (pending, [])
    escalated, events = domain.escalate_if_overdue(pending, now=NOW, today=date(2026, 11, 17))
    assert [e.event_type for e in events] == ["stepdown.escalated"] and events[0].reason == "unanswered"  # type: ignore[attr-defined]
    assert domain.escalate_if_overdue(escalated, now=NOW, today=date(2026, 11, 18)) == (escalated, [])
    # Early help may still answer it; declining it now does not escalate a second time.
    ready, _ = domain.record_handover(escalated, handover=HANDOVER)
    _, declined = domain.decline(ready, by=EARLY_HELP, now=NOW, reason=DeclineReason.NO_CAPACITY)
    assert [e.event_type for e in declined] == ["stepdown.declined"]


def test_engagement_and_then_the_outcome_are_recorded_after_acceptance() -> None:
    ready, _ = domain.record_handover(handover_pending(), handover=HANDOVER)
    with pytest.raises(Conflict):
        domain.record_engagement(
            ready, engagement=Engagement.ENGAGED, on=date(2026, 11, 2), accepted_on=date(2026, 11, 2), today=date(2026, 11, 2)
        )
    accepted, _ = domain.accept(ready, by=EARLY_HELP, now=NOW, today=date(2026, 11, 2))
    with pytest.raises(Conflict, match="engagement first"):
        domain.record_outcome(
            accepted,
            outcome=EarlyHelpOutcome.NEEDS_MET,
            closed_on=date(2026, 12, 1),
            accepted_on=date(2026, 11, 2),
            today=date(2026, 12, 1),
        )
    with pytest.raises(Invalid, match="before early help accepted"):
        domain.record_engagement(
            accepted, engagement=Engagement.PARTLY, on=date(2026, 11, 1), accepted_on=date(2026, 11, 2), today=date(2026, 12, 1)
        )
    engaged, events = domain.record_engagement(
        accepted, engagement=Engagement.PARTLY, on=date(2026, 12, 1), accepted_on=date(2026, 11, 2), today=date(2026, 12, 1)
    )
    assert events[0].engagement == "partly"  # type: ignore[attr-defined]
    done, events = domain.record_outcome(
        engaged,
        outcome=EarlyHelpOutcome.NEEDS_MET,
        closed_on=date(2027, 2, 1),
        accepted_on=date(2026, 11, 2),
        today=date(2027, 2, 1),
    )
    assert events[0].outcome == "needs_met" and done.early_help_closed_on == date(2027, 2, 1)  # type: ignore[attr-defined]


def test_a_step_up_links_both_ways_and_counts_within_12_months_to_the_day() -> None:
    ready, _ = domain.record_handover(handover_pending(), handover=HANDOVER)
    accepted, _ = domain.accept(ready, by=EARLY_HELP, now=NOW, today=date(2026, 11, 2))
    on_the_day = date(2027, 11, 2)
    step_up, linked, events = domain.request_step_up(
        step_up_id=uuid.uuid4(),
        by=EARLY_HELP,
        child_id=CHILD,
        team="early-help",
        concerns="c",
        what_was_tried="t",
        now=NOW,
        today=on_the_day,
        stepdown=accepted,
        child_known=True,
    )
    assert linked is not None and linked.step_up_id == step_up.id and step_up.stepdown_id == accepted.id
    assert step_up.within_12_months_of_step_down and events[0].within_12_months_of_step_down  # type: ignore[attr-defined]
    assert not domain.within_12_months(accepted.stepped_down_on, date(2027, 11, 3))
    with pytest.raises(Conflict, match="stepped up from this step-down already"):
        domain.request_step_up(
            step_up_id=uuid.uuid4(),
            by=EARLY_HELP,
            child_id=CHILD,
            team="early-help",
            concerns="c",
            what_was_tried="t",
            now=NOW,
            today=on_the_day,
            stepdown=linked,
            child_known=True,
        )


def test_a_re_referral_counts_once_within_12_months_of_the_step_down() -> None:
    pending = handover_pending()
    assert domain.note_re_referral(pending, referral_date=date(2027, 11, 3)) is None
    counted = domain.note_re_referral(pending, referral_date=date(2027, 11, 2))
    assert counted is not None and counted.re_referred_on == date(2027, 11, 2)
    assert domain.note_re_referral(counted, referral_date=date(2027, 1, 1)) is None


def test_point_11_a_re_referral_on_the_day_of_the_step_down_counts_within_12_months_like_a_step_up() -> None:
    pending = handover_pending()
    assert pending.stepped_down_on == date(2026, 11, 2)
    counted = domain.note_re_referral(pending, referral_date=date(2026, 11, 2))
    assert counted is not None and counted.re_referred_on == date(2026, 11, 2)
    assert domain.within_12_months(pending.stepped_down_on, date(2026, 11, 2))
    assert domain.note_re_referral(pending, referral_date=date(2026, 11, 1)) is None


def test_the_audit_sample_is_the_same_for_the_same_month_and_follows_the_rate() -> None:
    candidates = [Candidate(SampledKind.STEPDOWN, uuid.uuid4(), "north") for _ in range(95)]
    first = draw_sample(candidates, month="2026-10", la_code="999", rate=0.05)
    again = draw_sample(list(reversed(candidates)), month="2026-10", la_code="999", rate=0.05)
    assert first == again and len(first) == 5
    assert draw_sample(candidates, month="2026-09", la_code="999", rate=0.05) != first
    assert draw_sample(candidates[:1], month="2026-10", la_code="999", rate=0.05) == candidates[:1]
    assert draw_sample(candidates, month="2026-10", la_code="999", rate=0) == []


def test_months_for_the_audit() -> None:
    assert month_bounds("2026-12") == (date(2026, 12, 1), date(2027, 1, 1))
    assert previous_month(date(2027, 1, 15)) == "2026-12"
    with pytest.raises(Invalid):
        month_bounds("2026-13")
    with pytest.raises(Invalid, match="not ended"):
        check_month_is_over("2026-11", today=date(2026, 11, 30))
    check_month_is_over("2026-11", today=date(2026, 12, 1))


#: No lead practitioner to continue at the front door: a proposed early help worker.
FRONT_DOOR_HANDOVER = Handover("needs", "worked", "Early help worker", False, True)


def _front_door_handover() -> tuple[domain.Episode, domain.Stepdown]:
    episode = _front_door(FrontDoorOutcome.EARLY_HELP)
    marked, stepdown, _ = transition(episode)
    assert stepdown is not None
    return marked, stepdown


def test_a_front_door_decision_corrected_before_early_help_answers_withdraws_the_handover() -> None:
    episode, stepdown = _front_door_handover()
    reopened, withdrawn, events = domain.correct_front_door(
        episode, stepdown, outcome=FrontDoorOutcome.ASSESSMENT, correction_of=uuid.uuid4(), now=NOW
    )
    assert withdrawn is not None and withdrawn.status is StepdownStatus.WITHDRAWN
    assert [e.event_type for e in events] == ["stepdown.withdrawn"]
    assert events[0].corrected_outcome == "assessment"  # type: ignore[attr-defined]
    # The episode goes on in social care: an assessment's end later makes a transition of its own.
    assert reopened.front_door is None and reopened.stepdown_id is None
    nfa = assessment(AssessmentOutcome.NFA, on=date(2026, 10, 20))
    ended = domain.receive_assessment(
        reopened, case_id=CASE, child_id=CHILD, team="front-door", referral_date=date(2026, 10, 1), facts=nfa
    )
    _, later, _ = transition(ended)
    assert later is not None and later.kind is TransitionKind.CLOSE and later.id != stepdown.id


def test_a_declined_handover_is_withdrawn_too_when_the_decision_is_corrected() -> None:
    episode, stepdown = _front_door_handover()
    ready, _ = domain.record_handover(stepdown, handover=FRONT_DOOR_HANDOVER)
    declined, _ = domain.decline(ready, by=EARLY_HELP, now=NOW, reason=DeclineReason.ABOVE_THRESHOLD)
    _, withdrawn, events = domain.correct_front_door(
        episode, declined, outcome=FrontDoorOutcome.STRATEGY_DISCUSSION, correction_of=None, now=NOW
    )
    assert withdrawn is not None and withdrawn.status is StepdownStatus.WITHDRAWN
    assert [e.event_type for e in events] == ["stepdown.withdrawn"]


def test_a_handover_early_help_took_is_told_and_its_closure_stands_when_corrected_to_nfa() -> None:
    episode, stepdown = _front_door_handover()
    ready, _ = domain.record_handover(stepdown, handover=FRONT_DOOR_HANDOVER)
    accepted, _ = domain.accept(ready, by=EARLY_HELP, now=NOW, today=date(2026, 11, 2))
    kept, unchanged, events = domain.correct_front_door(
        episode, accepted, outcome=FrontDoorOutcome.NFA, correction_of=None, now=NOW
    )
    assert kept == episode and unchanged == accepted
    assert [e.event_type for e in events] == ["stepdown.decision_corrected"]
    assert events[0].handover_status == accepted.status.value  # type: ignore[attr-defined]


def test_a_handover_early_help_took_corrected_to_an_assessment_is_told_and_its_closure_withdrawn() -> None:
    """Until issue 16 early help was told and the closure stood, though social care's work went on
    in the episode: a closed episode with an assessment after it. Now the episode reopens."""
    episode, stepdown = _front_door_handover()
    ready, _ = domain.record_handover(stepdown, handover=FRONT_DOOR_HANDOVER)
    accepted, _ = domain.accept(ready, by=EARLY_HELP, now=NOW, today=date(2026, 11, 2))
    corrected = uuid.uuid4()
    goes_on, reopened, events = domain.correct_front_door(
        episode, accepted, outcome=FrontDoorOutcome.ASSESSMENT, correction_of=corrected, now=NOW
    )
    assert [e.event_type for e in events] == ["stepdown.decision_corrected", "case.reopened"]
    assert events[1].closure_date == date(2026, 10, 1) and events[1].correction_of == corrected  # type: ignore[attr-defined]
    assert reopened is not None and reopened.closure is None and reopened.status is StepdownStatus.WITHDRAWN
    assert reopened.answered_by == EARLY_HELP.id and reopened.reopened_at == NOW
    assert goes_on.front_door is None and goes_on.stepdown_id is None


def test_a_correction_of_a_decision_that_sent_nobody_to_early_help_changes_nothing() -> None:
    episode = with_assessment(None)
    assert domain.correct_front_door(episode, None, outcome=FrontDoorOutcome.NFA, correction_of=None, now=NOW) == (
        episode,
        None,
        [],
    )


def test_rule_2990_a_closure_with_rc8_or_rc9_is_refused_after_statutory_work_and_names_it() -> None:
    _, stepdown, _ = transition(with_plan_end(with_assessment(None), NextStep.CLOSE))
    assert stepdown is not None and stepdown.statutory_work == {domain.StatutoryWork.CIN_PLAN}
    for reason in (ReasonForClosure.NFA_AFTER_ASSESSMENT, ReasonForClosure.EARLY_HELP_AFTER_ASSESSMENT):
        with pytest.raises(Invalid, match=r"rule 2990.*a CIN plan") as refused:
            domain.close_by_manager(
                stepdown, reason=reason, on=date(2026, 11, 1), unmet_need=False, now=NOW, today=date(2026, 11, 2)
            )
        assert refused.value.field == "reason_for_closure"
    assert domain.census_reason(ReasonForClosure.NFA_AFTER_ASSESSMENT, frozenset()) is ReasonForClosure.NFA_AFTER_ASSESSMENT
    assert domain.census_reason(ReasonForClosure.ADOPTED, frozenset({domain.StatutoryWork.CP_PLAN})) is ReasonForClosure.ADOPTED


def test_rc2_needs_the_date_of_death_and_a_closure_date_not_before_it() -> None:
    _, stepdown, _ = transition(with_plan_end(with_assessment(None), NextStep.CLOSE))
    assert stepdown is not None

    def close(on: date, date_of_death: date | None) -> domain.Stepdown:
        closed, _ = domain.close_by_manager(
            stepdown,
            reason=ReasonForClosure.DIED,
            on=on,
            unmet_need=False,
            now=NOW,
            today=date(2026, 11, 2),
            date_of_death=date_of_death,
        )
        return closed

    with pytest.raises(Invalid, match="date of death"):
        close(date(2026, 11, 1), None)
    with pytest.raises(Invalid, match="before the child's date of death"):
        close(date(2026, 10, 31), date(2026, 11, 1))
    assert close(date(2026, 11, 1), date(2026, 11, 1)).closure is not None


def test_point_5_a_front_door_nfa_closes_at_once_rc8_referral_nfa_on_the_referral_date() -> None:
    episode = _front_door(FrontDoorOutcome.NFA)
    _, stepdown, events = transition(episode)
    assert stepdown is not None and stepdown.kind is TransitionKind.CLOSE and stepdown.status is StepdownStatus.CLOSED
    [closed] = events
    assert closed.reason_for_closure is ReasonForClosure.NFA_AFTER_ASSESSMENT and closed.referral_nfa  # type: ignore[attr-defined]
    assert closed.closure_date == date(2026, 10, 1)  # type: ignore[attr-defined]
    assert domain.status_of(stepdown) == ("closed", date(2026, 10, 1), "front-door")


def test_point_10_the_status_sent_when_the_nhs_number_is_known_is_the_latest_closed_episodes_or_none() -> None:
    child = domain.ChildFacts(nhs_number="9434765919", date_of_birth=date(2016, 3, 14), date_of_death=None)
    policy = load_policy()
    older, first, _ = transition(with_assessment(None, AssessmentOutcome.NFA))
    newer_episode = domain.receive_assessment(
        None,
        case_id=uuid.uuid4(),
        child_id=CHILD,
        team="north",
        referral_date=date(2026, 8, 1),
        facts=assessment(AssessmentOutcome.NFA, on=date(2026, 9, 1)),
    )
    newer, second, _ = transition(newer_episode)
    assert first is not None and second is not None
    [status] = domain.status_when_identified([older, newer], [first, second], child=child, policy=policy)
    assert (status.status, status.since) == ("closed", date(2026, 9, 1))  # type: ignore[attr-defined]
    still_open = domain.receive_referral(
        None, case_id=uuid.uuid4(), child_id=CHILD, team="north", referral_date=date(2026, 10, 1)
    )
    assert domain.status_when_identified([older, newer, still_open], [first, second], child=child, policy=policy) == []


def test_rule_8820_a_declined_front_door_handover_closes_on_its_referral_date_and_no_later() -> None:
    # A referral closed at the front door is the census's ReferralNFA: closed on its referral date,
    # so it cannot overlap a referral the front door takes while early help decides (rule 8820).
    _, stepdown = _front_door_handover()
    ready, _ = domain.record_handover(stepdown, handover=FRONT_DOOR_HANDOVER)
    declined, _ = domain.decline(ready, by=EARLY_HELP, now=NOW, reason=DeclineReason.ABOVE_THRESHOLD)
    rc8, today = ReasonForClosure.NFA_AFTER_ASSESSMENT, NOW.date()
    with pytest.raises(Invalid) as refused:
        domain.close_by_manager(declined, reason=rc8, on=date(2026, 10, 20), unmet_need=True, now=NOW, today=today)
    assert refused.value.field == "closure_date" and "2026-10-01" in refused.value.reason
    closed, events = domain.close_by_manager(declined, reason=rc8, on=date(2026, 10, 1), unmet_need=True, now=NOW, today=today)
    assert closed.closure is not None and closed.closure.closure_date == date(2026, 10, 1)
    assert [e.event_type for e in events] == ["case.closed"]
