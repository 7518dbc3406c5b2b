"""What the partner agencies are told of a child, seen as an agency sees it: each agency's
subscription (the partners service's ``GET /v1/agencies``) and the statuses on its own topic
``continuum.partner.<agency>``, keyed by the child's NHS number (decision 56)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import httpx

from continuum.contracts import parse_event

#: A status told, as ``(status, since)`` with ``since`` an ISO date.
Told = tuple[str, str]


class Clients(Protocol):
    """A stack whose services can be called with a dev token (``LiveStack`` or an in-process one)."""

    def client(self, service: str, *roles: str, teams: Sequence[str] = ..., sub: str | None = None) -> httpx.AsyncClient: ...


@dataclass(frozen=True)
class Subscription:
    """An agency of the council policy: its id, its own topic and the statuses it receives."""

    agency: str
    topic: str
    statuses: tuple[str, ...]

    def due(self, told: Iterable[Told]) -> list[Told]:
        """What of ``told`` (in the order decided) the agency is sent: the statuses it subscribes to."""
        return [(status, since) for status, since in told if status in self.statuses]


async def subscriptions(stack: Clients) -> list[Subscription]:
    """Every agency's subscription, as the partners service answers it to an integrator."""
    async with stack.client("partners", "service", teams=()) as integrator:
        r = await integrator.get("/v1/agencies")
        r.raise_for_status()
        return [Subscription(a["id"], a["topic"], tuple(a["statuses"])) for a in r.json()["items"]]


def statuses_on(records: Iterable[Any], nhs_number: str) -> list[Any]:
    """The ``partner.status`` envelopes among an agency topic's ``records`` keyed by ``nhs_number``,
    in the topic's order (one key is one partition)."""
    return [parse_event(r.value or b"") for r in records if (r.key or b"").decode() == nhs_number]
