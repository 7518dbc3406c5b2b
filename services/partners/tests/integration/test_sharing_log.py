"""The sharing log over HTTP: filtered by agency, decision, NHS number and London dates, keyset
paged without a row lost or repeated, exported whole as CSV; bad filters refused with the field;
and the subscriptions as configured."""

from __future__ import annotations

import csv
import io
import uuid

from partners_support import TEST_POLICY, Api, Cases, journey, nhs_number

from continuum.casework import clock
from continuum.contracts import agency_topic
from continuum_tools.testing import assert_problem, eventually


async def _journey_logged(cases: Cases) -> str:
    number = nhs_number()
    events = journey(number)
    for event in events:
        assert await cases.deliver(event) == "handled"
    await eventually(lambda: cases.decided(events[-1]))
    return number


async def test_a_childs_rows_paged_and_filtered(api: Api, cases: Cases) -> None:
    number = await _journey_logged(cases)
    async with api.as_user("auditor") as auditor:
        pages, cursor = [], None
        while True:
            params = {"nhs_number": number, "limit": 7} | ({"cursor": cursor} if cursor else {})
            r = await auditor.get("/v1/sharing-log", params=params)
            assert r.status_code == 200, r.text
            pages.append(r.json()["items"])
            cursor = r.json()["next_cursor"]
            if cursor is None:
                break
        rows = [row for page in pages for row in page]
        assert len(rows) == 6 * len(TEST_POLICY) and len({r["id"] for r in rows}) == len(rows)  # none lost, none twice
        assert [len(p) for p in pages] == [7] * 6 + [6]
        police = await auditor.get("/v1/sharing-log", params={"nhs_number": number, "agency": "police", "decision": "shared"})
        today = clock.today().isoformat()
        dated = await auditor.get("/v1/sharing-log", params={"nhs_number": number, "from": today, "to": today, "limit": 200})
        before = await auditor.get("/v1/sharing-log", params={"nhs_number": number, "to": "2026-01-01"})
    assert [(r["status"], r["source_service"]) for r in police.json()["items"]] == [
        ("referred", "referral"),
        ("cp_plan", "plan"),
        ("closed", "stepdown"),
    ]
    row = police.json()["items"][0]
    assert row["nhs_number"] == number and row["since"] == "2026-10-01" and "6(1)(e)" in row["lawful_basis"]
    assert len(dated.json()["items"]) == 6 * len(TEST_POLICY) and before.json()["items"] == []


async def test_the_export_is_the_selection_whole(api: Api, cases: Cases) -> None:
    number = await _journey_logged(cases)
    async with api.as_user("admin") as admin:
        r = await admin.get("/v1/sharing-log.csv", params={"nhs_number": number, "agency": "school"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert [(row["status"], row["decision"]) for row in rows] == [
        ("referred", "not_subscribed"),
        ("assessment", "not_subscribed"),
        ("cin_plan", "shared"),
        ("cp_plan", "shared"),
        ("stepped_down", "not_subscribed"),
        ("closed", "shared"),
    ]
    assert {row["nhs_number"] for row in rows} == {number} and all(uuid.UUID(row["source_event_id"]) for row in rows)


async def test_bad_filters_are_refused_with_the_field(api: Api) -> None:
    async with api.as_user("auditor") as auditor:
        assert_problem(await auditor.get("/v1/sharing-log", params={"agency": "atlantis"}), 422, "query.agency")
        assert_problem(await auditor.get("/v1/sharing-log", params={"decision": "maybe"}), 422, "query.decision")
        assert_problem(await auditor.get("/v1/sharing-log", params={"nhs_number": "12345"}), 422, "query.nhs_number")
        assert_problem(await auditor.get("/v1/sharing-log", params={"from": "2026-11-02", "to": "2026-11-01"}), 422, "query.to")
        assert_problem(await auditor.get("/v1/sharing-log", params={"cursor": "bm90IGEgY3Vyc29y"}), 422, "cursor")
        assert_problem(await auditor.get("/v1/sharing-log.csv", params={"from": "1700000000"}), 422, "query.from")


async def test_the_agencies_as_configured(api: Api) -> None:
    async with api.as_user("service") as integrator:
        r = await integrator.get("/v1/agencies")
    assert r.status_code == 200
    items = {a["id"]: a for a in r.json()["items"]}
    assert {a: [s.value for s in statuses] for a, statuses in TEST_POLICY.items()} == {a: items[a]["statuses"] for a in items}
    assert items["police"]["topic"] == agency_topic("police")
    assert items["school"]["lawful_basis"]["article_9"].startswith("9(2)(g)")


async def test_the_history_holds_what_each_agency_was_sent(api: Api, cases: Cases) -> None:
    """The kernel's ``GET /v1/history`` takes an agency's topic: what police was sent, in order."""
    number = await _journey_logged(cases)
    await eventually(lambda: cases.scalar("SELECT count(*) FROM outbox WHERE key = :n", n=number))
    async with api.as_user("admin") as admin:
        r = await admin.get("/v1/history", params={"topic": agency_topic("police"), "limit": 1000})
    assert r.status_code == 200, r.text
    mine = [e for e in r.json()["items"] if e["subject"] == number]
    assert {e["type"] for e in r.json()["items"]} == {"partner.status"}
    assert [e["data"]["status"] for e in mine] == [s.value for s in TEST_POLICY["police"]]
