"""The example partner consumer against the real (embedded) broker: well-formed ``partner.status``
envelopes produced to an agency topic of the test's own end in the store; a redelivered event and an
older status change nothing; a restart carries on from the committed offsets; an invalid event goes
to the rejects file and the events after it are still kept; ``show`` prints what is held."""

from __future__ import annotations

import asyncio
import base64
import json
import uuid
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from aiokafka.admin import AIOKafkaAdminClient, NewTopic

from continuum_tools.devstack import TansuBroker
from continuum_tools.testing import eventually, send_events
from partner_consumer.cli import main
from partner_consumer.consumer import Connection, run, topic_for
from partner_consumer.store import StatusStore
from partner_consumer.validation import StatusEvent, Validator, load_schema

PUBLISHED = Path(__file__).resolve().parents[3] / "docs" / "events" / "partner.status.v1.schema.json"


def envelope(nhs: str, status: str, since: str, *, time: str = "2026-11-02T10:00:00+00:00", **data: Any) -> dict[str, Any]:
    """A ``partner.status`` v1 envelope as the partners service publishes it."""
    return {
        "specversion": "1.0",
        "id": str(uuid.uuid4()),
        "source": "partners",
        "type": "partner.status",
        "subject": nhs,
        "time": time,
        "datacontenttype": "application/json",
        "dataschema": "partner.status/1",
        "aggregate_version": 1,
        "traceparent": None,
        "data": {
            "nhs_number": nhs,
            "date_of_birth": "2016-03-14",
            "status": status,
            "since": since,
            "responsible_service": "Children's Services",
            "contact": "0300 000 0000",
        }
        | data,
    }


def message(event: dict[str, Any]) -> tuple[str, bytes]:
    return event["subject"], json.dumps(event).encode()


async def compacted_topic(bootstrap: str, name: str) -> None:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        compact = {"cleanup.policy": "compact"}
        await admin.create_topics([NewTopic(name, num_partitions=3, replication_factor=1, topic_configs=compact)])
    finally:
        await admin.close()


class Running:
    def __init__(self, store: StatusStore, rejects: Path) -> None:
        self.store, self.rejects = store, rejects
        self.done: Counter[str] = Counter()


@asynccontextmanager
async def consuming(bootstrap: str, topic: str, db: Path, rejects: Path, group: str) -> AsyncIterator[Running]:
    """The consumer running as ``group`` until the block ends (a clean stop: offsets committed)."""
    running, stop = Running(StatusStore(db), rejects), asyncio.Event()
    task = asyncio.create_task(run(Connection(bootstrap), topic, group, running.store, Validator(load_schema()), rejects, stop))
    try:
        yield running
    finally:
        stop.set()
        running.done = await task
        running.store.close()


@pytest.fixture
async def agency(broker: TansuBroker) -> str:
    name = f"police-{uuid.uuid4().hex[:8]}"
    await compacted_topic(broker.bootstrap, topic_for(name))
    return name


def test_the_bundled_schema_is_the_published_one() -> None:
    if not PUBLISHED.exists():
        pytest.skip("partner.status v1 is not yet published in docs/events (the partners service generates it)")
    assert json.loads(PUBLISHED.read_text()) == load_schema()


async def test_statuses_are_kept_per_child_and_duplicates_and_older_ones_change_nothing(
    broker: TansuBroker, agency: str, tmp_path: Path
) -> None:
    topic, db, rejects = topic_for(agency), tmp_path / "police.sqlite3", tmp_path / "rejects.jsonl"
    referred = envelope("9434765919", "referred", "2026-11-02")
    cin = envelope("9434765919", "cin_plan", "2026-11-20", time="2026-11-20T10:00:00+00:00")
    older = envelope("9434765919", "assessment", "2026-11-05", time="2026-11-05T10:00:00+00:00")  # arrives late
    other = envelope("9434765870", "cp_plan", "2026-11-03")
    await send_events(broker.bootstrap, topic, *map(message, [referred, cin, cin, older, other]))
    async with consuming(broker.bootstrap, topic, db, rejects, f"{agency}.flagging") as running:
        await eventually(lambda: (running.store.current("9434765870") or {}).get("status") == "cp_plan", within=20)
        await eventually(lambda: (running.store.current("9434765919") or {}).get("status") == "cin_plan", within=20)
        await asyncio.sleep(1)  # a late extra write would show in the counts
    assert running.done == Counter(stored=3, duplicate=1, older=1)
    held = StatusStore(db).current("9434765919")
    assert held is not None and (held["status"], held["since"], held["event_id"]) == ("cin_plan", "2026-11-20", cin["id"])
    assert not rejects.exists()


async def test_a_restart_carries_on_from_the_committed_offsets_and_a_redelivery_is_dropped(
    broker: TansuBroker, agency: str, tmp_path: Path
) -> None:
    topic, db, rejects, group = topic_for(agency), tmp_path / "police.sqlite3", tmp_path / "rejects.jsonl", f"{agency}.flagging"
    first = envelope("9434765919", "assessment", "2026-11-05")
    await send_events(broker.bootstrap, topic, message(first))
    async with consuming(broker.bootstrap, topic, db, rejects, group) as running:
        await eventually(lambda: running.store.current("9434765919") is not None, within=20)
    assert running.done == Counter(stored=1)

    closed = envelope("9434765919", "closed", "2026-12-01", time="2026-12-01T10:00:00+00:00")
    await send_events(broker.bootstrap, topic, message(first), message(closed))  # the first redelivered, as after a retry
    async with consuming(broker.bootstrap, topic, db, rejects, group) as running:
        await eventually(lambda: (running.store.current("9434765919") or {}).get("status") == "closed", within=20)
        await asyncio.sleep(1)
    assert running.done == Counter(stored=1, duplicate=1)  # the first run's offset was committed: not read again

    # A new group (an agency reinstalling) reads the compacted topic from the beginning to the same state.
    async with consuming(broker.bootstrap, topic, tmp_path / "fresh.sqlite3", rejects, f"{group}-2") as running:
        await eventually(lambda: (running.store.current("9434765919") or {}).get("status") == "closed", within=20)


async def test_an_invalid_event_goes_to_the_rejects_file_and_the_consumer_carries_on(
    broker: TansuBroker, agency: str, tmp_path: Path
) -> None:
    topic, db, rejects = topic_for(agency), tmp_path / "police.sqlite3", tmp_path / "rejects.jsonl"
    bad_date = envelope("9434765919", "referred", "the fifth")
    wrong_key = envelope("9434765919", "referred", "2026-11-02")
    good = envelope("9434765870", "closed", "2026-11-30")
    messages = [("9434765919", b"not json"), message(bad_date), ("9434765870", json.dumps(wrong_key).encode()), message(good)]
    await send_events(broker.bootstrap, topic, *messages)
    async with consuming(broker.bootstrap, topic, db, rejects, f"{agency}.flagging") as running:
        await eventually(lambda: running.store.current("9434765870") is not None, within=20)
        await asyncio.sleep(1)
    assert running.done == Counter(rejected=3, stored=1)
    # Keyed by two NHS numbers, the records stand on two partitions: no order between them.
    lines = {json.loads(line)["reason"]: json.loads(line) for line in rejects.read_text().splitlines()}
    assert sorted(lines) == ["not JSON", "schema: data/since: Format", "the key or subject is not the event's NHS number"]
    assert base64.b64decode(lines["not JSON"]["value_base64"]) == b"not json"
    assert StatusStore(db).current("9434765919") is None
    assert "9434765919" not in " ".join(lines)  # a reason never quotes the event


def test_show_prints_the_status_held_and_says_when_none_is(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "police.sqlite3"
    store = StatusStore(db)
    event_id, time = str(uuid.uuid4()), "2026-11-02T10:00:00+00:00"
    store.apply(StatusEvent(event_id, time, "9434765919", None, "cin_plan", "2026-11-20", "CS", "0300"))
    store.close()
    assert main(["show", "9434765919", "--db", str(db)]) == 0
    assert json.loads(capsys.readouterr().out)["status"] == "cin_plan"
    assert main(["show", "9434765870", "--db", str(db)]) == 1
