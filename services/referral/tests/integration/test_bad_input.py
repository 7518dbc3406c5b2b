"""Bad input a caller can send the referral API: over-long text, bodies over the size limit, dates
no record can hold, nulls for what every child has, versions no record has. Each answers a 4xx
naming the field, never a 500, and changes nothing (issue 6, points 11 and 14)."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from referral_support import Api, changes_nothing, new_child, new_referral, post_referral, upn

from continuum.web.limits import unbounded_request_strings
from continuum_tools.testing import assert_problem


async def _child(api: Api, **values: Any) -> dict[str, Any]:
    async with api.as_user("front_door") as client:
        r = await client.post("/v1/children", json=new_child(**values))
    assert r.status_code == 201, r.text
    return dict(r.json())


# --- lengths and sizes ------------------------------------------------------------------------------


async def test_every_string_and_list_a_request_sends_has_a_documented_limit(api: Api) -> None:
    assert unbounded_request_strings(api.app.openapi()) == []


async def test_an_address_over_500_characters_on_a_child_patch_is_a_422_naming_address(api: Api) -> None:
    child = await _child(api)
    async with api.as_user("front_door") as client, changes_nothing(api.settings, ("children", child["id"])):
        r = await client.patch(f"/v1/children/{child['id']}", json={"address": "x" * 501}, headers={"If-Match": '"1"'})
        assert_problem(r, 422, "address")


async def test_concerns_over_10000_characters_are_a_422_naming_concerns(api: Api) -> None:
    async with api.as_user("front_door") as client, changes_nothing(api.settings):
        r = await client.post("/v1/referrals", json=new_referral(concerns="x" * 10_001))
        assert_problem(r, 422, "concerns")


async def test_a_question_over_10000_characters_is_a_422_naming_question(api: Api) -> None:
    async with api.as_user("front_door") as client:
        referral = await post_referral(client)
        body = {"agency": "police", "question": "x" * 10_001, "due_at": "2099-01-01T16:00:00Z"}
        async with changes_nothing(api.settings, ("referrals", referral["id"])):
            r = await client.post(f"/v1/referrals/{referral['id']}/information-requests", json=body)
            assert_problem(r, 422, "question")


async def test_a_body_over_one_mebibyte_is_a_413_and_changes_nothing(api: Api) -> None:
    async with api.as_user("front_door") as client, changes_nothing(api.settings):
        r = await client.post("/v1/referrals", json=new_referral(concerns="x" * (1024 * 1024)))
        body = assert_problem(r, 413, "body")
    assert body["type"].endswith("/body-too-large")


# --- dates no record can hold -----------------------------------------------------------------------


@pytest.mark.parametrize("received_at", ["0001-01-01T00:00:00Z", "0001-01-01T00:00:00+14:00", "1899-12-31T23:59:59Z"])
async def test_a_received_at_before_1900_is_a_422_naming_received_at(api: Api, received_at: str) -> None:
    async with api.as_user("front_door") as client, changes_nothing(api.settings):
        r = await client.post("/v1/referrals", json=new_referral(received_at=received_at))
        assert_problem(r, 422, "received_at")


@pytest.mark.parametrize("due_at", ["9999-12-31T23:59:59Z", "9999-12-31T23:59:59-12:00", "3000-01-01T00:00:00Z"])
async def test_an_information_request_due_far_in_the_future_is_a_422_naming_due_at(api: Api, due_at: str) -> None:
    async with api.as_user("front_door") as client:
        referral = await post_referral(client)
        body = {"agency": "police", "question": "Previous call-outs?", "due_at": due_at}
        async with changes_nothing(api.settings, ("referrals", referral["id"])):
            r = await client.post(f"/v1/referrals/{referral['id']}/information-requests", json=body)
            assert_problem(r, 422, "due_at")


async def test_an_expected_date_of_birth_in_year_9999_is_a_422_naming_it(api: Api) -> None:
    child = new_child(date_of_birth=None, expected_date_of_birth="9999-12-31", sex="U")
    async with api.as_user("front_door") as client, changes_nothing(api.settings):
        assert_problem(await client.post("/v1/children", json=child), 422, "expected_date_of_birth")
        r = await client.post("/v1/referrals", json=new_referral(child))
        assert_problem(r, 422, "child.expected_date_of_birth")


@pytest.mark.parametrize("position", ["9999-12-31T23:59:59-12:00", "0001-01-01T00:00:00+14:00"])
async def test_a_forged_queue_cursor_in_year_1_or_9999_is_a_422_naming_cursor(api: Api, position: str) -> None:
    cursor = base64.urlsafe_b64encode(f"{position}|00000000-0000-0000-0000-000000000000".encode()).decode()
    async with api.as_user("front_door") as client:
        assert_problem(await client.get("/v1/front-door/queue", params={"cursor": cursor}), 422, "cursor")


# --- nulls on a patch ---------------------------------------------------------------------------------


@pytest.mark.parametrize("field", ["sex", "ethnicity", "given_name", "family_name", "disabilities"])
async def test_a_child_patch_may_not_null_what_every_child_has(api: Api, field: str) -> None:
    child = await _child(api)
    async with api.as_user("front_door") as client, changes_nothing(api.settings, ("children", child["id"])):
        r = await client.patch(f"/v1/children/{child['id']}", json={field: None}, headers={"If-Match": '"1"'})
        body = assert_problem(r, 422, field)
    assert [e["field"] for e in body["errors"]] == [field]


async def test_a_child_patch_taking_another_childs_upn_is_a_422_naming_upn(api: Api) -> None:
    taken = upn()
    await _child(api, upn=taken)
    child = await _child(api)
    async with api.as_user("front_door") as client, changes_nothing(api.settings, ("children", child["id"])):
        r = await client.patch(f"/v1/children/{child['id']}", json={"upn": taken}, headers={"If-Match": '"1"'})
        body = assert_problem(r, 422, "upn")
    assert [e["field"] for e in body["errors"]] == ["upn"]


# --- If-Match -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("if_match", ['"' + "9" * 5000 + '"', "1" * 5000], ids=["quoted", "bare"])
async def test_an_if_match_of_thousands_of_digits_is_a_422_naming_if_match(api: Api, if_match: str) -> None:
    child = await _child(api)
    async with api.as_user("front_door") as client, changes_nothing(api.settings, ("children", child["id"])):
        r = await client.patch(f"/v1/children/{child['id']}", json={"address": "2 Example Road"}, headers={"If-Match": if_match})
        assert_problem(r, 422, "If-Match")


@pytest.mark.parametrize("if_match", ['"2147483648"', '"99999999999"'])
async def test_an_if_match_beyond_a_postgresql_integer_is_a_422_naming_if_match(api: Api, if_match: str) -> None:
    child = await _child(api)
    async with api.as_user("front_door") as client, changes_nothing(api.settings, ("children", child["id"])):
        r = await client.patch(f"/v1/children/{child['id']}", json={"address": "2 Example Road"}, headers={"If-Match": if_match})
        assert_problem(r, 422, "If-Match")


async def test_an_if_match_of_superscript_digits_is_a_422_naming_if_match(api: Api) -> None:
    # "²".isdigit() is true, but int("²") raises: only ASCII digits are a version.
    child = await _child(api)
    async with api.as_user("front_door") as client, changes_nothing(api.settings, ("children", child["id"])):
        r = await client.patch(
            f"/v1/children/{child['id']}", json={"address": "2 Example Road"}, headers={"If-Match": '"\u00b2"'.encode("latin-1")}
        )
        assert_problem(r, 422, "If-Match")
