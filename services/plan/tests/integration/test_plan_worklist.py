"""The manager's worklist: plans that could close or step down, with the reasons, next to the
drifting ones, the one needing attention longest first; another team's list is refused."""

from __future__ import annotations

from typing import Any

from plan_support import Api, Cases, assert_problem, etag

from continuum.casework import clock


async def _items(api: Api) -> list[dict[str, Any]]:
    items, cursor = [], None
    async with api.manager() as m:
        while True:
            r = await m.get("/v1/plans/worklist", params={"team": "north", "limit": 50} | ({"cursor": cursor} if cursor else {}))
            assert r.status_code == 200, r.text
            items += r.json()["items"]
            cursor = r.json()["next_cursor"]
            if cursor is None:
                return items


async def test_could_close_plans_stand_next_to_drifting_ones_by_urgency(api: Api, cases: Cases) -> None:
    drifting = await cases.started(api)
    await cases.backdate(drifting["id"], 100)
    closable = await cases.started(api)
    progress = [{"action_id": closable["actions"][0]["id"], "progress": "done"}]
    review = {
        "review_date": clock.today().isoformat(),
        "progress": progress,
        "decision": "continue",
        "exit_criteria_met": True,
        "concerns_remain": False,
    }
    async with api.practitioner() as sw:
        r = await sw.post(f"/v1/plans/{closable['id']}/reviews", json=review, headers=etag(closable["version"]))
    assert r.status_code == 201, r.text
    quiet = await cases.started(api)

    items = await _items(api)
    ids = [i["plan_id"] for i in items]
    assert drifting["id"] in ids and closable["id"] in ids and quiet["id"] not in ids
    assert ids.index(drifting["id"]) < ids.index(closable["id"])
    assert [i["needs_attention_since"] for i in items] == sorted(i["needs_attention_since"] for i in items)
    close = next(i for i in items if i["plan_id"] == closable["id"])
    assert set(close["could_close"]["reasons"]) == {"every action done", "exit criteria met", "no open concerns"}
    assert close["could_close"]["next_step"] == "close" and close["drift"] == []
    drift = next(i for i in items if i["plan_id"] == drifting["id"])
    assert {d["kind"] for d in drift["drift"]} >= {"review_overdue", "visits_missed"}


async def test_another_teams_worklist_is_refused(api: Api) -> None:
    async with api.manager("south") as other:
        r = await other.get("/v1/plans/worklist", params={"team": "north"})
    assert_problem(r, 404)
