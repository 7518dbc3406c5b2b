"""Journey 3 of issue 19, the product's whole arc in one child: a referral, an assessment, a CIN
plan reviewed twice, stepped down to early help, accepted and closed (RC7, census rule 2990), with
unmet need recorded. Each step is told to ``step`` as it is taken, for ``continuum demo`` to print."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date

from continuum_tools.journey.driver import Driver
from continuum_tools.journey.people import Child, Episode

#: Told each step's name and the record it returned, once the services answered.
Step = Callable[[str, Episode], Awaitable[None]]


async def _quiet(name: str, episode: Episode) -> None:
    return None


async def cin_plan_stepped_down(drive: Driver, child: Child, day: date, step: Step = _quiet) -> Episode:
    """Journey 3 for ``child``, every step on ``day`` (a running stack keeps real time: today)."""
    episode = await drive.refer(child, day, "assessment", source="3A")
    await step("referral received and decided: assessment", episode)
    await drive.assess(episode, day, day, "cin_plan", factors=("3B",), primary_need="N1")
    await step("assessment authorised: a child in need plan", episode)
    await drive.plan(episode, "cin", day)
    await step("CIN plan approved and started", episode)
    await drive.review(episode, "cin", day)
    await step("CIN plan reviewed (1)", episode)
    await drive.review(episode, "cin", day)
    await step("CIN plan reviewed (2)", episode)
    await drive.end_plan(episode, "cin", day, "step_down_early_help", unmet_need=True)
    await step("CIN plan ended: step down to early help, unmet need recorded", episode)
    await drive.hand_over(episode, day)
    await step("handover recorded, early help accepted: the episode closes (RC7)", episode)
    return episode
