"""The plan API from draft to ending, and what it refuses (with a clear error, changing nothing):
an action without owner, measure or due date; a review of an unapproved plan; closing with an
action without its final status; approval by an unqualified manager; another team's plan."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from plan_support import CONTENT, Api, Cases, action_body, assert_problem, etag, nhs_number

from continuum.casework import clock


async def test_a_plan_goes_from_draft_to_ending_through_the_api(api: Api, cases: Cases) -> None:
    today = clock.today().isoformat()
    row = await cases.draft()
    assert (row["status"], row["plan_type"], row["factors"], row["primary_need"]) == ("draft", "cin", ["3A", "4B"], "N1")
    nhs = nhs_number()
    plan = await cases.started(api, nhs=nhs)
    assert (plan["status"], plan["start_date"], plan["next_review_due"]) == (
        "active",
        today,
        (clock.today() + timedelta(weeks=6)).isoformat(),
    )
    assert plan["quality"]["meeting_all_five"] == 1 and plan["versions"][0]["change"] == "plan.draft"
    action_id = plan["actions"][0]["id"]
    async with api.practitioner() as sw:
        progress = [{"action_id": action_id, "progress": "in_progress", "note": "3 sessions so far"}]
        review = {
            "review_date": today,
            "progress": progress,
            "decision": "continue",
            "exit_criteria_met": False,
            "concerns_remain": True,
        }
        r = await sw.post(f"/v1/plans/{plan['id']}/reviews", json=review, headers=etag(plan["version"]))
        assert r.status_code == 201, r.text
        r = await sw.post(
            f"/v1/plans/{plan['id']}/visits",
            json={"visit_date": today, "child_seen": True, "seen_alone": True},
            headers=etag(r.json()["version"]),
        )
        assert r.status_code == 201 and r.json()["child_last_seen"] == today, r.text
        meeting = {"kind": "cin_meeting", "meeting_date": today, "invitees": [{"agency": "family", "name": "Jo Parent"}]}
        r = await sw.post(f"/v1/plans/{plan['id']}/meetings", json=meeting, headers=etag(r.json()["version"]))
        assert r.status_code == 201, r.text
    async with api.manager() as manager:
        ending = {
            "end_date": today,
            "reason": "Needs met.",
            "unmet_need": False,
            "next_step": "close",
            "reason_for_closure": "RC7",
            "actions": [{"action_id": action_id, "progress": "done"}],
        }
        r = await manager.post(f"/v1/plans/{plan['id']}/ending", json=ending, headers=etag(r.json()["version"]))
    assert r.status_code == 200, r.text
    ended = r.json()
    assert ended["status"] == "ended" and ended["ending"]["next_step"] == "close" and len(ended["reviews"]) == 1
    types = [e["event_type"] for e in await cases.events(plan["case_id"])]
    assert types == ["plan.drafted", "plan.started", "plan.reviewed", "visit.recorded", "meeting.scheduled", "plan.ended"]
    # Partners heard cin_plan since the start, keyed by the NHS number; the plan's ending tells
    # them nothing (step-down announces closed or stepped_down, when true).
    assert [(s["status"], s["since"]) for s in await cases.partner_statuses(nhs)] == [("cin_plan", today)]
    data = (await cases.events(plan["case_id"], "plan.ended"))[0]["payload"]["data"]
    assert (data["next_step"], data["actions"]["total"], data["actions"]["done"], data["unmet_need"]) == ("close", 1, 1, False)
    assert data["reason_for_closure"] == "RC7" and ended["ending"]["reason_for_closure"] == "RC7"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"owner": None}, "owner"),
        ({"success_measure": None}, "success_measure"),
        ({"due_date": None}, "due_date"),
        ({"owner": {"person": " ", "agency": "family"}}, "owner.person"),
        ({"success_measure": "   "}, "success_measure"),
    ],
)
async def test_an_action_without_owner_measure_or_due_date_is_refused_naming_it(
    api: Api, cases: Cases, change: dict[str, Any], field: str
) -> None:
    plan = await cases.ready(api)
    before = await cases.snapshot(plan["id"])
    body = {k: v for k, v in (action_body() | change).items() if v is not None}
    async with api.practitioner() as sw:
        r = await sw.post(f"/v1/plans/{plan['id']}/actions", json=body, headers=etag(plan["version"]))
    assert_problem(r, 422, field)
    assert await cases.snapshot(plan["id"]) == before


async def test_a_review_of_an_unapproved_plan_is_refused(api: Api, cases: Cases) -> None:
    plan = await cases.ready(api)
    before = await cases.snapshot(plan["id"])
    review = {
        "review_date": clock.today().isoformat(),
        "progress": [],
        "decision": "continue",
        "exit_criteria_met": False,
        "concerns_remain": True,
    }
    async with api.practitioner() as sw:
        r = await sw.post(f"/v1/plans/{plan['id']}/reviews", json=review, headers=etag(plan["version"]))
    body = assert_problem(r, 409, "plan")
    assert body["type"].endswith("/plan-not-started")
    assert await cases.snapshot(plan["id"]) == before


async def test_closing_with_an_action_without_its_final_status_is_refused(api: Api, cases: Cases) -> None:
    plan = await cases.started(api, actions=2)
    before = await cases.snapshot(plan["id"])
    first = plan["actions"][0]["id"]
    ending = {
        "end_date": clock.today().isoformat(),
        "reason": "Needs met.",
        "unmet_need": False,
        "next_step": "close",
        "reason_for_closure": "RC7",
        "actions": [{"action_id": first, "progress": "done"}],
    }
    async with api.manager() as manager:
        r = await manager.post(f"/v1/plans/{plan['id']}/ending", json=ending, headers=etag(plan["version"]))
    body = assert_problem(r, 422, "actions")
    assert plan["actions"][1]["id"] in body["errors"][0]["reason"]
    assert await cases.snapshot(plan["id"]) == before


async def test_approval_by_a_manager_who_is_not_social_work_qualified_is_refused(api: Api, cases: Cases) -> None:
    plan = await cases.ready(api)
    before = await cases.snapshot(plan["id"])
    async with api.manager(sw_qualified=False) as manager:
        r = await manager.post(
            f"/v1/plans/{plan['id']}/approval", json={"start_date": clock.today().isoformat()}, headers=etag(plan["version"])
        )
    body = assert_problem(r, 403)
    assert body["type"].endswith("/not-sw-qualified")
    assert await cases.snapshot(plan["id"]) == before


async def test_another_teams_plan_answers_404_and_the_refusal_is_audited(api: Api, cases: Cases) -> None:
    plan = await cases.ready(api)
    before = await cases.snapshot(plan["id"])
    async with api.manager("south") as other:
        reads = [await other.get(f"/v1/plans/{plan['id']}"), await other.get(f"/v1/plans/{plan['id']}/family-copy")]
        write = await other.patch(f"/v1/plans/{plan['id']}", json={"content": CONTENT}, headers=etag(plan["version"]))
    for r in [*reads, write]:
        assert_problem(r, 404)
    assert await cases.snapshot(plan["id"]) == before
    refused = await cases.scalar(
        "SELECT count(*) FROM audit_log WHERE subject_id = :p AND outcome = 'refused' AND subject_type = 'plan'",
        p=str(plan["id"]),
    )
    assert refused == 3


async def test_a_stale_if_match_is_412_and_a_missing_one_428(api: Api, cases: Cases) -> None:
    plan = await cases.ready(api)
    async with api.practitioner() as sw:
        stale = await sw.patch(f"/v1/plans/{plan['id']}", json={"content": CONTENT}, headers=etag(plan["version"] - 1))
        missing = await sw.patch(f"/v1/plans/{plan['id']}", json={"content": CONTENT})
    assert_problem(stale, 412, "If-Match")
    assert_problem(missing, 428, "If-Match")


async def test_the_same_idempotency_key_adds_one_action(api: Api, cases: Cases) -> None:
    plan = await cases.ready(api)
    headers = etag(plan["version"]) | {"Idempotency-Key": "add-action-once"}
    async with api.as_user("practitioner", sub="sw-idem") as sw:
        first = await sw.post(f"/v1/plans/{plan['id']}/actions", json=action_body(), headers=headers)
        again = await sw.post(f"/v1/plans/{plan['id']}/actions", json=action_body(), headers=headers)
    assert first.status_code == 201 and again.status_code == 201, again.text
    assert first.json() == again.json() and len(again.json()["actions"]) == 2


async def test_the_plan_reports_its_quality_at_every_version(api: Api, cases: Cases) -> None:
    plan = await cases.ready(api)
    vague = action_body(
        description="Monitor the situation",
        success_measure="Things get better",
        owner={"person": "All professionals", "agency": "social_care"},
    )
    async with api.practitioner() as sw:
        r = await sw.post(f"/v1/plans/{plan['id']}/actions", json=vague, headers=etag(plan["version"]))
    shares = [v["quality"]["share_all_five"] for v in r.json()["versions"]]
    assert shares == [None, None, 1.0, 0.5]
    assert [a["actionable"] for a in r.json()["actions"]] == [True, False]


async def test_a_long_plans_read_stays_small_and_its_history_is_paged(api: Api, cases: Cases) -> None:
    """Issue 16: a plan at version 928 answered 364 KB; its read now carries the first page of each
    history list, with counts and links to page the rest."""
    plan = await cases.started(api)
    version = plan["version"]
    async with api.practitioner() as sw:
        for n in range(25):
            r = await sw.patch(
                f"/v1/plans/{plan['id']}", json={"content": CONTENT | {"working_well": f"Week {n}"}}, headers=etag(version)
            )
            assert r.status_code == 200, r.text
            version = r.json()["version"]
        for _ in range(22):
            r = await sw.post(
                f"/v1/plans/{plan['id']}/visits",
                json={"visit_date": clock.today().isoformat(), "child_seen": True},
                headers=etag(version),
            )
            version = r.json()["version"]
        read = await sw.get(f"/v1/plans/{plan['id']}")
    body = read.json()
    assert [v["version"] for v in body["versions"]] == list(range(1, 21))
    assert body["history"]["versions"]["count"] == version and body["history"]["versions"]["next_cursor"]
    assert len(body["visits"]) == 20 and body["history"]["visits"]["count"] == 22
    assert body["history"]["reviews"] == {"count": 0, "href": f"/v1/plans/{plan['id']}/reviews", "next_cursor": None}
    assert len(read.content) < 40_000
    for kind, expected in (("versions", list(range(1, version + 1))), ("visits", 22)):
        link = body["history"][kind]
        seen: list[Any] = list(body[kind])
        cursor = link["next_cursor"]
        async with api.practitioner() as sw:
            while cursor:
                page = (await sw.get(link["href"], params={"cursor": cursor, "limit": 7})).json()
                seen += page["items"]
                cursor = page["next_cursor"]
            whole = (await sw.get(link["href"], params={"limit": 200})).json()
        assert seen == whole["items"] and whole["next_cursor"] is None
        assert ([v["version"] for v in seen] if kind == "versions" else len(seen)) == expected


async def test_a_cursor_the_api_did_not_give_out_is_refused(api: Api, cases: Cases) -> None:
    plan = await cases.ready(api)
    async with api.practitioner() as sw:
        r = await sw.get(f"/v1/plans/{plan['id']}/versions", params={"cursor": "bm90LWEtY3Vyc29y"})
    assert_problem(r, 422, "cursor")
