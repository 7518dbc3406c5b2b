"""GET /v1/front-door/queue: undecided referrals, soonest due first, overdue ones marked.

The session's database holds every other test's referrals too, so each test looks at its own
referrals within the queue (their relative order, their flags) rather than at the whole queue.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
from referral_support import Api, iso, new_referral, now_utc, post_referral

from continuum_tools.testing import assert_problem

TEAM = "disabled-children"  # these tests' referrals; no other test file refers to this team


async def _whole_queue(client: httpx.AsyncClient, *, team: str | None = None, limit: int = 200) -> list[dict[str, Any]]:
    """Every page of the queue, following next_cursor."""
    items: list[dict[str, Any]] = []
    params: dict[str, Any] = {"limit": limit} | ({"team": team} if team else {})
    for _ in range(1000):
        r = await client.get("/v1/front-door/queue", params=params)
        assert r.status_code == 200, r.text
        page = r.json()
        items.extend(page["items"])
        if page["next_cursor"] is None:
            return items
        params["cursor"] = page["next_cursor"]
    raise AssertionError("the queue's cursor never ended")


async def test_undecided_referrals_are_ordered_by_due_time(api: Api) -> None:
    async with api.as_user("front_door") as client:
        # Created out of order: Wednesday, Monday, Tuesday (16 to 18 November 2026, 09:00 London).
        wednesday = await post_referral(client, new_referral(received_at="2026-11-18T09:00:00Z", team=TEAM))
        monday = await post_referral(client, new_referral(received_at="2026-11-16T09:00:00Z", team=TEAM))
        tuesday = await post_referral(client, new_referral(received_at="2026-11-17T09:00:00Z", team=TEAM))
        queue = await _whole_queue(client, team=TEAM)
    mine = {monday["id"], tuesday["id"], wednesday["id"]}
    assert [(i["referral_id"], i["decision_due_at"]) for i in queue if i["referral_id"] in mine] == [
        (monday["id"], "2026-11-17T09:00:00Z"),
        (tuesday["id"], "2026-11-18T09:00:00Z"),
        (wednesday["id"], "2026-11-19T09:00:00Z"),
    ]


async def test_overdue_referrals_are_flagged(api: Api) -> None:
    async with api.as_user("front_door") as client:
        old = await post_referral(client, new_referral(received_at="2026-11-02T09:00:00Z", team=TEAM))
        fresh = await post_referral(client, new_referral(received_at=iso(now_utc() - timedelta(minutes=1)), team=TEAM))
        queue = await _whole_queue(client, team=TEAM)
    flags = {i["referral_id"]: i["overdue"] for i in queue if i["referral_id"] in {old["id"], fresh["id"]}}
    assert flags == {old["id"]: True, fresh["id"]: False}


async def test_queue_item_carries_the_child_and_open_information_requests(api: Api) -> None:
    async with api.as_user("front_door") as client:
        referral = await post_referral(client, new_referral(team=TEAM))
        r = await client.post(
            f"/v1/referrals/{referral['id']}/information-requests",
            json={"agency": "school", "question": "Attendance this term?", "due_at": iso(now_utc() + timedelta(hours=4))},
        )
        assert r.status_code == 201, r.text
        queue = await _whole_queue(client, team=TEAM)
    [item] = [i for i in queue if i["referral_id"] == referral["id"]]
    child = referral["child"]
    assert (item["case_id"], item["child_id"], item["child_name"], item["open_information_requests"], item["source"]) == (
        referral["case_id"],
        child["id"],
        f"{child['given_name']} {child['family_name']}",
        1,
        "6",
    )


async def test_filter_by_team_shows_only_that_teams_referrals(api: Api) -> None:
    async with api.as_user("front_door") as client:
        ours = await post_referral(client, new_referral(team=TEAM))
        theirs = await post_referral(client, new_referral(team="south"))
        queue = await _whole_queue(client, team=TEAM)
    ids = [i["referral_id"] for i in queue]
    assert (ours["id"] in ids, theirs["id"] in ids) == (True, False)
    assert {i["team"] for i in queue} == {TEAM}


async def test_a_managers_queue_holds_only_their_teams(api: Api) -> None:
    async with api.as_user("front_door") as client:
        ours = await post_referral(client, new_referral(team=TEAM))
        theirs = await post_referral(client, new_referral(team="south"))
    async with api.as_user("manager", teams=(TEAM,)) as manager:
        queue = await _whole_queue(manager)
    ids = [i["referral_id"] for i in queue]
    assert (ours["id"] in ids, theirs["id"] in ids) == (True, False)
    assert {i["team"] for i in queue} == {TEAM}


async def test_a_manager_asking_for_another_teams_queue_gets_404(api: Api) -> None:
    async with api.as_user("manager", teams=(TEAM,)) as manager:
        r = await manager.get("/v1/front-door/queue", params={"team": "south"})
    assert_problem(r, 404)


async def test_a_practitioner_may_not_see_the_queue(api: Api) -> None:
    async with api.as_user("practitioner", teams=(TEAM,)) as practitioner:
        r = await practitioner.get("/v1/front-door/queue")
    assert_problem(r, 403)


async def test_decided_referrals_leave_the_queue(api: Api) -> None:
    async with api.as_user("front_door") as client:
        referral = await post_referral(client, new_referral(team=TEAM))
        before = [i["referral_id"] for i in await _whole_queue(client, team=TEAM)]
        async with api.as_user("manager", teams=(TEAM,)) as manager:
            r = await manager.post(
                f"/v1/referrals/{referral['id']}/decision",
                json={"outcome": "nfa", "reasons": "No concerns.", "team": TEAM},
                headers={"If-Match": '"1"'},
            )
        assert r.status_code == 200, r.text
        after = [i["referral_id"] for i in await _whole_queue(client, team=TEAM)]
    assert (referral["id"] in before, referral["id"] in after) == (True, False)


async def test_cursor_pagination_returns_the_rest_without_repeats(api: Api) -> None:
    async with api.as_user("front_door") as client:
        # Five referrals with the same due time: the cursor must break ties by id without skipping.
        created = [await post_referral(client, new_referral(received_at="2026-11-10T11:00:00Z", team=TEAM)) for _ in range(5)]
        in_one_page = await _whole_queue(client, team=TEAM)
        paged = await _whole_queue(client, team=TEAM, limit=2)
    paged_ids = [i["referral_id"] for i in paged]
    assert len(paged_ids) == len(set(paged_ids))
    assert paged_ids == [i["referral_id"] for i in in_one_page]
    assert {c["id"] for c in created} <= set(paged_ids)


async def test_a_page_of_the_queue_answers_next_cursor_only_when_more_remain(api: Api) -> None:
    async with api.as_user("front_door") as client:
        await post_referral(client, new_referral(team=TEAM))
        await post_referral(client, new_referral(team=TEAM))
        first = (await client.get("/v1/front-door/queue", params={"team": TEAM, "limit": 1})).json()
        total = len(await _whole_queue(client, team=TEAM))
        everything = (await client.get("/v1/front-door/queue", params={"team": TEAM, "limit": total})).json()
    assert (len(first["items"]), first["next_cursor"] is not None) == (1, True)
    assert (len(everything["items"]), everything["next_cursor"]) == (total, None)


async def test_a_cursor_the_api_never_gave_out_is_refused(api: Api) -> None:
    async with api.as_user("front_door") as client:
        r = await client.get("/v1/front-door/queue", params={"cursor": "not-a-cursor"})
    assert_problem(r, 422, "cursor")
