"""``continuum demo``: journey 3 (a referral, an assessment, a CIN plan reviewed twice, stepped down
to early help, accepted, closed RC7) driven through a running stack's APIs (``make run``) with dev
tokens, the child's timeline printed as it happens (each step, then each event the services
published about the child, with the time), then what each partner agency was sent on its own topic
``continuum.partner.<agency>`` (its subscription in the council policy). Decision 57."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Any

import typer

#: The topics whose events make the child's timeline.
CASE_TOPICS = ("continuum.referral", "continuum.assessment", "continuum.plan", "continuum.stepdown")


def _clock() -> str:
    return datetime.now().strftime("%H:%M:%S.%f")[:-3]


class Timeline:
    """The events of the topics since the demo began, printed once they concern the child (their
    subject is one of the ids the services gave it: its case, its own id, its NHS number): the case
    topics' and each agency's topic (``agency_topics``, topic to agency)."""

    def __init__(self, bootstrap: str, echo: Callable[[str], None], agency_topics: dict[str, str]) -> None:
        self.bootstrap, self.echo, self.agency_topics = bootstrap, echo, agency_topics
        self.ids: set[str] = set()
        self.pending: list[tuple[str, Any]] = []
        self.sent: dict[str, list[Any]] = {agency: [] for agency in agency_topics.values()}

    def know(self, *ids: str | None) -> None:
        self.ids.update(i for i in ids if i)
        waiting, self.pending = self.pending, []
        for topic, event in waiting:
            self._see(topic, event)

    def _see(self, topic: str, event: Any) -> None:
        if event.subject not in self.ids:
            self.pending.append((topic, event))
            return
        if topic in self.agency_topics:
            self.sent[self.agency_topics[topic]].append(event)
            self.echo(f"{_clock()}    sent   {topic:<34} status {event.data.status.value} since {event.data.since}")
        else:
            self.echo(f"{_clock()}    event  {topic:<34} {event.type}")

    async def follow(self, started: asyncio.Event) -> None:
        from aiokafka import AIOKafkaConsumer, TopicPartition

        from continuum.contracts import parse_event

        consumer = AIOKafkaConsumer(bootstrap_servers=self.bootstrap, enable_auto_commit=False, group_id=None)
        await consumer.start()
        try:
            partitions = []
            for topic in (*CASE_TOPICS, *self.agency_topics):
                for _ in range(50):
                    found = consumer.partitions_for_topic(topic)
                    if found:
                        break
                    await consumer._client.force_metadata_update()
                    await asyncio.sleep(0.05)
                partitions += [TopicPartition(topic, p) for p in found or ()]
            consumer.assign(partitions)
            await consumer.seek_to_end(*partitions)
            for tp in partitions:
                await consumer.position(tp)  # the end now, before the first step
            started.set()
            while True:
                for tp, records in (await consumer.getmany(timeout_ms=200)).items():
                    for record in records:
                        try:
                            self._see(tp.topic, parse_event(record.value or b""))
                        except ValueError:
                            continue
        finally:
            await consumer.stop()


async def run_demo(port_offset: int, bootstrap: str, echo: Callable[[str], None], settle: float = 3.0) -> dict[str, list[Any]]:
    from continuum.casework import clock
    from continuum_tools.journey.driver import Driver
    from continuum_tools.journey.live import JourneyClock, LiveStack
    from continuum_tools.journey.partners import subscriptions
    from continuum_tools.journey.people import Child, Episode
    from continuum_tools.journey.stories import cin_plan_stepped_down

    child, stack = Child.new(given_name="Demo"), LiveStack(port_offset=port_offset)
    agencies = await subscriptions(stack)
    timeline, started = Timeline(bootstrap, echo, {a.topic: a.agency for a in agencies}), asyncio.Event()
    following = asyncio.create_task(timeline.follow(started))
    await asyncio.wait_for(started.wait(), 30)
    timeline.know(child.body["nhs_number"])

    async def step(name: str, episode: Episode) -> None:
        timeline.know(episode.case_id, child.child_id)
        echo(f"{_clock()}  step     {name}")

    echo(f"A child (NHS number {child.body['nhs_number']}) from referral to closure, today, {clock.today()}:")
    try:
        journey_clock = JourneyClock()
        with journey_clock.installed():
            await cin_plan_stepped_down(Driver(stack, journey_clock), child, clock.today(), step)
        await asyncio.sleep(settle)  # the last events reach the topics
    finally:
        following.cancel()
        await asyncio.gather(following, return_exceptions=True)
    echo(f"\nWhat each agency was sent on its own topic, keyed by NHS number {child.body['nhs_number']}:")
    for agency in agencies:
        events = timeline.sent[agency.agency]
        echo(f"  {agency.agency} (subscribes to {', '.join(agency.statuses)}):" + ("" if events else " nothing"))
        for event in events:
            data = event.data
            echo("    " + json.dumps({"status": data.status.value, "since": str(data.since), "contact": data.contact}))
    echo("Every decision to share or not, with its lawful basis: GET /v1/sharing-log on the partners service.")
    return timeline.sent


def demo(
    port_offset: Annotated[int, typer.Option(help="the --port-offset the stack was started with")] = 0,
    bootstrap: Annotated[str, typer.Option(help="the stack's broker")] = "127.0.0.1:19092",
) -> None:
    """Drive a child through journey 3 on a running stack (make run) and print its timeline and
    the partner statuses sent. Development only: it signs dev tokens with the development key."""
    try:
        asyncio.run(run_demo(port_offset, bootstrap, typer.echo))
    except (AssertionError, OSError) as exc:
        typer.echo(f"the demo stopped: {exc}\nIs the stack running (make run)?", err=True)
        raise typer.Exit(1) from exc
