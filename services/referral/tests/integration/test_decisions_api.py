"""POST /v1/referrals/{id}/decision and /decision-corrections: the front-door decision."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from referral_support import (
    Api,
    changes_nothing,
    db_value,
    events_since,
    iso,
    new_child,
    new_referral,
    nhs_number,
    now_utc,
    post_referral,
)

from continuum.contracts import REFERRAL_TOPIC
from continuum_tools.testing import assert_problem, read_events

ASSESSMENT = {
    "outcome": "assessment",
    "reasons": "Domestic abuse with the child present; needs a single assessment.",
    "team": "north",
}
NFA = {"outcome": "nfa", "reasons": "Concerns addressed by universal services.", "team": "north"}


def _version(version: int) -> dict[str, str]:
    return {"If-Match": f'"{version}"'}


async def _referral(api: Api, body: dict[str, Any] | None = None) -> dict[str, Any]:
    async with api.as_user("front_door") as client:
        return await post_referral(client, body)


async def _decide(api: Api, referral_id: str, decision: dict[str, Any], version: int = 1) -> dict[str, Any]:
    async with api.as_user("manager") as manager:
        r = await manager.post(f"/v1/referrals/{referral_id}/decision", json=decision, headers=_version(version))
    assert r.status_code == 200, r.text
    decided: dict[str, Any] = r.json()
    return decided


# --- outcomes -------------------------------------------------------------------------------------


async def test_nfa_no_longer_closes_the_episode_step_down_does(api: Api) -> None:
    # Issue 16 point 5: the episode stays open until step-down's case.closed (test_episodes.py).
    referral = await _referral(api, new_referral(received_at="2026-11-20T10:00:00Z"))
    decided = await _decide(api, referral["id"], NFA)
    assert (
        decided["status"],
        decided["episode_status"],
        decided["closed_on"],
        decided["closure_reason"],
        decided["version"],
    ) == (
        "decided",
        "open",
        None,
        None,
        2,
    )
    assert (decided["decision"]["outcome"], decided["decision"]["team"], decided["decision"]["corrects"]) == (
        "nfa",
        "north",
        None,
    )


async def test_nfa_publishes_referral_decided_with_no_closure(api: Api) -> None:
    referral = await _referral(api, new_referral(received_at="2026-11-20T10:00:00Z"))
    await _decide(api, referral["id"], NFA)
    events = await read_events(
        api.settings.kafka_bootstrap,
        REFERRAL_TOPIC,
        match=lambda e: e.subject == referral["case_id"] and e.type == "referral.decided",
        count=1,
    )
    assert [
        (e.data.outcome.value, e.data.closed_on, e.data.referral_date, e.data.correction_of, e.aggregate_version) for e in events
    ] == [("nfa", None, date(2026, 11, 20), None, 2)]


async def test_nfa_sends_partners_no_closed_status_step_down_alone_does(api: Api) -> None:
    child = new_child(nhs_number=nhs_number())
    since = now_utc()
    referral = await _referral(api, new_referral(child))
    await _decide(api, referral["id"], NFA)
    statuses = [e.data.status.value for e in await events_since(api.settings, since) if e.type == "status.changed"]
    assert statuses == ["referred"]


async def test_assessment_keeps_the_episode_open(api: Api) -> None:
    referral = await _referral(api)
    decided = await _decide(api, referral["id"], ASSESSMENT)
    assert (decided["status"], decided["closed_on"], decided["closure_reason"]) == ("decided", None, None)
    assert (decided["decision"]["outcome"], decided["decision"]["reasons"]) == ("assessment", ASSESSMENT["reasons"])
    events = await read_events(
        api.settings.kafka_bootstrap,
        REFERRAL_TOPIC,
        match=lambda e: e.subject == referral["case_id"] and e.type == "referral.decided",
        count=1,
    )
    assert [(e.data.outcome.value, e.data.closed_on) for e in events] == [("assessment", None)]


async def test_decision_after_the_due_time_is_not_within_one_working_day(api: Api) -> None:
    referral = await _referral(api, new_referral(received_at="2026-11-20T10:00:00Z"))
    decided = await _decide(api, referral["id"], ASSESSMENT)
    assert decided["decided_within_one_working_day"] is False


async def test_decision_before_the_due_time_is_within_one_working_day(api: Api) -> None:
    referral = await _referral(api, new_referral(received_at=iso(now_utc() - timedelta(minutes=5))))
    decided = await _decide(api, referral["id"], ASSESSMENT)
    assert decided["decided_within_one_working_day"] is True


async def test_referral_date_is_the_london_date_of_receipt(api: Api) -> None:
    # 23:30 UTC on 11 June 2026 is 00:30 on 12 June in London (BST): the census date is the 12th.
    referral = await _referral(api, new_referral(received_at="2026-06-11T23:30:00Z"))
    assert referral["referral_date"] == "2026-06-12"
    decided = await _decide(api, referral["id"], NFA)
    assert (decided["referral_date"], decided["closed_on"]) == ("2026-06-12", None)
    events = await read_events(
        api.settings.kafka_bootstrap,
        REFERRAL_TOPIC,
        match=lambda e: e.subject == referral["case_id"] and e.type == "referral.decided",
        count=1,
    )
    assert [(e.data.referral_date, e.data.closed_on) for e in events] == [(date(2026, 6, 12), None)]


# --- corrections ----------------------------------------------------------------------------------


async def test_correction_with_a_reason_records_a_new_decision(api: Api) -> None:
    referral = await _referral(api, new_referral(received_at="2026-11-20T10:00:00Z"))
    first = await _decide(api, referral["id"], ASSESSMENT)
    async with api.as_user("manager") as manager:
        r = await manager.post(
            f"/v1/referrals/{referral['id']}/decision-corrections",
            json=NFA | {"correction_reason": "Wrong outcome recorded."},
            headers={"If-Match": '"2"'},
        )
    assert r.status_code == 200, r.text
    corrected = r.json()
    assert (corrected["decision"]["outcome"], corrected["decision"]["corrects"], corrected["decision"]["correction_reason"]) == (
        "nfa",
        first["decision"]["id"],
        "Wrong outcome recorded.",
    )
    assert (corrected["version"], corrected["closed_on"], corrected["closure_reason"]) == (3, None, None)
    assert (
        await db_value(api.settings, "SELECT count(*) FROM referral_decisions WHERE referral_id = $1::uuid", referral["id"]) == 2
    )


async def test_correction_publishes_a_second_referral_decided_marked_as_a_correction(api: Api) -> None:
    referral = await _referral(api)
    await _decide(api, referral["id"], ASSESSMENT)
    async with api.as_user("manager") as manager:
        r = await manager.post(
            f"/v1/referrals/{referral['id']}/decision-corrections",
            json=ASSESSMENT | {"team": "south", "correction_reason": "Wrong team."},
            headers=_version(2),
        )
    assert r.status_code == 200, r.text
    events = await read_events(
        api.settings.kafka_bootstrap,
        REFERRAL_TOPIC,
        match=lambda e: e.subject == referral["case_id"] and e.type == "referral.decided",
        count=2,
    )
    assert [(e.data.team, e.data.correction_of is None, e.aggregate_version) for e in events] == [
        ("north", True, 2),
        ("south", False, 3),
    ]


async def test_correction_of_names_the_earlier_decision_event(api: Api) -> None:
    referral = await _referral(api)
    await _decide(api, referral["id"], ASSESSMENT)
    async with api.as_user("manager") as manager:
        r = await manager.post(
            f"/v1/referrals/{referral['id']}/decision-corrections",
            json=NFA | {"correction_reason": "Wrong outcome."},
            headers=_version(2),
        )
    assert r.status_code == 200, r.text
    events = await read_events(
        api.settings.kafka_bootstrap,
        REFERRAL_TOPIC,
        match=lambda e: e.subject == referral["case_id"] and e.type == "referral.decided",
        count=2,
    )
    # The contract: "correction_of: the earlier decision event this one corrects".
    assert events[1].data.correction_of == events[0].id


async def test_correction_that_changes_nothing_is_refused(api: Api) -> None:
    referral = await _referral(api)
    await _decide(api, referral["id"], ASSESSMENT)
    async with api.as_user("manager") as manager, changes_nothing(api.settings, ("referrals", referral["id"])):
        r = await manager.post(
            f"/v1/referrals/{referral['id']}/decision-corrections",
            json=ASSESSMENT | {"correction_reason": "Same again."},
            headers=_version(2),
        )
    assert_problem(r, 422, "outcome")


async def test_correction_of_an_undecided_referral_is_refused(api: Api) -> None:
    referral = await _referral(api)
    async with api.as_user("manager") as manager, changes_nothing(api.settings, ("referrals", referral["id"])):
        r = await manager.post(
            f"/v1/referrals/{referral['id']}/decision-corrections",
            json=NFA | {"correction_reason": "Too early."},
            headers=_version(1),
        )
    body = assert_problem(r, 409, "referral")
    assert body["type"].endswith("/not-decided")


async def test_correction_without_a_reason_is_refused(api: Api) -> None:
    referral = await _referral(api)
    await _decide(api, referral["id"], ASSESSMENT)
    async with api.as_user("manager") as manager, changes_nothing(api.settings, ("referrals", referral["id"])):
        r = await manager.post(f"/v1/referrals/{referral['id']}/decision-corrections", json=NFA, headers=_version(2))
    assert_problem(r, 422, "correction_reason")


# --- bad input: problem+json naming the field, nothing changed ------------------------------------


async def test_decision_by_a_practitioner_is_forbidden_and_changes_nothing(api: Api) -> None:
    referral = await _referral(api)
    async with api.as_user("practitioner") as practitioner, changes_nothing(api.settings, ("referrals", referral["id"])):
        r = await practitioner.post(f"/v1/referrals/{referral['id']}/decision", json=ASSESSMENT, headers=_version(1))
    body = assert_problem(r, 403)
    assert body["type"].endswith("/forbidden")


async def test_deciding_twice_answers_409_and_changes_nothing(api: Api) -> None:
    referral = await _referral(api)
    await _decide(api, referral["id"], ASSESSMENT)
    async with api.as_user("manager") as manager, changes_nothing(api.settings, ("referrals", referral["id"])):
        r = await manager.post(f"/v1/referrals/{referral['id']}/decision", json=NFA, headers=_version(2))
    body = assert_problem(r, 409, "referral")
    assert body["type"].endswith("/already-decided")


async def test_decision_with_a_stale_if_match_answers_412_and_changes_nothing(api: Api) -> None:
    referral = await _referral(api)
    async with api.as_user("manager") as manager, changes_nothing(api.settings, ("referrals", referral["id"])):
        r = await manager.post(f"/v1/referrals/{referral['id']}/decision", json=ASSESSMENT, headers={"If-Match": '"7"'})
    assert_problem(r, 412, "If-Match")
    assert r.headers["etag"] == '"1"'


async def test_decision_with_a_malformed_if_match_is_refused(api: Api) -> None:
    referral = await _referral(api)
    async with api.as_user("manager") as manager, changes_nothing(api.settings, ("referrals", referral["id"])):
        r = await manager.post(f"/v1/referrals/{referral['id']}/decision", json=ASSESSMENT, headers={"If-Match": "latest"})
    assert_problem(r, 422, "If-Match")


async def test_decision_for_an_unknown_team_is_refused_and_changes_nothing(api: Api) -> None:
    referral = await _referral(api)
    async with api.as_user("manager") as manager, changes_nothing(api.settings, ("referrals", referral["id"])):
        r = await manager.post(
            f"/v1/referrals/{referral['id']}/decision", json=ASSESSMENT | {"team": "nowhere"}, headers=_version(1)
        )
    assert_problem(r, 422, "team")


async def test_decision_with_an_unknown_outcome_is_refused_and_changes_nothing(api: Api) -> None:
    referral = await _referral(api)
    async with api.as_user("manager") as manager, changes_nothing(api.settings, ("referrals", referral["id"])):
        r = await manager.post(
            f"/v1/referrals/{referral['id']}/decision", json=ASSESSMENT | {"outcome": "maybe"}, headers=_version(1)
        )
    assert_problem(r, 422, "outcome")


async def test_decision_by_a_manager_of_another_team_answers_404(api: Api) -> None:
    referral = await _referral(api)
    async with api.as_user("manager", teams=("south",)) as manager, changes_nothing(api.settings, ("referrals", referral["id"])):
        r = await manager.post(f"/v1/referrals/{referral['id']}/decision", json=ASSESSMENT, headers=_version(1))
    assert_problem(r, 404)


# --- If-Match is required on every change (issue 7, point 6) ---------------------------------------


async def test_a_decision_without_if_match_answers_428_and_changes_nothing(api: Api) -> None:
    referral = await _referral(api)
    async with api.as_user("manager") as manager, changes_nothing(api.settings, ("referrals", referral["id"])):
        r = await manager.post(f"/v1/referrals/{referral['id']}/decision", json=ASSESSMENT)
    body = assert_problem(r, 428, "If-Match")
    assert body["type"].endswith("/if-match-required")


async def test_a_correction_without_if_match_answers_428_and_changes_nothing(api: Api) -> None:
    referral = await _referral(api)
    await _decide(api, referral["id"], ASSESSMENT)
    async with api.as_user("manager") as manager, changes_nothing(api.settings, ("referrals", referral["id"])):
        r = await manager.post(
            f"/v1/referrals/{referral['id']}/decision-corrections", json=NFA | {"correction_reason": "Wrong outcome."}
        )
    assert_problem(r, 428, "If-Match")


def test_openapi_documents_if_match_as_required_on_every_change(api: Api) -> None:
    paths = api.app.openapi()["paths"]
    changes = [
        paths["/v1/referrals/{referral_id}/decision"]["post"],
        paths["/v1/referrals/{referral_id}/decision-corrections"]["post"],
        paths["/v1/children/{child_id}"]["patch"],
    ]
    for operation in changes:
        [header] = [p for p in operation["parameters"] if p["in"] == "header" and p["name"] == "If-Match"]
        assert header["required"] is True, operation["operationId"]
        assert "428" in operation["responses"]


# --- the decision history (issue 7, point 7) -------------------------------------------------------


async def test_a_referral_carries_every_decision_in_order_with_its_corrections(api: Api) -> None:
    referral = await _referral(api)
    first = await _decide(api, referral["id"], ASSESSMENT)
    async with api.as_user("manager", sub="manager-history-1") as manager:
        url = f"/v1/referrals/{referral['id']}/decision-corrections"
        r = await manager.post(url, json=ASSESSMENT | {"team": "south", "correction_reason": "Wrong team."}, headers=_version(2))
        assert r.status_code == 200, r.text
        r = await manager.post(url, json=NFA | {"correction_reason": "Police check came back."}, headers=_version(3))
        assert r.status_code == 200, r.text
        read = await manager.get(f"/v1/referrals/{referral['id']}")
    history = read.json()["decisions"]
    assert [(d["outcome"], d["team"], d["correction_reason"]) for d in history] == [
        ("assessment", "north", None),
        ("assessment", "south", "Wrong team."),
        ("nfa", "north", "Police check came back."),
    ]
    assert [d["corrects"] for d in history] == [None, history[0]["id"], history[1]["id"]]
    assert history[0]["id"] == first["decision"]["id"]
    assert [d["decided_by"] for d in history[1:]] == ["manager-history-1"] * 2
    assert [d["decided_at"] for d in history] == sorted(d["decided_at"] for d in history)
    assert read.json()["decision"] == history[-1]
    assert r.json()["decisions"] == history


async def test_a_correction_keeps_whether_the_original_decision_was_in_time(api: Api) -> None:
    referral = await _referral(api, new_referral(received_at=iso(now_utc() - timedelta(minutes=5))))
    await _decide(api, referral["id"], ASSESSMENT)
    async with api.as_user("manager") as manager:
        r = await manager.post(
            f"/v1/referrals/{referral['id']}/decision-corrections",
            json=NFA | {"correction_reason": "Wrong outcome."},
            headers=_version(2),
        )
    assert (r.status_code, r.json()["decided_within_one_working_day"]) == (200, True)
