"""The step-up consumer on the real broker: a `stepup.requested` event that we publish ourselves on
`continuum.stepdown` becomes a referral with source 5D, linked to the early-help episode.

Every message of one test is sent with the same key, so it lands on one partition and the consumer
handles it in the order sent: once a later message's referral exists, the earlier ones are done.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from typing import Any

import pytest
from aiokafka import AIOKafkaProducer
from referral_support import Api, db_value, new_child, now_utc, wait_for_row

from continuum.contracts import REFERRAL_TOPIC, STEPDOWN_TOPIC, Envelope, StepUpRequested
from continuum.messaging.kafka import dlq_topic
from continuum_tools.testing import read_events, read_raw
from referral.consumers import STEPUP_CONSUMER

DLQ = dlq_topic(STEPUP_CONSUMER)
REFERRAL_OF_EPISODE = (
    "SELECT id, case_id, child_id, source, team, received_at, referrer_name, referrer_agency, concerns, status "
    "FROM referrals WHERE stepped_up_from = $1"
)


@pytest.fixture
async def producer(api: Api) -> AsyncIterator[AIOKafkaProducer]:
    p = AIOKafkaProducer(bootstrap_servers=api.settings.kafka_bootstrap, enable_idempotence=False, acks="all")
    await p.start()
    try:
        yield p
    finally:
        await p.stop()


async def _registered_child(api: Api) -> str:
    async with api.as_user("front_door") as client:
        r = await client.post("/v1/children", json=new_child())
    assert r.status_code == 201, r.text
    child_id: str = r.json()["id"]
    return child_id


def _stepup(
    child_id: str, *, episode: uuid.UUID | None = None, team: str | None = "south", requested_at: datetime | None = None
) -> Envelope[Any]:
    episode = episode or uuid.uuid4()
    data = StepUpRequested(
        early_help_episode_id=episode,
        child_id=uuid.UUID(child_id),
        requested_at=requested_at or now_utc() - timedelta(minutes=1),
        requested_by="early-help-worker-1",
        reason="Escalating neglect despite the family plan.",
        team=team,
    )
    return Envelope.wrap(data, source="stepdown", subject=str(episode), aggregate_version=1)


async def _send(producer: AIOKafkaProducer, value: bytes | Envelope[Any], key: str) -> None:
    raw = json.dumps(value.to_json_dict()).encode() if isinstance(value, Envelope) else value
    await producer.send_and_wait(STEPDOWN_TOPIC, raw, key=key.encode())


def _episode(env: Envelope[Any]) -> uuid.UUID:
    episode: uuid.UUID = env.data.early_help_episode_id
    return episode


async def test_stepup_becomes_a_referral_with_source_5d_linked_to_the_early_help_episode(
    api: Api, producer: AIOKafkaProducer
) -> None:
    child_id = await _registered_child(api)
    event = _stepup(child_id)
    await _send(producer, event, key=event.subject)

    row = await wait_for_row(api.settings, REFERRAL_OF_EPISODE, _episode(event))

    assert (str(row["child_id"]), row["source"], row["team"], row["status"], row["referrer_agency"], row["referrer_name"]) == (
        child_id,
        "5D",
        "south",
        "received",
        "Early help",
        "early-help-worker-1",
    )
    assert (row["received_at"], row["concerns"]) == (event.data.requested_at, "Escalating neglect despite the family plan.")


async def test_stepup_referral_publishes_referral_received_with_stepped_up_from(api: Api, producer: AIOKafkaProducer) -> None:
    child_id = await _registered_child(api)
    event = _stepup(child_id)
    await _send(producer, event, key=event.subject)
    row = await wait_for_row(api.settings, REFERRAL_OF_EPISODE, _episode(event))

    events = await read_events(
        api.settings.kafka_bootstrap,
        REFERRAL_TOPIC,
        match=lambda e: e.type == "referral.received" and e.subject == str(row["case_id"]),
        count=1,
    )

    assert [(e.data.source.value, e.data.stepped_up_from, str(e.data.child_id)) for e in events] == [
        ("5D", _episode(event), child_id)
    ]


async def test_stepup_without_a_known_team_goes_to_the_front_door_team(api: Api, producer: AIOKafkaProducer) -> None:
    child_id = await _registered_child(api)
    event = _stepup(child_id, team=None)
    await _send(producer, event, key=event.subject)
    row = await wait_for_row(api.settings, REFERRAL_OF_EPISODE, _episode(event))
    assert row["team"] == "front-door"


async def test_the_same_stepup_delivered_twice_creates_one_referral(api: Api, producer: AIOKafkaProducer) -> None:
    child_id = await _registered_child(api)
    event = _stepup(child_id)
    later = _stepup(await _registered_child(api))  # another child: this one's episode is open now
    await _send(producer, event, key=event.subject)
    await _send(producer, event, key=event.subject)
    await _send(producer, later, key=event.subject)

    await wait_for_row(api.settings, REFERRAL_OF_EPISODE, _episode(later))

    assert await db_value(api.settings, "SELECT count(*) FROM referrals WHERE stepped_up_from = $1", _episode(event)) == 1
    assert (
        await db_value(
            api.settings, "SELECT count(*) FROM inbox WHERE consumer = $1 AND event_id = $2", STEPUP_CONSUMER, event.id
        )
        == 1
    )


async def _dead_letters(api: Api, value: bytes) -> list[dict[str, bytes]]:
    return [dict(r.headers) for r in await read_raw(api.settings.kafka_bootstrap, DLQ) if r.value == value]


async def test_a_stepup_for_an_unknown_child_goes_to_the_dlq_and_later_events_still_flow(
    api: Api, producer: AIOKafkaProducer
) -> None:
    unknown = _stepup(str(uuid.uuid4()))
    child_id = await _registered_child(api)
    later = _stepup(child_id)
    await _send(producer, unknown, key=unknown.subject)
    await _send(producer, later, key=unknown.subject)

    await wait_for_row(api.settings, REFERRAL_OF_EPISODE, _episode(later))

    dead = await _dead_letters(api, json.dumps(unknown.to_json_dict()).encode())
    assert [h["dlq_reason"].decode() for h in dead] == [
        "rejected: stepup.requested names a child this service has never registered"
    ]
    assert (dead[0]["dlq_consumer"], dead[0]["dlq_original_topic"]) == (STEPUP_CONSUMER.encode(), STEPDOWN_TOPIC.encode())
    assert await db_value(api.settings, "SELECT count(*) FROM referrals WHERE stepped_up_from = $1", _episode(unknown)) == 0


async def test_a_malformed_message_goes_to_the_dlq_and_later_events_still_flow(api: Api, producer: AIOKafkaProducer) -> None:
    child_id = await _registered_child(api)
    later = _stepup(child_id)
    poison = b'{"type": "stepup.requested", "id": "' + str(uuid.uuid4()).encode() + b'", "data": {"child_id": 42}'
    await _send(producer, poison, key=later.subject)
    await _send(producer, later, key=later.subject)

    await wait_for_row(api.settings, REFERRAL_OF_EPISODE, _episode(later))

    dead = await _dead_letters(api, poison)
    assert len(dead) == 1
    assert dead[0]["dlq_reason"].decode().startswith("invalid: not JSON")


async def test_a_stepup_that_breaks_its_contract_goes_to_the_dlq(api: Api, producer: AIOKafkaProducer) -> None:
    child_id = await _registered_child(api)
    later = _stepup(child_id)
    broken = _stepup(child_id).to_json_dict()
    del broken["data"]["child_id"]
    raw = json.dumps(broken).encode()
    await _send(producer, raw, key=later.subject)
    await _send(producer, later, key=later.subject)

    await wait_for_row(api.settings, REFERRAL_OF_EPISODE, _episode(later))

    dead = await _dead_letters(api, raw)
    assert len(dead) == 1
    assert dead[0]["dlq_reason"].decode().startswith("invalid: stepup.requested does not match its contract")
    assert (
        await db_value(
            api.settings,
            "SELECT count(*) FROM referrals WHERE stepped_up_from = $1::uuid",
            broken["data"]["early_help_episode_id"],
        )
        == 0
    )
