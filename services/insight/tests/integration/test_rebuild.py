"""A rebuild of the read model (decision 53): events from the services' histories replayed through
the read model's consumer (``POST /v1/read-model/replay``: its inbox dedupes as from the broker),
and the read model emptied to start from nothing (``DELETE /v1/read-model``).

On an insight of its own (its own database, its workers off: no broker at all), so that emptying it
takes nothing from the other tests and a replay is seen to need no running consumer.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from insight_support import START, Api, Cases, assert_problem, child_registered, journey, received

from continuum_tools.rebuild import replay_batch
from continuum_tools.testing import test_settings
from insight.app import create_app
from insight.consumers import READ_MODEL_CONSUMER
from insight.schemas import MAX_REPLAY
from insight.settings import InsightSettings

ALEMBIC_INI = Path(__file__).resolve().parents[2] / "alembic.ini"
CONFIRM = {"confirm": "empty-the-read-model"}


@pytest.fixture(scope="module")
def offline_url(make_database: Callable[[str, Path], str]) -> str:
    return make_database("insight_rebuild", ALEMBIC_INI)


@asynccontextmanager
async def offline_insight(url: str, **overrides: Any) -> AsyncIterator[tuple[Api, Cases]]:
    base = test_settings("127.0.0.1:9", database_url=url, run_workers=False, **overrides)  # no broker is ever reached
    settings = InsightSettings(**base.model_dump(exclude={"service_name"}))
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        yield Api(app, settings), Cases(app, settings)


@pytest.fixture(scope="module")
async def offline(offline_url: str) -> AsyncIterator[tuple[Api, Cases]]:
    async with offline_insight(offline_url) as running:
        yield running


def wire(events: list[Any]) -> list[dict[str, Any]]:
    """The envelopes as a service's GET /v1/history gives them."""
    return [event.to_json_dict() for event in events]


async def replay(api: Api, events: list[dict[str, Any]], *, request_id: str | None = None) -> Any:
    async with api.as_user("admin") as admin:
        return await admin.post(
            "/v1/read-model/replay", json={"events": events}, headers={"X-Request-ID": request_id or str(uuid.uuid4())}
        )


async def recorded(cases: Cases, events: list[Any]) -> int:
    count: int = await cases.scalar("SELECT count(*) FROM case_events WHERE id = ANY(:ids)", ids=[e.id for e in events])
    return count


async def test_a_replay_records_what_the_read_model_lacks_and_again_changes_nothing(offline: tuple[Api, Cases]) -> None:
    api, cases = offline
    child = uuid.uuid4()
    events = journey(child)
    rid = str(uuid.uuid4())
    first = await replay(api, wire(events), request_id=rid)
    assert first.status_code == 200, first.text
    assert first.json() == {"received": 6, "recorded": 6, "duplicates": 0, "skipped": 0, "refused": 0}
    assert await recorded(cases, events) == 6
    assert (
        await cases.scalar(
            "SELECT count(*) FROM inbox WHERE consumer = :c AND event_id = ANY(:ids)",
            c=READ_MODEL_CONSUMER,
            ids=[e.id for e in events],
        )
        == 6
    )
    rows = await cases.rows("SELECT subject_type, subject_id, purpose, outcome FROM audit_log WHERE request_id = :rid", rid=rid)
    assert rows == [
        {"subject_type": "read_model", "subject_id": "6 new of 6", "purpose": "read model rebuild", "outcome": "success"}
    ]

    again = await replay(api, wire(events))
    assert again.json() == {"received": 6, "recorded": 0, "duplicates": 6, "skipped": 0, "refused": 0}
    assert await cases.scalar("SELECT count(*) FROM case_events WHERE child_id = :c", c=child) == 5  # one names only its case


async def test_a_replay_is_a_duplicate_of_what_the_broker_delivered(offline: tuple[Api, Cases]) -> None:
    api, cases = offline
    child = uuid.uuid4()
    events = journey(child)
    assert await cases.deliver_all(events[:3]) == ["handled"] * 3  # as the consumer does after a read from Kafka
    answer = (await replay(api, wire(events))).json()
    assert (answer["recorded"], answer["duplicates"]) == (3, 3)


async def test_events_the_read_model_does_not_take_are_skipped_and_counted(offline: tuple[Api, Cases]) -> None:
    api, _ = offline
    child = uuid.uuid4()
    partner = {"type": "status.changed", "id": str(uuid.uuid4()), "data": {"status": "referred"}}
    newer = {"type": "referral.teleported", "id": str(uuid.uuid4()), "data": {}}
    answer = (await replay(api, [partner, *wire([child_registered(child)]), newer])).json()
    assert answer == {"received": 3, "recorded": 1, "duplicates": 0, "skipped": 2, "refused": 0}


async def test_an_event_naming_a_team_the_council_lacks_is_refused_and_the_rest_recorded(offline: tuple[Api, Cases]) -> None:
    api, cases = offline
    good, bad = (
        received(case_id=uuid.uuid4(), child_id=uuid.uuid4(), at=START),
        received(case_id=uuid.uuid4(), child_id=uuid.uuid4(), at=START, team="atlantis"),
    )
    answer = (await replay(api, wire([bad, good]))).json()
    assert answer == {"received": 2, "recorded": 1, "duplicates": 0, "skipped": 0, "refused": 1}
    assert await recorded(cases, [bad]) == 0


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"events": []}, "events"),
        ({"events": [{"type": "child.registered"}] * (MAX_REPLAY + 1)}, "events"),
        ({"events": ["child.registered"]}, "events.0"),
        ({}, "events"),
    ],
)
async def test_a_bad_batch_is_refused_naming_the_field(offline: tuple[Api, Cases], body: dict[str, Any], field: str) -> None:
    api, _ = offline
    async with api.as_user("admin") as admin:
        assert_problem(await admin.post("/v1/read-model/replay", json=body), 422, field)


async def test_an_item_that_breaks_its_contract_is_named_and_nothing_of_the_batch_is_handled(offline: tuple[Api, Cases]) -> None:
    api, cases = offline
    events = journey(uuid.uuid4())
    broken = wire(events)
    del broken[3]["data"]["team"]
    assert_problem(await replay(api, broken), 422, "events.3")
    assert await recorded(cases, events) == 0


async def test_emptying_the_read_model_needs_saying_so_and_leaves_the_staff_and_the_audit_log(offline: tuple[Api, Cases]) -> None:
    api, cases = offline
    events = journey(uuid.uuid4())
    await replay(api, wire(events))
    async with api.as_user("admin") as admin:
        loaded = await admin.put("/v1/staff", json={"staff": [{"sub": "staff-stays", "name": "Sam Stays", "teams": ["north"]}]})
        assert loaded.status_code == 200, loaded.text
        assert_problem(await admin.delete("/v1/read-model"), 422, "query.confirm")
        assert_problem(await admin.delete("/v1/read-model", params={"confirm": "yes"}), 422, "query.confirm")
        assert await recorded(cases, events) == 6
        audit_before = await cases.scalar("SELECT count(*) FROM audit_log")
        emptied = await admin.delete("/v1/read-model", params=CONFIRM)
    assert emptied.status_code == 200, emptied.text
    assert emptied.json()["case_events"] >= 6 and emptied.json()["inbox"] >= 6
    for table in ("case_events", "episodes", "child_teams", "children"):
        assert await cases.scalar(f"SELECT count(*) FROM {table}") == 0, table
    assert await cases.scalar("SELECT count(*) FROM inbox WHERE consumer = :c", c=READ_MODEL_CONSUMER) == 0
    assert await cases.scalar("SELECT count(*) FROM staff WHERE sub = 'staff-stays'") == 1
    assert await cases.scalar("SELECT count(*) FROM audit_log") == audit_before + 1  # the emptying's own row

    # And a replay then records the events afresh.
    assert (await replay(api, wire(events))).json()["recorded"] == 6


async def test_the_rebuild_sends_a_batch_over_the_body_limit_in_halves(offline_url: str) -> None:
    events = [e for _ in range(4) for e in journey(uuid.uuid4())]
    async with offline_insight(offline_url, max_body_bytes=8 * 1024) as (api, cases):
        assert len(json.dumps({"events": wire(events)})) > 8 * 1024
        async with api.as_user("admin") as admin:
            answers = await replay_batch(admin, wire(events), "referral")
        assert len(answers) > 1
        assert sum(a["recorded"] for a in answers) == len(events) == await recorded(cases, events)
