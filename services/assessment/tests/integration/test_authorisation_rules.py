"""The rules that keep an assessment's authorisation consistent (issue 7, defect 4; the rules are
written in decision 24): the authorisation date follows the submission, and a section 47
assessment waits for its enquiry and follows its conference. Each refusal changes nothing."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from assessment_support import Api, Cases, assert_problem, etag, submitted

from continuum.casework import clock


async def _authorise(api: Api, a: dict[str, Any], outcome: str, on: str | None = None) -> Any:
    async with api.manager(a["team"]) as manager:
        return await manager.post(
            f"/v1/assessments/{a['id']}/authorisation",
            json={"authorisation_date": on or clock.today().isoformat(), "outcome": outcome},
            headers=etag(a["version"]),
        )


async def test_an_authorisation_date_before_the_submission_is_refused_and_changes_nothing(api: Api, cases: Cases) -> None:
    a = await submitted(api, cases, f"sw-{uuid.uuid4().hex[:8]}")  # started 23 November 2026, submitted today
    yesterday = (clock.today() - timedelta(days=1)).isoformat()
    before = await cases.snapshot(a["id"])
    body = assert_problem(await _authorise(api, a, "cin_plan", on=yesterday), 422, "authorisation_date")
    assert "before the submission" in body["detail"]
    assert await cases.snapshot(a["id"]) == before
    assert (await _authorise(api, a, "cin_plan")).status_code == 200


async def _section47_submitted(api: Api, cases: Cases) -> tuple[dict[str, Any], str]:
    a = await submitted(api, cases, f"sw-{uuid.uuid4().hex[:8]}", outcome="strategy_discussion")
    return a, a["section47"]["id"]


async def _conclude(api: Api, s47: str, conclusion: dict[str, Any]) -> None:
    today = clock.today().isoformat()
    async with api.manager() as manager:
        r = await manager.post(
            f"/v1/section47/{s47}/start",
            json={"strategy_discussion_date": "2026-11-20", "start_date": "2026-11-23"},
            headers=etag(1),
        )
        assert r.status_code == 200, r.text
        r = await manager.post(
            f"/v1/section47/{s47}/conclusion",
            json={k: today if v == "today" else v for k, v in conclusion.items()},
            headers=etag(2),
        )
        assert r.status_code == 200, r.text


async def test_a_section_47_assessment_is_not_authorised_before_its_enquiry_concludes(api: Api, cases: Cases) -> None:
    a, s47 = await _section47_submitted(api, cases)
    before = await cases.snapshot(a["id"])
    body = assert_problem(await _authorise(api, a, "cin_plan"), 409, "section47")
    assert body["type"].endswith("/section47-not-concluded")
    assert await cases.snapshot(a["id"]) == before
    await _conclude(api, s47, {"icpc_not_required": True, "outcome": "no_cp_plan"})
    r = await _authorise(api, a, "cin_plan")
    assert r.status_code == 200, r.text
    event = (await cases.events(a["case_id"], "assessment.authorised"))[0]["payload"]["data"]
    assert event["section47_id"] == s47 and event["route"] == "section47"


async def test_the_outcome_of_a_section_47_assessment_follows_its_conference(api: Api, cases: Cases) -> None:
    a, s47 = await _section47_submitted(api, cases)
    await _conclude(api, s47, {"icpc_date": "today", "outcome": "cp_plan"})
    before = await cases.snapshot(a["id"])
    for outcome in ("cin_plan", "early_help"):
        assert_problem(await _authorise(api, a, outcome), 422, "outcome")
    assert await cases.snapshot(a["id"]) == before
    r = await _authorise(api, a, "child_protection")
    assert r.status_code == 200 and r.json()["outcome"] == "child_protection", r.text

    other, other_s47 = await _section47_submitted(api, cases)
    await _conclude(api, other_s47, {"icpc_not_required": True, "outcome": "no_cp_plan"})
    assert_problem(await _authorise(api, other, "child_protection"), 422, "outcome")


async def test_an_enquiry_cannot_start_or_conclude_once_its_assessment_is_withdrawn(api: Api, cases: Cases) -> None:
    from assessment_support import decided

    row = await cases.open(outcome="strategy_discussion")
    s47 = await cases.scalar("SELECT id FROM section47_enquiries WHERE assessment_id = :a", a=row["id"])
    nfa = decided(
        outcome="nfa",
        case_id=row["case_id"],
        referral_id=row["referral_id"],
        child_id=row["child_id"],
        correction_of=uuid.uuid4(),
    )
    await cases.deliver(nfa)
    async with api.manager() as manager:
        r = await manager.post(
            f"/v1/section47/{s47}/start",
            json={"strategy_discussion_date": "2026-11-20", "start_date": "2026-11-23"},
            headers=etag(2),
        )
    assert_problem(r, 409)
