"""Helpers for the partners service's tests: the test council policy (police subscribed to only some
statuses), the status events the four services publish, an agency's feed read from its own topic,
and API clients per user."""

from __future__ import annotations

import random
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import yaml

from continuum.casework.policy import DEV_POLICY
from continuum.contracts import Envelope, PartnerStatus, StatusChanged, StatusWithheld, WithheldReason, agency_topic
from continuum.web.auth import mint_dev_token
from continuum_tools.testing import ServiceCases, read_events, unique
from partners.settings import PartnersSettings

S = PartnerStatus
#: The tests' subscriptions: the development policy's, but police takes only three statuses, so a
#: test that police never sees the others can fail.
TEST_POLICY: dict[str, list[PartnerStatus]] = {
    "police": [S.REFERRED, S.CP_PLAN, S.CLOSED],
    "gp": [S.CIN_PLAN, S.CP_PLAN, S.STEPPED_DOWN, S.CLOSED],
    "health-visiting": list(S),
    "camhs": [S.CIN_PLAN, S.CP_PLAN, S.CLOSED],
    "school": [S.CIN_PLAN, S.CP_PLAN, S.CLOSED],
    "probation": [S.CP_PLAN, S.CLOSED],
    "adult-mental-health": [S.CP_PLAN, S.CLOSED],
    "housing": [S.CIN_PLAN, S.CP_PLAN],
}
START = datetime(2026, 10, 1, 9, tzinfo=UTC)


def policy_with(subscriptions: dict[str, list[PartnerStatus]]) -> dict[str, Any]:
    """The development policy file's content, with each agency's statuses as given."""
    raw: dict[str, Any] = yaml.safe_load(DEV_POLICY.read_text())
    agencies = {a["id"]: a for a in raw["partners"]["agencies"]}
    raw["partners"]["agencies"] = [
        agencies[a] | {"statuses": [s.value for s in statuses]} for a, statuses in subscriptions.items()
    ]
    return raw


def write_policy(path: Path, subscriptions: dict[str, list[PartnerStatus]]) -> Path:
    path.write_text(yaml.safe_dump(policy_with(subscriptions)))
    return path


def nhs_number() -> str:
    """A fresh ten-digit number (the tests' children never share one)."""
    return str(random.randrange(10**9, 10**10))


def status_changed(
    number: str, status: PartnerStatus, since: date, *, at: datetime = START, source: str = "plan"
) -> Envelope[Any]:
    """``status.changed`` as the owning service's relay publishes it (keyed by the NHS number)."""
    data = StatusChanged(
        nhs_number=number,
        date_of_birth=date(2015, 3, 1),
        status=status,
        since=since,
        responsible_service="Continuum Development Council's children's social care",
        contact="01632 960001",
    )
    return Envelope.wrap(data, source=source, subject=number, aggregate_version=0, time=at)


def status_withheld(child_id: uuid.UUID, status: PartnerStatus, since: date, *, at: datetime = START) -> Envelope[Any]:
    data = StatusWithheld(child_id=child_id, status=status, since=since, reason=WithheldReason.NO_NHS_NUMBER)
    return Envelope.wrap(data, source="referral", subject=str(child_id), aggregate_version=0, time=at)


def journey(number: str) -> list[Envelope[Any]]:
    """One child's six statuses in the order they happen, each from its owner."""
    owners = ["referral", "assessment", "plan", "plan", "stepdown", "stepdown"]
    day = date(2026, 10, 1)
    return [
        status_changed(number, status, day + timedelta(days=7 * i), at=START + timedelta(days=7 * i), source=owner)
        for i, (status, owner) in enumerate(zip(PartnerStatus, owners, strict=True))
    ]


async def agency_feed(bootstrap: str, agency: str, number: str, *, count: int, settle: float = 1.0) -> list[Envelope[Any]]:
    """What ``agency`` finds on its own topic for the child: ``count`` events, then ``settle`` seconds
    more to catch any it should not have been sent."""
    return await read_events(
        bootstrap, agency_topic(agency), match=lambda e: e.subject == number, count=count, timeout=20, settle=settle
    )


class Api:
    """An HTTP client for the partners API, acting as one user."""

    def __init__(self, app: Any, settings: PartnersSettings) -> None:
        self.app = app
        self.settings = settings

    def as_user(self, *roles: str, sub: str | None = None) -> httpx.AsyncClient:
        token = mint_dev_token(self.settings, sub=sub or unique("user"), roles=list(roles), teams=["north"], sw_qualified=False)
        return httpx.AsyncClient(
            transport=httpx.ASGITransport(app=self.app), base_url="http://partners", headers={"Authorization": f"Bearer {token}"}
        )


class Cases(ServiceCases):
    async def log_of(self, event: Envelope[Any]) -> dict[str, str]:
        """The sharing log's decision per agency about ``event``."""
        rows = await self.rows("SELECT agency_id, decision FROM sharing_log WHERE source_event_id = :e", e=event.id)
        return {r["agency_id"]: r["decision"] for r in rows}

    async def decided(self, event: Envelope[Any]) -> dict[str, str] | None:
        """The decisions about ``event`` once every agency's is logged; ``None`` before."""
        found = await self.log_of(event)
        return found if len(found) == len(TEST_POLICY) else None
