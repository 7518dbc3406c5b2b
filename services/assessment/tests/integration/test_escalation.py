"""Issue 16, point 6: a child in need plan ended ``escalate_cp``, or a strategy discussion recorded
during one, starts a strategy discussion and section 47 enquiry here (a new assessment on the
section 47 route, its enquiry started, the initial conference due 15 working days after the
strategy discussion), through the escalation consumer on the real broker and database; then the
usual path: the conference, the conclusion that drafts a CP plan, the allocation to a social worker
and the authorisation. Duplicates change nothing, either order gives one enquiry, a case never seen
works from the event's own ids (decision 35)."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Any

from assessment_support import (
    Api,
    Cases,
    assert_problem,
    child_registered,
    etag,
    eventually,
    nhs_number,
    plan_ended,
    publish,
    strategy_discussion,
)

from assessment import domain
from assessment.consumers import ESCALATION_CONSUMER
from continuum.casework import clock
from continuum.casework.policy import load_policy
from continuum.contracts import PLAN_TOPIC, Envelope, PartnerStatus
from continuum.messaging.kafka import dlq_topic
from continuum_tools.devstack import TansuBroker
from continuum_tools.testing import read_raw

POLICY = load_policy(None)
NIL = "00000000-0000-0000-0000-000000000000"
CP_RECORD: dict[str, Any] = {
    "start_date": "2026-11-27",
    "child_seen_date": "2026-11-30",
    "child_seen_alone": True,
    "factors": ["3A", "16A"],
    "primary_need": "N1",
    "recommendation": "child_protection",
    "recommendation_summary": "Significant harm from neglect and domestic abuse.",
}


async def escalated(cases: Cases, plan_id: uuid.UUID) -> list[dict[str, Any]]:
    """The assessments the plan's escalations opened, oldest first."""
    return await cases.rows("SELECT * FROM assessments WHERE escalated_from_plan_id = :p ORDER BY opened_at", p=plan_id)


async def enquiry_of(cases: Cases, assessment_id: Any) -> dict[str, Any]:
    row = await cases.row("SELECT * FROM section47_enquiries WHERE assessment_id = :a", a=assessment_id)
    assert row is not None
    return row


async def triggers(cases: Cases, case_id: Any) -> list[dict[str, Any]]:
    return await cases.rows("SELECT * FROM escalation_triggers WHERE case_id = :c ORDER BY recorded_at, requested_at", c=case_id)


async def counts(cases: Cases, case_id: Any) -> dict[str, int]:
    """Everything an escalation of the case writes, counted."""
    return {
        table: await cases.scalar(f"SELECT count(*) FROM {table} WHERE case_id = :c", c=case_id)
        for table in ("assessments", "section47_enquiries", "escalation_triggers")
    } | {"outbox": await cases.scalar("SELECT count(*) FROM outbox WHERE key = :c", c=str(case_id))}


def _data(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [r["payload"]["data"] for r in rows]


# --- the domain, pure ---------------------------------------------------------------------------


def test_point_6_the_icpc_target_is_15_working_days_after_the_strategy_discussion_across_christmas() -> None:
    held = strategy_discussion(held_on=date(2026, 12, 18)).data
    escalation = domain.from_strategy_discussion(held)
    assert escalation is not None
    record, opened, events = domain.escalate(
        escalation,
        open_enquiry=None,
        episode_referral_id=None,
        assessment_id=uuid.uuid4(),
        section47_id=uuid.uuid4(),
        child=None,
        policy=POLICY,
    )
    assert opened is not None and opened.section47 is not None and record.result is domain.EscalationResult.OPENED
    # Christmas Day, Boxing Day (moved to Monday 28) and New Year's Day are not working days.
    assert opened.section47.icpc_target_date == date(2027, 1, 13)
    assert (opened.section47.strategy_discussion_date, opened.section47.start_date) == (date(2026, 12, 18), date(2026, 12, 18))
    assert opened.assessment.due_date == domain.due_date(date(2026, 12, 18))
    assert [e.event_type for e in events] == ["assessment.opened", "section47.started"]  # the child is not known yet


def test_point_6_only_a_cin_plans_escalation_asks_for_an_enquiry() -> None:
    assert domain.from_plan_ended(plan_ended(next_step="close").data, at=datetime.now(UTC), source="plan") is None
    assert domain.from_plan_ended(plan_ended(plan_type="cp").data, at=datetime.now(UTC), source="plan") is None
    assert domain.from_strategy_discussion(strategy_discussion(plan_type="cp").data) is None
    ended = plan_ended(end_date=date(2026, 11, 27)).data
    found = domain.from_plan_ended(ended, at=datetime(2026, 11, 27, 15, tzinfo=UTC), source="plan")
    assert found is not None and found.strategy_discussion_date == date(2026, 11, 27)  # the plan's end date


# --- through the broker -------------------------------------------------------------------------


async def test_point_6_a_cin_plan_ended_escalate_cp_becomes_a_section_47_and_a_cp_plan_conference(
    broker: TansuBroker, api: Api, cases: Cases
) -> None:
    nhs = nhs_number()
    front = await cases.open(nhs_number=nhs)  # the episode's first assessment, from the front door
    ended = plan_ended(case_id=front["case_id"], child_id=front["child_id"], end_date=date(2026, 11, 27))
    await publish(broker.bootstrap, ended, topic=PLAN_TOPIC)
    (row,) = await eventually(lambda: escalated(cases, ended.data.plan_id), what="the escalated assessment")

    # A new assessment on the section 47 route, in the same episode, its clock from the strategy
    # discussion (the plan's end date), unallocated until a manager allocates a social worker.
    assert (row["route"], row["status"], row["case_id"], row["referral_id"]) == (
        "section47",
        "unallocated",
        front["case_id"],
        front["referral_id"],
    )
    assert (row["referral_date"], row["due_date"]) == (date(2026, 11, 27), domain.due_date(date(2026, 11, 27)))
    s47 = await enquiry_of(cases, row["id"])
    # InitialCPCtarget: 15 working days after Friday 27 November 2026 is Friday 18 December.
    assert (s47["status"], s47["strategy_discussion_date"], s47["start_date"], s47["icpc_target_date"]) == (
        "started",
        date(2026, 11, 27),
        date(2026, 11, 27),
        date(2026, 12, 18),
    )
    assert [e["event_type"] for e in await cases.events(front["case_id"])][-2:] == ["assessment.opened", "section47.started"]
    opened_events = _data(await cases.events(front["case_id"], "assessment.opened"))
    (opened,) = [e for e in opened_events if e["assessment_id"] == str(row["id"])]
    assert (opened["escalated_from_plan_id"], opened["section47_id"], opened["route"]) == (
        str(ended.data.plan_id),
        str(s47["id"]),
        "section47",
    )
    (started,) = _data(await cases.events(front["case_id"], "section47.started"))
    assert (started["strategy_discussion_date"], started["start_date"], started["icpc_target_date"], started["started_by"]) == (
        "2026-11-27",
        "2026-11-27",
        "2026-12-18",
        "plan",
    )
    # Partners: "assessment", since the day it opened (the front door's assessment sent one before).
    assert [(s["status"], s["since"]) for s in await cases.statuses(nhs)] == [
        ("assessment", "2026-11-20"),
        ("assessment", "2026-11-27"),
    ]
    assert [(t["trigger"], t["result"], t["section47_id"]) for t in await triggers(cases, front["case_id"])] == [
        ("plan_ended", "opened", s47["id"])
    ]

    # The usual path: the conference (its date is the CP plan's start), the conclusion.
    async with api.manager() as manager:
        r = await manager.post(
            f"/v1/section47/{s47['id']}/conclusion", json={"icpc_date": "2026-12-03", "outcome": "cp_plan"}, headers=etag(1)
        )
        assert r.status_code == 200, r.text
        listed = await manager.get("/v1/assessments", params={"case_id": str(front["case_id"])})
    (concluded,) = _data(await cases.events(front["case_id"], "section47.concluded"))
    assert (concluded["icpc_date"], concluded["icpc_within_target"], concluded["outcome"], concluded["assessment_id"]) == (
        "2026-12-03",
        True,
        "cp_plan",
        str(row["id"]),
    )
    assert [(i["route"], i["escalated_from_plan_id"]) for i in listed.json()["items"]] == [
        ("section17", None),
        ("section47", str(ended.data.plan_id)),
    ]

    # Allocation rules apply: section 47 needs a social worker.
    lead = f"sw-{uuid.uuid4().hex[:8]}"
    async with api.manager() as manager:
        refused = await manager.post(
            f"/v1/assessments/{row['id']}/allocation",
            json={"lead_practitioner": "fsp-1", "lead_practitioner_role": "family_support_practitioner"},
            headers=etag(1),
        )
        assert_problem(refused, 422, "lead_practitioner_role")
        r = await manager.post(
            f"/v1/assessments/{row['id']}/allocation",
            json={"lead_practitioner": lead, "lead_practitioner_role": "social_worker"},
            headers=etag(1),
        )
        assert r.status_code == 200, r.text
    async with api.as_user("practitioner", sub=lead) as practitioner:
        r = await practitioner.patch(f"/v1/assessments/{row['id']}", json=CP_RECORD, headers=etag(2))
        assert r.status_code == 200, r.text
        r = await practitioner.post(f"/v1/assessments/{row['id']}/submission", headers=etag(3))
        assert r.status_code == 200, r.text
    today = clock.today().isoformat()
    async with api.manager() as manager:
        r = await manager.post(
            f"/v1/assessments/{row['id']}/authorisation",
            json={"authorisation_date": today, "outcome": "child_protection"},
            headers=etag(4),
        )
    assert r.status_code == 200, r.text
    (authorised,) = _data(await cases.events(front["case_id"], "assessment.authorised"))
    # Point 7: the authorisation carries the factors, the primary need and the lead practitioner.
    assert (authorised["factors"], authorised["primary_need"], authorised["lead_practitioner"]) == (["3A", "16A"], "N1", lead)
    assert (authorised["route"], authorised["section47_id"], authorised["reason_for_closure"]) == (
        "section47",
        str(s47["id"]),
        None,
    )


async def test_point_6_a_strategy_discussion_for_a_case_never_seen_works_from_the_events_ids(
    broker: TansuBroker, cases: Cases
) -> None:
    nhs = nhs_number()
    held = strategy_discussion(held_on=date(2026, 11, 25))
    await publish(broker.bootstrap, held, topic=PLAN_TOPIC)
    (row,) = await eventually(lambda: escalated(cases, held.data.plan_id), what="the escalated assessment")
    assert (row["case_id"], row["child_id"], row["team"], str(row["referral_id"])) == (
        held.data.case_id,
        held.data.child_id,
        "north",
        NIL,  # no referral known here
    )
    s47 = await enquiry_of(cases, row["id"])
    # 15 working days after Wednesday 25 November 2026.
    assert (s47["status"], s47["icpc_target_date"], s47["started_by"]) == ("started", date(2026, 12, 16), "sw-plan")
    (opened,) = _data(await cases.events(held.data.case_id, "assessment.opened"))
    assert opened["referral_id"] == NIL and opened["escalated_from_plan_id"] == str(held.data.plan_id)
    # The partner status waits for the child's NHS number, then says "assessment" since the day it opened.
    assert not row["partner_status_sent"] and await cases.statuses(nhs) == []
    await cases.deliver(child_registered(held.data.child_id, nhs_number=nhs))
    (status,) = await cases.statuses(nhs)
    assert (status["status"], status["since"]) == (PartnerStatus.ASSESSMENT.value, "2026-11-25")


async def test_point_6_the_same_trigger_delivered_again_changes_nothing(cases: Cases) -> None:
    ended = plan_ended()
    assert await cases.escalate(ended) == "handled"
    before = await counts(cases, ended.data.case_id)
    assert before == {"assessments": 1, "section47_enquiries": 1, "escalation_triggers": 1, "outbox": 2}
    assert await cases.escalate(ended) == "duplicate"  # the same event: the inbox
    again = Envelope.wrap(ended.data, source="plan", subject=ended.subject, aggregate_version=5)
    assert again.id != ended.id
    assert await cases.escalate(again) == "handled"  # the same trigger with another event id
    assert await counts(cases, ended.data.case_id) == before


async def test_point_6_never_two_open_enquiries_for_one_case_in_either_order(cases: Cases) -> None:
    for first_kind in ("strategy_discussion", "plan_ended"):
        case, child, plan = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
        held = strategy_discussion(case_id=case, child_id=child, plan_id=plan, held_on=date(2026, 11, 25))
        ended = plan_ended(case_id=case, child_id=child, plan_id=plan, end_date=date(2026, 11, 27))
        first, second = (held, ended) if first_kind == "strategy_discussion" else (ended, held)
        await cases.escalate(first)
        after_first = await counts(cases, case)
        assert await cases.escalate(second) == "handled"
        # Nothing started or published; the second trigger is kept, naming the enquiry it found.
        after_second = await counts(cases, case)
        assert after_second == after_first | {"escalation_triggers": 2}
        (row,) = await escalated(cases, plan)
        s47 = await enquiry_of(cases, row["id"])
        assert s47["strategy_discussion_date"] == (date(2026, 11, 25) if first is held else date(2026, 11, 27))
        found = await triggers(cases, case)
        assert [(t["trigger"], t["result"], t["section47_id"]) for t in found] == [
            (first_kind, "opened", s47["id"]),
            ("plan_ended" if first is held else "strategy_discussion", "enquiry_open", s47["id"]),
        ]
        audited = await cases.scalar(
            "SELECT count(*) FROM audit_log WHERE action = 'section47.escalation' AND subject_id = :s", s=str(s47["id"])
        )
        assert audited == 1


async def test_point_6_the_front_doors_open_enquiry_is_the_cases_enquiry(cases: Cases) -> None:
    front = await cases.open(outcome="strategy_discussion")
    front_s47 = await enquiry_of(cases, front["id"])
    ended = plan_ended(case_id=front["case_id"], child_id=front["child_id"])
    before = await counts(cases, front["case_id"])
    await cases.escalate(ended)
    assert await counts(cases, front["case_id"]) == before | {"escalation_triggers": 1}
    (found,) = await triggers(cases, front["case_id"])
    assert (found["result"], found["assessment_id"], found["section47_id"]) == ("enquiry_open", front["id"], front_s47["id"])


async def test_point_6_once_the_enquiry_concluded_a_new_strategy_discussion_starts_another(api: Api, cases: Cases) -> None:
    plan = uuid.uuid4()
    first = strategy_discussion(plan_id=plan, held_on=date(2026, 11, 23))
    await cases.escalate(first)
    (row,) = await escalated(cases, plan)
    s47 = await enquiry_of(cases, row["id"])
    async with api.manager() as manager:
        r = await manager.post(
            f"/v1/section47/{s47['id']}/conclusion", json={"icpc_not_required": True, "outcome": "no_cp_plan"}, headers=etag(1)
        )
        assert r.status_code == 200, r.text
    again = strategy_discussion(plan_id=plan, case_id=first.data.case_id, child_id=first.data.child_id, held_on=date(2026, 12, 2))
    await cases.escalate(again)
    rows = await escalated(cases, plan)
    assert len(rows) == 2
    assert (await enquiry_of(cases, rows[1]["id"]))["strategy_discussion_date"] == date(2026, 12, 2)
    assert [t["result"] for t in await triggers(cases, first.data.case_id)] == ["opened", "opened"]


async def test_point_6_other_plan_events_ask_nothing(cases: Cases) -> None:
    for event in (
        plan_ended(next_step="close"),
        plan_ended(next_step="step_down_early_help"),
        plan_ended(plan_type="cp", next_step="escalate_cp"),
        strategy_discussion(plan_type="cp"),
    ):
        assert await cases.escalate(event) == "handled"
        assert await counts(cases, event.data.case_id) == {
            "assessments": 0,
            "section47_enquiries": 0,
            "escalation_triggers": 0,
            "outbox": 0,
        }


async def test_point_6_a_trigger_that_cannot_be_right_is_dead_lettered(broker: TansuBroker, cases: Cases) -> None:
    case = uuid.uuid4()
    unknown_team = plan_ended(case_id=case, team="atlantis")
    # Held on the 28th, reported on the 27th: a strategy discussion cannot be reported before it is held.
    too_early = strategy_discussion(case_id=case, held_on=date(2026, 11, 28), recorded_at=datetime(2026, 11, 27, 12, tzinfo=UTC))
    good = strategy_discussion(case_id=case)
    await publish(broker.bootstrap, unknown_team, too_early, good, topic=PLAN_TOPIC)
    await eventually(lambda: escalated(cases, good.data.plan_id), what="the good trigger after the refused ones")
    assert await escalated(cases, unknown_team.data.plan_id) == [] and await escalated(cases, too_early.data.plan_id) == []

    async def letters() -> list[Any] | None:
        found = [r for r in await read_raw(broker.bootstrap, dlq_topic(ESCALATION_CONSUMER)) if r.key == str(case).encode()]
        return found if len(found) >= 2 else None

    reasons = [dict(r.headers)["dlq_reason"].decode() for r in await eventually(letters, what="two dead letters")]
    assert reasons[0].startswith("rejected:") and "team" in reasons[0]
    assert reasons[1].startswith("rejected:") and "strategy_discussion_date" in reasons[1]


async def test_rule_2990_an_escalated_assessment_closed_by_nfa_gives_rc7(api: Api, cases: Cases) -> None:
    ended = plan_ended(end_date=date(2026, 11, 27))
    await cases.escalate(ended)
    (row,) = await escalated(cases, ended.data.plan_id)
    s47 = await enquiry_of(cases, row["id"])
    lead = f"sw-{uuid.uuid4().hex[:8]}"
    async with api.manager() as manager:
        r = await manager.post(
            f"/v1/section47/{s47['id']}/conclusion", json={"icpc_not_required": True, "outcome": "no_cp_plan"}, headers=etag(1)
        )
        assert r.status_code == 200, r.text
        r = await manager.post(
            f"/v1/assessments/{row['id']}/allocation",
            json={"lead_practitioner": lead, "lead_practitioner_role": "social_worker"},
            headers=etag(1),
        )
        assert r.status_code == 200, r.text
    nfa = CP_RECORD | {"factors": ["21"], "primary_need": "N9", "recommendation": "nfa"}
    async with api.as_user("practitioner", sub=lead) as practitioner:
        r = await practitioner.patch(f"/v1/assessments/{row['id']}", json=nfa, headers=etag(2))
        assert r.status_code == 200, r.text
        r = await practitioner.post(f"/v1/assessments/{row['id']}/submission", headers=etag(3))
        assert r.status_code == 200, r.text
    today = clock.today().isoformat()
    async with api.manager() as manager:
        r = await manager.post(
            f"/v1/assessments/{row['id']}/authorisation", json={"authorisation_date": today, "outcome": "nfa"}, headers=etag(4)
        )
    assert r.status_code == 200, r.text
    assert (r.json()["closure_reason"], r.json()["closure_date"]) == ("RC7", today)
    (authorised,) = _data(await cases.events(ended.data.case_id, "assessment.authorised"))
    assert authorised["reason_for_closure"] == "RC7"
