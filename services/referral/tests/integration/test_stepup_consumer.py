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
from continuum_tools.testing import ServiceCases, read_events
from continuum_tools.testing.suites import duplicates_change_nothing, poison_is_dead_lettered
from referral.consumers import STEPUP_CONSUMER

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


async def test_the_same_stepup_delivered_twice_creates_one_referral(api: Api) -> None:
    child_id = await _registered_child(api)
    event = _stepup(child_id)
    later = _stepup(await _registered_child(api))  # another child: this one's episode is open now
    service = ServiceCases(api.app, api.settings)
    await duplicates_change_nothing(
        api.settings.kafka_bootstrap, STEPDOWN_TOPIC, service, consumer=STEPUP_CONSUMER, event=event, after=later, times=2
    )
    await wait_for_row(api.settings, REFERRAL_OF_EPISODE, _episode(later))
    assert await db_value(api.settings, "SELECT count(*) FROM referrals WHERE stepped_up_from = $1", _episode(event)) == 1


async def test_poison_goes_to_the_dlq_and_later_events_still_flow(api: Api) -> None:
    """Not JSON, a step-up that breaks its contract, and one for a child this service never
    registered, each dead-lettered with why; the step-up after them becomes a referral."""
    child_id = await _registered_child(api)
    later = _stepup(child_id)
    broken = _stepup(child_id).to_json_dict()
    del broken["data"]["child_id"]
    unknown = _stepup(str(uuid.uuid4()))
    dead = await poison_is_dead_lettered(
        api.settings.kafka_bootstrap,
        STEPDOWN_TOPIC,
        ServiceCases(api.app, api.settings),
        consumer=STEPUP_CONSUMER,
        broken=broken,
        then=later,
        refused=[unknown],
    )
    await wait_for_row(api.settings, REFERRAL_OF_EPISODE, _episode(later))
    assert dict(dead[2].headers)["dlq_reason"].decode() == (
        "rejected: stepup.requested names a child this service has never registered"
    )
    for episode in (broken["data"]["early_help_episode_id"], str(_episode(unknown))):
        count = await db_value(api.settings, "SELECT count(*) FROM referrals WHERE stepped_up_from = $1::uuid", episode)
        assert count == 0
