"""Section 47 enquiries, the team worklist and the measures."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

from assessment_support import Api, Cases, assert_problem, decided, etag

from assessment import domain, repository
from assessment.domain import FindingsChange
from assessment.domain.policy import assessment_policy
from continuum.casework import clock
from continuum.casework.calendar import working_days_between
from continuum.casework.policy import load_policy
from continuum.contracts.assessment import AssessmentOutcome
from continuum.contracts.codes import PrimaryNeedCode

POLICY = load_policy(None)


async def test_section_47_start_and_conclusion(api: Api, cases: Cases) -> None:
    row = await cases.open(outcome="strategy_discussion", referral_date=date(2026, 3, 26))
    s47_id = await cases.scalar("SELECT id FROM section47_enquiries WHERE assessment_id = :a", a=row["id"])
    url = f"/v1/section47/{s47_id}"
    before = await cases.snapshot(row["id"])
    async with api.manager(sw_qualified=False) as unqualified:
        assert_problem(
            await unqualified.post(
                f"{url}/start", json={"strategy_discussion_date": "2026-03-27", "start_date": "2026-03-30"}, headers=etag(1)
            ),
            403,
        )
    async with api.as_user("practitioner", teams=("south",)) as other_team:
        assert_problem(await other_team.get(url), 404)
    async with api.manager() as manager:
        r = await manager.post(
            f"{url}/start", json={"strategy_discussion_date": "2026-03-25", "start_date": "2026-03-30"}, headers=etag(1)
        )
        assert_problem(r, 422, "strategy_discussion_date")  # before the referral
        r = await manager.post(f"{url}/conclusion", json={"icpc_not_required": True, "outcome": "no_cp_plan"}, headers=etag(1))
        assert_problem(r, 409)  # not started
        assert await cases.snapshot(row["id"]) == before

        r = await manager.post(
            f"{url}/start", json={"strategy_discussion_date": "2026-03-27", "start_date": "2026-03-30"}, headers=etag(1)
        )
        assert r.status_code == 200, r.text
        # 15 working days after Friday 27 March 2026, across Good Friday and Easter Monday.
        assert r.json()["icpc_target_date"] == "2026-04-21" and r.json()["status"] == "started"

        bad = await manager.post(f"{url}/conclusion", json={"icpc_not_required": True, "outcome": "cp_plan"}, headers=etag(2))
        assert_problem(bad, 422, "outcome")
        bad = await manager.post(f"{url}/conclusion", json={"icpc_date": "2026-03-29", "outcome": "cp_plan"}, headers=etag(2))
        assert_problem(bad, 422, "icpc_date")
        r = await manager.post(f"{url}/conclusion", json={"icpc_date": "2026-04-20", "outcome": "cp_plan"}, headers=etag(2))
        assert r.status_code == 200, r.text
    started = (await cases.events(row["case_id"], "section47.started"))[0]["payload"]["data"]
    concluded = (await cases.events(row["case_id"], "section47.concluded"))[0]["payload"]["data"]
    assert started["icpc_target_date"] == "2026-04-21" and started["start_date"] == "2026-03-30"
    assert (
        concluded["icpc_date"] == "2026-04-20" and concluded["icpc_within_target"] is True and concluded["outcome"] == "cp_plan"
    )


async def test_the_lead_social_worker_runs_the_section_47(api: Api, cases: Cases) -> None:
    row = await cases.open(outcome="strategy_discussion", referral_date=date(2026, 11, 20))
    async with api.manager() as manager:
        r = await manager.post(
            f"/v1/assessments/{row['id']}/allocation",
            json={"lead_practitioner": "sw-47", "lead_practitioner_role": "social_worker"},
            headers=etag(1),
        )
        assert r.status_code == 200
    s47 = r.json()["section47"]
    async with api.as_user("practitioner", sub="sw-47") as lead:
        r = await lead.post(
            f"/v1/section47/{s47['id']}/start",
            json={"strategy_discussion_date": "2026-11-20", "start_date": "2026-11-23"},
            headers=etag(1),
        )
    assert r.status_code == 200, r.text
    async with api.as_user("practitioner", sub="not-the-lead") as other:
        r = await other.post(
            f"/v1/section47/{s47['id']}/conclusion", json={"icpc_not_required": True, "outcome": "no_cp_plan"}, headers=etag(2)
        )
    assert_problem(r, 403)


async def test_the_worklist_orders_by_working_days_left_and_flags_overdue(api: Api, cases: Cases) -> None:
    # The east team's open assessments: one long overdue, one due later, one due sooner.
    later = await cases.open(team="east", referral_date=date(2026, 11, 25))
    overdue = await cases.open(team="east", referral_date=date(2026, 8, 3))
    sooner = await cases.open(team="east", referral_date=date(2026, 11, 2))
    mine = {later["id"], overdue["id"], sooner["id"]}
    async with api.as_user("practitioner", teams=("east",)) as practitioner:
        r = await practitioner.get("/v1/assessments/worklist", params={"team": "east", "limit": 200})
        assert r.status_code == 200, r.text
        items = [i for i in r.json()["items"] if uuid.UUID(i["assessment_id"]) in mine]
        assert [uuid.UUID(i["assessment_id"]) for i in items] == [overdue["id"], sooner["id"], later["id"]]
        today = clock.today()
        assert items[0]["overdue"] is True and items[0]["working_days_left"] == -working_days_between(overdue["due_date"], today)
        assert items[1]["overdue"] is False and items[1]["working_days_left"] == working_days_between(today, sooner["due_date"])
        lefts = [i["working_days_left"] for i in r.json()["items"]]
        assert lefts == sorted(lefts)
        # Pages follow on from each other.
        first = await practitioner.get("/v1/assessments/worklist", params={"team": "east", "limit": 1})
        second = await practitioner.get(
            "/v1/assessments/worklist", params={"team": "east", "limit": 1, "cursor": first.json()["next_cursor"]}
        )
        assert first.json()["items"][0]["assessment_id"] != second.json()["items"][0]["assessment_id"]
        assert_problem(await practitioner.get("/v1/assessments/worklist", params={"team": "north"}), 404)
        assert_problem(await practitioner.get("/v1/assessments/worklist", params={"cursor": "nonsense"}), 422, "cursor")


async def _authorised_long_ago(cases: Cases, *, team: str, outcome: str, authorised_on: date) -> None:
    """An assessment referred on 2 January 2024 and authorised on ``authorised_on``, run through the
    domain's transitions with those dates (the API's clock is today's) and saved as the service saves."""
    at = datetime.combine(authorised_on, datetime.min.time(), UTC) + timedelta(hours=9)
    findings = FindingsChange(
        start_date=date(2024, 1, 3),
        child_seen_date=date(2024, 1, 4),
        child_seen_alone=True,
        factors=["21"] if outcome != "cin_plan" else ["6A"],
        primary_need=PrimaryNeedCode("N9" if outcome != "cin_plan" else "N2"),
        recommendation=AssessmentOutcome(outcome),
        recommendation_summary="Recorded long ago.",
    )
    manager, lead = domain.Actor("manager", sw_qualified_manager=True), domain.Actor(f"sw-{uuid.uuid4().hex[:6]}")
    event = decided(team=team, referral_date=date(2024, 1, 2)).data
    opened, _ = domain.open_from_decision(event, assessment_id=uuid.uuid4(), section47_id=uuid.uuid4(), child=None, policy=POLICY)
    a, _ = domain.allocate(
        opened.assessment,
        by=manager,
        now=at,
        lead_practitioner=lead.id,
        role="social_worker",
        reason=None,
        policy=assessment_policy(POLICY).lead_practitioners,
    )
    a, _ = domain.record(a, by=lead, now=at, changes=findings)
    a, _ = domain.submit(a, by=lead, now=at, child=None)
    a, _ = domain.authorise(
        a,
        section47=None,
        by=manager,
        now=at,
        today=authorised_on,
        outcome=AssessmentOutcome(outcome),
        on=authorised_on,
        episode_had_section47=False,
    )
    async with cases.unit_of_work() as tx:
        await repository.insert_opened(tx, domain.AssessmentAndEnquiry(a))


async def test_measures_for_a_date_range_by_team(api: Api, cases: Cases) -> None:
    team = "disabled-children"
    # Referral 2 January 2024; authorised after 22, 45 and 83 working days (Easter 2024 in the last).
    plans = [(date(2024, 2, 1), "nfa"), (date(2024, 3, 5), "early_help"), (date(2024, 4, 30), "cin_plan")]
    for authorised_on, outcome in plans:
        await _authorised_long_ago(cases, team=team, outcome=outcome, authorised_on=authorised_on)
    async with api.manager(team) as manager:
        r = await manager.get("/v1/assessments/measures", params={"from": "2024-01-01", "to": "2024-12-31", "team": team})
        assert r.status_code == 200, r.text
        m = r.json()
        assert m["completed"] == 3 and m["median_working_days"] == 45 and m["within_45_working_days"] == round(2 / 3, 4)
        assert m["outcomes"] == {"nfa": 1, "early_help": 1, "cin_plan": 1, "child_protection": 0}
        assert [t["team"] for t in m["by_team"]] == [team] and m["by_team"][0]["completed"] == 3
        narrow = await manager.get("/v1/assessments/measures", params={"from": "2024-02-01", "to": "2024-02-01", "team": team})
        assert narrow.json()["completed"] == 1 and narrow.json()["median_working_days"] == 22
        assert_problem(
            await manager.get("/v1/assessments/measures", params={"from": "2024-12-31", "to": "2024-01-01"}), 422, "to"
        )
        # A query's date is text: "0" or a Unix time is not read as a day of 1970 (issue 16).
        assert_problem(await manager.get("/v1/assessments/measures", params={"from": "0", "to": "2024-12-31"}), 422, "query.from")
        assert_problem(
            await manager.get("/v1/assessments/measures", params={"from": "2024-01-01", "to": "2024-12-31", "team": "north"}), 404
        )
    async with api.as_user("practitioner", teams=(team,)) as practitioner:
        assert_problem(await practitioner.get("/v1/assessments/measures", params={"from": "2024-01-01", "to": "2024-12-31"}), 403)
