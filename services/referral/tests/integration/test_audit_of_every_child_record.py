"""Every operation that carries or refuses a child's record writes its audit row (issue 6, must
show 3): for each operation the permission table marks as carrying a record, the answer to an
entitled caller leaves a ``success`` row naming the record, and the answer to a caller of another
team leaves a ``refused`` one, both found by the answer's request id. (A refusal by role is walked
for every operation in test_permissions.py.) A new operation with a record and no scenario here
fails the first test."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest
from referral_support import Api, new_child, new_referral, post_referral, publish_stepdown, stepup, wait_for_row

from continuum.casework.imports import child_key
from continuum_tools.testing.suites import AuditWalk, Scenario
from referral.permissions import PERMISSIONS

NORTH = {"teams": ("north",)}
SOUTH = {"teams": ("south",)}
DECISION = {"outcome": "assessment", "reasons": "Needs a single assessment.", "team": "north"}
CORRECTION = DECISION | {"team": "east", "correction_reason": "The wrong team was recorded."}
QUESTION = {"agency": "police", "question": "Call-outs to the address?", "due_at": "2099-01-01T16:00:00Z"}


async def _referral(api: Api) -> dict[str, Any]:
    async with api.as_user("front_door") as front_door:
        return await post_referral(front_door, new_referral(new_child(), team="north"))


async def _call(api: Api, roles: tuple[str, ...], who: dict[str, Any], method: str, url: str, **kw: Any) -> httpx.Response:
    async with api.as_user(*roles, **who) as client:
        return await client.request(method, url, headers={"X-Request-ID": str(uuid.uuid4())} | kw.pop("headers", {}), **kw)


async def _decided(api: Api) -> dict[str, Any]:
    referral = await _referral(api)
    url = f"/v1/referrals/{referral['id']}/decision"
    r = await _call(api, ("manager",), NORTH, "POST", url, json=DECISION, headers={"If-Match": '"1"'})
    assert r.status_code == 200, r.text
    return referral


async def _asked(api: Api) -> tuple[dict[str, Any], str]:
    referral = await _referral(api)
    url = f"/v1/referrals/{referral['id']}/information-requests"
    r = await _call(api, ("practitioner",), NORTH, "POST", url, json=QUESTION)
    assert r.status_code == 201, r.text
    return referral, r.json()["id"]


# Each scenario makes one call as an entitled user and one as another team's, and says which
# records each answer carries or refuses: [(response, {(subject_type, subject_id, outcome)})].


async def register_child(api: Api) -> Any:
    north_child = await _referral(api)
    ok = await _call(api, ("front_door",), {}, "POST", "/v1/children", json=new_child())
    answer_only = ("id", "version", "created_at", "updated_at", "census_queries")
    known = {k: v for k, v in north_child["child"].items() if k not in answer_only}
    refused = await _call(api, ("practitioner",), SOUTH, "POST", "/v1/children", json=known)
    child = north_child["child"]["id"]
    return [(ok, {("child", ok.json()["id"], "success")}), (refused, {("child", child, "refused")})]


async def get_child(api: Api) -> Any:
    child = (await _referral(api))["child"]["id"]
    ok = await _call(api, ("practitioner",), NORTH, "GET", f"/v1/children/{child}")
    refused = await _call(api, ("practitioner",), SOUTH, "GET", f"/v1/children/{child}")
    return [(ok, {("child", child, "success")}), (refused, {("child", child, "refused")})]


async def update_child(api: Api) -> Any:
    child = (await _referral(api))["child"]["id"]
    patch = {"json": {"postcode": "EX2 2BB"}, "headers": {"If-Match": '"1"'}}
    ok = await _call(api, ("practitioner",), NORTH, "PATCH", f"/v1/children/{child}", **patch)
    refused = await _call(api, ("practitioner",), SOUTH, "PATCH", f"/v1/children/{child}", **patch)
    return [(ok, {("child", child, "success")}), (refused, {("child", child, "refused")})]


async def receive_referral(api: Api) -> Any:
    ok = await _call(api, ("front_door",), {}, "POST", "/v1/referrals", json=new_referral(new_child()))
    body = ok.json()
    by_id = new_referral(None, child_id=body["child"]["id"], team="south") | {"child": None}
    refused = await _call(api, ("manager",), SOUTH, "POST", "/v1/referrals", json=by_id)
    return [
        (ok, {("referral", body["id"], "success"), ("child", body["child"]["id"], "success")}),
        (refused, {("child", body["child"]["id"], "refused")}),
    ]


async def list_referrals(api: Api) -> Any:
    referral = await _referral(api)
    child = referral["child"]["id"]
    ok = await _call(api, ("practitioner",), NORTH, "GET", "/v1/referrals", params={"child_id": child})
    refused = await _call(api, ("practitioner",), SOUTH, "GET", "/v1/referrals", params={"child_id": child})
    listed = {("child", child, "success"), ("referral", referral["id"], "success")}
    return [(ok, listed), (refused, {("child", child, "refused")})]


async def get_referral(api: Api) -> Any:
    referral = await _referral(api)
    url = f"/v1/referrals/{referral['id']}"
    ok = await _call(api, ("practitioner",), NORTH, "GET", url)
    refused = await _call(api, ("practitioner",), SOUTH, "GET", url)
    read = {("referral", referral["id"], "success"), ("child", referral["child"]["id"], "success")}
    return [(ok, read), (refused, {("referral", referral["id"], "refused")})]


async def decide(api: Api) -> Any:
    referral = await _referral(api)
    url = f"/v1/referrals/{referral['id']}/decision"
    refused = await _call(api, ("manager",), SOUTH, "POST", url, json=DECISION, headers={"If-Match": '"1"'})
    ok = await _call(api, ("manager",), NORTH, "POST", url, json=DECISION, headers={"If-Match": '"1"'})
    done = {("referral", referral["id"], "success"), ("child", referral["child"]["id"], "success")}
    return [(ok, done), (refused, {("referral", referral["id"], "refused")})]


async def correct_decision(api: Api) -> Any:
    referral = await _decided(api)
    url = f"/v1/referrals/{referral['id']}/decision-corrections"
    refused = await _call(api, ("manager",), SOUTH, "POST", url, json=CORRECTION, headers={"If-Match": '"2"'})
    ok = await _call(api, ("manager",), NORTH, "POST", url, json=CORRECTION, headers={"If-Match": '"2"'})
    done = {("referral", referral["id"], "success"), ("child", referral["child"]["id"], "success")}
    return [(ok, done), (refused, {("referral", referral["id"], "refused")})]


async def request_information(api: Api) -> Any:
    referral = await _referral(api)
    url = f"/v1/referrals/{referral['id']}/information-requests"
    ok = await _call(api, ("practitioner",), NORTH, "POST", url, json=QUESTION)
    refused = await _call(api, ("practitioner",), SOUTH, "POST", url, json=QUESTION)
    return [(ok, {("referral", referral["id"], "success")}), (refused, {("referral", referral["id"], "refused")})]


async def record_information(api: Api) -> Any:
    referral, request_id = await _asked(api)
    url = f"/v1/referrals/{referral['id']}/information-requests/{request_id}/answer"
    refused = await _call(api, ("practitioner",), SOUTH, "PUT", url, json={"answer": "None known."})
    ok = await _call(api, ("practitioner",), NORTH, "PUT", url, json={"answer": "None known."})
    return [(ok, {("referral", referral["id"], "success")}), (refused, {("referral", referral["id"], "refused")})]


async def queue(api: Api) -> Any:
    referral = await _referral(api)
    ok = await _call(api, ("front_door",), {}, "GET", "/v1/front-door/queue", params={"team": "north", "limit": 200})
    assert referral["id"] in [item["referral_id"] for item in ok.json()["items"]]
    refused = await _call(api, ("manager",), SOUTH, "GET", "/v1/front-door/queue", params={"team": "north"})
    listed = {("child", item["child_id"], "success") for item in ok.json()["items"]}
    return [(ok, listed), (refused, {("team", "north", "refused")})]


async def contacts(api: Api) -> Any:
    referral = await _referral(api)
    event = stepup(referral["child"]["id"])  # the child's episode is open: a contact on it
    await publish_stepdown(api.settings, event)
    await wait_for_row(api.settings, "SELECT 1 FROM contacts WHERE stepped_up_from = $1", event.data.early_help_episode_id)
    ok = await _call(api, ("front_door",), {}, "GET", "/v1/front-door/contacts", params={"team": "north", "limit": 200})
    assert referral["child"]["id"] in [item["child_id"] for item in ok.json()["items"]]
    refused = await _call(api, ("manager",), SOUTH, "GET", "/v1/front-door/contacts", params={"team": "north"})
    listed = {("child", item["child_id"], "success") for item in ok.json()["items"]}
    return [(ok, listed), (refused, {("team", "north", "refused")})]


async def import_children(api: Api) -> Any:
    child = {
        "la_child_id": "AW" + uuid.uuid4().hex[:12].upper(),
        "date_of_birth": "2015-03-14",
        "sex": "F",
        "ethnicity": "WBRI",
        "team": "north",
        "episodes": [{"referral_date": "2024-05-02", "source": "6", "referral_nfa": False, "decision": "assessment"}],
    }
    body = {"source": "audit-walk.xml", "la": "801", "children": [child]}
    ok = await _call(api, ("importer",), {}, "POST", "/v1/imports/children", json=body)
    assert ok.json()["imported"] == 1, ok.text
    refused = await _call(api, ("practitioner",), NORTH, "POST", "/v1/imports/children", json=body)
    imported = str(child_key("801", child["la_child_id"]))
    return [(ok, {("child", imported, "success")}), (refused, {("child", "-", "refused")})]


SCENARIOS: dict[str, Scenario] = {
    "register_child": register_child,
    "get_child": get_child,
    "update_child": update_child,
    "receive_referral": receive_referral,
    "list_referrals": list_referrals,
    "get_referral": get_referral,
    "decide": decide,
    "correct_decision": correct_decision,
    "request_information": request_information,
    "record_information": record_information,
    "queue": queue,
    "contacts": contacts,
    "import_children": import_children,
}


class TestAuditWalk(AuditWalk):
    permissions = PERMISSIONS
    scenarios = SCENARIOS

    @pytest.fixture
    def scenario_args(self, api: Api) -> tuple[Any, ...]:
        return (api,)
