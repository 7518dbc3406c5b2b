"""Child protection plans as the census reads them, through the API and the drafting consumer: a
CP plan starts on the date of the initial conference that decided it whatever day it is approved
(rule 2885), its first review conference falls within 3 months of that date, and neither a review
nor its ending may fall on its start day (8841, 8840); the conference and the assessment's
authorisation make the same plan in either order; the latest category of abuse is announced
whenever it changes; the CP plan counts the child's previous CP plans (8730) and replaces the case's
CIN plan; a strategy discussion during a CIN plan is announced for the assessment service."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

from plan_support import (
    CONTENT,
    Api,
    Cases,
    action_body,
    assert_problem,
    authorised,
    child_registered,
    concluded,
    etag,
    nhs_number,
)

from continuum.casework import clock
from plan.domain.schedule import add_months

TODAY = clock.today()
YESTERDAY = TODAY - timedelta(days=1)


async def _ready(api: Api, plan_id: Any, version: int) -> dict[str, Any]:
    """Content, the category of abuse and an action, so the draft can be approved."""
    async with api.practitioner() as sw:
        r = await sw.patch(f"/v1/plans/{plan_id}", json={"content": CONTENT, "category_of_abuse": "NEG"}, headers=etag(version))
        assert r.status_code == 200, r.text
        r = await sw.post(f"/v1/plans/{plan_id}/actions", json=action_body(), headers=etag(r.json()["version"]))
        assert r.status_code == 201, r.text
    return dict(r.json())


async def _approve(api: Api, plan: dict[str, Any], body: dict[str, Any] | None = None) -> Any:
    async with api.manager() as manager:
        return await manager.post(f"/v1/plans/{plan['id']}/approval", json=body or {}, headers=etag(plan["version"]))


async def _conference_plan(api: Api, cases: Cases, *, icpc: date, nhs: str | None = None) -> dict[str, Any]:
    """A CP plan drafted by a conference held on ``icpc``, ready to approve."""
    child = uuid.uuid4()
    await cases.deliver(child_registered(child, nhs_number=nhs or nhs_number()))
    conference = concluded(child_id=child, icpc_date=icpc)
    await cases.deliver(conference)
    row = await cases.row("SELECT id, version FROM plans WHERE case_id = :c", c=conference.data.case_id)
    assert row is not None
    return await _ready(api, row["id"], row["version"])


async def test_rule_2885_a_cp_plan_starts_on_the_conference_date_recorded_a_day_late(api: Api, cases: Cases) -> None:
    nhs = nhs_number()
    plan = await _conference_plan(api, cases, icpc=YESTERDAY, nhs=nhs)  # drafted today, the day after the conference
    before = await cases.snapshot(plan["id"])
    refused = await _approve(api, plan, {"start_date": TODAY.isoformat()})
    assert "2885" in assert_problem(refused, 422, "start_date")["errors"][0]["reason"]
    assert await cases.snapshot(plan["id"]) == before
    r = await _approve(api, plan)
    assert r.status_code == 200, r.text
    started = r.json()
    assert (started["start_date"], started["conference_date"], started["next_review_due"]) == (
        YESTERDAY.isoformat(),
        YESTERDAY.isoformat(),
        add_months(YESTERDAY, 3).isoformat(),  # the first review conference: 3 months from the conference
    )
    event = (await cases.events(plan["case_id"], "plan.started"))[0]["payload"]["data"]
    assert (event["start_date"], event["next_review_due"]) == (YESTERDAY.isoformat(), add_months(YESTERDAY, 3).isoformat())
    assert [(s["status"], s["since"]) for s in await cases.partner_statuses(nhs)] == [("cp_plan", YESTERDAY.isoformat())]


async def test_rule_2885_a_cp_plan_the_assessment_drafted_waits_for_its_conference(api: Api, cases: Cases) -> None:
    needs = authorised(outcome="child_protection", route="section47")
    await cases.deliver(needs)
    row = await cases.row("SELECT id, version FROM plans WHERE case_id = :c", c=needs.data.case_id)
    assert row is not None
    plan = await _ready(api, row["id"], row["version"])
    before = await cases.snapshot(plan["id"])
    waiting = await _approve(api, plan, {"start_date": TODAY.isoformat()})
    assert assert_problem(waiting, 409, "start_date")["type"].endswith("/conference-date-unknown")
    assert await cases.snapshot(plan["id"]) == before
    await cases.deliver(
        concluded(
            case_id=needs.data.case_id, child_id=needs.data.child_id, assessment_id=needs.data.assessment_id, icpc_date=YESTERDAY
        )
    )
    async with api.manager() as manager:
        plan = (await manager.get(f"/v1/plans/{plan['id']}")).json()
    r = await _approve(api, plan)
    assert r.status_code == 200 and r.json()["start_date"] == YESTERDAY.isoformat(), r.text


async def test_rules_8840_and_8841_a_cp_plan_is_not_reviewed_or_ended_on_its_start_day(api: Api, cases: Cases) -> None:
    plan = await cases.started(api, plan_type="cp")  # its conference was yesterday
    assert plan["start_date"] == YESTERDAY.isoformat()
    before = await cases.snapshot(plan["id"])
    progress = [{"action_id": plan["actions"][0]["id"], "progress": "in_progress"}]
    review = {"progress": progress, "decision": "continue", "exit_criteria_met": False, "concerns_remain": True}
    ending = {
        "reason": "Concerns resolved at the first review.",
        "unmet_need": False,
        "next_step": "step_down_cin",
        "actions": [{"action_id": plan["actions"][0]["id"], "progress": "done"}],
    }
    async with api.manager() as manager:
        on_start = await manager.post(
            f"/v1/plans/{plan['id']}/reviews", json=review | {"review_date": YESTERDAY.isoformat()}, headers=etag(plan["version"])
        )
        ended_on_start = await manager.post(
            f"/v1/plans/{plan['id']}/ending", json=ending | {"end_date": YESTERDAY.isoformat()}, headers=etag(plan["version"])
        )
    assert "8841" in assert_problem(on_start, 422, "review_date")["errors"][0]["reason"]
    assert "8840" in assert_problem(ended_on_start, 422, "end_date")["errors"][0]["reason"]
    assert await cases.snapshot(plan["id"]) == before
    async with api.manager() as manager:
        r = await manager.post(
            f"/v1/plans/{plan['id']}/reviews", json=review | {"review_date": TODAY.isoformat()}, headers=etag(plan["version"])
        )
        assert r.status_code == 201, r.text
        r = await manager.post(
            f"/v1/plans/{plan['id']}/ending", json=ending | {"end_date": TODAY.isoformat()}, headers=etag(r.json()["version"])
        )
    assert r.status_code == 200, r.text


async def _cp_plan_from(cases: Cases, first: Any, second: Any) -> dict[str, Any]:
    await cases.deliver(first)
    await cases.deliver(second)
    await cases.deliver(second)  # a repeat changes nothing
    await cases.deliver(first)
    (row,) = await cases.rows("SELECT * FROM plans WHERE case_id = :c", c=first.data.case_id)
    assert len(await cases.events(first.data.case_id, "plan.drafted")) == 1
    return row


async def test_the_conference_and_the_authorisation_make_the_same_cp_plan_in_either_order(cases: Cases) -> None:
    """Issue 16 point 7: the assessment authorised after the conference (which names the same
    assessment) was taken for a repeat, so the CP plan lacked its factors, need and lead."""
    plans = []
    for conference_first in (True, False):
        case, child, assessment, section47 = uuid.uuid4(), uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
        needs = authorised(outcome="child_protection", route="section47", case_id=case, child_id=child, assessment_id=assessment)
        conference = concluded(
            case_id=case, child_id=child, assessment_id=assessment, section47_id=section47, icpc_date=YESTERDAY
        )
        row = await _cp_plan_from(cases, *((conference, needs) if conference_first else (needs, conference)))
        plans.append(row)
        assert (row["assessment_id"], row["section47_id"], row["conference_date"]) == (assessment, section47, YESTERDAY)
    same = ("plan_type", "status", "factors", "primary_need", "lead_practitioner", "conference_date", "version")
    assert [{k: p[k] for k in same} for p in plans] == [
        {
            "plan_type": "cp",
            "status": "draft",
            "factors": ["3A", "4B"],
            "primary_need": "N1",
            "lead_practitioner": "sw-lead",
            "conference_date": YESTERDAY,
            "version": 2,
        }
    ] * 2


async def test_a_cin_plan_stepped_down_from_a_cp_plan_keeps_the_assessed_needs(api: Api, cases: Cases) -> None:
    plan = await cases.started(api, plan_type="cp")  # the conference first, then the authorisation
    assert (plan["factors"], plan["primary_need"], plan["lead_practitioner"]) == (["3A", "4B"], "N1", "sw-lead")
    ending = {
        "end_date": TODAY.isoformat(),
        "reason": "The review conference ended the CP plan; CIN support continues.",
        "unmet_need": True,
        "next_step": "step_down_cin",
        "actions": [{"action_id": plan["actions"][0]["id"], "progress": "in_progress"}],
    }
    async with api.manager() as manager:
        r = await manager.post(f"/v1/plans/{plan['id']}/ending", json=ending, headers=etag(plan["version"]))
        assert r.status_code == 200, r.text
        found = (await manager.get("/v1/plans", params={"case_id": plan["case_id"]})).json()["items"]
        cin = (await manager.get(f"/v1/plans/{found[1]['plan_id']}")).json()
    assert (cin["plan_type"], cin["factors"], cin["primary_need"], cin["lead_practitioner"]) == (
        "cin",
        ["3A", "4B"],
        "N1",
        "sw-lead",
    )


async def test_the_latest_category_of_abuse_is_announced_whenever_it_changes(api: Api, cases: Cases) -> None:
    plan = await cases.started(api, plan_type="cp")
    async with api.practitioner() as sw:
        r = await sw.patch(f"/v1/plans/{plan['id']}", json={"category_of_abuse": "EMO"}, headers=etag(plan["version"]))
        assert r.status_code == 200, r.text
        review = {
            "review_date": TODAY.isoformat(),
            "progress": [{"action_id": plan["actions"][0]["id"], "progress": "in_progress"}],
            "decision": "continue",
            "exit_criteria_met": False,
            "concerns_remain": True,
            "latest_category_of_abuse": "MUL",
        }
        r = await sw.post(f"/v1/plans/{plan['id']}/reviews", json=review, headers=etag(r.json()["version"]))
        assert r.status_code == 201, r.text
        r = await sw.patch(f"/v1/plans/{plan['id']}", json={"category_of_abuse": "MUL"}, headers=etag(r.json()["version"]))
    assert (r.json()["initial_category_of_abuse"], r.json()["latest_category_of_abuse"]) == ("NEG", "MUL")
    changes = [e["payload"]["data"] for e in await cases.events(plan["case_id"], "plan.category_changed")]
    assert [
        (c["initial_category_of_abuse"], c["previous_category_of_abuse"], c["latest_category_of_abuse"], c["changed_on"])
        for c in changes
    ] == [("NEG", "NEG", "EMO", TODAY.isoformat()), ("NEG", "EMO", "MUL", TODAY.isoformat())]


async def test_rule_8730_a_cp_plan_counts_the_childs_previous_cp_plans_here_and_elsewhere(api: Api, cases: Cases) -> None:
    child = uuid.uuid4()
    first = await cases.started(api, plan_type="cp", child_id=child)
    assert first["previous_cp_plans"] == 0
    ending = {
        "end_date": TODAY.isoformat(),
        "reason": "Concerns resolved.",
        "unmet_need": False,
        "next_step": "close",
        "reason_for_closure": "RC7",
        "actions": [{"action_id": first["actions"][0]["id"], "progress": "done"}],
    }
    async with api.manager() as manager:
        r = await manager.post(f"/v1/plans/{first['id']}/ending", json=ending, headers=etag(first["version"]))
        assert r.status_code == 200, r.text
    await cases.deliver(child_registered(child, version=2, previous_cp_plans_elsewhere=2))
    second = await cases.started(api, plan_type="cp", child_id=child)  # a later episode
    assert second["previous_cp_plans"] == 3
    event = (await cases.events(second["case_id"], "plan.started"))[0]["payload"]["data"]
    assert event["previous_cp_plans"] == 3
    cin = await cases.started(api, child_id=child)
    assert cin["previous_cp_plans"] is None


async def test_the_cp_plan_replaces_the_cases_cin_plan_on_its_start_date(api: Api, cases: Cases) -> None:
    nhs = nhs_number()
    cin = await cases.started(api, nhs=nhs)
    await cases.backdate(cin["id"], 20)
    await cases.deliver(concluded(case_id=cin["case_id"], child_id=cin["child_id"], icpc_date=YESTERDAY))
    row = await cases.row("SELECT id, version FROM plans WHERE case_id = :c AND plan_type = 'cp'", c=cin["case_id"])
    assert row is not None
    cp = await _ready(api, row["id"], row["version"])
    r = await _approve(api, cp)
    assert r.status_code == 200, r.text
    async with api.manager() as manager:
        ended = (await manager.get(f"/v1/plans/{cin['id']}")).json()
    assert (ended["status"], ended["ending"]["end_date"], ended["ending"]["next_step"]) == (
        "ended",
        YESTERDAY.isoformat(),
        "escalate_cp",
    )
    types = [(e["event_type"], e["payload"]["data"]["plan_id"]) for e in await cases.events(cin["case_id"])]
    assert types[-2:] == [("plan.ended", cin["id"]), ("plan.started", cp["id"])]
    statuses = [(s["status"], s["since"]) for s in await cases.partner_statuses(nhs)]
    assert statuses[-1] == ("cp_plan", YESTERDAY.isoformat())


async def test_a_strategy_discussion_during_a_cin_plan_is_announced_for_the_assessment_service(api: Api, cases: Cases) -> None:
    plan = await cases.started(api)
    social_worker = api.as_user("practitioner", sw_qualified=True, sub="sw-strategy")
    async with social_worker as sw:
        r = await sw.post(
            f"/v1/plans/{plan['id']}/strategy-discussions", json={"date": TODAY.isoformat()}, headers=etag(plan["version"])
        )
    assert r.status_code == 201, r.text
    assert r.json()["strategy_discussions"] == [TODAY.isoformat()] and r.json()["status"] == "active"
    (event,) = await cases.events(plan["case_id"], "plan.strategy_discussion_recorded")
    data = event["payload"]["data"]
    assert (data["plan_id"], data["case_id"], data["plan_type"], data["strategy_discussion_date"], data["recorded_by"]) == (
        plan["id"],
        plan["case_id"],
        "cin",
        TODAY.isoformat(),
        "sw-strategy",
    )


async def test_a_strategy_discussion_is_refused_where_it_does_not_belong_and_changes_nothing(api: Api, cases: Cases) -> None:
    active = await cases.started(api)
    draft = await cases.ready(api)
    cp = await cases.started(api, plan_type="cp")
    cases_to_refuse = [
        (active, {"date": (TODAY + timedelta(days=1)).isoformat()}, True, 422, "date"),
        (active, {"date": YESTERDAY.isoformat()}, True, 422, "date"),  # before the plan's start
        (active, {"date": TODAY.isoformat()}, False, 403, "recorded_by"),  # not a social worker
        (draft, {"date": TODAY.isoformat()}, True, 409, "plan"),
        (cp, {"date": TODAY.isoformat()}, True, 409, "plan"),
    ]
    for plan, body, qualified, status, field in cases_to_refuse:
        before = await cases.snapshot(plan["id"])
        async with api.as_user("practitioner", sw_qualified=qualified) as sw:
            r = await sw.post(f"/v1/plans/{plan['id']}/strategy-discussions", json=body, headers=etag(plan["version"]))
        assert_problem(r, status, field)
        assert await cases.snapshot(plan["id"]) == before
