"""Every read of the sharing log is audited: each child whose rows an answer carries (by its NHS
number, or its id when the status was withheld for want of one) has a ``success`` row, found by the
answer's request id; a caller the table refuses has a ``refused`` one."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from partners_support import Api, Cases, nhs_number, status_changed, status_withheld

from continuum.contracts import PartnerStatus
from continuum_tools.testing import eventually
from continuum_tools.testing.suites import AuditWalk, Scenario, call
from partners.permissions import PERMISSIONS


async def _logged(cases: Cases) -> tuple[str, uuid.UUID]:
    """A child's status decided, and another child's withheld (no NHS number)."""
    number, child = nhs_number(), uuid.uuid4()
    shared = status_changed(number, PartnerStatus.CP_PLAN, date(2026, 10, 5))
    withheld = status_withheld(child, PartnerStatus.CP_PLAN, date(2026, 10, 6))
    for event in (shared, withheld):
        assert await cases.deliver(event) == "handled"
    await eventually(lambda: cases.decided(withheld))
    return number, child


async def _read(api: Api, cases: Cases, url: str) -> list[Any]:
    number, child = await _logged(cases)
    async with api.as_user("practitioner") as practitioner:
        refused = await call(practitioner, "GET", url, params={"nhs_number": number})
    async with api.as_user("auditor") as auditor:
        one = await call(auditor, "GET", url, params={"nhs_number": number})
        withheld = await call(auditor, "GET", url, params={"decision": "no_nhs_number", "limit": 200})
    assert str(child) in withheld.text  # this service's tests withhold a few dozen statuses: one page
    return [
        (refused, {("child", "-", "refused")}),
        (one, {("nhs_number", number, "success")}),
        (withheld, {("child", str(child), "success")}),
    ]


async def sharing_log(api: Api, cases: Cases) -> Any:
    return await _read(api, cases, "/v1/sharing-log")


async def export_sharing_log(api: Api, cases: Cases) -> Any:
    return await _read(api, cases, "/v1/sharing-log.csv")


SCENARIOS: dict[str, Scenario] = {"sharing_log": sharing_log, "export_sharing_log": export_sharing_log}


class TestAuditWalk(AuditWalk):
    permissions = PERMISSIONS
    scenarios = SCENARIOS
