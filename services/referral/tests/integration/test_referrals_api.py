"""POST /v1/referrals and GET /v1/referrals/{id}: intake, matching, re-referral, idempotency and bad input."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import httpx
from referral_support import (
    Api,
    changes_nothing,
    db_value,
    decided_nfa,
    iso,
    new_child,
    new_referral,
    nhs_number,
    now_utc,
    post_referral,
)

from continuum.contracts import REFERRAL_TOPIC
from continuum_tools.testing import assert_problem, read_events, read_raw, unique

# --- happy paths ----------------------------------------------------------------------------------


async def test_referral_for_a_new_child_answers_201_with_the_decision_due_one_working_day_later(api: Api) -> None:
    # Friday 20 November 2026, 10:00 London -> due Monday 23 November, 10:00.
    body = new_referral(received_at="2026-11-20T10:00:00Z")
    async with api.as_user("front_door") as client:
        r = await client.post("/v1/referrals", json=body)
    assert r.status_code == 201, r.text
    created = r.json()
    assert datetime.fromisoformat(created["decision_due_at"]) == datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
    assert created["status"] == "received"
    assert created["re_referral"] is False
    assert created["source"] == "6"
    assert created["child"]["la_child_id"] == body["child"]["la_child_id"]
    assert r.headers["etag"] == '"1"'


async def test_referral_received_event_reaches_the_referral_topic_keyed_by_the_case_id(api: Api) -> None:
    async with api.as_user("front_door") as client:
        created = await post_referral(client)
    case_id = created["case_id"]

    events = await read_events(
        api.settings.kafka_bootstrap,
        REFERRAL_TOPIC,
        match=lambda e: e.subject == case_id and e.type == "referral.received",
        count=1,
    )

    assert len(events) == 1
    data = events[0].data
    assert (str(data.referral_id), str(data.child_id), data.source.value, data.re_referral) == (
        created["id"],
        created["child"]["id"],
        "6",
        False,
    )
    records = [r for r in await read_raw(api.settings.kafka_bootstrap, REFERRAL_TOPIC) if _event_id(r.value) == str(events[0].id)]
    assert [r.key for r in records] == [case_id.encode()]


def _event_id(value: bytes | None) -> str | None:
    """The envelope id of a raw record; None for anything else on the topic (other tests may put poison there)."""
    try:
        return str(json.loads(value or b"").get("id"))
    except (ValueError, AttributeError):
        return None


async def test_child_registered_with_a_referral_is_keyed_by_the_case_and_comes_before_referral_received(api: Api) -> None:
    async with api.as_user("front_door") as client:
        created = await post_referral(client)
    case_id = created["case_id"]

    events = await read_events(
        api.settings.kafka_bootstrap, REFERRAL_TOPIC, match=lambda e: e.subject == case_id, count=2, timeout=5
    )

    assert [(e.type, str(e.data.child_id)) for e in events] == [
        ("child.registered", created["child"]["id"]),
        ("referral.received", created["child"]["id"]),
    ]


async def test_second_referral_for_the_same_nhs_number_within_12_months_is_a_re_referral_of_the_same_child(api: Api) -> None:
    nhs = nhs_number()
    child = new_child(nhs_number=nhs)
    # The same child again, as another referrer sends it: its own record id, the same identity.
    again = child | {"la_child_id": new_child()["la_child_id"], "given_name": child["given_name"].upper()}
    async with api.as_user("front_door") as client:
        first = await post_referral(client, new_referral(child, received_at="2026-06-01T10:00:00Z"))
    await decided_nfa(api, first)  # its episode no longer open (rule 8820): the child may be referred again
    async with api.as_user("front_door") as client:
        second = await post_referral(client, new_referral(again, received_at="2026-11-20T10:00:00Z"))
    assert first["re_referral"] is False
    assert second["re_referral"] is True
    assert second["child"]["id"] == first["child"]["id"]
    assert second["case_id"] != first["case_id"]
    assert await db_value(api.settings, "SELECT count(*) FROM children WHERE nhs_number = $1", nhs) == 1


async def test_same_name_and_date_of_birth_without_nhs_number_or_upn_answers_409_possible_match(api: Api) -> None:
    child = new_child()
    async with api.as_user("front_door") as client:
        first = await post_referral(client, new_referral(child))
        again = new_child(
            given_name=child["given_name"], family_name=child["family_name"].upper(), date_of_birth=child["date_of_birth"]
        )
        async with changes_nothing(api.settings):
            r = await client.post("/v1/referrals", json=new_referral(again))
    body = assert_problem(r, 409, "child")
    assert body["type"].endswith("/possible-match")
    assert [e["reason"] for e in body["errors"]] == [f"possible match: {first['child']['id']}"]


async def test_possible_match_confirmed_new_registers_a_new_child(api: Api) -> None:
    child = new_child()
    async with api.as_user("front_door") as client:
        first = await post_referral(client, new_referral(child))
        again = new_child(
            given_name=child["given_name"],
            family_name=child["family_name"],
            date_of_birth=child["date_of_birth"],
            confirmed_new=True,
        )
        second = await post_referral(client, new_referral(again))
    assert second["child"]["id"] != first["child"]["id"]
    assert second["child"]["la_child_id"] == again["la_child_id"]
    assert second["re_referral"] is False


async def test_referral_for_a_registered_child_by_child_id(api: Api) -> None:
    async with api.as_user("front_door") as client:
        first = await post_referral(client, new_referral(received_at="2026-10-01T10:00:00Z"))
    await decided_nfa(api, first)
    async with api.as_user("front_door") as client:
        body = new_referral(received_at="2026-11-02T09:00:00Z", child_id=first["child"]["id"])
        del body["child"]
        second = await post_referral(client, body)
    assert second["child"]["id"] == first["child"]["id"]
    assert second["re_referral"] is True


# --- idempotency ----------------------------------------------------------------------------------


async def test_same_idempotency_key_and_body_answers_the_same_referral_and_writes_it_once(api: Api) -> None:
    body = new_referral()
    key = unique("idem")
    async with api.as_user("front_door") as client:
        first = await client.post("/v1/referrals", json=body, headers={"Idempotency-Key": key})
        second = await client.post("/v1/referrals", json=body, headers={"Idempotency-Key": key})
    assert (first.status_code, second.status_code) == (201, 201), second.text
    assert second.json()["id"] == first.json()["id"]
    assert second.json() == first.json()
    child_id = first.json()["child"]["id"]
    assert await db_value(api.settings, "SELECT count(*) FROM referrals WHERE child_id = $1::uuid", child_id) == 1
    events = await read_events(
        api.settings.kafka_bootstrap,
        REFERRAL_TOPIC,
        match=lambda e: e.type == "referral.received" and str(e.data.child_id) == child_id,
        count=1,
        settle=1.0,
    )
    assert len(events) == 1


async def test_replayed_idempotency_key_with_a_different_body_is_refused_and_changes_nothing(api: Api) -> None:
    key = unique("idem")
    async with api.as_user("front_door") as client:
        await post_referral(client, new_referral(), **{"Idempotency-Key": key})
        async with changes_nothing(api.settings):
            r = await client.post("/v1/referrals", json=new_referral(), headers={"Idempotency-Key": key})
    body = assert_problem(r, 422, "Idempotency-Key")
    assert body["type"].endswith("/idempotency-key-reused")


# --- bad input: problem+json naming the field, nothing changed ------------------------------------


async def _refused(api: Api, body: dict[str, object], status: int, field: str) -> dict[str, object]:
    async with api.as_user("front_door") as client, changes_nothing(api.settings):
        r = await client.post("/v1/referrals", json=body)
    return assert_problem(r, status, field)


async def test_unknown_source_code_is_refused(api: Api) -> None:
    await _refused(api, new_referral(source="11"), 422, "source")


async def test_missing_child_identity_is_refused(api: Api) -> None:
    body = new_referral()
    del body["child"]
    await _refused(api, body, 422, "child")


async def test_both_child_and_child_id_is_refused(api: Api) -> None:
    async with api.as_user("front_door") as client:
        existing = await post_referral(client)
    await _refused(api, new_referral(child_id=existing["child"]["id"]), 422, "child")


async def test_malformed_received_at_is_refused(api: Api) -> None:
    await _refused(api, new_referral(received_at="yesterday"), 422, "received_at")


async def test_malformed_date_of_birth_is_refused(api: Api) -> None:
    await _refused(api, new_referral(new_child(date_of_birth="2016-13-40")), 422, "child.date_of_birth")


async def test_date_of_birth_in_the_future_is_refused(api: Api) -> None:
    tomorrow = (now_utc() + timedelta(days=2)).date().isoformat()
    await _refused(api, new_referral(new_child(date_of_birth=tomorrow)), 422, "child.date_of_birth")


async def test_received_time_in_the_future_is_refused(api: Api) -> None:
    await _refused(api, new_referral(received_at=iso(now_utc() + timedelta(hours=1))), 422, "received_at")


async def test_invalid_nhs_number_is_refused(api: Api) -> None:
    await _refused(api, new_referral(new_child(nhs_number="9434765918")), 422, "child.nhs_number")


async def test_unknown_team_is_refused(api: Api) -> None:
    body = await _refused(api, new_referral(team="nowhere"), 422, "team")
    assert body["type"] == "https://continuum.example/problems/validation-error"


async def test_unknown_child_id_is_refused(api: Api) -> None:
    body = new_referral(child_id="00000000-0000-4000-8000-000000000000")
    del body["child"]
    await _refused(api, body, 422, "child_id")


async def test_a_role_that_may_not_take_referrals_gets_403(api: Api) -> None:
    async with api.as_user("practitioner") as client, changes_nothing(api.settings):
        r = await client.post("/v1/referrals", json=new_referral())
    assert_problem(r, 403)


async def test_request_without_a_token_gets_401_problem(api: Api) -> None:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=api.app), base_url="http://referral") as anonymous:
        r = await anonymous.post("/v1/referrals", json=new_referral())
    body = assert_problem(r, 401)
    assert body["type"].endswith("/unauthorized")
    assert r.headers["www-authenticate"] == "Bearer"


async def test_request_with_a_forged_token_gets_401_problem(api: Api) -> None:
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=api.app), base_url="http://referral", headers={"Authorization": "Bearer not.a.token"}
    ) as forged:
        r = await forged.get("/v1/front-door/queue")
    assert_problem(r, 401)


# --- a child's referrals, for integrators (issue 7, point 7) ----------------------------------------


async def test_a_childs_referrals_are_listed_oldest_first_with_the_decision_in_force(api: Api) -> None:
    async with api.as_user("front_door") as client:
        first = await post_referral(client, new_referral(received_at="2026-06-11T23:30:00Z"))
    await decided_nfa(api, first)
    async with api.as_user("front_door") as client:
        body = new_referral(received_at="2026-10-01T09:00:00Z", child_id=first["child"]["id"]) | {"child": None}
        second = await post_referral(client, body)
    async with api.as_user("manager") as manager:
        r = await manager.get("/v1/referrals", params={"child_id": first["child"]["id"]})
    assert r.status_code == 200, r.text
    # The NFA's episode shows open until step-down's case.closed arrives (test_episodes.py).
    assert [
        (i["id"], i["referral_date"], i["status"], i["outcome"], i["episode_status"], i["closed_on"], i["re_referral"])
        for i in r.json()["items"]
    ] == [
        (first["id"], "2026-06-12", "decided", "nfa", "open", None, False),
        (second["id"], "2026-10-01", "received", None, "open", None, True),
    ]
    assert r.json()["next_cursor"] is None


async def test_a_childs_referrals_show_only_those_of_the_callers_teams(api: Api) -> None:
    async with api.as_user("front_door") as client:
        north = await post_referral(client, new_referral(team="north", received_at="2026-11-02T09:00:00Z"))
    await decided_nfa(api, north)
    async with api.as_user("front_door") as client:
        body = new_referral(child_id=north["child"]["id"], team="south", received_at="2026-11-03T09:00:00Z") | {"child": None}
        south = await post_referral(client, body)
        everything = await client.get("/v1/referrals", params={"child_id": north["child"]["id"], "limit": 1})
        rest = await client.get(
            "/v1/referrals", params={"child_id": north["child"]["id"], "cursor": everything.json()["next_cursor"]}
        )
    async with api.as_user("practitioner", teams=("south",)) as practitioner:
        r = await practitioner.get("/v1/referrals", params={"child_id": north["child"]["id"]})
    assert [i["id"] for i in everything.json()["items"] + rest.json()["items"]] == [north["id"], south["id"]]
    assert [i["id"] for i in r.json()["items"]] == [south["id"]]


async def test_the_referrals_of_a_child_the_caller_may_not_see_answer_404(api: Api) -> None:
    async with api.as_user("front_door") as client:
        referral = await post_referral(client, new_referral(team="north"))
    async with api.as_user("practitioner", teams=("south",)) as practitioner:
        r = await practitioner.get("/v1/referrals", params={"child_id": referral["child"]["id"]})
    assert_problem(r, 404)
    assert referral["id"] not in r.text
