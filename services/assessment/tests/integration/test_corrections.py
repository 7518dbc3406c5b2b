"""Corrected front-door decisions and the London date, through the real intake consumer (issue 7,
defects 1 to 3): every change of an assessment's team, route or status is an event with a partner
status after it; a correction leaves the assessment as the corrected decision would have opened
it, re-checking the allocation rules; the referral date is London's."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Any

from assessment_support import RECORD, Api, Cases, assert_problem, decided, etag, nhs_number


async def _correct(cases: Cases, row: dict[str, Any], outcome: str, team: str = "north") -> None:
    correction = decided(
        outcome=outcome,
        team=team,
        case_id=row["case_id"],
        referral_id=row["referral_id"],
        child_id=row["child_id"],
        correction_of=uuid.uuid4(),
    )
    assert await cases.deliver(correction) == "handled"


async def _data(cases: Cases, row: dict[str, Any], event_type: str) -> list[dict[str, Any]]:
    return [e["payload"]["data"] for e in await cases.events(row["case_id"], event_type)]


async def test_a_correction_to_another_team_publishes_the_reassignment_and_the_new_responsible_team(cases: Cases) -> None:
    nhs = nhs_number()
    row = await cases.open(team="north", nhs_number=nhs)
    await _correct(cases, row, "assessment", team="south")
    reassigned = await _data(cases, row, "assessment.reassigned")
    assert [(e["previous_team"], e["team"], e["previous_route"], e["route"]) for e in reassigned] == [
        ("north", "south", "section17", "section17")
    ]
    # status.changed v2: the responsible service's public label and contact, never the team's id.
    service = "Continuum Development Council children's social care"
    statuses = await cases.statuses(nhs)
    assert [(s["status"], s["since"], s["responsible_service"], s["contact"]) for s in statuses] == [
        ("assessment", "2026-11-20", service, "01632 960001"),
        ("assessment", "2026-11-20", service, "01632 960002"),
    ]
    moved = await cases.row("SELECT team, version FROM assessments WHERE id = :a", a=row["id"])
    assert moved == {"team": "south", "version": 2}


async def test_a_correction_to_strategy_discussion_publishes_the_new_route_with_its_enquiry(cases: Cases) -> None:
    row = await cases.open()
    await _correct(cases, row, "strategy_discussion")
    s47 = await cases.row("SELECT id, status FROM section47_enquiries WHERE assessment_id = :a", a=row["id"])
    assert s47 is not None and s47["status"] == "awaiting_start"
    (reassigned,) = await _data(cases, row, "assessment.reassigned")
    assert (reassigned["previous_route"], reassigned["route"], reassigned["section47_id"]) == (
        "section17",
        "section47",
        str(s47["id"]),
    )


async def test_a_referral_received_at_0030_on_a_summer_night_in_london_is_dated_that_london_day(cases: Cases) -> None:
    # 00:30 BST on Thursday 2 July 2026 is 23:30 UTC on Wednesday 1 July; the event says the 1st.
    event = decided(received_at=datetime(2026, 7, 1, 23, 30, tzinfo=UTC), referral_date=date(2026, 7, 1))
    await cases.deliver(event)
    row = await cases.row("SELECT referral_date, due_date FROM assessments WHERE referral_id = :r", r=event.data.referral_id)
    # 45 working days from Thursday 2 July 2026: nine weeks, and one more for the summer bank holiday
    # (Monday 31 August), is Friday 4 September (from the UTC date it would be the 3rd).
    assert row == {"referral_date": date(2026, 7, 2), "due_date": date(2026, 9, 4)}
    (opened,) = [e["payload"]["data"] for e in await cases.events(event.data.case_id, "assessment.opened")]
    assert (opened["referral_date"], opened["due_date"]) == ("2026-07-02", "2026-09-04")


async def test_correcting_strategy_discussion_back_to_assessment_leaves_a_section_17_assessment_without_an_enquiry(
    api: Api, cases: Cases
) -> None:
    row = await cases.open(outcome="strategy_discussion")
    await _correct(cases, row, "assessment")
    corrected = await cases.row("SELECT route, status FROM assessments WHERE id = :a", a=row["id"])
    assert corrected == {"route": "section17", "status": "unallocated"}
    enquiries = await cases.rows("SELECT status FROM section47_enquiries WHERE assessment_id = :a", a=row["id"])
    assert [e["status"] for e in enquiries] == ["withdrawn"]
    assert [e["section47_id"] for e in await _data(cases, row, "section47.withdrawn")] == [
        str(await cases.scalar("SELECT id FROM section47_enquiries WHERE assessment_id = :a", a=row["id"]))
    ]
    # A section 17 assessment may go to a family support practitioner now, as if opened so.
    async with api.manager() as manager:
        r = await manager.post(
            f"/v1/assessments/{row['id']}/allocation",
            json={"lead_practitioner": "fsp-1", "lead_practitioner_role": "family_support_practitioner"},
            headers=etag(2),
        )
    assert r.status_code == 200, r.text
    assert r.json()["route"] == "section17" and r.json()["section47"]["status"] == "withdrawn"
    # Corrected again to a strategy discussion: a new enquiry, and the lead must be reallocated.
    await _correct(cases, row, "strategy_discussion")
    enquiries = await cases.rows("SELECT status FROM section47_enquiries WHERE assessment_id = :a ORDER BY status", a=row["id"])
    assert [e["status"] for e in enquiries] == ["awaiting_start", "withdrawn"]


async def test_a_correction_to_strategy_discussion_requires_a_social_worker_to_be_reallocated(api: Api, cases: Cases) -> None:
    row = await cases.open(team="east")
    async with api.manager("east") as manager:
        r = await manager.post(
            f"/v1/assessments/{row['id']}/allocation",
            json={"lead_practitioner": "fsp-east", "lead_practitioner_role": "family_support_practitioner"},
            headers=etag(1),
        )
        assert r.status_code == 200, r.text
    await _correct(cases, row, "strategy_discussion", team="east")
    (required,) = await _data(cases, row, "assessment.reallocation_required")
    assert (required["lead_practitioner"], required["reason"]) == ("fsp-east", "section47_needs_social_worker")

    async with api.as_user("practitioner", teams=("east",)) as practitioner:
        listed = await practitioner.get("/v1/assessments/worklist", params={"team": "east", "limit": 200})
    (item,) = [i for i in listed.json()["items"] if i["assessment_id"] == str(row["id"])]
    assert item["reallocation_required"] is True and item["route"] == "section47"

    before = await cases.snapshot(row["id"])
    async with api.as_user("practitioner", teams=("east",), sub="fsp-east") as lead:
        r = await lead.patch(f"/v1/assessments/{row['id']}", json=RECORD, headers=etag(3))
    assert assert_problem(r, 409, "lead_practitioner")["type"].endswith("/reallocation-required")
    assert await cases.snapshot(row["id"]) == before

    async with api.manager("east") as manager:
        r = await manager.post(
            f"/v1/assessments/{row['id']}/allocation",
            json={"lead_practitioner": "sw-east", "lead_practitioner_role": "social_worker", "reason": "section 47 work"},
            headers=etag(3),
        )
    assert r.status_code == 200, r.text
    assert (r.json()["reallocation_required"], r.json()["reallocation_reason"], r.json()["lead_practitioner"]) == (
        False,
        None,
        "sw-east",
    )


async def test_a_correction_to_nfa_and_back_withdraws_then_reinstates_the_assessment_with_events(cases: Cases) -> None:
    nhs = nhs_number()
    row = await cases.open(nhs_number=nhs)
    await _correct(cases, row, "nfa")
    await _correct(cases, row, "assessment")
    types = await cases.events_and_statuses(row["case_id"], nhs)
    assert types == ["assessment.opened", "status.changed", "assessment.withdrawn", "assessment.reassigned", "status.changed"]
    # Reinstated: "assessment" since the day it opened (the withdrawal is undone).
    assert [s["since"] for s in await cases.statuses(nhs)] == ["2026-11-20", "2026-11-20"]
    (back,) = await _data(cases, row, "assessment.reassigned")
    assert (back["previous_status"], back["status"]) == ("withdrawn", "unallocated")
    assert await cases.scalar("SELECT status FROM assessments WHERE id = :a", a=row["id"]) == "unallocated"
