"""The assessment journey over HTTP: allocation, recording, submission, return and authorisation,
who may do each, and bad input that answers problem+json and changes nothing."""

from __future__ import annotations

import uuid
from datetime import date

from assessment_support import RECORD, Api, Cases, allocated, assert_problem, etag, nhs_number, submitted

from continuum.casework import clock
from continuum.casework.calendar import working_days_between


async def test_the_whole_journey_to_a_cin_plan(api: Api, cases: Cases) -> None:
    lead, nhs = f"sw-{uuid.uuid4().hex[:8]}", nhs_number()
    row = await cases.open(nhs_number=nhs)
    async with api.as_user("practitioner") as practitioner:
        r = await practitioner.get(f"/v1/assessments/{row['id']}")
    assert r.status_code == 200, r.text
    view = r.json()
    assert view["status"] == "unallocated" and view["due_date"] == "2027-01-27" and view["route"] == "section17"
    assert view["child"]["nhs_number"] == nhs and r.headers["ETag"] == '"1"'

    async with api.manager() as manager:
        r = await manager.post(
            f"/v1/assessments/{row['id']}/allocation",
            json={"lead_practitioner": lead, "lead_practitioner_role": "family_support_practitioner"},
            headers=etag(1),
        )
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "in_progress" and r.json()["lead_practitioner"] == lead

    async with api.as_user("practitioner", sub=lead) as practitioner:
        r = await practitioner.patch(f"/v1/assessments/{row['id']}", json={"start_date": "2026-11-23"}, headers=etag(2))
        assert r.status_code == 200, r.text
        rest = {k: v for k, v in RECORD.items() if k != "start_date"}
        r = await practitioner.patch(f"/v1/assessments/{row['id']}", json=rest, headers=etag(3))
        assert r.status_code == 200, r.text
        assert r.json()["start_date"] == "2026-11-23" and r.json()["factors"] == ["3A", "3B", "4B"]
        r = await practitioner.post(f"/v1/assessments/{row['id']}/submission", headers=etag(4))
        assert r.status_code == 200 and r.json()["status"] == "submitted", r.text

    async with api.manager() as manager:
        r = await manager.post(
            f"/v1/assessments/{row['id']}/return", json={"reasons": "See the child alone first."}, headers=etag(5)
        )
        assert r.status_code == 200 and r.json()["status"] == "in_progress", r.text
        assert [x["reasons"] for x in r.json()["returns"]] == ["See the child alone first."]
    async with api.as_user("practitioner", sub=lead) as practitioner:
        r = await practitioner.post(f"/v1/assessments/{row['id']}/submission", headers=etag(6))
        assert r.status_code == 200, r.text
    today = clock.today()  # not before the submission, which was today
    async with api.manager() as manager:
        r = await manager.post(
            f"/v1/assessments/{row['id']}/authorisation",
            json={"authorisation_date": today.isoformat(), "outcome": "cin_plan"},
            headers=etag(7),
        )
    assert r.status_code == 200, r.text
    done = r.json()
    assert done["status"] == "authorised" and done["closure_reason"] is None and done["working_days_left"] is None

    # Each recording that changed the start date, the date the child was seen or the primary need
    # published them (point 8); the authorisation tells partners nothing (point 10).
    types = await cases.events_and_statuses(row["case_id"], nhs)
    assert types == [
        "assessment.opened",
        "status.changed",
        "assessment.allocated",
        "assessment.recorded",
        "assessment.recorded",
        "assessment.submitted",
        "assessment.returned",
        "assessment.submitted",
        "assessment.authorised",
    ]
    recorded = [e["payload"]["data"] for e in await cases.events(row["case_id"], "assessment.recorded")]
    assert [(e["start_date"], e["child_seen_date"], e["primary_need"]) for e in recorded] == [
        ("2026-11-23", None, None),
        ("2026-11-23", "2026-11-24", "N1"),
    ]
    assert "Domestic abuse" not in str(recorded)
    authorised = (await cases.events(row["case_id"], "assessment.authorised"))[0]["payload"]["data"]
    assert authorised["factors"] == ["3A", "3B", "4B"] and authorised["primary_need"] == "N1"
    assert authorised["start_date"] == "2026-11-23" and authorised["authorisation_date"] == today.isoformat()
    working_days = working_days_between(date(2026, 11, 20), today)
    assert authorised["working_days"] == working_days and authorised["within_timescale"] is (working_days <= 45)
    assert authorised["lead_practitioner_role"] == "family_support_practitioner" and authorised["specialist_assessments"] == [
        "gcp2"
    ]
    # Narrative stays in the service.
    assert "Domestic abuse" not in str(authorised)


async def test_nfa_closes_the_episode_rc8_and_early_help_rc9(api: Api, cases: Cases) -> None:
    """Rule 2990: with no section 47 in the episode. Partners hear of the closure from step-down
    alone (point 10): the authorisation sends no partner status (it sent closed / stepped_down)."""
    for outcome, reason in (("nfa", "RC8"), ("early_help", "RC9")):
        lead, nhs = f"sw-{uuid.uuid4().hex[:8]}", nhs_number()
        record = RECORD | {"factors": ["21"], "primary_need": "N9", "recommendation": outcome}
        a = await submitted(api, cases, lead, record, nhs_number=nhs)
        today = clock.today().isoformat()
        async with api.manager() as manager:
            r = await manager.post(
                f"/v1/assessments/{a['id']}/authorisation",
                json={"authorisation_date": today, "outcome": outcome},
                headers=etag(a["version"]),
            )
        assert r.status_code == 200, r.text
        assert r.json()["closure_reason"] == reason and r.json()["closure_date"] == today
        event = (await cases.events(a["case_id"], "assessment.authorised"))[0]["payload"]["data"]
        assert event["reason_for_closure"] == reason and event["closure_date"] == today
        assert [s["status"] for s in await cases.statuses(nhs)] == ["assessment"]


# --- who may do what ------------------------------------------------------------------------------


async def test_an_unqualified_manager_cannot_allocate_or_authorise(api: Api, cases: Cases) -> None:
    row = await cases.open()
    before = await cases.snapshot(row["id"])
    async with api.manager(sw_qualified=False) as manager:
        r = await manager.post(
            f"/v1/assessments/{row['id']}/allocation",
            json={"lead_practitioner": "x", "lead_practitioner_role": "social_worker"},
            headers=etag(1),
        )
    assert_problem(r, 403)
    assert await cases.snapshot(row["id"]) == before

    a = await submitted(api, cases, f"sw-{uuid.uuid4().hex[:8]}")
    before = await cases.snapshot(a["id"])
    body = {"authorisation_date": "2026-11-26", "outcome": "cin_plan"}
    async with api.manager(sw_qualified=False) as manager:
        assert_problem(await manager.post(f"/v1/assessments/{a['id']}/authorisation", json=body, headers=etag(a["version"])), 403)
        assert_problem(
            await manager.post(f"/v1/assessments/{a['id']}/return", json={"reasons": "x"}, headers=etag(a["version"])), 403
        )
    async with api.as_user("practitioner", sw_qualified=True) as practitioner:  # qualified, but not a manager
        assert_problem(
            await practitioner.post(f"/v1/assessments/{a['id']}/authorisation", json=body, headers=etag(a["version"])), 403
        )
    assert await cases.snapshot(a["id"]) == before


async def test_a_non_social_worker_cannot_hold_a_section_47(api: Api, cases: Cases) -> None:
    row = await cases.open(outcome="strategy_discussion")
    assert row["route"] == "section47"
    before = await cases.snapshot(row["id"])
    async with api.manager() as manager:
        r = await manager.post(
            f"/v1/assessments/{row['id']}/allocation",
            json={"lead_practitioner": "fsp-1", "lead_practitioner_role": "family_support_practitioner"},
            headers=etag(1),
        )
        body = assert_problem(r, 422, "lead_practitioner_role")
        assert body["type"].endswith("not-eligible-lead-practitioner")
        assert await cases.snapshot(row["id"]) == before
        r = await manager.post(
            f"/v1/assessments/{row['id']}/allocation",
            json={"lead_practitioner": "sw-1", "lead_practitioner_role": "social_worker"},
            headers=etag(1),
        )
        assert r.status_code == 200, r.text
        # Nor can a section 47 be handed on to one later.
        r = await manager.post(
            f"/v1/assessments/{row['id']}/allocation",
            json={"lead_practitioner": "dap-1", "lead_practitioner_role": "domestic_abuse_practitioner", "reason": "caseload"},
            headers=etag(2),
        )
        assert_problem(r, 422, "lead_practitioner_role")


async def test_another_teams_assessment_is_not_found(api: Api, cases: Cases) -> None:
    row = await cases.open(team="north")
    before = await cases.snapshot(row["id"])
    async with api.as_user("practitioner", teams=("south",)) as practitioner:
        assert_problem(await practitioner.get(f"/v1/assessments/{row['id']}"), 404)
    async with api.manager("south") as manager:
        r = await manager.post(
            f"/v1/assessments/{row['id']}/allocation",
            json={"lead_practitioner": "x", "lead_practitioner_role": "social_worker"},
            headers=etag(1),
        )
        assert_problem(r, 404)
    assert await cases.snapshot(row["id"]) == before
    refusals = await cases.scalar(
        "SELECT count(*) FROM audit_log WHERE subject_id = :a AND outcome = 'refused'", a=str(row["id"])
    )
    assert refusals == 2
    # The same 404 as for an assessment that does not exist: nothing to tell them apart.
    async with api.as_user("practitioner", teams=("south",)) as practitioner:
        missing = await practitioner.get(f"/v1/assessments/{uuid.uuid4()}")
    assert_problem(missing, 404)


async def test_the_auditor_reads_everything_and_changes_nothing(api: Api, cases: Cases) -> None:
    row = await cases.open(team="south")
    async with api.as_user("auditor", teams=()) as auditor:
        assert (await auditor.get(f"/v1/assessments/{row['id']}")).status_code == 200
        before = await cases.snapshot(row["id"])
        assert_problem(
            await auditor.patch(f"/v1/assessments/{row['id']}", json={"start_date": "2026-11-23"}, headers=etag(1)), 403
        )
        r = await auditor.post(
            f"/v1/assessments/{row['id']}/allocation",
            json={"lead_practitioner": "x", "lead_practitioner_role": "social_worker"},
            headers=etag(1),
        )
        assert_problem(r, 403)
    assert await cases.snapshot(row["id"]) == before


async def test_every_read_is_audited(api: Api, cases: Cases) -> None:
    row = await cases.open()
    async with api.as_user("practitioner", sub="reader-1") as practitioner:
        await practitioner.get(f"/v1/assessments/{row['id']}")
    audit = await cases.rows(
        "SELECT actor, action, subject_type FROM audit_log WHERE subject_id IN (:a, :c) AND actor = 'reader-1'",
        a=str(row["id"]),
        c=str(row["child_id"]),
    )
    assert {(r["action"], r["subject_type"]) for r in audit} == {("assessment.read", "assessment"), ("child.read", "child")}


async def test_only_the_lead_practitioner_records(api: Api, cases: Cases) -> None:
    a = await allocated(api, cases, "sw-lead")
    before = await cases.snapshot(a["id"])
    async with api.as_user("practitioner", sub="someone-else") as practitioner:
        assert_problem(
            await practitioner.patch(f"/v1/assessments/{a['id']}", json={"start_date": "2026-11-23"}, headers=etag(2)), 403
        )
    assert await cases.snapshot(a["id"]) == before


# --- bad input changes nothing --------------------------------------------------------------------


async def test_bad_records_are_refused_and_change_nothing(api: Api, cases: Cases) -> None:
    lead = f"sw-{uuid.uuid4().hex[:8]}"
    a = await allocated(api, cases, lead)
    url = f"/v1/assessments/{a['id']}"
    before = await cases.snapshot(a["id"])
    async with api.as_user("practitioner", sub=lead) as practitioner:
        bad = [
            ({"factors": ["3A", "99Z"]}, "factors"),
            ({"factors": ["21", "3A"]}, "factors"),
            ({"factors": ["3A", "3A"]}, "factors"),
            ({"start_date": "2026-11-19"}, "start_date"),  # before the referral
            ({"start_date": "2099-01-01"}, "start_date"),  # in the future
            ({"primary_need": "N10"}, "primary_need"),
            ({"recommendation": "adoption"}, "recommendation"),
            (
                {
                    "specialist_assessments": [
                        {"kind": "gcp2", "date": "2099-01-01", "completed_by": "x", "score_or_summary": "y"}
                    ]
                },
                "specialist_assessments.0.date",
            ),
            ({"unexpected": 1}, "unexpected"),
        ]
        for body, field in bad:
            assert_problem(await practitioner.patch(url, json=body, headers=etag(a["version"])), 422, field)
        # The If-Match rules: stale is 412, missing is 428.
        stale = await practitioner.patch(url, json={"start_date": "2026-11-23"}, headers=etag(a["version"] - 1))
        assert_problem(stale, 412, "If-Match")
        assert stale.headers["ETag"] == f'"{a["version"]}"'
        assert_problem(await practitioner.patch(url, json={"start_date": "2026-11-23"}), 428)
        # An incomplete record cannot be submitted.
        assert_problem(await practitioner.post(f"{url}/submission", headers=etag(a["version"])), 422, "start_date")
    assert await cases.snapshot(a["id"]) == before


async def test_submitting_twice_is_refused_and_changes_nothing(api: Api, cases: Cases) -> None:
    lead = f"sw-{uuid.uuid4().hex[:8]}"
    a = await submitted(api, cases, lead)
    before = await cases.snapshot(a["id"])
    async with api.as_user("practitioner", sub=lead) as practitioner:
        r = await practitioner.post(f"/v1/assessments/{a['id']}/submission", headers=etag(a["version"]))
        assert_problem(r, 409)["type"].endswith("already-submitted")
        # Nor may it be changed while the manager has it.
        assert_problem(
            await practitioner.patch(f"/v1/assessments/{a['id']}", json={"factors": ["21"]}, headers=etag(a["version"])), 409
        )
    assert await cases.snapshot(a["id"]) == before


async def test_bad_authorisations_are_refused_and_change_nothing(api: Api, cases: Cases) -> None:
    a = await submitted(api, cases, f"sw-{uuid.uuid4().hex[:8]}")
    url = f"/v1/assessments/{a['id']}/authorisation"
    before = await cases.snapshot(a["id"])
    async with api.manager() as manager:
        bad = [
            ({"authorisation_date": "2026-11-22", "outcome": "cin_plan"}, 422, "authorisation_date"),  # before the start (23rd)
            ({"authorisation_date": "2099-11-22", "outcome": "cin_plan"}, 422, "authorisation_date"),
            ({"authorisation_date": "2026-11-26", "outcome": "maybe"}, 422, "outcome"),
            ({"outcome": "cin_plan"}, 422, "authorisation_date"),
        ]
        for body, status, field in bad:
            assert_problem(await manager.post(url, json=body, headers=etag(a["version"])), status, field)
        assert_problem(
            await manager.post(
                url, json={"authorisation_date": "2026-11-26", "outcome": "cin_plan"}, headers=etag(a["version"] - 1)
            ),
            412,
        )
        r = await manager.post(f"/v1/assessments/{a['id']}/return", json={"reasons": "  "}, headers=etag(a["version"]))
        assert_problem(r, 422, "reasons")
    assert await cases.snapshot(a["id"]) == before


async def test_the_manager_outcome_must_agree_with_the_primary_need(api: Api, cases: Cases) -> None:
    record = RECORD | {"factors": ["21"], "primary_need": "N9", "recommendation": "nfa"}
    a = await submitted(api, cases, f"sw-{uuid.uuid4().hex[:8]}", record)
    before = await cases.snapshot(a["id"])
    async with api.manager() as manager:
        r = await manager.post(
            f"/v1/assessments/{a['id']}/authorisation",
            json={"authorisation_date": clock.today().isoformat(), "outcome": "cin_plan"},
            headers=etag(a["version"]),
        )
    assert_problem(r, 422, "primary_need")
    assert await cases.snapshot(a["id"]) == before


async def test_reallocation_needs_a_reason_and_is_recorded(api: Api, cases: Cases) -> None:
    a = await allocated(api, cases, "sw-first")
    before = await cases.snapshot(a["id"])
    url = f"/v1/assessments/{a['id']}/allocation"
    async with api.manager() as manager:
        assert_problem(
            await manager.post(
                url, json={"lead_practitioner": "sw-second", "lead_practitioner_role": "social_worker"}, headers=etag(2)
            ),
            422,
            "reason",
        )
        assert await cases.snapshot(a["id"]) == before
        r = await manager.post(
            url,
            json={"lead_practitioner": "sw-second", "lead_practitioner_role": "social_worker", "reason": "sw-first is on leave"},
            headers=etag(2),
        )
    assert r.status_code == 200, r.text
    history = r.json()["allocations"]
    assert [(h["lead_practitioner"], h["previous_lead_practitioner"], h["reason"]) for h in history] == [
        ("sw-first", None, None),
        ("sw-second", "sw-first", "sw-first is on leave"),
    ]
    event = (await cases.events(a["case_id"], "assessment.allocated"))[-1]["payload"]["data"]
    assert event["previous_lead_practitioner"] == "sw-first"
