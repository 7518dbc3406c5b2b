"""Each service's part of a history sent to its import path over HTTP (decision 59), a batch at a
time: first a dry run at every service, so that a child any service refuses is written by none;
then the writes. The four services are called at once in each step: each checks and writes only
its own part, and their consumers take each other's events in whatever order they come.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx

from continuum_tools.importing.payloads import PATHS

#: Children per call (the import paths take at most 200).
BATCH = 200


@dataclass
class Sent:
    """What the services did: records by outcome per service, and each child refused (by whom, where, why)."""

    counts: dict[str, Counter[str]] = field(default_factory=lambda: {s: Counter() for s in PATHS})
    refused: dict[str, list[str]] = field(default_factory=dict)

    def refuse(self, service: str, problem: dict[str, Any]) -> None:
        self.refused.setdefault(problem["la_child_id"], []).append(f"{service}: {problem['element']}: {problem['reason']}")


class ImportFailed(Exception):
    """A service answered an import call with something other than its answer (not a child's refusal)."""


async def _call(client: httpx.AsyncClient, service: str, body: dict[str, Any], *, dry_run: bool) -> dict[str, Any]:
    answer = await client.post(PATHS[service], params={"dry_run": str(dry_run).lower()}, json=body)
    if answer.status_code != 200:
        raise ImportFailed(f"{service} answered {answer.status_code}: {answer.text[:500]}")
    result: dict[str, Any] = answer.json()
    return result


async def send(
    parts: dict[str, list[dict[str, Any]]],
    clients: dict[str, httpx.AsyncClient],
    *,
    source: str,
    la: str,
    dry_run: bool,
    done: Callable[[int], None] = lambda _: None,
) -> Sent:
    """Send ``parts`` (each service's list of children's parts) from ``source`` for council ``la``."""
    sent = Sent()
    order = [child["la_child_id"] for child in parts["referral"]]
    by_service = {service: {p["la_child_id"]: p for p in parts[service]} for service in PATHS}

    async def check(service: str, children: Sequence[str]) -> None:
        body = _bodies(by_service[service], children, source, la)
        if body is not None:
            for problem in (await _call(clients[service], service, body, dry_run=True))["problems"]:
                sent.refuse(service, problem)

    async def write(service: str, children: Sequence[str]) -> None:
        body = _bodies(by_service[service], children, source, la)
        if body is None:
            return
        if dry_run:
            sent.counts[service]["checked"] += len(body["children"])
            return
        answer = await _call(clients[service], service, body, dry_run=False)
        for outcome in ("imported", "updated", "unchanged"):
            sent.counts[service][outcome] += answer[outcome]
        for problem in answer["problems"]:  # refused at the write though the dry run passed (a race)
            sent.refuse(service, problem)

    for start in range(0, len(order), BATCH):
        batch = order[start : start + BATCH]
        await asyncio.gather(*(check(service, batch) for service in PATHS))
        writable = [child for child in batch if child not in sent.refused]
        await asyncio.gather(*(write(service, writable) for service in PATHS))
        done(len(batch))
    return sent


def _bodies(parts: dict[str, dict[str, Any]], children: Sequence[str], source: str, la: str) -> dict[str, Any] | None:
    chosen = [parts[child] for child in children if child in parts]
    return {"source": source, "la": la, "children": chosen} if chosen else None
