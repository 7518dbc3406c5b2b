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
from assessment_support import RECORD, Api, Cases, allocated, etag, submitted

from assessment.permissions import PERMISSIONS
from continuum.casework import clock
from continuum.casework.imports import child_key
from continuum_tools.testing import la_child_id
from continuum_tools.testing.suites import AuditWalk, Expected, Scenario, call


async def _both(
    api: Api,
    a: dict[str, Any],
    method: str,
    url: str,
    *,
    roles: tuple[str, ...] = ("manager",),
    sub: str | None = None,
    **kw: Any,
) -> list[tuple[httpx.Response, Expected]]:
    """Another team's manager first (refused: the record is untouched), then the entitled caller."""
    async with api.as_user("manager", teams=("south",), sw_qualified=True) as other:
        refused = await call(other, method, url, **kw)
    async with api.as_user(*roles, teams=("north",), sw_qualified=True, sub=sub) as entitled:
        ok = await call(entitled, method, url, **kw)
    subject = ("section47", str(url.split("/")[3])) if url.startswith("/v1/section47/") else ("assessment", str(a["id"]))
    carried: Expected = {(*subject, "success")}
    if subject[0] == "assessment":
        carried.add(("child", str(a["child_id"]), "success"))
    return [(ok, carried), (refused, {(*subject, "refused")})]


async def get_assessment(api: Api, cases: Cases) -> Any:
    a = await cases.open()
    return await _both(api, a, "GET", f"/v1/assessments/{a['id']}", roles=("practitioner",))


async def allocate(api: Api, cases: Cases) -> Any:
    a = await cases.open()
    body = {"lead_practitioner": "sw-audit", "lead_practitioner_role": "social_worker"}
    return await _both(api, a, "POST", f"/v1/assessments/{a['id']}/allocation", json=body, headers=etag(1))


async def record(api: Api, cases: Cases) -> Any:
    lead = f"sw-{uuid.uuid4().hex[:8]}"
    a = await allocated(api, cases, lead)
    url = f"/v1/assessments/{a['id']}"
    return await _both(api, a, "PATCH", url, roles=("practitioner",), sub=lead, json=RECORD, headers=etag(a["version"]))


async def submit(api: Api, cases: Cases) -> Any:
    lead = f"sw-{uuid.uuid4().hex[:8]}"
    a = await allocated(api, cases, lead)
    async with api.as_user("practitioner", sub=lead) as practitioner:
        r = await practitioner.patch(f"/v1/assessments/{a['id']}", json=RECORD, headers=etag(a["version"]))
    url = f"/v1/assessments/{a['id']}/submission"
    return await _both(api, a, "POST", url, roles=("practitioner",), sub=lead, headers=etag(r.json()["version"]))


async def return_assessment(api: Api, cases: Cases) -> Any:
    a = await submitted(api, cases, f"sw-{uuid.uuid4().hex[:8]}")
    url = f"/v1/assessments/{a['id']}/return"
    return await _both(api, a, "POST", url, json={"reasons": "See the child alone."}, headers=etag(a["version"]))


async def authorise(api: Api, cases: Cases) -> Any:
    a = await submitted(api, cases, f"sw-{uuid.uuid4().hex[:8]}")
    body = {"authorisation_date": clock.today().isoformat(), "outcome": "cin_plan"}
    return await _both(api, a, "POST", f"/v1/assessments/{a['id']}/authorisation", json=body, headers=etag(a["version"]))


async def _section47(cases: Cases) -> tuple[dict[str, Any], str]:
    a = await cases.open(outcome="strategy_discussion")
    return a, str(await cases.scalar("SELECT id FROM section47_enquiries WHERE assessment_id = :a", a=a["id"]))


async def get_section47(api: Api, cases: Cases) -> Any:
    a, s47 = await _section47(cases)
    return await _both(api, a, "GET", f"/v1/section47/{s47}", roles=("practitioner",))


START = {"strategy_discussion_date": "2026-11-20", "start_date": "2026-11-23"}


async def start_section47(api: Api, cases: Cases) -> Any:
    a, s47 = await _section47(cases)
    return await _both(api, a, "POST", f"/v1/section47/{s47}/start", json=START, headers=etag(1))


async def conclude_section47(api: Api, cases: Cases) -> Any:
    a, s47 = await _section47(cases)
    async with api.manager() as manager:
        assert (await manager.post(f"/v1/section47/{s47}/start", json=START, headers=etag(1))).status_code == 200
    body = {"icpc_not_required": True, "outcome": "no_cp_plan"}
    return await _both(api, a, "POST", f"/v1/section47/{s47}/conclusion", json=body, headers=etag(2))


async def worklist(api: Api, cases: Cases) -> Any:
    a = await cases.open()
    async with api.manager() as manager:
        ok = await call(manager, "GET", "/v1/assessments/worklist", params={"team": "north", "limit": 200})
    async with api.manager("south") as other:
        refused = await call(other, "GET", "/v1/assessments/worklist", params={"team": "north"})
    listed = {("child", item["child_id"], "success") for item in ok.json()["items"]}
    assert ("child", str(a["child_id"]), "success") in listed or ok.json()["next_cursor"]
    return [(ok, listed), (refused, {("team", "north", "refused")})]


async def find_assessments(api: Api, cases: Cases) -> Any:
    """Another team's caller gets the list without the child's assessments (the same answer as for a
    child with none), and the refusal is on record; the entitled caller's answer carries them."""
    a = await cases.open()
    params = {"child_id": str(a["child_id"])}
    async with api.manager("south") as other:
        refused = await call(other, "GET", "/v1/assessments", params=params)
    async with api.as_user("practitioner") as entitled:
        ok = await call(entitled, "GET", "/v1/assessments", params=params)
    child = str(a["child_id"])
    return [(ok, {("child", child, "success")}), (refused, {("child", child, "refused")})]


async def import_assessments(api: Api, cases: Cases) -> Any:
    lcid = la_child_id()
    opened = {"start": "2025-11-04", "authorised": None, "factors": [], "outcome": None, "current_status": True}
    episode = {"referral_date": "2025-11-03", "primary_need": None, "assessments": [opened], "section47s": []}
    children = [{"la_child_id": lcid, "team": "north", "episodes": [episode]}]
    payload = {"source": "CIN_2025-26.xml", "la": "201", "children": children}
    async with api.as_user("importer", teams=()) as importer:
        ok = await call(importer, "POST", "/v1/imports/assessments", json=payload)
    assessment = await cases.scalar("SELECT id FROM assessments WHERE child_id = :c", c=child_key("201", lcid))
    return [(ok, {("child", str(child_key("201", lcid)), "success"), ("assessment", str(assessment), "success")})]


SCENARIOS: dict[str, Scenario] = {
    "get_assessment": get_assessment,
    "allocate": allocate,
    "record": record,
    "submit": submit,
    "return_assessment": return_assessment,
    "authorise": authorise,
    "get_section47": get_section47,
    "start_section47": start_section47,
    "conclude_section47": conclude_section47,
    "worklist": worklist,
    "find_assessments": find_assessments,
    "import_assessments": import_assessments,
}


class TestAuditWalk(AuditWalk):
    permissions = PERMISSIONS
    scenarios = SCENARIOS
