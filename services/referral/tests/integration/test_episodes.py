"""One open episode per child (census rules 8815 and 8820), through the API and the consumers on
the real broker: a referral for a child whose episode is open is refused (409, the episode named
to whoever may see it) and changes nothing; a step-up for such a child is recorded on the open
episode for the front door; step-down's case.closed and case.reopened (which we publish here as
step-down would) close and reopen the episode; the referral service no longer closes any
(issue 16 points 4 and 5, decision 34)."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta
from typing import Any

import pytest
from referral_support import (
    Api,
    audit_count,
    case_closed,
    case_reopened,
    changes_nothing,
    closed_by_step_down,
    db_fetch,
    db_value,
    decided_nfa,
    dumps_event,
    new_child,
    new_referral,
    nhs_number,
    now_utc,
    post_referral,
    publish_stepdown,
    stepup,
    wait_for_row,
)
from sqlalchemy import text

from continuum.casework.clock import london_date
from continuum.messaging.kafka import dlq_topic
from continuum_tools.testing import assert_problem, eventually, read_raw
from referral.consumers import EPISODES_CONSUMER, STEPUP_CONSUMER

ASSESSMENT = {"outcome": "assessment", "reasons": "Needs a single assessment.", "team": "north"}


async def _referred(api: Api, child: dict[str, Any] | None = None, **overrides: Any) -> dict[str, Any]:
    async with api.as_user("front_door") as client:
        return await post_referral(client, new_referral(child if child is not None else new_child(), **overrides))


def _by_id(referral: dict[str, Any], **overrides: Any) -> dict[str, Any]:
    return new_referral(None, child_id=referral["child"]["id"], **overrides) | {"child": None}


async def _decided(api: Api, referral: dict[str, Any], decision: dict[str, Any]) -> dict[str, Any]:
    async with api.as_user("manager", teams=(referral["team"],)) as manager:
        r = await manager.post(
            f"/v1/referrals/{referral['id']}/decision", json=decision, headers={"If-Match": f'"{referral["version"]}"'}
        )
    assert r.status_code == 200, r.text
    decided: dict[str, Any] = r.json()
    return decided


async def _read(api: Api, referral_id: str) -> dict[str, Any]:
    async with api.as_user("front_door") as client:
        r = await client.get(f"/v1/referrals/{referral_id}")
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


# --- a referral while the episode is open ---------------------------------------------------------------


async def test_rule_8820_a_referral_of_a_child_whose_episode_is_open_is_refused_naming_the_episode(api: Api) -> None:
    open_one = await _referred(api)
    async with api.as_user("front_door") as client, changes_nothing(api.settings, ("referrals", open_one["id"])):
        r = await client.post("/v1/referrals", json=_by_id(open_one, received_at="2026-11-25T10:00:00Z"))
    body = assert_problem(r, 409, "child_id")
    assert body["type"].endswith("/open-episode")
    assert body["open_episode"] == {
        "case_id": open_one["case_id"],
        "referral_id": open_one["id"],
        "team": "north",
        "referral_date": "2026-11-20",
    }


async def test_rule_8815_a_child_sent_as_new_that_is_registered_with_an_open_episode_is_refused(api: Api) -> None:
    child = new_child(nhs_number=nhs_number())
    open_one = await _referred(api, child)
    async with api.as_user("front_door") as client, changes_nothing(api.settings):
        r = await client.post("/v1/referrals", json=new_referral(child, received_at="2026-11-26T10:00:00Z"))
    body = assert_problem(r, 409, "child")
    assert (body["type"].split("/")[-1], body["open_episode"]["case_id"]) == ("open-episode", open_one["case_id"])


async def test_rule_8820_whoever_may_not_see_the_open_episode_gets_the_front_door_review_naming_nothing(api: Api) -> None:
    # Known to south by an earlier referral (NFA), open now with north: south's manager sees the
    # child, not north's episode.
    south = await _referred(api, team="south", received_at="2026-10-01T10:00:00Z")
    await decided_nfa(api, south)
    async with api.as_user("front_door") as client:
        north = await post_referral(client, _by_id(south, team="north"))
    async with (
        api.as_user("manager", teams=("south",), sub="south-manager-8820") as manager,
        changes_nothing(api.settings),
    ):
        r = await manager.post("/v1/referrals", json=_by_id(south, team="south"))
    body = assert_problem(r, 409, "child_id")
    assert body["type"].endswith("/front-door-review")
    assert north["id"] not in r.text and north["case_id"] not in r.text and "open_episode" not in body
    assert await audit_count(api.settings, south["child"]["id"], outcome="refused") >= 1


@pytest.mark.parametrize("outcome", ["nfa", "early_help"])
async def test_rule_8820_after_the_front_doors_nfa_or_early_help_the_child_may_be_referred_again(api: Api, outcome: str) -> None:
    # Neither is counted as open: step-down closes it on its referral date (census ReferralNFA), so
    # a re-referral is not refused while that closure is on its way (early help may take days to
    # answer its handover).
    first = await _referred(api)
    async with api.as_user("manager", teams=("north",)) as manager:
        r = await manager.post(
            f"/v1/referrals/{first['id']}/decision",
            json={"outcome": outcome, "reasons": "No statutory work needed.", "team": "north"},
            headers={"If-Match": f'"{first["version"]}"'},
        )
    assert r.status_code == 200, r.text
    async with api.as_user("front_door") as client:
        again = await post_referral(client, _by_id(first, received_at="2026-11-21T10:00:00Z"))
    assert (again["re_referral"], again["episode_status"]) == (True, "open")


async def test_two_referrals_of_one_child_at_once_open_one_episode(api: Api) -> None:
    first = await _referred(api)
    await decided_nfa(api, first)
    async with api.as_user("front_door") as a, api.as_user("front_door") as b:
        answers = await asyncio.gather(
            a.post("/v1/referrals", json=_by_id(first, received_at="2026-11-22T10:00:00Z")),
            b.post("/v1/referrals", json=_by_id(first, received_at="2026-11-22T11:00:00Z")),
        )
    assert sorted(r.status_code for r in answers) == [201, 409]
    count = "SELECT count(*) FROM referrals WHERE child_id = $1 AND status = 'received'"
    assert await db_value(api.settings, count, uuid.UUID(first["child"]["id"])) == 1


# --- step-down closes and reopens -----------------------------------------------------------------------


async def test_case_closed_closes_the_episode_and_the_child_may_be_referred_again(api: Api) -> None:
    referral = await _decided(api, await _referred(api), ASSESSMENT)
    await closed_by_step_down(api, referral, closed_on="2026-11-30", reason="RC7")
    shown = await _read(api, referral["id"])
    assert (shown["episode_status"], shown["closed_on"], shown["closure_reason"], shown["version"]) == (
        "closed",
        "2026-11-30",
        "RC7",
        referral["version"],  # step-down's fact, shown: the referral itself did not change
    )
    async with api.as_user("front_door") as client:
        again = await post_referral(client, _by_id(referral, received_at="2026-12-01T10:00:00Z"))
    assert again["re_referral"] is True


async def test_case_reopened_opens_the_episode_again_and_a_repeat_changes_nothing(api: Api) -> None:
    referral = await _referred(api)
    nfa = await decided_nfa(api, referral)
    await closed_by_step_down(api, nfa, closed_on="2026-11-20")
    # The NFA corrected to an assessment: step-down reopens; delivered twice.
    async with api.as_user("manager") as manager:
        r = await manager.post(
            f"/v1/referrals/{referral['id']}/decision-corrections",
            json=ASSESSMENT | {"correction_reason": "New information: the child was injured."},
            headers={"If-Match": f'"{nfa["version"]}"'},
        )
    assert r.status_code == 200, r.text
    reopened = case_reopened(referral, closure_date="2026-11-20")
    await publish_stepdown(api.settings, reopened, reopened)
    await wait_for_row(api.settings, "SELECT 1 FROM referrals WHERE id = $1 AND closed_on IS NULL", uuid.UUID(referral["id"]))
    shown = await _read(api, referral["id"])
    assert (shown["episode_status"], shown["closed_on"], shown["closure_reason"]) == ("open", None, None)
    handled = "SELECT count(*) FROM inbox WHERE consumer = $1 AND event_id = $2"
    assert await db_value(api.settings, handled, EPISODES_CONSUMER, reopened.id) == 1
    async with api.as_user("front_door") as client:
        refused = await client.post("/v1/referrals", json=_by_id(referral, received_at="2026-12-01T10:00:00Z"))
    assert assert_problem(refused, 409, "child_id")["type"].endswith("/open-episode")


async def test_rule_8820_a_correction_that_would_reopen_an_episode_beside_an_open_one_is_refused(api: Api) -> None:
    first = await _referred(api)
    nfa = await decided_nfa(api, first)
    await closed_by_step_down(api, nfa, closed_on="2026-11-20")
    async with api.as_user("front_door") as client:
        second = await post_referral(client, _by_id(first, received_at="2026-11-24T10:00:00Z"))
    async with api.as_user("manager") as manager, changes_nothing(api.settings, ("referrals", first["id"])):
        r = await manager.post(
            f"/v1/referrals/{first['id']}/decision-corrections",
            json=ASSESSMENT | {"correction_reason": "Should have been assessed."},
            headers={"If-Match": f'"{nfa["version"]}"'},
        )
    body = assert_problem(r, 409, "outcome")
    assert (body["type"].split("/")[-1], body["open_episode"]["referral_id"]) == ("open-episode", second["id"])


async def test_a_closure_of_a_case_never_opened_here_is_skipped_not_dead_lettered(api: Api) -> None:
    known = await _decided(api, await _referred(api), ASSESSMENT)
    stranger = case_closed(known | {"case_id": str(uuid.uuid4())}, closed_on="2026-11-29")
    stranger = stranger.model_copy(update={"subject": known["case_id"]})  # the same partition: handled first
    await publish_stepdown(api.settings, stranger)
    await closed_by_step_down(api, known, closed_on="2026-11-30", reason="RC7")
    dead = [
        r for r in await read_raw(api.settings.kafka_bootstrap, dlq_topic(EPISODES_CONSUMER)) if r.value == dumps_event(stranger)
    ]
    assert dead == []


# --- a step-up while the episode is open --------------------------------------------------------------


async def test_rule_8815_a_stepup_for_a_child_with_an_open_episode_is_a_contact_the_front_door_sees(api: Api) -> None:
    open_one = await _referred(api)
    event = stepup(open_one["child"]["id"])
    await publish_stepdown(api.settings, event)
    row = await wait_for_row(api.settings, "SELECT * FROM contacts WHERE stepped_up_from = $1", event.data.early_help_episode_id)
    assert (str(row["referral_id"]), str(row["case_id"]), row["source"], row["became_referral_id"]) == (
        open_one["id"],
        open_one["case_id"],
        "5D",
        None,
    )
    episodes = "SELECT count(*) FROM referrals WHERE stepped_up_from = $1"
    assert await db_value(api.settings, episodes, event.data.early_help_episode_id) == 0
    shown = await _read(api, open_one["id"])
    assert [(c["stepped_up_from"], c["source"], c["referrer"]["agency"]) for c in shown["contacts"]] == [
        (str(event.data.early_help_episode_id), "5D", "Early help")
    ]
    async with api.as_user("front_door") as client:
        listed = await client.get("/v1/front-door/contacts", params={"team": "north", "limit": 200})
    assert listed.status_code == 200, listed.text
    assert str(row["id"]) in [item["id"] for item in listed.json()["items"]]
    dead = [r for r in await read_raw(api.settings.kafka_bootstrap, dlq_topic(STEPUP_CONSUMER)) if r.value == dumps_event(event)]
    assert dead == []


async def test_a_stepup_that_crossed_the_closure_on_its_way_becomes_a_referral_when_the_closure_arrives(api: Api) -> None:
    referral = await _decided(api, await _referred(api), ASSESSMENT)
    asked = now_utc() - timedelta(minutes=5)
    event = stepup(referral["child"]["id"], requested_at=asked)
    await publish_stepdown(api.settings, event)
    contact = await wait_for_row(
        api.settings, "SELECT id FROM contacts WHERE stepped_up_from = $1", event.data.early_help_episode_id
    )
    # Step-down had closed the episode before early help asked (the same day): the closure comes now.
    await closed_by_step_down(api, referral, closed_on=london_date(asked).isoformat(), reason="RC9")
    opened = await wait_for_row(
        api.settings, "SELECT id, source, received_at FROM referrals WHERE stepped_up_from = $1", event.data.early_help_episode_id
    )
    assert (opened["source"], opened["received_at"]) == ("5D", asked)
    became = await db_fetch(api.settings, "SELECT became_referral_id FROM contacts WHERE id = $1", contact["id"])
    assert [r["became_referral_id"] for r in became] == [opened["id"]]


async def test_a_stepup_and_the_closure_handled_at_the_same_moment_by_the_two_consumers_end_in_one_referral(
    api: Api,
) -> None:
    """The step-up and the closure come to two consumers, which may handle them at the same moment
    (seen in the year-of-journeys test): here the step-up's transaction has read the episode open
    and is about to record the held contact (its insert held back by a table lock) when the
    closure's runs. Each locks the child first, so the closure waits for the contact, then finds
    and releases it: the step-up becomes its referral. Unlocked, the closure would read no held
    contact, and the contact would be held on a closed episode for ever."""
    referral = await _decided(api, await _referred(api), ASSESSMENT)
    asked = now_utc() - timedelta(minutes=5)
    up = stepup(referral["child"]["id"], requested_at=asked)
    closed = case_closed(referral, closed_on=london_date(asked).isoformat(), reason="RC7", nfa=False)
    runtime = api.app.state.runtime
    consumer_of = {event_type: c for c in runtime.consumers for event_type in c.handlers}

    def handle(event: Any) -> asyncio.Task[Any]:
        consumer = consumer_of[event.type]
        return asyncio.create_task(consumer.handle(event, consumer.handlers[event.type]))

    async def waiting(n: int) -> bool:
        """At least ``n`` sessions wait for a lock (asked afresh: a transaction sees one snapshot of it)."""
        sql = "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()"
        async with runtime.session_factory() as session:
            return bool((await session.execute(text(sql))).scalar_one() >= n)

    async with runtime.session_factory() as blocker, blocker.begin():
        await blocker.execute(text("LOCK TABLE contacts IN SHARE MODE"))

        stepping = handle(up)
        await eventually(lambda: waiting(1), within=10, interval=0.02, what="the step-up waiting to record its contact")
        closing = handle(closed)
        await eventually(
            lambda: closing.done() or waiting(2), within=10, interval=0.02, what="the closure done or waiting for the child"
        )
    await asyncio.gather(stepping, closing)

    opened = await wait_for_row(
        api.settings, "SELECT id, source FROM referrals WHERE stepped_up_from = $1", up.data.early_help_episode_id
    )
    assert opened["source"] == "5D"
    contacts = await db_fetch(
        api.settings, "SELECT became_referral_id FROM contacts WHERE stepped_up_from = $1", up.data.early_help_episode_id
    )
    assert [c["became_referral_id"] for c in contacts] == [opened["id"]]
