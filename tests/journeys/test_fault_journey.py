"""Journey 6 (issue 19): journey 3 on a `continuum up` stack of its own, with the broker killed and
started again (empty: Tansu keeps its topics in memory, so every event and every group's offsets are
gone) after the assessment, and the step-down service killed (SIGKILL) as the plan ends, before it
could take the plan's end from the topic; `continuum up` starts it again as an orchestrator would.

The end state is journey 3's: the episode closed RC7 with unmet need, one assessment, one plan
reviewed twice, one step-down; insight recorded each event of the child once; and each partner
status was told once (the outboxes republish what the broker lost; each consumer's inbox drops what
it had already applied). Republished by each service's outbox on its own, the statuses of
different services may reach the partner topic in another order than they happened: they are in
order by their events' times, which is how a partner orders them (decision 57)."""

from __future__ import annotations

import asyncio
import os
import signal
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from journeys.stack import UpStack, assert_partner_statuses, chronology, closed_referral, continuum_up, told
from year_of_journeys import Child

from continuum.casework import clock
from continuum.contracts import ALL_TOPICS
from continuum.messaging.kafka import dlq_topic, ensure_topics
from continuum.settings import ServiceSettings
from continuum_tools.devstack import TansuBroker, discover_services, wait_for_port
from continuum_tools.journey.driver import Driver
from continuum_tools.journey.live import JourneyClock
from continuum_tools.journey.people import Episode
from continuum_tools.journey.stories import cin_plan_stepped_down
from continuum_tools.services import PORTS


@pytest.fixture(scope="module")
def fault_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[UpStack]:
    with continuum_up(tmp_path_factory.mktemp("fault-journey-stack")) as stack:
        yield stack


class Faults:
    """The faults the journey meets, injected after the steps they follow."""

    def __init__(self, stack: UpStack, log_dir: Path) -> None:
        self.stack, self.log_dir = stack, log_dir
        self.broker: TansuBroker | None = None
        self.killed: list[int] = []

    async def __call__(self, name: str, episode: Episode) -> None:
        if name.startswith("assessment authorised"):
            await self.restart_broker_empty()
        elif name.startswith("CIN plan ended"):
            await self.kill_service("stepdown")

    async def restart_broker_empty(self) -> None:
        os.kill(self.stack.broker_pid(), signal.SIGKILL)
        await asyncio.sleep(1)  # the services notice: their connections break
        self.broker = TansuBroker(self.stack.kafka_port, log_path=self.log_dir / "tansu-restarted.log")
        self.broker.start()
        # As the topic operator would, the topics are made again (empty).
        groups = [dlq_topic(g) for svc in discover_services() for g in svc.consumer_groups]
        await ensure_topics(ServiceSettings(env="dev", kafka_bootstrap=self.stack.bootstrap), [*ALL_TOPICS, *groups])

    async def kill_service(self, service: str) -> None:
        pid = self.stack.service_pid(service)
        os.kill(pid, signal.SIGKILL)
        self.killed.append(pid)
        for _ in range(200):  # `continuum up` notices within half a second and starts it again
            await asyncio.sleep(0.1)
            try:
                if self.stack.service_pid(service) != pid:
                    break
            except LookupError:
                continue
        await asyncio.to_thread(wait_for_port, PORTS[service] + self.stack.port_offset, timeout=60)


async def test_journey_6_journey_3_through_a_broker_restart_and_a_killed_service_ends_the_same(
    fault_stack: UpStack, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    journey_clock = JourneyClock()
    monkeypatch.setattr(clock, "now", lambda: journey_clock.instant)
    drive, faults = Driver(fault_stack.live, journey_clock), Faults(fault_stack, tmp_path)
    child = Child.new()
    try:
        episode = await cin_plan_stepped_down(drive, child, clock.today(), faults)
        assert faults.broker is not None and faults.killed, "both faults were injected"
        accepted = episode.stepdowns[-1]
        assert (accepted["closure"]["reason_for_closure"], accepted["unmet_need"]) == ("RC7", True)
        assert (await closed_referral(fault_stack.live, episode))["closure_reason"] == "RC7"
        await drive.heard(child, "case.closed")
        async with fault_stack.live.client("assessment", "manager") as manager:
            assessments = (await manager.get("/v1/assessments", params={"case_id": episode.case_id})).json()["items"]
        async with fault_stack.live.client("plan", "manager") as manager:
            plans = (await manager.get("/v1/plans", params={"case_id": episode.case_id})).json()["items"]
            plan = (await manager.get(f"/v1/plans/{plans[0]['plan_id']}")).json()
        async with fault_stack.live.client("stepdown", "early_help", teams=("early-help",)) as early_help:
            stepdowns = (await early_help.get("/v1/stepdowns", params={"limit": 200})).json()["items"]
        assert len(assessments) == 1 and len(plans) == 1 and len(plan["reviews"]) == 2
        assert [s["case_id"] for s in stepdowns].count(episode.case_id) == 1
        # Insight consumed each of the child's events once, the ones the broker lost among them.
        await asyncio.sleep(2)
        assert await chronology(fault_stack.live, child) == Counter(
            {
                "child.registered": 1, "referral.received": 1, "referral.decided": 1,
                "assessment.opened": 1, "assessment.allocated": 1, "assessment.recorded": 1,
                "assessment.submitted": 1, "assessment.authorised": 1,
                "plan.drafted": 1, "plan.started": 1, "plan.reviewed": 2, "plan.ended": 1,
                "stepdown.requested": 1, "stepdown.accepted": 1, "case.closed": 1,
            }
        )  # fmt: skip
        await assert_partner_statuses(
            fault_stack.live,
            fault_stack.bootstrap,
            child.body["nhs_number"],
            told("referred", "assessment", "cin_plan", "stepped_down"),
            order="event_time",
        )
    finally:
        if faults.broker is not None:
            faults.broker.stop()
