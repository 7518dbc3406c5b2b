"""Bad input a caller can send the step-down API: over-long text, NUL characters, unknown fields,
bodies over the size limit, versions no record has, closure reasons the census forbids. Each
answers a 4xx naming the field, never a 500, and changes nothing."""

from __future__ import annotations

from stepdown_support import HANDOVER, Api, Cases, assert_problem, decided, etag

from continuum.web.limits import unbounded_request_strings


async def test_every_string_and_list_a_request_sends_has_a_documented_limit(api: Api) -> None:
    assert unbounded_request_strings(api.app.openapi()) == []


async def test_an_over_long_or_nul_handover_is_a_422_naming_the_field_and_changes_nothing(api: Api, cases: Cases) -> None:
    row = await cases.pending_handover()
    before = await cases.snapshot(row["id"])
    url = f"/v1/stepdowns/{row['id']}/handover"
    async with api.as_user("practitioner") as practitioner:
        assert_problem(
            await practitioner.put(url, json=HANDOVER | {"unmet_needs": "x" * 10_001}, headers=etag(1)), 422, "unmet_needs"
        )
        assert_problem(
            await practitioner.put(url, json=HANDOVER | {"what_has_worked": "a\x00b"}, headers=etag(1)), 422, "what_has_worked"
        )
        assert_problem(await practitioner.put(url, json=HANDOVER | {"colour": "red"}, headers=etag(1)), 422, "colour")
        assert_problem(await practitioner.put(url, json=HANDOVER, headers={"If-Match": '"abc"'}), 422, "If-Match")
        assert_problem(await practitioner.put(url, json=HANDOVER, headers={"If-Match": '"99999999999"'}), 422, "If-Match")
        r = await practitioner.put(url, content=b'{"unmet_needs": "' + b"x" * (1024 * 1024) + b'"}', headers=etag(1))
        assert_problem(r, 413)
    assert await cases.snapshot(row["id"]) == before


async def test_rc9_for_a_front_door_handover_is_refused_naming_the_reason(api: Api, cases: Cases) -> None:
    d = decided(outcome="early_help")
    await cases.deliver(d)
    row = await cases.row("SELECT * FROM stepdowns WHERE case_id = :c", c=d.data.case_id)
    assert row is not None
    handover = HANDOVER | {"same_lead_practitioner": False, "proposed_lead_professional": "Early help worker"}
    async with api.as_user("practitioner", teams=("front-door",)) as practitioner:
        version = (await practitioner.put(f"/v1/stepdowns/{row['id']}/handover", json=handover, headers=etag(1))).json()[
            "version"
        ]
    async with api.early_help() as early_help:
        r = await early_help.post(
            f"/v1/stepdowns/{row['id']}/decline", json={"reason": "family_did_not_agree", "detail": "x"}, headers=etag(version)
        )
        version = r.json()["version"]
    before = await cases.snapshot(row["id"])
    async with api.as_user("manager", teams=("front-door",)) as manager:
        body = {"reason_for_closure": "RC9", "unmet_need": True}
        r = await manager.post(f"/v1/stepdowns/{row['id']}/closure", json=body, headers=etag(version))
        assert_problem(r, 422, "reason_for_closure")
        body = {"reason_for_closure": "RC7", "unmet_need": True, "closure_date": "2100-01-01"}
        assert_problem(
            await manager.post(f"/v1/stepdowns/{row['id']}/closure", json=body, headers=etag(version)), 422, "closure_date"
        )
        body = {"reason_for_closure": "RC10", "unmet_need": True}
        assert_problem(
            await manager.post(f"/v1/stepdowns/{row['id']}/closure", json=body, headers=etag(version)), 422, "reason_for_closure"
        )
    assert await cases.snapshot(row["id"]) == before


async def test_an_audit_month_that_is_not_over_or_not_a_month_is_a_422(api: Api) -> None:
    async with api.as_user("auditor") as auditor:
        assert_problem(await auditor.post("/v1/audits", json={"month": "2100-01"}), 422, "month")
        assert_problem(await auditor.post("/v1/audits", json={"month": "2026-13"}), 422, "month")
        assert_problem(await auditor.get("/v1/audits/not-a-month"), 422)


async def test_a_measures_period_is_read_only_as_iso_dates_not_numbers(api: Api) -> None:
    """Issue 16: a query's date is text; ``0`` or a Unix time is not read as 1970."""
    async with api.manager() as manager:
        assert_problem(await manager.get("/v1/measures", params={"from": "0", "to": "2026-03-31"}), 422, "query.from")
        assert_problem(await manager.get("/v1/measures", params={"from": "2025-04-01", "to": "1767225600"}), 422, "query.to")
        assert (await manager.get("/v1/measures", params={"from": "2025-04-01", "to": "2026-03-31"})).status_code == 200
