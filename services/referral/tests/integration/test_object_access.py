"""Object-level access at intake (issue 6, points 1 to 3 and 5): an identifier, a child id or a
name and date of birth never reveals another team's child, never hands it over, and every answer
that carries or refuses a child's record leaves an audit row."""

from __future__ import annotations

import uuid
from typing import Any

from referral_support import (
    Api,
    changes_nothing,
    db_fetch,
    db_value,
    decided_nfa,
    new_child,
    new_referral,
    nhs_number,
    post_referral,
    upn,
)

from continuum_tools.testing import assert_problem


async def _north_child(api: Api, *, nfa: bool = False, **identifiers: str) -> dict[str, Any]:
    """A child known only to team north (referred to north by the front door); ``nfa``: that
    referral decided NFA, so its episode no longer stands in the way of another (rule 8820)."""
    child = new_child(**identifiers)
    async with api.as_user("front_door") as front_door:
        referral = await post_referral(front_door, new_referral(child, team="north"))
    if nfa:
        await decided_nfa(api, referral)
    return child | {"id": referral["child"]["id"]}


async def _audit(api: Api, subject_id: str, actor: str) -> list[tuple[str, str]]:
    rows = await db_fetch(
        api.settings,
        "SELECT action, outcome FROM audit_log WHERE subject_id = $1 AND actor = $2 ORDER BY id",
        str(subject_id),
        actor,
    )
    return [(r["action"], r["outcome"]) for r in rows]


def _reveals_nothing(text: str, child: dict[str, Any]) -> None:
    for value in (child["id"], child["given_name"], child["family_name"], child["la_child_id"], child["date_of_birth"]):
        assert value not in text, f"the answer reveals {value!r}"


# --- 1. an identifier of another team's child ---------------------------------------------------------


async def test_registering_a_known_nhs_number_does_not_reveal_another_teams_child(api: Api) -> None:
    child = await _north_child(api, nhs_number=nhs_number())
    same = {k: v for k, v in child.items() if k != "id"}
    async with api.as_user("practitioner", teams=("south",), sub="south-practitioner-1") as south, changes_nothing(api.settings):
        r = await south.post("/v1/children", json=same)
    body = assert_problem(r, 409, "nhs_number")
    assert body["type"].endswith("/front-door-review")
    assert "candidates" not in body
    _reveals_nothing(r.text, child)
    assert await _audit(api, child["id"], "south-practitioner-1") == [("child.match", "refused")]


async def test_registering_a_known_upn_does_not_reveal_another_teams_child(api: Api) -> None:
    child = await _north_child(api, upn=upn())
    same = {k: v for k, v in child.items() if k != "id"}
    async with api.as_user("manager", teams=("south",)) as south, changes_nothing(api.settings):
        r = await south.post("/v1/children", json=same)
    assert_problem(r, 409)
    _reveals_nothing(r.text, child)


async def test_a_referral_carrying_a_known_nhs_number_does_not_attach_another_teams_child(api: Api) -> None:
    child = await _north_child(api, nhs_number=nhs_number())
    same = {k: v for k, v in child.items() if k != "id"}
    async with (
        api.as_user("manager", teams=("south",), sub="south-manager-1") as south,
        changes_nothing(api.settings),
    ):  # no referral, no partner status
        r = await south.post("/v1/referrals", json=new_referral(same, team="south"))
    body = assert_problem(r, 409, "child.nhs_number")
    assert body["type"].endswith("/front-door-review")
    _reveals_nothing(r.text, child)
    assert await _audit(api, child["id"], "south-manager-1") == [("child.match", "refused")]


async def test_a_team_that_sees_the_child_gets_it_back_from_registration_and_the_read_is_audited(api: Api) -> None:
    child = await _north_child(api, nhs_number=nhs_number())
    same = {k: v for k, v in child.items() if k != "id"}
    async with api.as_user("practitioner", teams=("north",), sub="north-practitioner-1") as north:
        r = await north.post("/v1/children", json=same)
    assert r.status_code == 200, r.text
    assert r.json()["id"] == child["id"]
    assert await _audit(api, child["id"], "north-practitioner-1") == [("child.read", "success")]


async def test_the_same_nhs_number_with_another_identity_is_a_conflict_never_a_silent_attach(api: Api) -> None:
    child = await _north_child(api, nhs_number=nhs_number())
    other = new_child(nhs_number=child["nhs_number"], date_of_birth="2015-01-02")
    async with api.as_user("front_door", sub="front-door-1") as front_door, changes_nothing(api.settings):
        r = await front_door.post("/v1/referrals", json=new_referral(other))
    body = assert_problem(r, 409, "child.given_name")
    assert body["type"].endswith("/identity-conflict")
    assert {e["field"] for e in body["errors"]} == {"child.given_name", "child.family_name", "child.date_of_birth"}
    assert body["candidates"] == [
        {
            "child_id": child["id"],
            "la_child_id": child["la_child_id"],
            "matched_on": ["nhs_number_or_upn"],
            "differs_on": ["given_name", "family_name", "date_of_birth"],
        }
    ]
    assert await _audit(api, child["id"], "front-door-1") == [("child.match", "disclosed")]


# --- 2. a referral by child_id --------------------------------------------------------------------------


async def test_referring_another_teams_child_by_id_is_refused_and_grants_no_access(api: Api) -> None:
    child = await _north_child(api)
    async with (
        api.as_user("manager", teams=("south",), sub="south-manager-2") as south,
        changes_nothing(api.settings),
    ):  # no referral, no partner status saying "referred to south"
        r = await south.post("/v1/referrals", json=new_referral(None, child_id=child["id"], team="south") | {"child": None})
        body = assert_problem(r, 422, "child_id")
        _reveals_nothing(r.text, child)
        # ...and the refused attempt gave south nothing.
        assert_problem(await south.get(f"/v1/children/{child['id']}"), 404)
    assert await _audit(api, child["id"], "south-manager-2") == [("child.read", "refused"), ("child.read", "refused")]
    assert body["errors"] == [{"field": "child_id", "reason": "no child is registered with this id"}]


async def test_an_unknown_child_id_and_another_teams_child_id_get_the_same_answer(api: Api) -> None:
    child = await _north_child(api)
    async with api.as_user("manager", teams=("south",)) as south:
        hidden = await south.post("/v1/referrals", json=new_referral(None, child_id=child["id"], team="south") | {"child": None})
        unknown = await south.post(
            "/v1/referrals", json=new_referral(None, child_id=str(uuid.uuid4()), team="south") | {"child": None}
        )
    assert (hidden.status_code, hidden.json()["errors"]) == (unknown.status_code, unknown.json()["errors"])


async def test_the_front_door_refers_a_registered_child_to_any_team_and_that_team_then_sees_it(api: Api) -> None:
    child = await _north_child(api, nfa=True)
    async with api.as_user("front_door", sub="front-door-2") as front_door:
        referral = await post_referral(front_door, new_referral(None, child_id=child["id"], team="south") | {"child": None})
    assert referral["child"]["id"] == child["id"]
    assert await _audit(api, child["id"], "front-door-2") == [("child.read", "success")]
    async with api.as_user("practitioner", teams=("south",)) as south:
        assert (await south.get(f"/v1/children/{child['id']}")).status_code == 200


async def test_a_team_refers_its_own_child_by_id(api: Api) -> None:
    child = await _north_child(api, nfa=True)
    async with api.as_user("manager", teams=("north",), sub="north-manager-1") as north:
        referral = await post_referral(north, new_referral(None, child_id=child["id"], team="north") | {"child": None})
    assert referral["child"]["id"] == child["id"]
    assert ("child.read", "success") in await _audit(api, child["id"], "north-manager-1")


# --- 3. possible matches ------------------------------------------------------------------------------------


def _same_name_and_birth(child: dict[str, Any]) -> dict[str, Any]:
    return new_child(given_name=child["given_name"], family_name=child["family_name"], date_of_birth=child["date_of_birth"])


async def test_possible_match_candidates_are_not_shown_outside_the_front_door(api: Api) -> None:
    child = await _north_child(api)
    async with (
        api.as_user("practitioner", teams=("north",), sub="north-practitioner-2") as practitioner,
        changes_nothing(api.settings),
    ):
        r = await practitioner.post("/v1/children", json=_same_name_and_birth(child))
        confirmed = await practitioner.post("/v1/children", json=_same_name_and_birth(child) | {"confirmed_new": True})
    for answer in (r, confirmed):
        body = assert_problem(answer, 409)
        assert body["type"].endswith("/front-door-review")
        assert "candidates" not in body
        assert child["id"] not in answer.text and child["la_child_id"] not in answer.text
    assert await _audit(api, child["id"], "north-practitioner-2") == [("child.match", "refused")] * 2


async def test_the_front_door_gets_possible_matches_as_structured_candidates_and_it_is_audited(api: Api) -> None:
    child = await _north_child(api)
    async with api.as_user("front_door", sub="front-door-3") as front_door, changes_nothing(api.settings):
        r = await front_door.post("/v1/referrals", json=new_referral(_same_name_and_birth(child)))
    body = assert_problem(r, 409, "child")
    assert body["type"].endswith("/possible-match")
    assert body["candidates"] == [
        {
            "child_id": child["id"],
            "la_child_id": child["la_child_id"],
            "matched_on": ["given_name", "family_name", "date_of_birth"],
            "differs_on": [],
        }
    ]
    assert await _audit(api, child["id"], "front-door-3") == [("child.match", "disclosed")]


# --- 5. audits of answers that carry the child ----------------------------------------------------------------


async def test_an_idempotency_key_replay_is_audited_as_a_read_of_the_child(api: Api) -> None:
    body = new_referral()
    async with api.as_user("front_door", sub="front-door-4") as front_door:
        first = await post_referral(front_door, body, **{"Idempotency-Key": "replay-audit-1"})
        again = await post_referral(front_door, body, **{"Idempotency-Key": "replay-audit-1"})
    assert again == first
    assert await _audit(api, first["child"]["id"], "front-door-4") == [("child.register", "success"), ("child.read", "success")]
    assert await _audit(api, first["id"], "front-door-4") == [("referral.receive", "success"), ("referral.read", "success")]


async def test_a_decision_answer_carries_the_child_and_is_audited_as_a_read(api: Api) -> None:
    child = await _north_child(api)
    referral_id = await db_value(api.settings, "SELECT id FROM referrals WHERE child_id = $1", uuid.UUID(child["id"]))
    async with api.as_user("manager", teams=("north",), sub="north-manager-2") as manager:
        r = await manager.post(
            f"/v1/referrals/{referral_id}/decision",
            json={"outcome": "assessment", "reasons": "Needs assessment.", "team": "north"},
            headers={"If-Match": '"1"'},
        )
    assert r.status_code == 200, r.text
    assert await _audit(api, child["id"], "north-manager-2") == [("child.read", "success")]
