"""``continuum insight rebuild``: insight's read model rebuilt from the services' histories
(decision 53), over HTTP alone.

For each case service (referral, assessment, plan, step-down), page through its ``GET /v1/history``
(its own topic: every event it committed, from its event history and its outbox, however old) and
post each page to insight's ``POST /v1/read-model/replay``, which hands every event to the read
model's consumer as the broker would: what the read model has is a duplicate, so a rebuild into a
live read model adds only what it lacks. ``from_empty`` empties the read model first
(``DELETE /v1/read-model``), for a rebuild from nothing. Nothing comes from the broker.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from typing import Any

import httpx

from continuum.contracts import ASSESSMENT_TOPIC, PLAN_TOPIC, REFERRAL_TOPIC, STEPDOWN_TOPIC

#: The services whose histories make the read model, in the order replayed, and the topic of each
#: that insight reads (not the partner-status topic: partners', not a case's history).
CASE_SERVICES: dict[str, str] = {
    "referral": REFERRAL_TOPIC,
    "assessment": ASSESSMENT_TOPIC,
    "plan": PLAN_TOPIC,
    "stepdown": STEPDOWN_TOPIC,
}
#: Events per page and per replay: within insight's bound (500) and the request body limit (1 MiB).
DEFAULT_BATCH = 200


class RebuildFailed(Exception):
    """A service answered other than 200; what was replayed before stays (a rerun skips it)."""


@dataclass
class ServiceReplayed:
    """What one service's history came to in the read model."""

    service: str
    events: int = 0
    recorded: int = 0
    duplicates: int = 0
    skipped: int = 0
    refused: int = 0
    pages: int = field(default=0, repr=False)

    def add(self, answer: Mapping[str, int]) -> None:
        self.pages += 1
        self.events += answer["received"]
        self.recorded += answer["recorded"]
        self.duplicates += answer["duplicates"]
        self.skipped += answer["skipped"]
        self.refused += answer["refused"]


def _ok(response: httpx.Response, what: str) -> Any:
    if response.status_code != 200:
        raise RebuildFailed(f"{what}: {response.status_code} {response.text}")
    return response.json()


async def replay_batch(insight: httpx.AsyncClient, events: list[dict[str, Any]], service: str) -> list[dict[str, int]]:
    """Post ``events`` to insight's replay; a batch over its body limit (413) goes as two halves."""
    if not events:
        return []
    response = await insight.post("/v1/read-model/replay", json={"events": events})
    if response.status_code == 413 and len(events) > 1:
        half = len(events) // 2
        return [*await replay_batch(insight, events[:half], service), *await replay_batch(insight, events[half:], service)]
    return [_ok(response, f"insight replay of {service}")]


async def empty_read_model(insight: httpx.AsyncClient) -> dict[str, int]:
    """Empty insight's read model (its events, episodes, children's teams and copies, its consumer's inbox)."""
    emptied: dict[str, int] = _ok(
        await insight.delete("/v1/read-model", params={"confirm": "empty-the-read-model"}), "insight emptying its read model"
    )
    return emptied


async def rebuild_read_model(
    services: Mapping[str, httpx.AsyncClient],
    insight: httpx.AsyncClient,
    *,
    batch: int = DEFAULT_BATCH,
    from_empty: bool = False,
    progress: Callable[[ServiceReplayed], None] | None = None,
) -> list[ServiceReplayed]:
    """Replay every case service's history (``services``: a client of each, by name, authorised as
    an admin or a service) into insight's read model (``insight``: an admin's client), ``batch``
    events a page; ``progress`` is told of each service when its history is done."""
    if from_empty:
        await empty_read_model(insight)
    done: list[ServiceReplayed] = []
    for name, topic in CASE_SERVICES.items():
        replayed = ServiceReplayed(name)
        after: int | None = 0
        while after is not None:
            page = _ok(
                await services[name].get("/v1/history", params={"after": after, "limit": batch, "topic": topic}),
                f"{name} history after {after}",
            )
            for answer in await replay_batch(insight, page["items"], name):
                replayed.add(answer)
            after = page["next_after"]
        done.append(replayed)
        if progress is not None:
            progress(replayed)
    return done


def service_urls(given: Sequence[str], defaults: Mapping[str, str]) -> dict[str, str]:
    """Each service's URL: ``defaults`` (the dev ports), overridden by ``SERVICE=URL`` items."""
    urls = {name: url for name, url in defaults.items() if name in (*CASE_SERVICES, "insight")}
    for item in given:
        name, _, url = item.partition("=")
        if name not in (*CASE_SERVICES, "insight") or not url:
            raise ValueError(f"{item!r}: give SERVICE=URL, SERVICE one of insight, {', '.join(CASE_SERVICES)}")
        urls[name] = url
    missing = sorted({*CASE_SERVICES, "insight"} - set(urls))
    if missing:
        raise ValueError(f"no URL for {', '.join(missing)}: give --url-of SERVICE=URL")
    return urls


async def rebuild_over_http(
    urls: Mapping[str, str],
    bearer: str,
    *,
    batch: int = DEFAULT_BATCH,
    from_empty: bool = False,
    progress: Callable[[ServiceReplayed], None] | None = None,
) -> list[ServiceReplayed]:
    """:func:`rebuild_read_model` with a client of each service at ``urls``, carrying ``bearer``."""
    headers = {"Authorization": f"Bearer {bearer}"}
    async with AsyncExitStack() as stack:
        clients = {
            name: await stack.enter_async_context(httpx.AsyncClient(base_url=urls[name], headers=headers, timeout=600))
            for name in (*CASE_SERVICES, "insight")
        }
        insight = clients.pop("insight")
        return await rebuild_read_model(clients, insight, batch=batch, from_empty=from_empty, progress=progress)


def summary(replayed: ServiceReplayed) -> str:
    """One line of the command's report."""
    return (
        f"{replayed.service:<11} {replayed.events} events, {replayed.recorded} new"
        f" ({replayed.duplicates} already there, {replayed.skipped} skipped, {replayed.refused} refused)"
    )
