"""Whole journeys (issue 19) through the public HTTP APIs of the four case services as `make run`
starts them (`continuum up`, one stack for the module), asserting on the APIs and the topics: what
each service recorded, the events of the case, and the partner statuses told, each once and in order.

The stack keeps real time, so each journey happens today (``Clock`` moves only this process's clock,
whose dates the journey sends); the census and its dates over a year are ``test_census_year``'s.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
from journeys.stack import UpStack, assert_partner_statuses, case_events, chronology, closed_event, closed_referral, told
from year_of_journeys import Child

from continuum.casework import clock
from continuum_tools.journey.driver import WITHIN, Driver
from continuum_tools.journey.live import JourneyClock
from continuum_tools.journey.stories import cin_plan_stepped_down
from continuum_tools.testing import eventually


@pytest.fixture
def drive(up_stack: UpStack) -> Iterator[Driver]:
    with JourneyClock().installed() as journey_clock:  # today, and never later than now
        yield Driver(up_stack.live, journey_clock)


async def test_journey_1_referral_nfa_at_the_front_door_closes_the_episode_rc8(up_stack: UpStack, drive: Driver) -> None:
    child = Child.new()
    episode = await drive.refer(child, clock.today(), "nfa")
    await drive.heard(child, "case.closed")
    referral = await closed_referral(up_stack.live, episode)
    assert (referral["decision"]["outcome"], referral["closure_reason"], referral["closed_on"]) == (
        "nfa",
        "RC8",
        clock.today().isoformat(),
    )
    closed = await closed_event(up_stack, episode.case_id)
    assert (closed.data.reason_for_closure, closed.data.closure_date) == ("RC8", clock.today())
    assert await case_events(up_stack, episode.case_id) == [
        "child.registered", "referral.received", "referral.decided", "case.closed",
    ]  # fmt: skip
    await assert_partner_statuses(up_stack.live, up_stack.bootstrap, child.body["nhs_number"], told("referred", "closed"))


async def test_journey_2_referral_assessment_nfa(up_stack: UpStack, drive: Driver) -> None:
    child = Child.new()
    episode = await drive.refer(child, clock.today(), "assessment")
    await drive.assess(episode, clock.today(), clock.today(), "nfa", factors=("21",), primary_need="N9")
    await drive.heard(child, "case.closed")
    closed = await closed_event(up_stack, episode.case_id)
    assert closed.data.reason_for_closure == "RC8"  # an assessment alone, no plan: RC8 (rule 2990)
    assert (await closed_referral(up_stack.live, episode))["closure_reason"] == "RC8"
    async with up_stack.live.client("plan", "manager") as manager:
        assert (await manager.get("/v1/plans", params={"case_id": episode.case_id})).json()["items"] == []
    assert await chronology(up_stack.live, child) == Counter(
        {"referral.received": 1, "referral.decided": 1, "assessment.opened": 1, "assessment.authorised": 1, "case.closed": 1}
    ) + Counter({t: 1 for t in ("child.registered", "assessment.allocated", "assessment.recorded", "assessment.submitted")})
    await assert_partner_statuses(
        up_stack.live, up_stack.bootstrap, child.body["nhs_number"], told("referred", "assessment", "closed")
    )


async def test_journey_3_cin_plan_reviewed_twice_stepped_down_accepted_closed_rc7_with_unmet_need(
    up_stack: UpStack, drive: Driver
) -> None:
    child = Child.new()
    episode = await cin_plan_stepped_down(drive, child, clock.today())
    accepted = episode.stepdowns[-1]
    assert (accepted["status"], accepted["closure"]["reason_for_closure"], accepted["unmet_need"]) == ("accepted", "RC7", True)
    await drive.heard(child, "case.closed")
    closed = await closed_event(up_stack, episode.case_id)
    assert closed.data.reason_for_closure == "RC7" and closed.data.unmet_need
    assert (await closed_referral(up_stack.live, episode))["closure_reason"] == "RC7"
    assert Counter(await case_events(up_stack, episode.case_id))["plan.reviewed"] == 2
    assert (await chronology(up_stack.live, child))["plan.reviewed"] == 2
    await assert_partner_statuses(
        up_stack.live, up_stack.bootstrap, child.body["nhs_number"], told("referred", "assessment", "cin_plan", "stepped_down")
    )


async def test_journey_5_early_help_steps_the_family_back_up_a_linked_referral_within_12_months(
    up_stack: UpStack, drive: Driver
) -> None:
    child = Child.new()
    stepped_down = await cin_plan_stepped_down(drive, child, clock.today())
    step_up = await drive.step_up(stepped_down, clock.today())
    assert step_up["within_12_months_of_step_down"] is True
    back = await drive.decide_step_up(child, clock.today(), "assessment")
    referral = back.referral
    assert (referral["source"], referral["stepped_up_from"], referral["re_referral"]) == (
        "5D",
        stepped_down.stepdowns[-1]["id"],
        True,  # counted as a re-referral within 12 months
    )
    assert back.case_id != stepped_down.case_id
    async with up_stack.live.client("stepdown", "early_help", teams=("early-help",)) as early_help:

        async def re_referred() -> dict[str, Any] | None:
            record: dict[str, Any] = (await early_help.get(f"/v1/stepdowns/{stepped_down.stepdowns[-1]['id']}")).json()
            return record if record["re_referred_on"] else None

        record = await eventually(re_referred, within=WITHIN, what="the step-down told of the new referral")
    assert (record["step_up_id"], record["re_referred_on"]) == (step_up["id"], clock.today().isoformat())
    await drive.heard(child, "assessment.opened", 2)
    await assert_partner_statuses(
        up_stack.live,
        up_stack.bootstrap,
        child.body["nhs_number"],
        told("referred", "assessment", "cin_plan", "stepped_down", "referred", "assessment"),
    )


def test_continuum_demo_prints_journey_3s_timeline_and_the_partner_statuses_sent(up_stack: UpStack) -> None:
    command = [
        sys.executable, "-m", "continuum_tools.cli", "demo",
        "--port-offset", str(up_stack.port_offset), "--bootstrap", up_stack.bootstrap,
    ]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, timeout=300, env=os.environ | {"CONTINUUM_ENV": "dev"})
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    steps = [line.split("step", 1)[1].strip() for line in lines if "  step  " in line]
    assert steps == [
        "referral received and decided: assessment",
        "assessment authorised: a child in need plan",
        "CIN plan approved and started",
        "CIN plan reviewed (1)",
        "CIN plan reviewed (2)",
        "CIN plan ended: step down to early help, unmet need recorded",
        "handover recorded, early help accepted: the episode closes (RC7)",
    ]
    seen = [line.split()[-1] for line in lines if "  event  continuum." in line and "status" not in line]
    for event_type in ("referral.received", "assessment.authorised", "plan.started", "plan.reviewed", "case.closed"):
        assert event_type in seen, done.stdout
    assert seen.count("plan.reviewed") == 2
    told = ["referred", "assessment", "cin_plan", "stepped_down"]
    sent = _sent_by_agency(lines[lines.index(next(line for line in lines if line.startswith("What each agency was sent"))) + 1 :])
    assert set(sent) == {"police", "gp", "health-visiting", "camhs", "school", "probation", "adult-mental-health", "housing"}
    for agency, (subscribed, statuses) in sent.items():
        assert statuses == [s for s in told if s in subscribed], (agency, done.stdout)
    assert sent["police"][1] == told and sent["probation"][1] == []


def _sent_by_agency(lines: list[str]) -> dict[str, tuple[set[str], list[str]]]:
    """``{agency: (statuses it subscribes to, statuses it was sent)}`` from the demo's last lines."""
    sent: dict[str, tuple[set[str], list[str]]] = {}
    agency = ""
    for line in lines:
        if line.startswith("    {"):
            sent[agency][1].append(json.loads(line)["status"])
        elif line.startswith("  ") and "(subscribes to " in line:
            agency, rest = line.strip().split(" (subscribes to ", 1)
            sent[agency] = (set(rest.split(")", 1)[0].split(", ")), [])
    return sent
