"""Journey 4 (issue 19): a CIN plan escalated to child protection (a section 47 enquiry, the initial
conference, a CP plan starting on the conference's date), reviewed, stepped down to a CIN plan, then
closed.

Unlike the other journeys this one needs days to pass: a CP plan's review and end fall after the day
it started (census rules 8840, 8841), and a running stack keeps real time. So the four case services
(with insight and partners) run in this process, each on its own migrated database with its relay and consumers
on, over a broker of this module's own (``year_of_journeys.five_services``, as the census year does),
and the kernel's clock is moved to each step's day; the steps are the same HTTP calls (``Driver``).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from journeys.stack import assert_partner_statuses
from year_of_journeys import Child, Clock, Driver, Stack, five_services

from continuum.casework import clock
from continuum_tools.devstack import TansuBroker
from continuum_tools.testing import eventually, start_broker


@pytest.fixture(scope="module")
def protection_broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TansuBroker]:
    broker = start_broker(tmp_path_factory.mktemp("protection-journey-tansu"))
    yield broker
    broker.stop()


@pytest.fixture(scope="module")
async def stack(make_database: Callable[[str, Path], str], protection_broker: TansuBroker) -> AsyncIterator[Stack]:
    async with five_services(make_database, protection_broker.bootstrap, "protection_journey", partners=True) as running:
        yield running


async def test_journey_4_cin_plan_escalated_to_a_cp_plan_from_the_conference_reviewed_stepped_down_to_cin_closed(
    stack: Stack, protection_broker: TansuBroker, monkeypatch: pytest.MonkeyPatch
) -> None:
    drive = Driver(stack, Clock(monkeypatch))
    day0 = clock.today() - timedelta(days=200)

    def d(days: int) -> date:
        return day0 + timedelta(days=days)

    child = Child.new(born=date(2015, 5, 5))
    episode = await drive.refer(child, d(0), "assessment", source="3A")
    await drive.assess(episode, d(1), d(20), "cin_plan", factors=("2B",))
    await drive.plan(episode, "cin", d(21))
    await drive.review(episode, "cin", d(50))
    await drive.end_plan(episode, "cin", d(60), "escalate_cp", unmet_need=True)
    conclusion = await drive.enquire(episode, d(60), d(70), "cp_plan")
    assert (conclusion["status"], conclusion["icpc_date"]) == ("concluded", d(70).isoformat())
    await drive.assess(episode, d(61), d(70), "child_protection", factors=("2B", "17A"), route="section47")
    cp = await drive.plan(episode, "cp", d(70), approved=d(71))
    assert cp["start_date"] == d(70).isoformat()  # the conference's date, not the approval's (census rule 2885)
    await drive.review(episode, "cp", d(100))
    reviewed = await drive.review(episode, "cp", d(160), decision="step_down_cin")
    assert [r["review_date"] for r in reviewed["reviews"]] == [d(100).isoformat(), d(160).isoformat()]
    await drive.end_plan(episode, "cp", d(160), "step_down_cin")
    await drive.plan(episode, "cin", d(160), approved=d(161))
    await drive.review(episode, "cin", d(190))
    await drive.end_plan(episode, "cin", d(199), "close", reason_for_closure="RC4")
    await drive.heard(child, "case.closed")

    async with stack.client("referral", "front_door") as front_door:

        async def closed() -> dict[str, object] | None:
            body: dict[str, object] = (await front_door.get(f"/v1/referrals/{episode.referral['id']}")).json()
            return body if body["episode_status"] == "closed" else None

        referral = await eventually(closed, within=60, what="the episode closed")
    assert (referral["closure_reason"], referral["closed_on"]) == ("RC4", d(199).isoformat())
    async with stack.client("plan", "manager") as manager:
        plans = (await manager.get("/v1/plans", params={"case_id": episode.case_id})).json()["items"]
    assert sorted((p["plan_type"], p["status"]) for p in plans) == [("cin", "ended"), ("cin", "ended"), ("cp", "ended")]

    await assert_partner_statuses(
        stack,
        protection_broker.bootstrap,
        child.body["nhs_number"],
        [
            ("referred", d(0).isoformat()),
            ("assessment", d(0).isoformat()),  # from the decision that opened it
            ("cin_plan", d(21).isoformat()),
            ("assessment", d(60).isoformat()),  # the section 47 assessment, from the escalation
            ("cp_plan", d(70).isoformat()),
            ("cin_plan", d(160).isoformat()),
            ("closed", d(199).isoformat()),
        ],
    )
