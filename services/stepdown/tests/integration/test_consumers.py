"""The transitions consumer on the real broker: events of three producers in, step-downs out;
duplicates change nothing, a plan's end waits for its assessment, poison goes to the DLQ."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from stepdown_support import Cases, authorised, child_registered, decided, eventually, nhs_number, plan_ended, publish

from continuum.contracts import ASSESSMENT_TOPIC, PLAN_TOPIC, REFERRAL_TOPIC
from continuum.contracts.codes import ReasonForClosure
from continuum_tools.devstack import TansuBroker
from continuum_tools.testing.suites import duplicates_change_nothing, handled, poison_is_dead_lettered
from stepdown.consumers import TRANSITIONS_CONSUMER


async def stepdown_of(cases: Cases, case_id: uuid.UUID) -> dict[str, Any] | None:
    return await cases.row("SELECT * FROM stepdowns WHERE case_id = :c", c=case_id)


async def test_a_plan_end_delivered_before_its_assessment_waits_and_then_becomes_a_pending_handover(
    broker: TansuBroker, cases: Cases
) -> None:
    child = uuid.uuid4()
    a = authorised(child_id=child)
    case = a.data.case_id
    ended = plan_ended(case_id=case, child_id=child)
    await publish(broker.bootstrap, PLAN_TOPIC, ended)
    await eventually(lambda: cases.row("SELECT * FROM episodes WHERE case_id = :c", c=case))
    assert await stepdown_of(cases, case) is None  # waits for the assessment, never guesses
    await publish(broker.bootstrap, ASSESSMENT_TOPIC, a)
    row = await eventually(lambda: stepdown_of(cases, case))
    assert row["status"] == "pending" and row["kind"] == "early_help" and row["trigger"] == "plan"
    assert row["referral_date"] == date(2026, 4, 1) and row["ended_on"] == date(2026, 10, 30) and row["assessed"]
    assert [e["event_type"] for e in await cases.events(case)] == ["stepdown.requested"]


async def test_the_same_events_delivered_three_times_make_one_transition(broker: TansuBroker, cases: Cases) -> None:
    child = uuid.uuid4()
    a = authorised(child_id=child)
    ended = plan_ended(case_id=a.data.case_id, child_id=child)
    # A later event on the same key (the same partition) proves all before it were consumed.
    after = plan_ended(case_id=a.data.case_id, child_id=child, next_step="close")
    await publish(broker.bootstrap, ASSESSMENT_TOPIC, a, a, a)
    # The topics are not ordered with each other: the assessment first, so the plan ends after it.
    await eventually(
        lambda: cases.scalar("SELECT count(*) FROM inbox WHERE consumer = :c AND event_id = :e", c=TRANSITIONS_CONSUMER, e=a.id)
    )
    await duplicates_change_nothing(
        broker.bootstrap, PLAN_TOPIC, cases, consumer=TRANSITIONS_CONSUMER, event=ended, after=after, key=ended.subject
    )
    assert await handled(cases, TRANSITIONS_CONSUMER, a) == 1
    assert await cases.scalar("SELECT count(*) FROM stepdowns WHERE case_id = :c", c=a.data.case_id) == 1
    assert len(await cases.events(a.data.case_id, "stepdown.requested")) == 1
    row = await stepdown_of(cases, a.data.case_id)
    assert row is not None and row["kind"] == "early_help"  # the episode transitioned once; a later end changes nothing


async def test_poison_goes_to_the_dlq_and_the_next_event_is_handled(broker: TansuBroker, cases: Cases) -> None:
    bad = authorised().to_json_dict()
    bad["data"]["outcome"] = "adoption"
    good = authorised(outcome="nfa")
    unknown_team = authorised(outcome="nfa", team="atlantis")
    await poison_is_dead_lettered(
        broker.bootstrap, ASSESSMENT_TOPIC, cases, consumer=TRANSITIONS_CONSUMER, broken=bad, then=good, refused=[unknown_team]
    )
    assert await stepdown_of(cases, good.data.case_id) is not None
    assert await stepdown_of(cases, unknown_team.data.case_id) is None


async def test_nfa_after_assessment_closes_the_episode_rc8_at_once(cases: Cases) -> None:
    child, number = uuid.uuid4(), nhs_number()
    await cases.deliver(child_registered(child, nhs_number=number))
    a = authorised(outcome="nfa", child_id=child)
    await cases.deliver(a)
    events = await cases.events(a.data.case_id)
    assert [e["event_type"] for e in events] == ["case.closed"]
    closed = events[0]["payload"]["data"]
    assert closed["reason_for_closure"] == "RC8" and closed["closure_date"] == "2026-05-20" and not closed["referral_nfa"]
    [status] = await cases.partner_statuses(number)
    assert status["status"] == "closed" and status["since"] == "2026-05-20"


async def test_front_door_early_help_is_a_handover_and_a_cin_plan_outcome_is_not(cases: Cases) -> None:
    d = decided(outcome="early_help")
    await cases.deliver(d)
    row = await stepdown_of(cases, d.data.case_id)
    assert row is not None and row["trigger"] == "front_door" and not row["assessed"] and row["status"] == "pending"
    a = authorised(outcome="cin_plan")
    await cases.deliver(a)
    assert await stepdown_of(cases, a.data.case_id) is None


async def test_the_partner_status_waits_for_the_childs_identity(cases: Cases) -> None:
    child, number = uuid.uuid4(), nhs_number()
    a = authorised(outcome="nfa", child_id=child)
    await cases.deliver(a)
    assert await cases.partner_statuses(number) == []
    await cases.deliver(child_registered(child, nhs_number=number))
    [status] = await cases.partner_statuses(number)
    assert status["nhs_number"] == number and status["status"] == "closed" and status["since"] == "2026-05-20"
    await cases.deliver(child_registered(child, version=2, nhs_number=number))
    assert len(await cases.partner_statuses(number)) == 1


async def test_a_new_referral_within_12_months_counts_as_a_re_referral_on_the_step_down(cases: Cases) -> None:
    row = await cases.pending_handover()
    stepped_down_on = row["stepped_down_on"]
    again = decided(outcome="assessment", child_id=row["child_id"], referral_date=date(stepped_down_on.year + 1, 1, 1))
    await cases.deliver(again)
    counted = await stepdown_of(cases, row["case_id"])
    assert counted is not None and counted["re_referred_on"] == date(stepped_down_on.year + 1, 1, 1)


async def test_front_door_decisions_on_the_referral_topic_are_consumed(broker: TansuBroker, cases: Cases) -> None:
    d = decided(outcome="early_help")
    await publish(broker.bootstrap, REFERRAL_TOPIC, d)
    row = await eventually(lambda: stepdown_of(cases, d.data.case_id))
    assert row["response_due"] is not None


async def test_a_front_door_decision_corrected_away_from_early_help_withdraws_the_handover_and_back_makes_a_new_one(
    cases: Cases,
) -> None:
    first = decided(outcome="early_help")
    await cases.deliver(first)
    handover = await stepdown_of(cases, first.data.case_id)
    assert handover is not None and handover["status"] == "pending"

    to_assessment = decided(
        outcome="assessment", case_id=first.data.case_id, child_id=first.data.child_id, correction_of=first.id
    )
    assert await cases.deliver(to_assessment) == "handled"
    withdrawn = await cases.row("SELECT status FROM stepdowns WHERE id = :id", id=handover["id"])
    assert withdrawn is not None and withdrawn["status"] == "withdrawn"
    [event] = await cases.events(first.data.case_id, "stepdown.withdrawn")
    assert event["payload"]["data"]["corrected_outcome"] == "assessment"
    assert await cases.deliver(to_assessment) == "duplicate"

    back = decided(outcome="early_help", case_id=first.data.case_id, child_id=first.data.child_id, correction_of=to_assessment.id)
    await cases.deliver(back)
    rows = await cases.rows("SELECT status FROM stepdowns WHERE case_id = :c ORDER BY requested_at", c=first.data.case_id)
    assert [r["status"] for r in rows] == ["withdrawn", "pending"]


async def test_a_plan_that_closed_the_case_with_its_census_reason_closes_the_episode_at_once(cases: Cases) -> None:
    a = authorised(outcome="cin_plan")
    await cases.deliver(a)
    await cases.deliver(
        plan_ended(
            case_id=a.data.case_id,
            child_id=a.data.child_id,
            next_step="close",
            unmet_need=False,
            reason_for_closure=ReasonForClosure.CHILD_ARRANGEMENTS_ORDER,
        )
    )
    row = await stepdown_of(cases, a.data.case_id)
    assert row is not None and row["status"] == "closed" and row["closure_reason"] == "RC3"
    [closed] = await cases.events(a.data.case_id, "case.closed")
    assert closed["payload"]["data"]["reason_for_closure"] == "RC3"
