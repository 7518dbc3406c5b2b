"""The defects found beside the census (issue 16), through the API: a step-up for a child nobody
knows is refused at the door; the audit sample and the measures show a manager their own teams'
(auditors all); the step-down list filters by child and case (only what the caller may see, the
rest's refusal audited); a period that covers part of a quarter says so. And point 11: a
re-referral on the day of a step-down counts as within 12 months."""

from __future__ import annotations

import random
import uuid
from datetime import date
from typing import Any

from stepdown_support import Api, Cases, assert_problem, authorised, child_registered, decided, nhs_number

# --- step-ups for a child nobody knows ------------------------------------------------------------


async def test_a_step_up_for_a_child_nobody_knows_is_refused_at_the_door_and_changes_nothing(api: Api, cases: Cases) -> None:
    stranger = uuid.uuid4()
    body = {"child_id": str(stranger), "concerns": "Worried", "what_was_tried": "Family support"}
    async with api.early_help() as early_help:
        r = await early_help.post("/v1/step-ups", json=body, headers={"X-Request-ID": str(uuid.uuid4())})
    assert_problem(r, 422, "child_id")
    assert await cases.scalar("SELECT count(*) FROM step_ups WHERE child_id = :c", c=stranger) == 0
    assert await cases.scalar("SELECT count(*) FROM outbox WHERE payload->'data'->>'child_id' = :c", c=str(stranger)) == 0
    audited = await cases.rows("SELECT subject_type, outcome FROM audit_log WHERE request_id = :r", r=r.headers["x-request-id"])
    assert [(a["subject_type"], a["outcome"]) for a in audited] == [("child", "refused")]


async def test_a_step_up_for_a_known_child_without_a_step_down_is_created_and_read_back_at_its_location(
    api: Api, cases: Cases
) -> None:
    child = uuid.uuid4()
    await cases.deliver(child_registered(child, nhs_number=nhs_number()))
    body = {"child_id": str(child), "concerns": "Worried", "what_was_tried": "Family support"}
    async with api.early_help() as early_help:
        r = await early_help.post("/v1/step-ups", json=body)
        assert r.status_code == 201, r.text
        assert r.headers["location"] == f"/v1/step-ups/{r.json()['id']}"
        read = await early_help.get(r.headers["location"])
    assert read.status_code == 200 and read.json()["team"] == "front-door"
    [requested] = await cases.events(r.json()["id"], "stepup.requested")
    assert requested["payload"]["data"]["child_id"] == str(child)


# --- the audit sample, scoped -------------------------------------------------------------------------


async def _sample_of_two_teams(cases: Cases) -> tuple[str, dict[str, uuid.UUID]]:
    """A month's sample with one item of north and one of south (written as a draw would)."""
    month = f"{random.randint(1950, 2019)}-{random.randint(1, 12):02d}"
    children = {}
    for team in ("north", "south"):
        children[team] = uuid.uuid4()
        await cases.execute(
            "INSERT INTO audit_sample_items (id, month, kind, record_id, child_id, team, drawn_at, version) "
            "VALUES (:i, :m, 'stepdown', :r, :c, :t, now(), 1)",
            i=uuid.uuid4(),
            m=month,
            r=uuid.uuid4(),
            c=children[team],
            t=team,
        )
    return month, children


async def test_the_audit_sample_shows_a_manager_their_teams_items_and_an_auditor_every_teams(api: Api, cases: Cases) -> None:
    month, children = await _sample_of_two_teams(cases)
    async with api.manager("north") as manager:
        mine = (await manager.get(f"/v1/audits/{month}")).json()["items"]
        exported = (await manager.get(f"/v1/audits/{month}/sample.csv")).text
    assert [i["child_id"] for i in mine] == [str(children["north"])]
    assert str(children["north"]) in exported and str(children["south"]) not in exported
    async with api.as_user("auditor") as auditor:
        every = (await auditor.get(f"/v1/audits/{month}")).json()["items"]
    assert {i["child_id"] for i in every} == {str(c) for c in children.values()}


# --- the step-down list by child and case ------------------------------------------------------------


async def test_the_step_down_list_filters_by_child_and_by_case_and_audits_what_it_leaves_out(api: Api, cases: Cases) -> None:
    north = await cases.pending_handover(team="north")
    other = await cases.pending_handover(team="north")
    async with api.as_user("practitioner", teams=("north",)) as practitioner:
        by_child = await practitioner.get("/v1/stepdowns", params={"child_id": str(north["child_id"])})
        by_case = await practitioner.get("/v1/stepdowns", params={"case_id": str(north["case_id"])})
    for r in (by_child, by_case):
        assert r.status_code == 200, r.text
        assert [i["id"] for i in r.json()["items"]] == [str(north["id"])]
    assert str(other["id"]) not in by_child.text

    async with api.as_user("practitioner", teams=("south",)) as elsewhere:
        r = await elsewhere.get(
            "/v1/stepdowns", params={"child_id": str(north["child_id"])}, headers={"X-Request-ID": str(uuid.uuid4())}
        )
    assert r.status_code == 200 and r.json()["items"] == []
    audited = await cases.rows(
        "SELECT subject_id, outcome FROM audit_log WHERE request_id = :r AND subject_type = 'child'", r=r.headers["x-request-id"]
    )
    assert [(a["subject_id"], a["outcome"]) for a in audited] == [(str(north["child_id"]), "refused")]


async def test_the_step_down_list_refuses_a_child_id_that_is_not_an_id(api: Api) -> None:
    async with api.as_user("practitioner") as practitioner:
        assert_problem(await practitioner.get("/v1/stepdowns", params={"child_id": "not-a-uuid"}), 422, "query.child_id")


# --- the measures: the caller's teams, and part quarters ------------------------------------------------


async def _closure_of(cases: Cases, team: str, closed: date) -> None:
    await cases.deliver(authorised(outcome="nfa", team=team, referral_date=closed, on=closed))


def _quarter(answer: dict[str, Any], team: str) -> dict[str, Any]:
    [found] = [q for q in answer["quarters"] if q["team"] == team]
    return found


async def test_the_measures_count_the_callers_teams_unless_the_caller_sees_every_team(api: Api, cases: Cases) -> None:
    # 2010-11 Q3: a quarter of this test's own.
    await _closure_of(cases, "north", date(2010, 10, 4))
    await _closure_of(cases, "south", date(2010, 10, 5))
    period = {"from": "2010-10-01", "to": "2010-12-31"}
    async with api.manager("south") as south:
        mine = (await south.get("/v1/measures", params=period)).json()
        assert_problem(await south.get("/v1/measures", params=period | {"team": "north"}), 404)
    assert {q["team"] for q in mine["quarters"]} == {"south", "all"}
    assert _quarter(mine, "all")["current"]["closures"] == 1
    async with api.as_user("auditor") as auditor:
        every = (await auditor.get("/v1/measures", params=period)).json()
    assert _quarter(every, "north")["current"]["closures"] == 1 and _quarter(every, "all")["current"]["closures"] >= 2


async def test_a_period_from_mid_quarter_is_flagged_partial_with_the_days_counted(api: Api, cases: Cases) -> None:
    await _closure_of(cases, "east", date(2009, 5, 10))  # 2009-10 Q1, counted
    await _closure_of(cases, "east", date(2009, 4, 20))  # before the period: not counted
    async with api.manager("east") as manager:
        r = await manager.get("/v1/measures", params={"from": "2009-05-01", "to": "2009-09-30"})
        exported = await manager.get("/v1/measures.csv", params={"from": "2009-05-01", "to": "2009-09-30"})
    q1, q2 = (q for q in r.json()["quarters"] if q["team"] == "east")
    assert (q1["quarter"], q1["partial"], q1["counted_from"], q1["counted_to"]) == (
        "2009-10 Q1",
        True,
        "2009-05-01",
        "2009-06-30",
    )
    assert q1["current"]["closures"] == 1
    assert (q2["quarter"], q2["partial"], q2["counted_from"], q2["counted_to"]) == (
        "2009-10 Q2",
        False,
        "2009-07-01",
        "2009-09-30",
    )
    header, first, *_ = exported.text.splitlines()
    assert header.startswith("team,quarter,quarter_start,partial,counted_from,counted_to,")
    assert first.startswith("east,2009-10 Q1,2009-04-01,True,2009-05-01,2009-06-30,")


# --- point 11 ----------------------------------------------------------------------------------------


async def test_point_11_a_re_referral_on_the_day_of_the_step_down_counts_within_12_months(api: Api, cases: Cases) -> None:
    row = await cases.pending_handover()
    again = decided(outcome="assessment", child_id=row["child_id"], referral_date=row["stepped_down_on"])
    await cases.deliver(again)
    assert await cases.scalar("SELECT re_referred_on FROM stepdowns WHERE id = :s", s=row["id"]) == row["stepped_down_on"]
    day = row["stepped_down_on"].isoformat()
    async with api.manager() as manager:
        r = await manager.get("/v1/measures", params={"from": day, "to": day, "team": "north"})
    # Counted in the quarter it happened (other tests' re-referrals today may add to it).
    assert _quarter(r.json(), "north")["current"]["re_referrals_within_12_months"] >= 1
