"""Finding assessments by case, referral or child (issue 7, defect 6): exactly one filter, only
the assessments the caller may see, each a read of the child's record (audited, refusals too),
in keyset pages."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from assessment_support import Api, Cases, assert_problem


async def _find(api: Api, *roles: str, teams: tuple[str, ...] = ("north",), sub: str | None = None, **params: Any) -> Any:
    async with api.as_user(*(roles or ("practitioner",)), teams=teams, sub=sub) as client:
        return await client.get("/v1/assessments", params={k: str(v) for k, v in params.items()})


async def test_assessments_are_found_by_case_referral_and_child(api: Api, cases: Cases) -> None:
    row = await cases.open()
    for name in ("case_id", "referral_id", "child_id"):
        r = await _find(api, **{name: row[name]})
        assert r.status_code == 200, r.text
        (item,) = r.json()["items"]
        assert (item["assessment_id"], item["status"], item["due_date"], item["version"]) == (
            str(row["id"]),
            "unallocated",
            "2027-01-27",
            1,
        )
        assert r.json()["next_cursor"] is None
    assert (await _find(api, case_id=uuid.uuid4())).json() == {"items": [], "next_cursor": None}


async def test_a_lookup_needs_exactly_one_filter(api: Api) -> None:
    assert_problem(await _find(api), 422, "case_id")
    assert_problem(await _find(api, case_id=uuid.uuid4(), child_id=uuid.uuid4()), 422)
    assert_problem(await _find(api, child_id="not-a-uuid"), 422, "query.child_id")
    assert_problem(await _find(api, child_id=uuid.uuid4(), cursor="nonsense"), 422, "cursor")


async def test_a_lookup_lists_only_what_the_caller_may_see_and_audits_every_child_read(api: Api, cases: Cases) -> None:
    child = uuid.uuid4()
    north = await cases.open(child_id=child, team="north", referral_date=date(2026, 11, 2))
    south = await cases.open(child_id=child, team="south", with_child=False, referral_date=date(2026, 11, 3))
    r = await _find(api, sub="reader-north", child_id=child)
    assert [i["assessment_id"] for i in r.json()["items"]] == [str(north["id"])]
    audit = await cases.rows(
        "SELECT action, outcome FROM audit_log WHERE actor = 'reader-north' AND subject_id = :c ORDER BY outcome",
        c=str(child),
    )
    assert [(a["action"], a["outcome"]) for a in audit] == [("child.read", "refused"), ("child.read", "success")]
    # The auditor sees both, oldest referral first; pages follow on.
    first = await _find(api, "auditor", teams=(), child_id=child, limit=1)
    second = await _find(api, "auditor", teams=(), child_id=child, limit=1, cursor=first.json()["next_cursor"])
    assert [p.json()["items"][0]["assessment_id"] for p in (first, second)] == [str(north["id"]), str(south["id"])]
    assert second.json()["next_cursor"] is None
    # Another team sees nothing of the north team's case, and that is on record too.
    other = await _find(api, sub="reader-east", teams=("east",), case_id=north["case_id"])
    assert other.json()["items"] == []
    refused = await cases.scalar(
        "SELECT count(*) FROM audit_log WHERE actor = 'reader-east' AND outcome = 'refused' AND subject_id = :c", c=str(child)
    )
    assert refused == 1
