"""Bad input a caller can send the plan API: over-long text, lists over their limit, dates no
record can hold, versions no record has. Each answers a 4xx naming the field, never a 500, and
changes nothing."""

from __future__ import annotations

from typing import Any

import pytest
from plan_support import Api, Cases, action_body, assert_problem, etag

from continuum.web.limits import unbounded_request_strings


async def test_every_string_and_list_a_request_sends_has_a_documented_limit(api: Api) -> None:
    assert unbounded_request_strings(api.app.openapi()) == []


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"content": {"worries": "x" * 10_001}}, "content.worries"),
        ({"agencies_involved": ["school"] * 21}, "agencies_involved"),
        ({"agencies_involved": ["the moon"]}, "agencies_involved.0"),
        ({"family": {"fgdm_meetings": [{"offered_on": "1899-12-31"}]}}, "family.fgdm_meetings.0.offered_on"),
        ({"category_of_abuse": "XYZ"}, "category_of_abuse"),
    ],
)
async def test_a_bad_edit_is_a_422_naming_the_field_and_changes_nothing(
    api: Api, cases: Cases, body: dict[str, Any], field: str
) -> None:
    plan = await cases.ready(api)
    before = await cases.snapshot(plan["id"])
    async with api.practitioner() as sw:
        r = await sw.patch(f"/v1/plans/{plan['id']}", json=body, headers=etag(plan["version"]))
    assert_problem(r, 422, field)
    assert await cases.snapshot(plan["id"]) == before


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"description": "x" * 2_001}, "description"),
        ({"due_date": "0001-01-01"}, "due_date"),
        ({"due_date": "2000-01-01"}, "due_date"),
        ({"owner": {"person": "Jo", "agency": "family", "extra": 1}}, "owner.extra"),
    ],
)
async def test_a_bad_action_is_a_422_naming_the_field(api: Api, cases: Cases, change: dict[str, Any], field: str) -> None:
    plan = await cases.ready(api)
    before = await cases.snapshot(plan["id"])
    async with api.practitioner() as sw:
        r = await sw.post(f"/v1/plans/{plan['id']}/actions", json=action_body() | change, headers=etag(plan["version"]))
    assert_problem(r, 422, field)
    assert await cases.snapshot(plan["id"]) == before


async def test_a_body_over_one_mebibyte_is_a_413_and_changes_nothing(api: Api, cases: Cases) -> None:
    plan = await cases.ready(api)
    before = await cases.snapshot(plan["id"])
    async with api.practitioner() as sw:
        r = await sw.patch(
            f"/v1/plans/{plan['id']}", json={"content": {"worries": "x" * (1024 * 1024)}}, headers=etag(plan["version"])
        )
    body = assert_problem(r, 413, "body")
    assert body["type"].endswith("/body-too-large")
    assert await cases.snapshot(plan["id"]) == before


@pytest.mark.parametrize("if_match", ['"' + "9" * 5000 + '"', '"2147483648"', '"\u00b2"'], ids=["long", "int4", "superscript"])
async def test_an_if_match_no_record_has_is_a_422_naming_if_match(api: Api, cases: Cases, if_match: str) -> None:
    plan = await cases.ready(api)
    async with api.practitioner() as sw:
        r = await sw.patch(f"/v1/plans/{plan['id']}", json={}, headers={"If-Match": if_match.encode("latin-1")})
    assert_problem(r, 422, "If-Match")


async def test_a_find_needs_exactly_one_of_case_and_child(api: Api) -> None:
    async with api.practitioner() as sw:
        r = await sw.get("/v1/plans")
    assert_problem(r, 422, "child_id")


async def test_a_cursor_the_api_did_not_give_out_is_a_422(api: Api) -> None:
    async with api.manager() as m:
        r = await m.get("/v1/plans/worklist", params={"cursor": "not-a-cursor"})
    assert_problem(r, 422, "cursor")
