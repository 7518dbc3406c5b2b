"""Every operation that carries or refuses a child's record writes its audit row: the answer to an
entitled caller leaves a ``success`` row naming the child, and the answer to a caller whose teams
never held the child a ``refused`` one, found by the answer's request id. (Refusals by role are
walked in test_permissions.py.) A new operation with a record and no scenario here fails the first
test."""

from __future__ import annotations

import uuid
from typing import Any

from insight_support import Api, Cases, journey

from continuum_tools.testing.suites import AuditWalk, Scenario, call
from insight.permissions import PERMISSIONS


async def chronology(api: Api, cases: Cases) -> Any:
    child = uuid.uuid4()
    await cases.deliver_all(journey(child))
    url = f"/v1/children/{child}/chronology"
    async with api.as_user("practitioner", teams=("south",)) as other:
        refused = await call(other, "GET", url)
    async with api.as_user("practitioner", teams=("north",)) as entitled:
        ok = await call(entitled, "GET", url)
    subject = ("child", str(child))
    return [(ok, {(*subject, "success")}), (refused, {(*subject, "refused")})]


async def census(api: Api, cases: Cases) -> Any:
    """The census carries every child with an episode in the year: the read is audited, and each
    child in it; a practitioner is refused by role (the census is the council's, not a child's)."""
    child = uuid.uuid4()
    await cases.deliver_all(journey(child))
    url = "/v1/census/2027?as_at=2026-12-01"
    async with api.as_user("practitioner") as practitioner:
        refused = await call(practitioner, "GET", url)
    async with api.as_user("manager") as manager:
        ok = await call(manager, "GET", url)
    shown = {("census", "2027@2026-12-01", "success"), ("child", str(child), "success")}
    return [(ok, shown), (refused, {("census", "-", "refused")})]


async def annex_a(api: Api, cases: Cases) -> Any:
    """An Annex A list carries every child in it: the read is audited, and each child listed (a
    child referred in the six months before 1 December 2026 is in list 3); a practitioner is
    refused by role."""
    child = uuid.uuid4()
    await cases.deliver_all(journey(child))
    url = "/v1/annex-a/3?as_at=2026-12-01"
    async with api.as_user("practitioner") as practitioner:
        refused = await call(practitioner, "GET", url)
    async with api.as_user("performance", teams=()) as officer:
        ok = await call(officer, "GET", url)
    shown = {("annex_a", "3@2026-12-01", "success"), ("child", str(child), "success")}
    return [(ok, shown), (refused, {("annex_a", "-", "refused")})]


SCENARIOS: dict[str, Scenario] = {"chronology": chronology, "census": census, "annex_a": annex_a}


class TestAuditWalk(AuditWalk):
    permissions = PERMISSIONS
    scenarios = SCENARIOS
