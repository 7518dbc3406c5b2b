"""The drafting consumer on the real broker: authorised assessments and concluded section 47
enquiries in, draft plans out; duplicates change nothing, poison goes to the dead-letter topic."""

from __future__ import annotations

import uuid
from typing import Any

from plan_support import Api, Cases, authorised, child_registered, concluded, eventually, nhs_number, publish

from continuum.contracts import ASSESSMENT_TOPIC, REFERRAL_TOPIC
from continuum.messaging.kafka import dlq_topic
from continuum_tools.devstack import TansuBroker
from continuum_tools.testing import read_raw
from continuum_tools.testing.suites import duplicates_change_nothing, poison_is_dead_lettered
from plan.consumers import DRAFTING_CONSUMER


async def plans_of(cases: Cases, case_id: uuid.UUID) -> list[dict[str, Any]]:
    return await cases.rows("SELECT * FROM plans WHERE case_id = :c ORDER BY drafted_at", c=case_id)


async def test_the_same_authorisation_delivered_three_times_drafts_one_plan(broker: TansuBroker, cases: Cases) -> None:
    event = authorised()
    case = event.data.case_id
    # A later event on the same key proves the three were consumed first.
    after = concluded(case_id=case, child_id=event.data.child_id)
    await publish(broker.bootstrap, child_registered(event.data.child_id), topic=REFERRAL_TOPIC, key=str(case))
    await duplicates_change_nothing(
        broker.bootstrap, ASSESSMENT_TOPIC, cases, consumer=DRAFTING_CONSUMER, event=event, after=after
    )
    plans = await plans_of(cases, case)
    assert sorted(p["plan_type"] for p in plans) == ["cin", "cp"]
    assert len(await cases.events(case, "plan.drafted")) == 2


async def _count(cases: Cases, case: uuid.UUID, n: int) -> bool:
    return len(await plans_of(cases, case)) >= n


async def test_a_malformed_event_goes_to_the_dlq_and_the_next_is_processed(broker: TansuBroker, cases: Cases) -> None:
    good = authorised()
    bad_contract = authorised().to_json_dict()
    bad_contract["data"]["outcome"] = "adoption"
    await poison_is_dead_lettered(
        broker.bootstrap, ASSESSMENT_TOPIC, cases, consumer=DRAFTING_CONSUMER, broken=bad_contract, then=good
    )
    assert await _count(cases, good.data.case_id, 1)


async def test_an_authorisation_for_an_unknown_team_is_dead_lettered(broker: TansuBroker, cases: Cases) -> None:
    event = authorised(team="atlantis")
    after = authorised(case_id=event.data.case_id, outcome="child_protection")
    await publish(broker.bootstrap, event, after)
    await eventually(lambda: _count(cases, event.data.case_id, 1))
    assert [p["plan_type"] for p in await plans_of(cases, event.data.case_id)] == ["cp"]
    letters = [
        r for r in await read_raw(broker.bootstrap, dlq_topic(DRAFTING_CONSUMER)) if r.key == str(event.data.case_id).encode()
    ]
    assert len(letters) == 1 and dict(letters[0].headers)["dlq_reason"].startswith(b"rejected:")


async def test_other_outcomes_draft_nothing(cases: Cases) -> None:
    for event in (authorised(outcome="nfa"), authorised(outcome="early_help"), concluded(outcome="no_cp_plan")):
        assert await cases.deliver(event) == "handled"
        assert await plans_of(cases, event.data.case_id) == []


async def test_a_cp_plan_drafted_by_the_conference_takes_the_assessed_needs_without_a_second_plan(cases: Cases) -> None:
    first = concluded()
    await cases.deliver(first)
    needs = authorised(outcome="child_protection", case_id=first.data.case_id, child_id=first.data.child_id, route="section47")
    await cases.deliver(needs)
    await cases.deliver(needs)
    (plan,) = await plans_of(cases, first.data.case_id)
    assert (plan["plan_type"], plan["drafted_from"], plan["factors"], plan["primary_need"], plan["version"]) == (
        "cp",
        "section47",
        ["3A", "4B"],
        "N1",
        2,
    )
    assert len(await cases.events(first.data.case_id, "plan.drafted")) == 1


async def test_an_older_child_version_does_not_overwrite_a_newer_one(cases: Cases) -> None:
    child = uuid.uuid4()
    await cases.deliver(child_registered(child, version=3, nhs_number="9434765870"))
    await cases.deliver(child_registered(child, version=2, nhs_number="9434765919"))
    assert await cases.scalar("SELECT nhs_number FROM children WHERE id = :c", c=child) == "9434765870"


async def test_the_active_plans_status_goes_to_partners_when_the_childs_nhs_number_becomes_known(api: Api, cases: Cases) -> None:
    plan = await cases.started(api, nhs=None)
    later = nhs_number()
    assert await cases.partner_statuses(later) == []
    for version in (2, 2, 3):  # the number arrives, the same event again, a later version with the same number
        await cases.deliver(child_registered(plan["child_id"], version=version, nhs_number=later))
    assert [(s["status"], s["since"], s["nhs_number"]) for s in await cases.partner_statuses(later)] == [
        ("cin_plan", plan["start_date"], later)
    ]
    draft = await cases.ready(api, nhs=None)
    other = nhs_number()
    await cases.deliver(child_registered(draft["child_id"], version=2, nhs_number=other))
    assert await cases.partner_statuses(other) == []  # a draft plan tells partners nothing yet
