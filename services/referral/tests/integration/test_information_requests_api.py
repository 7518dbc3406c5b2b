"""Requests for information to partner agencies: create with a due time, record the answer."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from referral_support import Api, changes_nothing, iso, now_utc, post_referral

from continuum.contracts import REFERRAL_TOPIC
from continuum_tools.testing import assert_problem, read_events

QUESTION = "Previous call-outs to the address in the last 12 months?"


async def _referral(api: Api) -> dict[str, Any]:
    async with api.as_user("front_door") as client:
        return await post_referral(client)


async def _ask(api: Api, referral_id: str, due_at: str) -> dict[str, Any]:
    async with api.as_user("front_door") as client:
        r = await client.post(
            f"/v1/referrals/{referral_id}/information-requests", json={"agency": "police", "question": QUESTION, "due_at": due_at}
        )
    assert r.status_code == 201, r.text
    created: dict[str, Any] = r.json()
    return created


async def test_create_an_information_request_due_in_the_future(api: Api) -> None:
    referral = await _referral(api)
    due = iso(now_utc() + timedelta(hours=4))
    created = await _ask(api, referral["id"], due)
    assert (created["agency"], created["question"], created["answer"], created["answered_at"], created["overdue"]) == (
        "police",
        QUESTION,
        None,
        None,
        False,
    )
    assert datetime.fromisoformat(created["due_at"]) == datetime.fromisoformat(due)
    events = await read_events(
        api.settings.kafka_bootstrap,
        REFERRAL_TOPIC,
        match=lambda e: e.type == "information.requested" and e.subject == referral["case_id"],
        count=1,
    )
    assert [(str(e.data.request_id), e.data.agency) for e in events] == [(created["id"], "police")]


async def test_record_the_answer_to_an_information_request(api: Api) -> None:
    referral = await _referral(api)
    created = await _ask(api, referral["id"], iso(now_utc() + timedelta(hours=4)))
    async with api.as_user("front_door") as client:
        r = await client.put(
            f"/v1/referrals/{referral['id']}/information-requests/{created['id']}/answer", json={"answer": "Two call-outs."}
        )
    assert r.status_code == 200, r.text
    assert (r.json()["answer"], r.json()["answered_at"] is not None, r.json()["overdue"]) == ("Two call-outs.", True, False)
    events = await read_events(
        api.settings.kafka_bootstrap,
        REFERRAL_TOPIC,
        match=lambda e: e.type == "information.received" and e.subject == referral["case_id"],
        count=1,
    )
    assert [(str(e.data.request_id), e.data.on_time) for e in events] == [(created["id"], True)]


async def test_information_requests_and_answers_appear_on_the_referral(api: Api) -> None:
    referral = await _referral(api)
    answered = await _ask(api, referral["id"], iso(now_utc() + timedelta(hours=4)))
    open_request = await _ask(api, referral["id"], iso(now_utc() + timedelta(hours=8)))
    async with api.as_user("front_door") as client:
        await client.put(
            f"/v1/referrals/{referral['id']}/information-requests/{answered['id']}/answer", json={"answer": "None known."}
        )
        r = await client.get(f"/v1/referrals/{referral['id']}")
    assert r.status_code == 200, r.text
    assert [(i["id"], i["answer"]) for i in r.json()["information_requests"]] == [
        (answered["id"], "None known."),
        (open_request["id"], None),
    ]


async def test_answering_twice_answers_409_and_changes_nothing(api: Api) -> None:
    referral = await _referral(api)
    created = await _ask(api, referral["id"], iso(now_utc() + timedelta(hours=4)))
    url = f"/v1/referrals/{referral['id']}/information-requests/{created['id']}/answer"
    async with api.as_user("front_door") as client:
        await client.put(url, json={"answer": "First answer."})
        async with changes_nothing(api.settings, ("information_requests", created["id"])):
            r = await client.put(url, json={"answer": "Second answer."})
    body = assert_problem(r, 409, "answer")
    assert body["type"].endswith("/already-answered")


async def test_information_request_due_in_the_past_is_refused_and_changes_nothing(api: Api) -> None:
    referral = await _referral(api)
    async with api.as_user("front_door") as client, changes_nothing(api.settings):
        r = await client.post(
            f"/v1/referrals/{referral['id']}/information-requests",
            json={"agency": "police", "question": QUESTION, "due_at": iso(now_utc() - timedelta(minutes=1))},
        )
    assert_problem(r, 422, "due_at")


async def test_information_request_to_an_unknown_agency_is_refused(api: Api) -> None:
    referral = await _referral(api)
    async with api.as_user("front_door") as client, changes_nothing(api.settings):
        r = await client.post(
            f"/v1/referrals/{referral['id']}/information-requests",
            json={"agency": "astrologer", "question": QUESTION, "due_at": iso(now_utc() + timedelta(hours=4))},
        )
    assert_problem(r, 422, "agency")


async def test_answer_to_an_unknown_request_answers_404(api: Api) -> None:
    referral = await _referral(api)
    async with api.as_user("front_door") as client:
        r = await client.put(
            f"/v1/referrals/{referral['id']}/information-requests/00000000-0000-4000-8000-000000000000/answer",
            json={"answer": "?"},
        )
    assert_problem(r, 404)
