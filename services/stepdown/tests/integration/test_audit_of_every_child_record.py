"""Every operation that carries or refuses a child's record writes its audit row: for each operation
the permission table marks as carrying a record, the answer to an entitled caller leaves a
``success`` row naming the record, and the answer to a caller of another team a ``refused`` one,
found by the answer's request id. (Refusals by role are walked in test_permissions.py.) A new
operation with a record and no scenario here fails the first test."""

from __future__ import annotations

import random
import uuid
from datetime import date
from typing import Any

import httpx
from stepdown_support import HANDOVER, Api, Cases, etag

from continuum.casework.imports import child_key, record_id
from continuum_tools.testing import la_child_id
from continuum_tools.testing.suites import AuditWalk, Expected, Scenario, call
from stepdown.permissions import PERMISSIONS


async def _both(
    api: Api, s: dict[str, Any], method: str, url: str, *, roles: tuple[str, ...], teams: tuple[str, ...], **kw: Any
) -> list[tuple[httpx.Response, Expected]]:
    """Another team's caller with the same role first (refused, untouched), then the entitled one."""
    async with api.as_user(*roles, teams=("south",)) as other:
        refused = await call(other, method, url, **kw)
    async with api.as_user(*roles, teams=teams) as entitled:
        ok = await call(entitled, method, url, **kw)
    subject = ("stepdown", str(s["id"]))
    return [(ok, {(*subject, "success"), ("child", str(s["child_id"]), "success")}), (refused, {(*subject, "refused")})]


async def _handed_over(api: Api, cases: Cases) -> dict[str, Any]:
    s = await cases.pending_handover()
    async with api.as_user("practitioner") as practitioner:
        r = await practitioner.put(f"/v1/stepdowns/{s['id']}/handover", json=HANDOVER, headers=etag(s["version"]))
    return s | {"version": r.json()["version"]}


async def _accepted(api: Api, cases: Cases) -> dict[str, Any]:
    s = await _handed_over(api, cases)
    async with api.early_help() as early_help:
        r = await early_help.post(f"/v1/stepdowns/{s['id']}/acceptance", headers=etag(s["version"]))
    return s | {"version": r.json()["version"]}


EARLY_HELP = {"roles": ("early_help",), "teams": ("early-help",)}


async def get_stepdown(api: Api, cases: Cases) -> Any:
    s = await cases.pending_handover()
    return await _both(api, s, "GET", f"/v1/stepdowns/{s['id']}", roles=("practitioner",), teams=("north",))


async def record_handover(api: Api, cases: Cases) -> Any:
    s = await cases.pending_handover()
    url = f"/v1/stepdowns/{s['id']}/handover"
    return await _both(api, s, "PUT", url, roles=("practitioner",), teams=("north",), json=HANDOVER, headers=etag(s["version"]))


async def accept_stepdown(api: Api, cases: Cases) -> Any:
    s = await _handed_over(api, cases)
    return await _both(api, s, "POST", f"/v1/stepdowns/{s['id']}/acceptance", headers=etag(s["version"]), **EARLY_HELP)


async def decline_stepdown(api: Api, cases: Cases) -> Any:
    s = await _handed_over(api, cases)
    body = {"reason": "no_capacity", "detail": "Waiting list"}
    return await _both(api, s, "POST", f"/v1/stepdowns/{s['id']}/decline", json=body, headers=etag(s["version"]), **EARLY_HELP)


async def record_engagement(api: Api, cases: Cases) -> Any:
    s = await _accepted(api, cases)
    url = f"/v1/stepdowns/{s['id']}/engagement"
    return await _both(api, s, "POST", url, json={"engagement": "engaged"}, headers=etag(s["version"]), **EARLY_HELP)


async def record_outcome(api: Api, cases: Cases) -> Any:
    s = await _accepted(api, cases)
    async with api.early_help() as early_help:
        r = await early_help.post(
            f"/v1/stepdowns/{s['id']}/engagement", json={"engagement": "engaged"}, headers=etag(s["version"])
        )
    body = {"outcome": "needs_met", "closed_on": r.json()["engagement_recorded_on"]}
    url = f"/v1/stepdowns/{s['id']}/outcome"
    return await _both(api, s, "POST", url, json=body, headers=etag(r.json()["version"]), **EARLY_HELP)


async def close_stepdown(api: Api, cases: Cases) -> Any:
    s = await _handed_over(api, cases)
    async with api.early_help() as early_help:
        r = await early_help.post(
            f"/v1/stepdowns/{s['id']}/decline", json={"reason": "other", "detail": "x"}, headers=etag(s["version"])
        )
    body = {"reason_for_closure": "RC7", "unmet_need": True}
    url = f"/v1/stepdowns/{s['id']}/closure"
    return await _both(api, s, "POST", url, roles=("manager",), teams=("north",), json=body, headers=etag(r.json()["version"]))


async def request_step_up(api: Api, cases: Cases) -> Any:
    s = await _accepted(api, cases)
    body = {"stepdown_id": str(s["id"]), "child_id": str(s["child_id"]), "concerns": "c", "what_was_tried": "t"}
    return await _both(api, s, "POST", "/v1/step-ups", json=body, **EARLY_HELP)


async def get_step_up(api: Api, cases: Cases) -> Any:
    s = await _accepted(api, cases)
    body = {"stepdown_id": str(s["id"]), "child_id": str(s["child_id"]), "concerns": "c", "what_was_tried": "t"}
    async with api.early_help() as early_help:
        step_up = (await early_help.post("/v1/step-ups", json=body)).json()
    url = f"/v1/step-ups/{step_up['id']}"
    async with api.as_user("early_help", teams=("south",)) as other:
        refused = await call(other, "GET", url)
    async with api.early_help() as early_help:
        ok = await call(early_help, "GET", url)
    return [
        (ok, {("step_up", step_up["id"], "success"), ("child", str(s["child_id"]), "success")}),
        (refused, {("step_up", step_up["id"], "refused")}),
    ]


async def _listed(api: Api, cases: Cases, url: str, role: str) -> Any:
    s = await _handed_over(api, cases)
    if "escalations" in url:
        async with api.early_help() as early_help:
            await early_help.post(
                f"/v1/stepdowns/{s['id']}/decline", json={"reason": "other", "detail": "x"}, headers=etag(s["version"])
            )
    async with api.as_user(role, teams=("north",)) as entitled:
        ok = await call(entitled, "GET", url, params={"team": "north", "limit": 200})
    async with api.as_user(role, teams=("south",)) as other:
        refused = await call(other, "GET", url, params={"team": "north"})
    listed = {("child", item["child_id"], "success") for item in ok.json()["items"]}
    assert ("child", str(s["child_id"]), "success") in listed or ok.json()["next_cursor"]
    return [(ok, listed), (refused, {("team", "north", "refused")})]


async def list_stepdowns(api: Api, cases: Cases) -> Any:
    return await _listed(api, cases, "/v1/stepdowns", "practitioner")


async def escalations(api: Api, cases: Cases) -> Any:
    return await _listed(api, cases, "/v1/stepdowns/escalations", "manager")


async def _sampled_month(api: Api, cases: Cases) -> tuple[str, dict[str, Any]]:
    """A step-down of a month of its own (long past), and that month's sample drawn."""
    s = await cases.pending_handover()
    month = f"{random.randint(1950, 2019)}-{random.randint(1, 12):02d}"
    await cases.execute("UPDATE stepdowns SET stepped_down_on = :d WHERE id = :s", d=date.fromisoformat(f"{month}-15"), s=s["id"])
    async with api.as_user("auditor") as auditor:
        r = await auditor.post("/v1/audits", json={"month": month})
    assert r.status_code == 201, r.text
    return month, s


async def draw_audit_sample(api: Api, cases: Cases) -> Any:
    s = await cases.pending_handover()
    month = f"{random.randint(1950, 2019)}-{random.randint(1, 12):02d}"
    await cases.execute("UPDATE stepdowns SET stepped_down_on = :d WHERE id = :s", d=date.fromisoformat(f"{month}-15"), s=s["id"])
    async with api.as_user("auditor") as auditor:
        ok = await call(auditor, "POST", "/v1/audits", json={"month": month})
    return [(ok, {("child", str(s["child_id"]), "success")})]


async def get_audit_sample(api: Api, cases: Cases) -> Any:
    month, s = await _sampled_month(api, cases)
    async with api.as_user("auditor") as auditor:
        ok = await call(auditor, "GET", f"/v1/audits/{month}")
    return [(ok, {("child", str(s["child_id"]), "success")})]


async def export_audit_sample(api: Api, cases: Cases) -> Any:
    month, s = await _sampled_month(api, cases)
    async with api.as_user("manager") as manager:
        ok = await call(manager, "GET", f"/v1/audits/{month}/sample.csv")
    assert str(s["id"]) in ok.text
    return [(ok, {("child", str(s["child_id"]), "success")})]


async def record_finding(api: Api, cases: Cases) -> Any:
    month, s = await _sampled_month(api, cases)
    async with api.as_user("auditor") as auditor:
        item = (await auditor.get(f"/v1/audits/{month}")).json()["items"][0]
        body = {"rating": "good", "finding": "Clear handover", "learning": "Share more widely"}
        ok = await call(auditor, "POST", f"/v1/audits/{month}/items/{item['id']}/finding", json=body, headers=etag(1))
        missing = str(uuid.uuid4())
        refused = await call(auditor, "POST", f"/v1/audits/{month}/items/{missing}/finding", json=body, headers=etag(1))
    return [
        (ok, {("audit_item", item["id"], "success"), ("child", str(s["child_id"]), "success")}),
        (refused, {("audit_item", missing, "refused")}),
    ]


async def import_closures(api: Api, cases: Cases) -> Any:
    lcid = la_child_id()
    closed = {"referral_date": "2019-04-01", "closure_date": "2019-06-30", "reason_for_closure": "RC8"}
    closed |= {"referral_nfa": False, "assessed": True, "statutory": False, "unmet_need": None}
    children = [{"la_child_id": lcid, "team": "north", "episodes": [closed]}]
    payload = {"source": "CIN_2019-20.xml", "la": "201", "children": children}
    async with api.as_user("importer", teams=()) as importer:
        ok = await call(importer, "POST", "/v1/imports/closures", json=payload)
    closure = record_id("201", "closure", lcid, "2019-04-01")
    return [(ok, {("child", str(child_key("201", lcid)), "success"), ("stepdown", str(closure), "success")})]


SCENARIOS: dict[str, Scenario] = {
    "list_stepdowns": list_stepdowns,
    "escalations": escalations,
    "get_stepdown": get_stepdown,
    "record_handover": record_handover,
    "accept_stepdown": accept_stepdown,
    "decline_stepdown": decline_stepdown,
    "record_engagement": record_engagement,
    "record_outcome": record_outcome,
    "close_stepdown": close_stepdown,
    "request_step_up": request_step_up,
    "get_step_up": get_step_up,
    "draw_audit_sample": draw_audit_sample,
    "get_audit_sample": get_audit_sample,
    "export_audit_sample": export_audit_sample,
    "record_finding": record_finding,
    "import_closures": import_closures,
}


class TestAuditWalk(AuditWalk):
    permissions = PERMISSIONS
    scenarios = SCENARIOS
