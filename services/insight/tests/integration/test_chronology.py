"""A child's chronology: every event of the child's episodes across the services in time order,
in plain words, the same whatever order and however often the events arrived; a caller whose
teams never held the child gets 404; pages follow on."""

from __future__ import annotations

import random
import uuid
from typing import Any

from insight_support import START, Api, Cases, assert_problem, journey, received

WORDS = [
    "Child registered at the front door",
    "Referral received from the police",
    "Information requested from GP surgery",
    "Referral decision made: a single assessment",
    "Assessment opened",
    "Case closed (census reason RC8)",
]


async def _chronology(api: Api, child: uuid.UUID, *, roles: tuple[str, ...] = ("practitioner",), **params: Any) -> Any:
    async with api.as_user(*roles, teams=("north",)) as client:
        r = await client.get(f"/v1/children/{child}/chronology", params=params)
    assert r.status_code == 200, r.text
    return r.json()


async def test_the_chronology_tells_the_episode_in_time_order_and_plain_words(api: Api, cases: Cases) -> None:
    child = uuid.uuid4()
    events = journey(child)
    await cases.deliver_all(events)
    body = await _chronology(api, child)
    assert body["child"]["family_name"] == events[0].data.family_name
    assert [e["words"] for e in body["items"]] == WORDS
    assert [e["service"] for e in body["items"]] == ["referral"] * 4 + ["assessment", "stepdown"]
    first = body["items"][1]
    assert first["event_type"] == "referral.received" and first["team"] == "north"
    assert first["case_id"] == str(events[1].data.case_id) and first["event_id"] == str(events[1].id)
    assert body["items"][0]["case_id"] is None  # the child's identity names no case
    assert body["next_cursor"] is None


async def test_events_out_of_order_and_twice_give_the_same_chronology(api: Api, cases: Cases) -> None:
    in_order, shuffled = uuid.uuid4(), uuid.uuid4()
    await cases.deliver_all(journey(in_order))
    events = journey(shuffled)
    twice = events + events
    random.Random(18).shuffle(twice)
    outcomes = await cases.deliver_all(list(reversed(events)) + twice)
    assert outcomes.count("handled") == len(events) and outcomes.count("duplicate") == 2 * len(events)
    # The same event again under a new inbox consumer name would still be one row: its id is the key.
    assert await cases.scalar("SELECT count(*) FROM case_events WHERE id = :e", e=events[0].id) == 1

    def shown(body: Any) -> list[tuple[str, str, str]]:
        return [(e["words"], e["occurred_at"], e["event_type"]) for e in body["items"]]

    assert shown(await _chronology(api, shuffled)) == shown(await _chronology(api, in_order))


async def test_a_caller_whose_teams_never_held_the_child_gets_404_and_an_auditor_sees_it(api: Api, cases: Cases) -> None:
    child = uuid.uuid4()
    await cases.deliver_all(journey(child))
    async with api.as_user("practitioner", teams=("south",)) as other, api.as_user("manager", teams=("south",)) as manager:
        for client in (other, manager):
            assert_problem(await client.get(f"/v1/children/{child}/chronology"), 404)
    async with api.as_user("practitioner", teams=("south",)) as other:
        assert_problem(await other.get(f"/v1/children/{uuid.uuid4()}/chronology"), 404)  # unknown: the same answer
    body = await _chronology(api, child, roles=("auditor",))
    assert len(body["items"]) == len(WORDS)


async def test_every_team_that_held_the_child_sees_all_its_episodes(api: Api, cases: Cases) -> None:
    child = uuid.uuid4()
    await cases.deliver_all(journey(child, team="south"))
    await cases.deliver(received(case_id=uuid.uuid4(), child_id=child, at=START.replace(year=2027), team="north"))
    body = await _chronology(api, child)  # north held the later case only, and sees the child's whole story
    assert len(body["items"]) == len(WORDS) + 1
    assert await cases.scalar("SELECT teams FROM child_teams WHERE id = :c", c=child) == ["north", "south"]


async def test_a_chronology_comes_in_pages(api: Api, cases: Cases) -> None:
    child = uuid.uuid4()
    await cases.deliver_all(journey(child))
    seen, cursor = [], None
    while True:
        body = await _chronology(api, child, limit=4, **({"cursor": cursor} if cursor else {}))
        seen += [e["words"] for e in body["items"]]
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert seen == WORDS


async def test_the_child_is_null_until_its_identity_arrives(api: Api, cases: Cases) -> None:
    child = uuid.uuid4()
    await cases.deliver_all(journey(child)[1:])
    body = await _chronology(api, child)
    assert body["child"] is None and len(body["items"]) == len(WORDS) - 1


async def test_a_cursor_the_api_did_not_give_is_refused(api: Api, cases: Cases) -> None:
    child = uuid.uuid4()
    await cases.deliver_all(journey(child))
    async with api.as_user("practitioner") as client:
        assert_problem(await client.get(f"/v1/children/{child}/chronology", params={"cursor": "nonsense"}), 422)
