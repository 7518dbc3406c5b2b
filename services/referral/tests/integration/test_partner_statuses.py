"""What the referral service tells partners (issue 16 point 10): `referred` only, since the
referral date, keyed by the NHS number (withheld while the number is not known: ``status.withheld``,
which the partners service logs and sends to no agency); sent again when a child's NHS number becomes known while
its referral waits for the front door's decision; never `closed` (step-down's alone)."""

from __future__ import annotations

from datetime import date
from typing import Any

from referral_support import Api, decided_nfa, events_since, new_child, new_referral, nhs_number, now_utc, post_referral

from continuum.contracts import PARTNER_STATUS_TOPIC


async def _referred_without_nhs_number(api: Api) -> dict[str, Any]:
    async with api.as_user("front_door") as client:
        return await post_referral(client, new_referral(new_child(), received_at="2026-11-20T10:00:00Z"))


async def _nhs_number_recorded(api: Api, child_id: str, version: int, number: str) -> None:
    async with api.as_user("front_door") as client:
        r = await client.patch(f"/v1/children/{child_id}", json={"nhs_number": number}, headers={"If-Match": f'"{version}"'})
    assert r.status_code == 200, r.text


async def test_referred_is_sent_once_the_nhs_number_of_a_child_with_an_undecided_referral_is_known(api: Api) -> None:
    since = now_utc()
    referral = await _referred_without_nhs_number(api)
    first = await events_since(api.settings, since)
    assert [e for e in first if e.type == "status.changed"] == []  # no NHS number yet: withheld instead
    withheld = [e for e in first if e.type == "status.withheld" and e.subject == referral["child"]["id"]]
    assert [(e.data.status.value, e.data.since, e.data.reason.value) for e in withheld] == [
        ("referred", date(2026, 11, 20), "no_nhs_number")
    ]
    assert withheld[0].traceparent is None and withheld[0].data.topic == PARTNER_STATUS_TOPIC
    number = nhs_number()
    await _nhs_number_recorded(api, referral["child"]["id"], 1, number)
    statuses = [e for e in await events_since(api.settings, since) if e.type == "status.changed"]
    assert [(e.subject, e.data.nhs_number, e.data.status.value, e.data.since) for e in statuses] == [
        (number, number, "referred", date(2026, 11, 20))
    ]
    assert statuses[0].traceparent is None and statuses[0].data.topic == PARTNER_STATUS_TOPIC


async def test_nothing_is_sent_again_for_a_decided_referral_or_a_number_already_known(api: Api) -> None:
    referral = await _referred_without_nhs_number(api)
    decided = await decided_nfa(api, referral)
    since = now_utc()
    await _nhs_number_recorded(api, decided["child"]["id"], 1, nhs_number())
    await _nhs_number_recorded(api, decided["child"]["id"], 2, nhs_number())  # a correction of the number
    assert [e for e in await events_since(api.settings, since) if e.type == "status.changed"] == []
