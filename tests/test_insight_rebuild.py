"""Rebuild from nothing (issue 18, decision 53): ``continuum insight rebuild`` reproduces insight's
read model exactly from the services' histories, after the broker lost everything and after the
outbox's retention moved every event into the services' event histories.

Journeys through the four case services' APIs (``year_of_journeys``), an episode among them open
for over a year; insight's read model captured; then the stack stopped, the broker stopped and a new,
empty one started on the same port (the dev broker keeps nothing across a restart), and the relays'
upkeep run with its retention passed, so that no event is left in any outbox nor on any topic. The
services start again on the new broker (the case services' workers off, see ``restarted``);
insight's read model is emptied and rebuilt through the
command's own code (``continuum_tools.rebuild``) over the services' HTTP APIs; it equals the
captured one row for row (but when each row was written). A second rebuild finds nothing new.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AsyncExitStack, asynccontextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from year_of_journeys import CONSUMER_GROUPS, Child, Clock, Driver, Stack, five_services, upn

from assessment.app import create_app as create_assessment_app
from continuum.contracts import ALL_TOPICS
from continuum.messaging.kafka import dlq_topic, ensure_topics
from continuum.messaging.outbox_upkeep import archive_outbox
from continuum.persistence.db import make_engine, make_session_factory
from continuum_tools.devstack import TansuBroker
from continuum_tools.rebuild import CASE_SERVICES, rebuild_read_model
from continuum_tools.testing import eventually, start_broker
from insight.app import create_app as create_insight_app
from plan.app import create_app as create_plan_app
from referral.app import create_app as create_referral_app
from stepdown.app import create_app as create_stepdown_app

D = date
FACTORIES = {
    "referral": create_referral_app,
    "assessment": create_assessment_app,
    "plan": create_plan_app,
    "stepdown": create_stepdown_app,
    "insight": create_insight_app,
}
#: The read model, each table in a stable order, without when each row was written (``recorded_at``,
#: ``updated_at``: the time of the recording, not of the fact).
READ_MODEL = {
    "case_events": "SELECT id, topic, event_type, schema_version, case_id, child_id, team, occurred_at, data"
    " FROM case_events ORDER BY id",
    "episodes": "SELECT case_id, child_id FROM episodes ORDER BY case_id",
    "child_teams": "SELECT id, teams FROM child_teams ORDER BY id",
    "children": "SELECT * FROM children ORDER BY id",
}


@pytest.fixture(scope="module")
def rebuild_broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TansuBroker]:
    broker = start_broker(tmp_path_factory.mktemp("rebuild-tansu"))
    yield broker
    broker.stop()


async def journeys(drive: Driver) -> list[Child]:
    """A front-door NFA, a CIN episode open for over a year, a section 47 to a CP plan, and an
    assessment handed over to early help; each heard by insight."""
    nfa = Child.new(upn=upn(901))
    await drive.refer(nfa, D(2024, 5, 6), "nfa")
    await drive.heard(nfa, "case.closed")

    long_cin = Child.new(upn=upn(902), born=D(2013, 3, 3))
    episode = await drive.refer(long_cin, D(2024, 6, 3), "assessment", source="2A")
    await drive.assess(episode, D(2024, 6, 4), D(2024, 6, 28), "cin_plan", factors=("3B",), primary_need="N1")
    await drive.plan(episode, "cin", D(2024, 7, 1))
    await drive.review(episode, "cin", D(2024, 10, 14))
    await drive.end_plan(episode, "cin", D(2025, 9, 30), "close", reason_for_closure="RC7")
    await drive.heard(long_cin, "case.closed")

    protected = Child.new(upn=upn(903), sex="M", born=D(2019, 8, 2))
    episode = await drive.refer(protected, D(2025, 4, 7), "strategy_discussion")
    await drive.enquire(episode, D(2025, 4, 8), D(2025, 4, 24), "cp_plan")
    await drive.assess(episode, D(2025, 4, 8), D(2025, 4, 24), "child_protection", factors=("3B", "16A"), route="section47")
    await drive.plan(episode, "cp", D(2025, 4, 24), approved=D(2025, 4, 25))
    await drive.heard(protected, "plan.started")

    handed_over = Child.new(upn=upn(904), born=D(2010, 11, 5))
    episode = await drive.refer(handed_over, D(2025, 9, 1), "assessment", source="3A")
    await drive.assess(episode, D(2025, 9, 2), D(2025, 9, 19), "early_help", factors=("4B",), primary_need="N4")
    await drive.hand_over(episode, D(2025, 9, 22))
    await drive.heard(handed_over, "case.closed")
    return [nfa, long_cin, protected, handed_over]


async def rows(app: Any, sql: str, **params: Any) -> list[dict[str, Any]]:
    async with app.state.runtime.session_factory() as session:
        return [dict(r) for r in (await session.execute(text(sql), params)).mappings()]


async def read_model(insight: Any) -> dict[str, list[dict[str, Any]]]:
    model = {table: await rows(insight, sql) for table, sql in READ_MODEL.items()}
    for child in model["children"]:
        del child["updated_at"]
    return model


async def case_events_written(apps: dict[str, Any]) -> int:
    """How many events the four services wrote on the topics insight reads (outbox and history)."""
    total = 0
    for name, topic in CASE_SERVICES.items():
        found = await rows(
            apps[name],
            "SELECT (SELECT count(*) FROM outbox WHERE topic = :t) + (SELECT count(*) FROM event_history WHERE topic = :t) AS n",
            t=topic,
        )
        total += int(found[0]["n"])
    return total


@asynccontextmanager
async def restarted(settings: dict[str, Any]) -> AsyncIterator[Stack]:
    """The five services again, on the databases they had and the new broker. The four case
    services' workers stay off: their schedulers would find drift and overdue work as of the test's
    clock and record it, new facts that the read model would rightly gain, so no longer the captured
    one. Insight's consumer runs, on the new, empty broker."""
    settings = {name: s if name == "insight" else s.model_copy(update={"run_workers": False}) for name, s in settings.items()}
    apps = {name: FACTORIES[name](settings[name]) for name in FACTORIES}
    async with AsyncExitStack() as running:
        for app in apps.values():
            await running.enter_async_context(app.router.lifespan_context(app))
        yield Stack(apps, settings)


async def archive_everything(url: str) -> tuple[int, int]:
    """The relay's upkeep as it runs eight days from now (the outbox's retention, 7 days, passed):
    how many events it moved to the history, and how many it left in the outbox."""
    engine = make_engine(url)
    try:
        sessions = make_session_factory(engine)
        moved = await archive_outbox(sessions, retention=timedelta(days=7), now=datetime.now(UTC) + timedelta(days=8))
        async with sessions() as session:
            left = int((await session.execute(text("SELECT count(*) FROM outbox"))).scalar_one())
        return moved, left
    finally:
        await engine.dispose()


async def test_the_read_model_is_rebuilt_exactly_from_the_services_histories_after_the_broker_and_the_outboxes_forgot(
    make_database: Callable[[str, Path], str],
    rebuild_broker: TansuBroker,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    async with five_services(make_database, rebuild_broker.bootstrap, "rebuild") as stack:
        children = await journeys(Driver(stack, Clock(monkeypatch)))
        insight = stack.apps["insight"]

        async def settled() -> int | None:
            """How many events the services wrote, once insight holds every one of them."""
            written = await case_events_written(stack.apps)
            return written if await _count(insight, "case_events", written) else None

        written = await eventually(settled, within=30, what="insight holding every event the services wrote")
        captured = await read_model(insight)
        assert await case_events_written(stack.apps) == written  # nothing more on its way
        settings = stack.settings
    assert len(captured["case_events"]) == written > 30
    assert {c.child_id for c in children} <= {str(c["id"]) for c in captured["children"]}
    assert min(e["occurred_at"] for e in captured["case_events"]).year == 2024  # over a year before the latest

    # The broker forgets everything (the dev broker keeps nothing across a restart)...
    rebuild_broker.stop()
    empty_broker = TansuBroker(rebuild_broker.port, log_path=tmp_path / "tansu-after-restart.log")
    empty_broker.start()
    try:
        await _rebuild_after(settings, written, captured)
    finally:
        empty_broker.stop()


async def _rebuild_after(settings: dict[str, Any], written: int, captured: dict[str, list[dict[str, Any]]]) -> None:
    await ensure_topics(settings["insight"], [*ALL_TOPICS, *(dlq_topic(g) for g in CONSUMER_GROUPS)])
    # ...and the outboxes' retention passes: every event is in its service's history alone.
    for name in CASE_SERVICES:
        moved, left = await archive_everything(settings[name].database_url)
        assert moved > 0 and left == 0, (name, moved, left)

    async with restarted(settings) as again:
        insight = again.apps["insight"]
        assert await case_events_written(again.apps) == written  # all of it in the histories
        async with AsyncExitStack() as clients:
            services = {name: await clients.enter_async_context(again.client(name, "admin", teams=())) for name in CASE_SERVICES}
            admin = await clients.enter_async_context(again.client("insight", "admin", teams=()))
            first = await rebuild_read_model(services, admin, batch=7, from_empty=True)  # several pages a service
            assert sum(r.events for r in first) == sum(r.recorded for r in first) == written
            assert [r.refused for r in first] == [0, 0, 0, 0]
            assert await read_model(insight) == captured

            second = await rebuild_read_model(services, admin)  # into the live read model: nothing new
            assert (sum(r.recorded for r in second), sum(r.duplicates for r in second)) == (0, written)
            assert await read_model(insight) == captured


async def _count(app: Any, table: str, expected: int) -> bool:
    found = await rows(app, f"SELECT count(*) AS n FROM {table}")
    return int(found[0]["n"]) == expected
