"""`continuum up` (what `make run` runs) started by a test, on free ports, and what the journeys
read from it: the topics, the services' databases, the process of each service."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncpg

from continuum.casework import clock
from continuum.contracts import PARTNER_STATUS_TOPIC, parse_event
from continuum_tools.devstack import free_port, free_port_block
from continuum_tools.journey.driver import WITHIN
from continuum_tools.journey.live import LiveStack
from continuum_tools.journey.partners import Clients, Subscription, Told, statuses_on, subscriptions
from continuum_tools.journey.people import Child, Episode
from continuum_tools.services import PORTS
from continuum_tools.testing import eventually, read_raw, unique
from partner_consumer import consumer as example
from partner_consumer.store import StatusStore
from partner_consumer.validation import Validator, load_schema

CASE_TOPICS = ("continuum.referral", "continuum.assessment", "continuum.plan", "continuum.stepdown")


@dataclass
class UpStack:
    """A running `continuum up`: its process, ports and what it printed."""

    process: subprocess.Popen[str]
    data_dir: Path
    pg_port: int
    kafka_port: int
    port_offset: int
    output: list[str] = field(default_factory=list)

    @property
    def live(self) -> LiveStack:
        return LiveStack(port_offset=self.port_offset)

    @property
    def bootstrap(self) -> str:
        return f"127.0.0.1:{self.kafka_port}"

    def service_pid(self, service: str) -> int:
        """The pid of the uvicorn process `continuum up` runs ``service`` in."""
        port = str(PORTS[service] + self.port_offset)
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                argv = (entry / "cmdline").read_bytes().split(b"\0")
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
            if ppid == self.process.pid and b"uvicorn" in b" ".join(argv) and port.encode() in argv:
                return int(entry.name)
        raise LookupError(f"no process of {service} under the stack")

    def broker_pid(self) -> int:
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                argv = (entry / "cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            if b"broker" in argv and f"tcp://127.0.0.1:{self.kafka_port}".encode() in argv:
                return int(entry.name)
        raise LookupError("no broker under the stack")

    async def query(self, service: str, sql: str, *args: Any) -> list[asyncpg.Record]:
        """Rows of ``sql`` in ``service``'s database (as the superuser: the test reads, never writes)."""
        conn = await asyncpg.connect(f"postgresql://postgres@127.0.0.1:{self.pg_port}/{service}")
        try:
            return list(await conn.fetch(sql, *args))
        finally:
            await conn.close()


@contextmanager
def continuum_up(data_dir: Path, *, ready_within: float = 180) -> Iterator[UpStack]:
    """`continuum up` on free ports, until it printed its ready line; stopped with Ctrl-C after."""
    pg_port, kafka_port, offset = free_port(), free_port(), free_port_block(10) - 8001
    command = [
        sys.executable, "-m", "continuum_tools.cli", "up",
        "--data-dir", str(data_dir), "--pg-port", str(pg_port), "--kafka-port", str(kafka_port), "--port-offset", str(offset),
    ]  # fmt: skip
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=os.environ | {"PYTHONUNBUFFERED": "1"}
    )
    stack = UpStack(process, data_dir, pg_port, kafka_port, offset)
    try:
        started = time.monotonic()
        assert process.stdout is not None
        while not stack.output or "Ctrl-C stops everything." not in stack.output[-1]:
            line = process.stdout.readline()
            assert line, "the stack exited early:\n" + "".join(stack.output)
            stack.output.append(line)
            assert time.monotonic() - started < ready_within, "no ready line (a hang, not a speed check)"
        yield stack
    finally:
        process.send_signal(signal.SIGINT)
        rest, _ = process.communicate(timeout=90)
        stack.output.append(rest)


async def case_events(stack: UpStack, case_id: str) -> list[str]:
    """The types of the events of a case on the four case topics, in each topic's order."""
    types: list[str] = []
    for topic in CASE_TOPICS:
        for record in await read_raw(stack.bootstrap, topic, timeout=15):
            event = parse_event(record.value or b"")
            if event.subject == case_id:
                types.append(event.type)
    return types


async def assert_partner_statuses(
    stack: Clients, bootstrap: str, nhs_number: str, expected: list[Told], *, order: str = "topic"
) -> None:
    """What partners were told of the child, ``expected`` being ``[(status, since), ...]`` as the
    owning services decided them:

    - the owners' internal topic ``continuum.partner-status`` holds each once, in the topic's order,
      or with ``order="event_time"`` in the order of the envelopes' times (after a broker lost its
      data the services' outboxes republish each on its own, so statuses of different services may
      reach the topic in another order);
    - each agency's own topic ``continuum.partner.<agency>`` holds exactly the statuses its
      subscription allows, each once and in order (after a broker lost its data, a status that
      arrives after a newer one is superseded: the agency gets an ordered part of them, ending with
      the newest);
    - the example consumer (examples/partner-consumer), reading an agency's topic as a new group,
      ends with the newest status the agency may know: as police (every status) and as the
      narrowest subscription that receives anything."""

    async def owners_told_all() -> bool:
        return len(await _owners_told(bootstrap, nhs_number, order)) >= len(expected)

    await eventually(owners_told_all, within=60, interval=0.5, what="the partner statuses")
    subscribed = await subscriptions(stack)
    for subscription in subscribed:

        async def agency_has_newest(s: Subscription = subscription) -> bool:
            due = s.due(expected)
            return not due or (await _agency_told(bootstrap, s, nhs_number))[-1:] == due[-1:]

        await eventually(agency_has_newest, within=60, interval=0.5, what=f"{subscription.agency}'s statuses")
    await _settle()
    said = await _owners_told(bootstrap, nhs_number, order)
    assert said == expected, said
    for subscription in subscribed:
        got = await _agency_told(bootstrap, subscription, nhs_number)
        due = subscription.due(expected)
        if order == "topic":
            assert got == due, (subscription.agency, got, due)
        else:
            assert _in_order_within(got, due) and got[-1:] == due[-1:], (subscription.agency, got, due)
    readers = [s for s in subscribed if s.agency == "police"]
    readers += sorted((s for s in subscribed if s.due(expected)), key=lambda s: len(s.statuses))[:1]
    for subscription in readers:
        newest = subscription.due(expected)[-1]
        assert await example_consumer_ends_with(bootstrap, subscription.agency, nhs_number, newest) == newest


async def _owners_told(bootstrap: str, nhs_number: str, order: str) -> list[Told]:
    found = []
    for record in await read_raw(bootstrap, PARTNER_STATUS_TOPIC, timeout=15):
        if (record.key or b"").decode() == nhs_number:
            event = parse_event(record.value or b"")
            assert event.subject == nhs_number and event.data.nhs_number == nhs_number
            found.append((event.time, event.data.status.value, event.data.since.isoformat()))
    if order == "event_time":
        found.sort()
    return [(status, since) for _, status, since in found]


async def _agency_told(bootstrap: str, subscription: Subscription, nhs_number: str) -> list[Told]:
    events = statuses_on(await read_raw(bootstrap, subscription.topic, timeout=15), nhs_number)
    for event in events:
        assert event.type == "partner.status" and event.subject == nhs_number and event.data.nhs_number == nhs_number
    return [(e.data.status.value, e.data.since.isoformat()) for e in events]


def _in_order_within(got: list[Told], due: list[Told]) -> bool:
    """``got`` is ``due`` with some left out: each once, none added, in ``due``'s order."""
    rest = iter(due)
    return all(any(told == one for one in rest) for told in got)


async def example_consumer_ends_with(bootstrap: str, agency: str, nhs_number: str, newest: Told) -> Told | None:
    """Run the example partner consumer as ``agency`` (a new consumer group, its own SQLite store)
    from the start of the agency's topic until it holds ``newest`` for the child (or a minute has
    passed), and answer the status it holds then."""
    with tempfile.TemporaryDirectory() as scratch:
        store = StatusStore(Path(scratch) / f"{agency}.sqlite3")
        rejects = Path(scratch) / "rejects.jsonl"
        topic, stop = example.topic_for(agency), asyncio.Event()
        group = unique(f"{agency}.journey")
        running = asyncio.create_task(
            example.run(example.Connection(bootstrap), topic, group, store, Validator(load_schema()), rejects, stop)
        )

        async def holds() -> bool:
            if running.done():
                running.result()  # its failure, not a wait until the deadline
            return _held(store, nhs_number) == newest

        try:
            await eventually(holds, within=60, interval=0.5, what=f"the example consumer as {agency}")
        finally:
            stop.set()
            done = await running
        try:
            assert not rejects.exists() and done["rejected"] == 0, (done, rejects.exists() and rejects.read_text())
            return _held(store, nhs_number)
        finally:
            store.close()


def _held(store: StatusStore, nhs_number: str) -> Told | None:
    held = store.current(nhs_number)
    return (held["status"], held["since"]) if held else None


async def _settle(seconds: float = 2.0) -> None:
    """Long enough for a duplicate the relays would send to arrive too."""
    await asyncio.sleep(seconds)


async def closed_event(stack: UpStack, case_id: str) -> Any:
    found = [
        event
        for record in await read_raw(stack.bootstrap, "continuum.stepdown", timeout=15)
        + await read_raw(stack.bootstrap, "continuum.referral", timeout=15)
        + await read_raw(stack.bootstrap, "continuum.plan", timeout=15)
        + await read_raw(stack.bootstrap, "continuum.assessment", timeout=15)
        if (event := parse_event(record.value or b"")).subject == case_id and event.type == "case.closed"
    ]
    assert len(found) == 1, found
    return found[0]


async def closed_referral(stack: LiveStack, episode: Episode) -> dict[str, Any]:
    """The episode's referral as the referral service shows it once the step-down service closed it."""
    async with stack.client("referral", "front_door", teams=(episode.team,)) as front_door:

        async def closed() -> dict[str, Any] | None:
            r = await front_door.get(f"/v1/referrals/{episode.referral['id']}")
            assert r.status_code == 200, r.text
            body: dict[str, Any] = r.json()
            return body if body["episode_status"] == "closed" else None

        found: dict[str, Any] = await eventually(closed, within=WITHIN, what="the episode closed in the referral service")
        return found


async def chronology(stack: LiveStack, child: Child) -> Counter[str]:
    """What insight recorded of the child, by event type (each event once)."""
    async with stack.client("insight", "auditor", teams=()) as auditor:
        r = await auditor.get(f"/v1/children/{child.child_id}/chronology", params={"limit": 200})
        assert r.status_code == 200, r.text
        page = r.json()
    assert page["next_cursor"] is None
    return Counter(e["event_type"] for e in page["items"])


def told(*statuses: str) -> list[tuple[str, str]]:
    """Statuses all begun today (a live stack's journey happens in a day)."""
    return [(s, clock.today().isoformat()) for s in statuses]
