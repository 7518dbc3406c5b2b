"""The intake consumer on the real broker: front-door decisions in, assessments out."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from assessment_support import Cases, child_registered, child_updated, decided, eventually, nhs_number, publish

from assessment.consumers import INTAKE_CONSUMER
from continuum.contracts import REFERRAL_TOPIC
from continuum.messaging.kafka import dlq_topic
from continuum_tools.devstack import TansuBroker
from continuum_tools.testing import read_raw
from continuum_tools.testing.suites import duplicates_change_nothing, poison_is_dead_lettered


async def opened(cases: Cases, referral_id: uuid.UUID) -> dict[str, Any] | None:
    return await cases.row("SELECT * FROM assessments WHERE referral_id = :r", r=referral_id)


async def test_the_same_decision_delivered_three_times_opens_one_assessment(broker: TansuBroker, cases: Cases) -> None:
    child = uuid.uuid4()
    event = decided(child_id=child)
    # A later event on the same key (so the same partition) proves all three were consumed first.
    after = decided(child_id=child, case_id=event.data.case_id)
    await publish(broker.bootstrap, child_registered(child), key=str(event.data.case_id))
    await duplicates_change_nothing(broker.bootstrap, REFERRAL_TOPIC, cases, consumer=INTAKE_CONSUMER, event=event, after=after)

    assert await cases.scalar("SELECT count(*) FROM assessments WHERE case_id = :c", c=event.data.case_id) == 2
    first = await opened(cases, event.data.referral_id)
    assert first is not None and first["due_date"] == date(2027, 1, 27) and first["status"] == "unallocated"
    events = await cases.events(event.data.case_id, "assessment.opened")
    assert [e["payload"]["data"]["referral_id"] for e in events] == [str(event.data.referral_id), str(after.data.referral_id)]


async def test_a_malformed_event_goes_to_the_dlq_and_the_next_is_processed(broker: TansuBroker, cases: Cases) -> None:
    good = decided()
    bad_contract = decided().to_json_dict()
    bad_contract["data"]["outcome"] = "adoption"
    await poison_is_dead_lettered(
        broker.bootstrap, REFERRAL_TOPIC, cases, consumer=INTAKE_CONSUMER, broken=bad_contract, then=good
    )
    assert await opened(cases, good.data.referral_id) is not None


async def test_a_decision_for_an_unknown_team_is_dead_lettered(broker: TansuBroker, cases: Cases) -> None:
    event = decided(team="atlantis")
    after = decided(case_id=event.data.case_id)
    await publish(broker.bootstrap, event, after)
    await eventually(lambda: opened(cases, after.data.referral_id))
    assert await opened(cases, event.data.referral_id) is None
    letters = [
        r for r in await read_raw(broker.bootstrap, dlq_topic(INTAKE_CONSUMER)) if r.key == str(event.data.case_id).encode()
    ]
    assert len(letters) == 1 and dict(letters[0].headers)["dlq_reason"].startswith(b"rejected:")


async def test_other_outcomes_open_nothing(cases: Cases) -> None:
    for outcome in ("nfa", "early_help"):
        event = decided(outcome=outcome)
        assert await cases.deliver(event) == "handled"
        assert await opened(cases, event.data.referral_id) is None
        assert await cases.events(event.data.case_id) == []


async def test_a_strategy_discussion_opens_a_section_47_and_its_assessment(cases: Cases) -> None:
    row = await cases.open(outcome="strategy_discussion")
    s47 = await cases.row("SELECT * FROM section47_enquiries WHERE assessment_id = :a", a=row["id"])
    assert s47 is not None and s47["status"] == "awaiting_start" and s47["case_id"] == row["case_id"]
    opened_event = (await cases.events(row["case_id"], "assessment.opened"))[0]["payload"]["data"]
    assert opened_event["route"] == "section47" and opened_event["section47_id"] == str(s47["id"])


async def test_the_partner_status_waits_for_the_childs_identity(cases: Cases) -> None:
    child, nhs = uuid.uuid4(), nhs_number()
    row = await cases.open(with_child=False, child_id=child)
    assert await cases.statuses(nhs) == []
    await cases.deliver(child_registered(child, nhs_number=nhs))
    statuses = await cases.statuses(nhs)
    assert len(statuses) == 1
    data = statuses[0]
    # The minimum a partner needs (status.changed v2): never a name, a team id or a case id.
    assert set(data) == {"nhs_number", "date_of_birth", "status", "since", "responsible_service", "contact"}
    assert (data["nhs_number"], data["status"], data["since"], data["contact"]) == (
        nhs,
        "assessment",
        "2026-11-20",
        "01632 960001",
    )
    assert await cases.events(row["case_id"], "status.changed") == []  # keyed by the NHS number, not the case
    # A later child.updated does not send it again.
    await cases.deliver(child_registered(child, version=2, nhs_number=nhs))
    assert len(await cases.statuses(nhs)) == 1


async def test_point_10_the_assessment_status_is_sent_again_when_the_nhs_number_becomes_known(
    broker: TansuBroker, cases: Cases
) -> None:
    """The identity arrived without an NHS number (partners could not match it): the ``assessment``
    status goes out when child.updated brings the number (through the broker, so the consumer's batch
    path), for the open assessment only."""
    child, nhs = uuid.uuid4(), nhs_number()
    await cases.deliver(child_registered(child, nhs_number=None))
    row = await cases.open(with_child=False, child_id=child)
    closed = await cases.open(with_child=False, child_id=child)
    await cases.execute("UPDATE assessments SET status = 'authorised' WHERE id = :a", a=closed["id"])
    assert await cases.rows("SELECT id FROM assessments WHERE child_id = :c AND partner_status_sent", c=child) == []
    # Withheld meanwhile, once per opening: the partners service logs it and sends it to nobody.
    withheld = await cases.rows("SELECT payload FROM outbox WHERE event_type = 'status.withheld' AND key = :k", k=str(child))
    assert [(w["payload"]["data"]["status"], w["payload"]["data"]["reason"]) for w in withheld] == [
        ("assessment", "no_nhs_number")
    ] * 2
    await publish(broker.bootstrap, child_updated(child, version=2, nhs_number=nhs))
    statuses = await eventually(lambda: cases.statuses(nhs), what="the status once the NHS number is known")
    assert [(s["status"], s["since"]) for s in statuses] == [("assessment", "2026-11-20")]
    sent = await cases.rows("SELECT id FROM assessments WHERE child_id = :c AND partner_status_sent", c=child)
    assert {r["id"] for r in sent} == {row["id"], closed["id"]}  # the closed one has nothing to say, and waits no more
    await cases.deliver(child_updated(child, version=3, nhs_number=nhs, postcode="EX2 2AA"))
    assert len(await cases.statuses(nhs)) == 1


async def test_an_older_child_version_does_not_overwrite_a_newer_one(cases: Cases) -> None:
    child = uuid.uuid4()
    await cases.deliver(child_registered(child, version=3, postcode="EX3 3AA"))
    await cases.deliver(child_registered(child, version=2, postcode="EX2 2AA"))
    assert await cases.scalar("SELECT postcode FROM children WHERE id = :c", c=child) == "EX3 3AA"


async def test_a_corrected_decision_withdraws_or_adjusts_the_assessment(cases: Cases) -> None:
    row = await cases.open(team="north")
    first = uuid.uuid4()
    correction = decided(
        outcome="strategy_discussion",
        team="south",
        case_id=row["case_id"],
        referral_id=row["referral_id"],
        child_id=row["child_id"],
        correction_of=first,
    )
    await cases.deliver(correction)
    moved = await opened(cases, row["referral_id"])
    assert moved is not None and moved["team"] == "south" and moved["route"] == "section47"
    assert await cases.scalar("SELECT count(*) FROM section47_enquiries WHERE assessment_id = :a", a=row["id"]) == 1
    nfa = decided(
        outcome="nfa",
        case_id=row["case_id"],
        referral_id=row["referral_id"],
        child_id=row["child_id"],
        correction_of=correction.id,
    )
    await cases.deliver(nfa)
    withdrawn = await opened(cases, row["referral_id"])
    assert withdrawn is not None and withdrawn["status"] == "withdrawn"
    events = await cases.events(row["case_id"], "assessment.withdrawn")
    assert [e["payload"]["data"]["correction_of"] for e in events] == [str(correction.id)]
    assert await cases.scalar("SELECT count(*) FROM assessments WHERE referral_id = :r", r=row["referral_id"]) == 1
