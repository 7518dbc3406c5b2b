"""Pre-proceedings through the API and the consumer, for any child with an open episode (issue 16
point 9): a block starts for an episode with no plan, a CIN plan or a CP plan; the episode's
closure (step-down's, in whichever order it arrives) stops new blocks and its withdrawal lets them
start again; one undecided block at a time, a later one after the step decision (the census
repeats the block in the episode); the census dates follow each other (rules 9006 to 9013) and
the step decision carries PPOutcome; every refusal changes nothing."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import httpx
from plan_support import (
    Api,
    Cases,
    assert_problem,
    assessment_opened,
    case_closed,
    case_reopened,
    etag,
)

from continuum.casework import clock

TODAY = clock.today()


async def _episode(cases: Cases, **values: Any) -> Any:
    """An episode the plan service knows from its opened assessment (no plan)."""
    opened = assessment_opened(**values)
    await cases.deliver(opened)
    return opened.data


async def _start(api: Api, case_id: Any, *, on: Any = TODAY, team: str = "north", key: str | None = None) -> httpx.Response:
    headers = {"Idempotency-Key": key} if key else {}
    async with api.manager(team) as manager:
        return await manager.post(
            "/v1/pre-proceedings", json={"case_id": str(case_id), "start_date": on.isoformat()}, headers=headers
        )


async def test_pre_proceedings_start_for_a_child_with_an_open_episode_and_no_plan(api: Api, cases: Cases) -> None:
    episode = await _episode(cases)
    r = await _start(api, episode.case_id)
    assert r.status_code == 201, r.text
    block = r.json()
    assert r.headers["Location"] == f"/v1/pre-proceedings/{block['id']}" and r.headers["ETag"] == '"1"'
    assert (block["case_id"], block["child_id"], block["plan_id"], block["start_date"], block["census_outcome"]) == (
        str(episode.case_id),
        str(episode.child_id),
        None,
        TODAY.isoformat(),
        None,
    )
    (event,) = await cases.events(episode.case_id, "preproceedings.started")
    assert event["payload"]["dataschema"] == "continuum:preproceedings.started/v2"
    assert (event["payload"]["data"]["preproceedings_id"], event["payload"]["data"]["plan_id"]) == (block["id"], None)


async def test_pre_proceedings_start_on_a_cin_plan_and_on_a_cp_plan(api: Api, cases: Cases) -> None:
    """Changed in issue 16: pre-proceedings of a CIN plan were refused (409 not-a-cp-plan)."""
    for plan_type in ("cin", "cp"):
        plan = await cases.started(api, plan_type=plan_type)
        r = await _start(api, plan["case_id"])
        assert r.status_code == 201, r.text
        assert r.json()["plan_id"] == plan["id"]


async def test_a_closed_episode_takes_no_pre_proceedings_until_its_closure_is_withdrawn(api: Api, cases: Cases) -> None:
    case, child = uuid.uuid4(), uuid.uuid4()
    closure = TODAY - timedelta(days=1)
    await cases.deliver(case_closed(case, child, closure_date=closure))  # the closure arrives first
    await _episode(cases, case_id=case, child_id=child)
    before = await cases.block_snapshot(case)
    r = await _start(api, case)
    assert assert_problem(r, 409, "case_id")["type"].endswith("/episode-closed")
    assert await cases.block_snapshot(case) == before
    await cases.deliver(case_reopened(case, child, closure_date=closure))
    r = await _start(api, case)
    assert r.status_code == 201, r.text


async def test_an_unknown_or_another_teams_episode_answers_404_and_the_refusal_is_audited(api: Api, cases: Cases) -> None:
    episode = await _episode(cases)
    for case_id, team in ((uuid.uuid4(), "north"), (episode.case_id, "south")):
        r = await _start(api, case_id, team=team)
        assert_problem(r, 404)
        rows = await cases.rows(
            "SELECT subject_type, subject_id, outcome FROM audit_log WHERE request_id = :rid", rid=r.headers["x-request-id"]
        )
        assert [(row["subject_type"], row["subject_id"], row["outcome"]) for row in rows] == [("case", str(case_id), "refused")]
    assert (await cases.block_snapshot(episode.case_id))["blocks"] == []


async def _decide(api: Api, block: dict[str, Any], body: dict[str, Any]) -> httpx.Response:
    async with api.manager() as manager:
        return await manager.post(f"/v1/pre-proceedings/{block['id']}/decision", json=body, headers=etag(block["version"]))


async def test_one_undecided_block_at_a_time_and_a_later_one_after_the_step_decision(api: Api, cases: Cases) -> None:
    episode = await _episode(cases)
    first = (await _start(api, episode.case_id, on=TODAY - timedelta(days=5))).json()
    before = await cases.block_snapshot(episode.case_id)
    again = await _start(api, episode.case_id)
    assert assert_problem(again, 409, "case_id")["type"].endswith("/preproceedings-started")
    assert await cases.block_snapshot(episode.case_id) == before
    r = await _decide(api, first, {"decision": "extend", "decision_date": (TODAY - timedelta(days=1)).isoformat()})
    assert r.status_code == 200 and r.json()["census_outcome"] == "C", r.text
    too_early = await _start(api, episode.case_id, on=TODAY - timedelta(days=2))
    assert_problem(too_early, 422, "start_date")
    second = await _start(api, episode.case_id, on=TODAY - timedelta(days=1))
    assert second.status_code == 201, second.text
    async with api.practitioner() as sw:
        found = (await sw.get("/v1/pre-proceedings", params={"case_id": str(episode.case_id)})).json()
        by_child = (await sw.get("/v1/pre-proceedings", params={"child_id": str(episode.child_id), "limit": 1})).json()
        rest = (
            await sw.get("/v1/pre-proceedings", params={"child_id": str(episode.child_id), "cursor": by_child["next_cursor"]})
        ).json()
    assert [b["id"] for b in found["items"]] == [first["id"], second.json()["id"]] and found["next_cursor"] is None
    assert [b["id"] for b in by_child["items"] + rest["items"]] == [first["id"], second.json()["id"]]


async def test_a_court_application_needs_the_fgdm_offer_or_a_reasoned_exception_and_changes_nothing_otherwise(
    api: Api, cases: Cases
) -> None:
    episode = await _episode(cases)
    block = (await _start(api, episode.case_id)).json()
    before = await cases.block_snapshot(episode.case_id)
    decision = {"decision": "issue_proceedings", "decision_date": TODAY.isoformat(), "court_application_date": TODAY.isoformat()}
    r = await _decide(api, block, decision)
    assert assert_problem(r, 409, "fgdm_exception_reason")["type"].endswith("/fgdm-offer-required")
    assert await cases.block_snapshot(episode.case_id) == before
    reason = {"fgdm_exception_reason": "A family meeting would tell the alleged abuser where the child is."}
    r = await _decide(api, block, decision | reason)
    assert r.status_code == 200, r.text
    assert (r.json()["court_application_date"], r.json()["census_outcome"]) == (TODAY.isoformat(), "A")
    event = (await cases.events(episode.case_id, "preproceedings.decided"))[0]["payload"]["data"]
    assert (event["fgdm_offered"], event["fgdm_exception"], event["outcome"]) == (False, True, "A") and "reason" not in str(event)


async def test_the_fgdm_offer_in_the_letter_lets_the_application_go_ahead_and_the_letter_initiating_proceedings_follows(
    api: Api, cases: Cases
) -> None:
    episode = await _episode(cases)
    block = (await _start(api, episode.case_id, on=TODAY - timedelta(days=3))).json()
    day = (TODAY - timedelta(days=2)).isoformat()
    record = {"letter_before_proceedings_date": day, "fgdm_offered": True, "fgdm_held": True, "initial_meeting_date": day}
    decision = {"decision": "issue_proceedings", "decision_date": day, "court_application_date": TODAY.isoformat()}
    async with api.manager() as m:
        r = await m.put(f"/v1/pre-proceedings/{block['id']}", json=record, headers=etag(block["version"]))
        assert r.status_code == 200, r.text
        r = await m.post(f"/v1/pre-proceedings/{block['id']}/decision", json=decision, headers=etag(r.json()["version"]))
        assert r.status_code == 200, r.text
        decided = r.json()
        before = await cases.block_snapshot(episode.case_id)
        early = await m.post(
            f"/v1/pre-proceedings/{block['id']}/care-proceedings-letter",
            json={"letter_date": day},
            headers=etag(decided["version"]),
        )
        assert "9013" in assert_problem(early, 422, "letter_initiating_proceedings_date")["errors"][0]["reason"]
        assert await cases.block_snapshot(episode.case_id) == before
        r = await m.post(
            f"/v1/pre-proceedings/{block['id']}/care-proceedings-letter",
            json={"letter_date": TODAY.isoformat()},
            headers=etag(decided["version"]),
        )
        assert r.status_code == 200, r.text
        read = await m.get(f"/v1/pre-proceedings/{block['id']}")
    assert read.json() == r.json() and read.headers["ETag"] == f'"{r.json()["version"]}"'
    assert (r.json()["letter_initiating_proceedings_date"], r.json()["review_meetings"]) == (TODAY.isoformat(), 0)
    types = [e["event_type"] for e in await cases.events(episode.case_id)]
    assert types == [
        "preproceedings.started",
        "preproceedings.recorded",
        "preproceedings.decided",
        "preproceedings.care_proceedings_letter_sent",
    ]


async def test_rule_9007_a_letter_without_saying_whether_it_offered_an_fgdm_meeting_is_refused(api: Api, cases: Cases) -> None:
    episode = await _episode(cases)
    block = (await _start(api, episode.case_id)).json()
    before = await cases.block_snapshot(episode.case_id)
    async with api.practitioner() as sw:
        r = await sw.put(
            f"/v1/pre-proceedings/{block['id']}",
            json={"letter_before_proceedings_date": TODAY.isoformat()},
            headers=etag(block["version"]),
        )
    assert "9007" in assert_problem(r, 422, "fgdm_offered")["errors"][0]["reason"]
    assert await cases.block_snapshot(episode.case_id) == before


async def test_the_same_idempotency_key_starts_one_block(api: Api, cases: Cases) -> None:
    episode = await _episode(cases)
    async with api.as_user("manager", sw_qualified=True, sub="manager-idem-pp") as manager:
        body = {"case_id": str(episode.case_id), "start_date": TODAY.isoformat()}
        first = await manager.post("/v1/pre-proceedings", json=body, headers={"Idempotency-Key": "pp-once"})
        again = await manager.post("/v1/pre-proceedings", json=body, headers={"Idempotency-Key": "pp-once"})
    assert first.status_code == 201 and again.status_code == 201 and first.json() == again.json()
    assert len((await cases.block_snapshot(episode.case_id))["blocks"]) == 1
