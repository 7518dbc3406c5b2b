"""The read model's consumer on the real broker: every case topic in; a redelivered event changes
nothing; what breaks its contract, or names a team the council does not have, goes to the
dead-letter topic while the next event flows."""

from __future__ import annotations

import uuid
from typing import Any

from insight_support import START, Cases, case_closed, decided, eventually, journey

from continuum.contracts import ASSESSMENT_TOPIC, PLAN_TOPIC, REFERRAL_TOPIC, STEPDOWN_TOPIC
from continuum_tools.devstack import TansuBroker
from continuum_tools.testing import send_events
from continuum_tools.testing.suites import duplicates_change_nothing, handled, poison_is_dead_lettered
from insight.consumers import READ_MODEL_CONSUMER

TOPIC_OF = {"referral": REFERRAL_TOPIC, "assessment": ASSESSMENT_TOPIC, "plan": PLAN_TOPIC, "stepdown": STEPDOWN_TOPIC}


async def kept(cases: Cases, event_id: uuid.UUID) -> dict[str, Any] | None:
    return await cases.row("SELECT * FROM case_events WHERE id = :e", e=event_id)


async def test_the_events_of_every_case_topic_reach_the_read_model(broker: TansuBroker, cases: Cases) -> None:
    events = journey(uuid.uuid4())
    for event in events:
        await send_events(broker.bootstrap, TOPIC_OF[event.source], event, key=event.subject)
    for event in events:
        row = await eventually(lambda e=event: kept(cases, e.id), what=f"{event.type} kept")
        assert row["event_type"] == event.type and row["occurred_at"] == event.time
        assert row["data"] == event.data.model_dump(mode="json")


async def test_the_same_event_delivered_three_times_is_kept_once(broker: TansuBroker, cases: Cases) -> None:
    child, case = uuid.uuid4(), uuid.uuid4()
    event = decided(case_id=case, child_id=child, at=START)
    after = case_closed(case_id=case, child_id=child, at=START.replace(day=2))
    await duplicates_change_nothing(
        broker.bootstrap, REFERRAL_TOPIC, cases, consumer=READ_MODEL_CONSUMER, event=event, after=after
    )
    # Counted by id: in the whole suite, other services' apps on the same broker react to these
    # events with events of their own about the case (an assessment opened), which are kept too.
    for sent in (event, after):
        assert await cases.scalar("SELECT count(*) FROM case_events WHERE id = :e", e=sent.id) == 1


async def test_poison_goes_to_the_dlq_and_the_next_event_is_kept(broker: TansuBroker, cases: Cases) -> None:
    child = uuid.uuid4()
    bad = decided(case_id=uuid.uuid4(), child_id=child, at=START).to_json_dict()
    bad["data"]["outcome"] = "adoption"
    good = decided(case_id=uuid.uuid4(), child_id=child, at=START)
    unknown_team = decided(case_id=uuid.uuid4(), child_id=child, at=START, team="atlantis")
    await poison_is_dead_lettered(
        broker.bootstrap, REFERRAL_TOPIC, cases, consumer=READ_MODEL_CONSUMER, broken=bad, then=good, refused=[unknown_team]
    )
    assert await kept(cases, good.id) is not None
    assert await kept(cases, unknown_team.id) is None
    assert await handled(cases, READ_MODEL_CONSUMER, unknown_team) == 0
