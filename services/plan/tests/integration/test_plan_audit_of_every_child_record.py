"""Every operation that carries or refuses a child's record writes its audit row: for each
operation the permission table marks as carrying a record, the answer to an entitled caller leaves
a ``success`` row naming the record, and the answer to a caller of another team leaves a
``refused`` one, both found by the answer's request id. A new operation with a record and no
scenario here fails the first test."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
from plan_support import CONTENT, Api, Cases, action_body, etag

from continuum.casework import clock
from continuum.casework.imports import child_key
from continuum_tools.testing import unique
from continuum_tools.testing.suites import AuditWalk, Expected, Scenario, call
from plan.permissions import PERMISSIONS

TODAY = clock.today().isoformat()


async def _both(api: Api, plan: dict[str, Any], method: str, url: str, **kw: Any) -> list[tuple[httpx.Response, Expected]]:
    """Another team's manager first (refused: the plan is untouched), then the team's manager."""
    async with api.as_user("manager", teams=("south",), sw_qualified=True) as other:
        refused = await call(other, method, url, **kw)
    async with api.as_user("manager", teams=("north",), sw_qualified=True) as entitled:
        ok = await call(entitled, method, url, **kw)
    carried: Expected = {("plan", str(plan["id"]), "success"), ("child", str(plan["child_id"]), "success")}
    return [(ok, carried), (refused, {("plan", str(plan["id"]), "refused")})]


def _on(plan: dict[str, Any], method: str, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
    kw: dict[str, Any] = {"headers": etag(plan["version"])} if method != "GET" else {}
    if body is not None:
        kw["json"] = body
    return {"method": method, "url": f"/v1/plans/{plan['id']}{path}", **kw}


def _scenario(state: str, method: str, path: str, body: Any = None, plan_type: str = "cin") -> Scenario:
    async def run(api: Api, cases: Cases) -> list[tuple[httpx.Response, Expected]]:
        plan = await (cases.started(api, plan_type=plan_type) if state == "started" else cases.ready(api, plan_type=plan_type))
        if callable(body):
            plan, payload = await body(api, cases, plan)
        else:
            payload = body
        spec = _on(plan, method, path.format(**plan.get("_ids", {})), payload)
        return await _both(api, plan, spec.pop("method"), spec.pop("url"), **spec)

    return run


async def _with_meeting(api: Api, cases: Cases, plan: dict[str, Any]) -> tuple[dict[str, Any], Any]:
    meeting = {"kind": "cin_meeting", "meeting_date": TODAY, "invitees": [{"agency": "family", "name": "Jo"}]}
    async with api.manager() as m:
        r = await m.post(f"/v1/plans/{plan['id']}/meetings", json=meeting, headers=etag(plan["version"]))
    answer = r.json()
    return answer | {"_ids": {"meeting_id": answer["meetings"][0]["id"]}}, {"attended": [True]}


async def _with_intervention(api: Api, cases: Cases, plan: dict[str, Any]) -> tuple[dict[str, Any], Any]:
    body = {
        "name": "Family programme",
        "provider": "Provider",
        "start_date": TODAY,
        "planned_end_date": TODAY,
        "scale": "Star",
        "score_before": 3,
    }
    async with api.manager() as m:
        r = await m.post(f"/v1/plans/{plan['id']}/interventions", json=body, headers=etag(plan["version"]))
    answer = r.json()
    return answer | {"_ids": {"intervention_id": answer["interventions"][0]["id"]}}, {"actual_end_date": TODAY, "score_after": 6}


async def _with_action(api: Api, cases: Cases, plan: dict[str, Any]) -> tuple[dict[str, Any], Any]:
    return plan | {"_ids": {"action_id": plan["actions"][0]["id"]}}, {"progress": "in_progress"}


async def _review(api: Api, cases: Cases, plan: dict[str, Any]) -> tuple[dict[str, Any], Any]:
    progress = [{"action_id": plan["actions"][0]["id"], "progress": "in_progress"}]
    return plan, {
        "review_date": TODAY,
        "progress": progress,
        "decision": "continue",
        "exit_criteria_met": False,
        "concerns_remain": True,
    }


async def _ending(api: Api, cases: Cases, plan: dict[str, Any]) -> tuple[dict[str, Any], Any]:
    return plan, {
        "end_date": TODAY,
        "reason": "Needs met.",
        "unmet_need": False,
        "next_step": "close",
        "reason_for_closure": "RC7",
        "actions": [{"action_id": plan["actions"][0]["id"], "progress": "done"}],
    }


async def _both_blocks(
    api: Api, block: dict[str, Any], method: str, url: str, **kw: Any
) -> list[tuple[httpx.Response, Expected]]:
    """Another team's manager first (refused: the block is untouched), then the team's manager."""
    async with api.as_user("manager", teams=("south",), sw_qualified=True) as other:
        refused = await call(other, method, url, **kw)
    async with api.as_user("manager", teams=("north",), sw_qualified=True) as entitled:
        ok = await call(entitled, method, url, **kw)
    carried: Expected = {("preproceedings", str(block["id"]), "success"), ("child", str(block["child_id"]), "success")}
    return [(ok, carried), (refused, {("preproceedings", str(block["id"]), "refused")})]


async def _block(api: Api, cases: Cases, *, decided: bool = False) -> dict[str, Any]:
    plan = await cases.started(api, plan_type="cp")
    async with api.manager() as m:
        r = await m.post("/v1/pre-proceedings", json={"case_id": plan["case_id"], "start_date": TODAY})
        assert r.status_code == 201, r.text
        if decided:
            r = await m.post(
                f"/v1/pre-proceedings/{r.json()['id']}/decision",
                json={
                    "decision": "issue_proceedings",
                    "decision_date": TODAY,
                    "court_application_date": TODAY,
                    "fgdm_exception_reason": "Not in the child's interests.",
                },
                headers=etag(r.json()["version"]),
            )
            assert r.status_code == 200, r.text
    return dict(r.json())


def _block_scenario(method: str, path: str, body: Any = None, *, decided: bool = False) -> Scenario:
    async def run(api: Api, cases: Cases) -> list[tuple[httpx.Response, Expected]]:
        block = await _block(api, cases, decided=decided)
        kw: dict[str, Any] = {"headers": etag(block["version"])} if method != "GET" else {}
        if body is not None:
            kw["json"] = body
        return await _both_blocks(api, block, method, f"/v1/pre-proceedings/{block['id']}{path}", **kw)

    return run


async def _start_preproceedings(api: Api, cases: Cases) -> list[tuple[httpx.Response, Expected]]:
    plan = await cases.started(api)
    body = {"case_id": plan["case_id"], "start_date": TODAY}
    async with api.manager("south") as other:
        refused = await call(other, "POST", "/v1/pre-proceedings", json=body)
    async with api.manager() as entitled:
        ok = await call(entitled, "POST", "/v1/pre-proceedings", json=body)
    carried: Expected = {("preproceedings", ok.json()["id"], "success"), ("child", str(plan["child_id"]), "success")}
    return [(ok, carried), (refused, {("case", str(plan["case_id"]), "refused")})]


async def _find_preproceedings(api: Api, cases: Cases) -> list[tuple[httpx.Response, Expected]]:
    block = await _block(api, cases)
    params = {"child_id": str(block["child_id"])}
    async with api.manager("south") as other:
        refused = await call(other, "GET", "/v1/pre-proceedings", params=params)
    async with api.practitioner() as entitled:
        ok = await call(entitled, "GET", "/v1/pre-proceedings", params=params)
    child = str(block["child_id"])
    return [(ok, {("child", child, "success")}), (refused, {("child", child, "refused")})]


async def _with_history(api: Api, cases: Cases, plan: dict[str, Any]) -> tuple[dict[str, Any], Any]:
    """A review, a visit and a meeting, so that every history list has something to show."""
    _, review = await _review(api, cases, plan)
    async with api.manager() as m:
        r = await m.post(f"/v1/plans/{plan['id']}/reviews", json=review, headers=etag(plan["version"]))
        r = await m.post(
            f"/v1/plans/{plan['id']}/visits", json={"visit_date": TODAY, "child_seen": True}, headers=etag(r.json()["version"])
        )
        meeting = {"kind": "cin_meeting", "meeting_date": TODAY, "invitees": [{"agency": "family", "name": "Jo"}]}
        r = await m.post(f"/v1/plans/{plan['id']}/meetings", json=meeting, headers=etag(r.json()["version"]))
    assert r.status_code == 201, r.text
    return r.json(), None


async def _worklist(api: Api, cases: Cases) -> list[tuple[httpx.Response, Expected]]:
    plan = await cases.started(api)
    await cases.backdate(plan["id"], 400)
    async with api.manager() as manager:
        ok = await call(manager, "GET", "/v1/plans/worklist", params={"team": "north", "limit": 200})
    async with api.manager("south") as other:
        refused = await call(other, "GET", "/v1/plans/worklist", params={"team": "north"})
    listed = {("child", item["child_id"], "success") for item in ok.json()["items"]}
    assert ("child", str(plan["child_id"]), "success") in listed or ok.json()["next_cursor"]
    return [(ok, listed), (refused, {("team", "north", "refused")})]


async def _find(api: Api, cases: Cases) -> list[tuple[httpx.Response, Expected]]:
    plan = await cases.ready(api)
    params = {"child_id": str(plan["child_id"])}
    async with api.manager("south") as other:
        refused = await call(other, "GET", "/v1/plans", params=params)
    async with api.practitioner() as entitled:
        ok = await call(entitled, "GET", "/v1/plans", params=params)
    child = str(plan["child_id"])
    return [(ok, {("child", child, "success")}), (refused, {("child", child, "refused")})]


async def _import(api: Api, cases: Cases) -> list[tuple[httpx.Response, Expected]]:
    la_child_id = unique("walk")[:30]
    today = clock.today()
    body = {
        "source": "walk.xml",
        "la": "201",
        "children": [
            {
                "la_child_id": la_child_id,
                "team": "north",
                "episodes": [{"referral_date": (today - timedelta(days=30)).isoformat(), "cin_plans": [{"start": TODAY}]}],
            }
        ],
    }
    async with api.as_user("importer", teams=()) as importer:
        ok = await call(importer, "POST", "/v1/imports/plans", json=body)
    async with api.manager() as manager:
        refused = await call(manager, "POST", "/v1/imports/plans", json=body)
    return [(ok, {("child", str(child_key("201", la_child_id)), "success")}), (refused, {("child", "-", "refused")})]


SCENARIOS: dict[str, Scenario] = {
    "get_plan": _scenario("ready", "GET", ""),
    "list_versions": _scenario("ready", "GET", "/versions"),
    "list_reviews": _scenario("started", "GET", "/reviews", _with_history),
    "list_visits": _scenario("started", "GET", "/visits", _with_history),
    "list_meetings": _scenario("started", "GET", "/meetings", _with_history),
    "family_copy": _scenario("ready", "GET", "/family-copy"),
    "edit_plan": _scenario("ready", "PATCH", "", {"content": CONTENT}),
    "add_action": _scenario("ready", "POST", "/actions", action_body()),
    "change_action": _scenario("ready", "PATCH", "/actions/{action_id}", _with_action),
    "add_intervention": _scenario(
        "ready",
        "POST",
        "/interventions",
        {"name": "Programme", "provider": "P", "start_date": TODAY, "planned_end_date": TODAY, "scale": "S", "score_before": 1},
    ),
    "complete_intervention": _scenario("ready", "POST", "/interventions/{intervention_id}/outcome", _with_intervention),
    "approve_plan": _scenario("ready", "POST", "/approval", {"start_date": TODAY}),
    "record_review": _scenario("started", "POST", "/reviews", _review),
    "record_visit": _scenario("started", "POST", "/visits", {"visit_date": TODAY, "child_seen": True}),
    "schedule_meeting": _scenario(
        "started",
        "POST",
        "/meetings",
        {"kind": "cin_meeting", "meeting_date": TODAY, "invitees": [{"agency": "school", "name": "Head"}]},
    ),
    "record_attendance": _scenario("started", "POST", "/meetings/{meeting_id}/attendance", _with_meeting),
    "record_strategy_discussion": _scenario("started", "POST", "/strategy-discussions", {"date": TODAY}),
    "start_preproceedings": _start_preproceedings,
    "find_preproceedings": _find_preproceedings,
    "get_preproceedings": _block_scenario("GET", ""),
    "record_preproceedings": _block_scenario(
        "PUT", "", {"letter_before_proceedings_date": TODAY, "fgdm_offered": True, "fgdm_held": False}
    ),
    "decide_preproceedings": _block_scenario("POST", "/decision", {"decision": "step_down", "decision_date": TODAY}),
    "record_care_proceedings_letter": _block_scenario("POST", "/care-proceedings-letter", {"letter_date": TODAY}, decided=True),
    "end_plan": _scenario("started", "POST", "/ending", _ending),
    "worklist": _worklist,
    "find_plans": _find,
    "import_plans": _import,
}


class TestAuditWalk(AuditWalk):
    permissions = PERMISSIONS
    scenarios = SCENARIOS
