"""The gateway on the real broker: each agency reads, on its own topic, only the statuses its
subscription allows; the sharing log holds every decision, shared or not; a redelivered status
changes nothing; an older status is never sent after a newer one; a status without an NHS number is
logged and sent to nobody; what breaks its contract goes to the dead-letter topic."""

from __future__ import annotations

import time
import uuid
from datetime import date, timedelta
from typing import Any

from aiokafka import AIOKafkaConsumer
from partners_support import START, TEST_POLICY, Cases, agency_feed, journey, nhs_number, status_changed, status_withheld

from continuum.contracts import PARTNER_STATUS_TOPIC, Envelope, PartnerStatus, agency_topic, parse_event
from continuum.contracts.partner import shared_event_id
from continuum_tools.devstack import TansuBroker
from continuum_tools.testing import eventually, send_events
from continuum_tools.testing.suites import duplicates_change_nothing, poison_is_dead_lettered
from partners.consumers import GATEWAY_CONSUMER

S = PartnerStatus
FIELDS = {"nhs_number", "date_of_birth", "status", "since", "responsible_service", "contact"}


async def _police_adapter_reads(bootstrap: str, group: str, *, until: int, of: str) -> list[Envelope[Any]]:
    """A police flagging adapter: a plain consumer in its own group (``police.`` prefix) on police's
    own topic, from the beginning; reads until ``until`` events of the child ``of`` came, then two
    seconds more."""
    consumer = AIOKafkaConsumer(
        agency_topic("police"),
        bootstrap_servers=bootstrap,
        group_id=group,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    await consumer.start()
    seen: list[Envelope[Any]] = []
    try:
        deadline, settle = time.monotonic() + 40, None
        while time.monotonic() < (settle or deadline):
            for records in (await consumer.getmany(timeout_ms=200)).values():
                seen.extend(parse_event(r.value or b"") for r in records)
            if settle is None and sum(e.subject == of for e in seen) >= until:
                settle = time.monotonic() + 2
    finally:
        await consumer.stop()
    return seen


async def test_a_police_subscriber_never_sees_a_status_not_in_its_list(broker: TansuBroker, cases: Cases) -> None:
    number = nhs_number()
    events = journey(number)
    await send_events(broker.bootstrap, PARTNER_STATUS_TOPIC, *events)
    police = TEST_POLICY["police"]
    seen = await _police_adapter_reads(broker.bootstrap, f"police.flags-{uuid.uuid4().hex[:8]}", until=len(police), of=number)

    assert seen and all(e.data.status in police for e in seen)  # nothing else, of any child, ever
    mine = [e for e in seen if e.subject == number]
    assert [e.data.status for e in mine] == police  # each once, in order
    assert [e.id for e in mine] == [shared_event_id(s.id, "police") for s in events if s.data.status in police]
    for event in mine:
        assert (event.type, event.source, event.dataschema) == ("partner.status", "partners", "continuum:partner.status/v1")
        assert set(event.data.model_dump()) == FIELDS and event.traceparent is None
    for source in events:
        decided = await eventually(lambda s=source: cases.decided(s), what="every agency's decision logged")
        assert decided["police"] == ("shared" if source.data.status in police else "not_subscribed")


async def test_each_agency_receives_its_statuses_and_the_log_shows_shares_and_refusals(broker: TansuBroker, cases: Cases) -> None:
    number = nhs_number()
    events = journey(number)
    await send_events(broker.bootstrap, PARTNER_STATUS_TOPIC, *events)
    for agency in ("school", "probation"):
        wanted = TEST_POLICY[agency]
        feed = await agency_feed(broker.bootstrap, agency, number, count=len(wanted))
        assert [e.data.status for e in feed] == wanted
    decisions = {s.data.status: await eventually(lambda s=s: cases.decided(s)) for s in events}
    assert decisions[S.ASSESSMENT]["school"] == "not_subscribed" and decisions[S.CIN_PLAN]["school"] == "shared"
    assert decisions[S.CIN_PLAN]["probation"] == "not_subscribed" and decisions[S.CP_PLAN]["probation"] == "shared"
    basis = await cases.scalar("SELECT DISTINCT lawful_basis FROM sharing_log WHERE nhs_number = :n", n=number)
    assert "6(1)(e)" in basis and "9(2)(g)" in basis and "paragraph 18" in basis


async def test_a_status_delivered_three_times_is_decided_and_sent_once(broker: TansuBroker, cases: Cases) -> None:
    number = nhs_number()
    event = status_changed(number, S.CP_PLAN, date(2026, 10, 5))
    after = status_changed(number, S.CLOSED, date(2026, 11, 5), at=START + timedelta(days=35), source="stepdown")
    await duplicates_change_nothing(
        broker.bootstrap, PARTNER_STATUS_TOPIC, cases, consumer=GATEWAY_CONSUMER, event=event, after=after
    )
    assert await cases.scalar("SELECT count(*) FROM sharing_log WHERE source_event_id = :e", e=event.id) == len(TEST_POLICY)
    sent = await cases.scalar("SELECT count(*) FROM outbox WHERE key = :n AND event_type = 'partner.status'", n=number)
    assert sent == sum(S.CP_PLAN in s for s in TEST_POLICY.values()) + sum(S.CLOSED in s for s in TEST_POLICY.values())
    feed = await agency_feed(broker.bootstrap, "police", number, count=2)
    assert [e.data.status for e in feed] == [S.CP_PLAN, S.CLOSED]


async def test_an_older_status_arriving_after_a_newer_one_is_not_sent(broker: TansuBroker, cases: Cases) -> None:
    """By ``since``, then by the source event's time: the CIN plan that began before the CP plan, or
    on the same day but announced earlier, arrives late and is logged ``superseded``."""
    number = nhs_number()
    cp = status_changed(number, S.CP_PLAN, date(2026, 10, 15), at=START + timedelta(days=14))
    older = status_changed(number, S.CIN_PLAN, date(2026, 10, 8), at=START + timedelta(days=7))
    same_day_earlier = status_changed(number, S.CIN_PLAN, date(2026, 10, 15), at=START + timedelta(days=13))
    closed = status_changed(number, S.CLOSED, date(2026, 11, 1), at=START + timedelta(days=31), source="stepdown")
    await send_events(broker.bootstrap, PARTNER_STATUS_TOPIC, cp, older, same_day_earlier, closed)
    feed = await agency_feed(broker.bootstrap, "gp", number, count=2, settle=2.0)
    assert [e.data.status for e in feed] == [S.CP_PLAN, S.CLOSED]
    for late in (older, same_day_earlier):
        decided = await eventually(lambda e=late: cases.decided(e))
        assert decided["gp"] == decided["school"] == decided["housing"] == "superseded"
        assert decided["police"] == "not_subscribed"  # its subscription is decided first
    held = await cases.row("SELECT status, since FROM agency_statuses WHERE agency_id = 'gp' AND nhs_number = :n", n=number)
    assert held == {"status": "closed", "since": date(2026, 11, 1)}


async def test_a_status_without_an_nhs_number_is_logged_and_sent_to_nobody(broker: TansuBroker, cases: Cases) -> None:
    child = uuid.uuid4()
    withheld = status_withheld(child, S.CIN_PLAN, date(2026, 10, 8))
    after = status_changed(nhs_number(), S.CLOSED, date(2026, 11, 1))
    await send_events(broker.bootstrap, PARTNER_STATUS_TOPIC, withheld, after, key=str(child))
    decided = await eventually(lambda: cases.decided(withheld))
    assert decided == {a: "no_nhs_number" if S.CIN_PLAN in s else "not_subscribed" for a, s in TEST_POLICY.items()}
    rows = await cases.rows("SELECT nhs_number, child_id FROM sharing_log WHERE source_event_id = :e", e=withheld.id)
    assert {(r["nhs_number"], r["child_id"]) for r in rows} == {(None, child)}
    sent = await cases.scalar(
        "SELECT count(*) FROM outbox o JOIN sharing_log l ON o.event_id = l.id WHERE l.source_event_id = :e", e=withheld.id
    )
    assert sent == 0
    await eventually(lambda: cases.decided(after))  # the same partition flowed on


async def test_poison_goes_to_the_dlq_and_the_next_status_is_decided(broker: TansuBroker, cases: Cases) -> None:
    number = nhs_number()
    bad = status_changed(number, S.CP_PLAN, date(2026, 10, 5)).to_json_dict()
    bad["data"]["status"] = "adopted"
    good = status_changed(number, S.CP_PLAN, date(2026, 10, 5))
    await poison_is_dead_lettered(broker.bootstrap, PARTNER_STATUS_TOPIC, cases, consumer=GATEWAY_CONSUMER, broken=bad, then=good)
    assert await cases.decided(good) is not None
