"""Bad input a caller can send the assessment API: over-long text, bodies over the size limit,
dates no record can hold, versions no record has. Each answers a 4xx naming the field, never a
500, and changes nothing (issue 6, points 11 and 14)."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from assessment_support import Api, Cases, assert_problem, etag

from continuum.web.limits import unbounded_request_strings


async def _allocated(api: Api, cases: Cases) -> tuple[dict[str, Any], str]:
    """An assessment allocated to a new lead practitioner: (its view, the lead's user id)."""
    lead = f"sw-{uuid.uuid4().hex[:8]}"
    row = await cases.open()
    async with api.manager(row["team"]) as manager:
        r = await manager.post(
            f"/v1/assessments/{row['id']}/allocation",
            json={"lead_practitioner": lead, "lead_practitioner_role": "social_worker"},
            headers=etag(1),
        )
    assert r.status_code == 200, r.text
    return dict(r.json()), lead


async def test_every_string_and_list_a_request_sends_has_a_documented_limit(api: Api) -> None:
    assert unbounded_request_strings(api.app.openapi()) == []


async def test_a_recommendation_summary_over_10000_characters_is_a_422_naming_it(api: Api, cases: Cases) -> None:
    a, lead = await _allocated(api, cases)
    before = await cases.snapshot(a["id"])
    async with api.as_user("practitioner", sub=lead) as practitioner:
        r = await practitioner.patch(
            f"/v1/assessments/{a['id']}", json={"recommendation_summary": "x" * 10_001}, headers=etag(a["version"])
        )
    assert_problem(r, 422, "recommendation_summary")
    assert await cases.snapshot(a["id"]) == before


async def test_a_reallocation_reason_over_10000_characters_is_a_422_naming_reason(api: Api, cases: Cases) -> None:
    a, _ = await _allocated(api, cases)
    before = await cases.snapshot(a["id"])
    async with api.manager(a["team"]) as manager:
        r = await manager.post(
            f"/v1/assessments/{a['id']}/allocation",
            json={"lead_practitioner": "sw-other", "lead_practitioner_role": "social_worker", "reason": "x" * 10_001},
            headers=etag(a["version"]),
        )
    assert_problem(r, 422, "reason")
    assert await cases.snapshot(a["id"]) == before


async def test_a_body_over_one_mebibyte_is_a_413_and_changes_nothing(api: Api, cases: Cases) -> None:
    a, lead = await _allocated(api, cases)
    before = await cases.snapshot(a["id"])
    async with api.as_user("practitioner", sub=lead) as practitioner:
        r = await practitioner.patch(
            f"/v1/assessments/{a['id']}", json={"recommendation_summary": "x" * (1024 * 1024)}, headers=etag(a["version"])
        )
    body = assert_problem(r, 413, "body")
    assert body["type"].endswith("/body-too-large")
    assert await cases.snapshot(a["id"]) == before


@pytest.mark.parametrize("day", ["0001-01-01", "1899-12-31"])
async def test_a_specialist_assessment_dated_before_1900_is_a_422_naming_its_date(api: Api, cases: Cases, day: str) -> None:
    a, lead = await _allocated(api, cases)
    before = await cases.snapshot(a["id"])
    item = {"kind": "gcp2", "date": day, "completed_by": "sw", "score_or_summary": "Level 3 in 2 areas"}
    async with api.as_user("practitioner", sub=lead) as practitioner:
        r = await practitioner.patch(
            f"/v1/assessments/{a['id']}", json={"specialist_assessments": [item]}, headers=etag(a["version"])
        )
    assert_problem(r, 422, "specialist_assessments.0.date")
    assert await cases.snapshot(a["id"]) == before


@pytest.mark.parametrize(
    "if_match", ['"' + "9" * 5000 + '"', "1" * 5000, '"2147483648"', '"\u00b2"'], ids=["quoted", "bare", "int4", "superscript"]
)
async def test_an_if_match_of_thousands_of_digits_or_beyond_an_int4_is_a_422_naming_if_match(
    api: Api, cases: Cases, if_match: str
) -> None:
    a, lead = await _allocated(api, cases)
    before = await cases.snapshot(a["id"])
    async with api.as_user("practitioner", sub=lead) as practitioner:
        r = await practitioner.patch(
            f"/v1/assessments/{a['id']}", json={"start_date": "2026-11-23"}, headers={"If-Match": if_match.encode("latin-1")}
        )
    assert_problem(r, 422, "If-Match")
    assert await cases.snapshot(a["id"]) == before
