"""The step-down API end to end on the real database: the handover, early help's answer, the
manager's worklist and closure, step-ups, versions and teams."""

from __future__ import annotations

import uuid

from stepdown_support import HANDOVER, Api, Cases, assert_problem, etag


async def test_rule_2990_a_plans_handover_accepted_by_early_help_closes_the_episode_rc7(api: Api, cases: Cases) -> None:
    """Until issue 16 this closed RC9 and the partner status carried the internal team id (v1); the
    episode had a CIN plan, so RC7 (rule 2990), and partners get status.changed v2."""
    row = await cases.pending_handover()
    async with api.early_help() as early_help:
        listed = (await early_help.get("/v1/stepdowns", params={"status": "pending", "limit": 200})).json()["items"]
        assert str(row["id"]) in [i["id"] for i in listed]
        assert_problem(await early_help.post(f"/v1/stepdowns/{row['id']}/acceptance", headers=etag(row["version"])), 409)
    async with api.as_user("practitioner") as practitioner:
        r = await practitioner.put(f"/v1/stepdowns/{row['id']}/handover", json=HANDOVER, headers=etag(row["version"]))
        assert r.status_code == 200, r.text
        version = r.json()["version"]
        assert r.headers["etag"] == f'"{version}"'
    async with api.early_help() as early_help:
        r = await early_help.post(f"/v1/stepdowns/{row['id']}/acceptance", headers=etag(version))
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["status"] == "accepted" and body["closure"]["reason_for_closure"] == "RC7"
    assert body["closure"]["closure_date"] == "2026-10-30" and body["statutory_work"] == ["cin_plan"]
    events = [e["event_type"] for e in await cases.events(row["case_id"])]
    assert events == ["stepdown.requested", "stepdown.accepted", "case.closed"]
    [status] = await cases.partner_statuses(row["nhs_number"])
    assert status["status"] == "stepped_down" and status["since"] == body["answered_at"][:10]
    assert set(status) == {"nhs_number", "date_of_birth", "status", "since", "responsible_service", "contact"}


async def test_only_the_receiving_early_help_team_answers_a_handover(api: Api, cases: Cases) -> None:
    row = await cases.pending_handover()
    before = await cases.snapshot(row["id"])
    async with api.as_user("early_help", teams=("north",)) as elsewhere:
        assert_problem(await elsewhere.post(f"/v1/stepdowns/{row['id']}/acceptance", headers=etag(row["version"])), 404)
    assert await cases.snapshot(row["id"]) == before
    refused = await cases.scalar("SELECT count(*) FROM audit_log WHERE subject_id = :s AND outcome = 'refused'", s=str(row["id"]))
    assert refused == 1


async def test_another_teams_step_down_is_not_found_and_the_refusal_is_audited(api: Api, cases: Cases) -> None:
    row = await cases.pending_handover(team="north")
    async with api.as_user("practitioner", teams=("south",)) as practitioner:
        assert_problem(await practitioner.get(f"/v1/stepdowns/{row['id']}"), 404)
        assert_problem(await practitioner.get(f"/v1/stepdowns/{uuid.uuid4()}"), 404)
    assert (
        await cases.scalar("SELECT count(*) FROM audit_log WHERE subject_id = :s AND outcome = 'refused'", s=str(row["id"])) == 1
    )


async def test_a_change_needs_the_current_version(api: Api, cases: Cases) -> None:
    row = await cases.pending_handover()
    before = await cases.snapshot(row["id"])
    async with api.as_user("practitioner") as practitioner:
        r = await practitioner.put(f"/v1/stepdowns/{row['id']}/handover", json=HANDOVER)
        assert_problem(r, 428)
        r = await practitioner.put(f"/v1/stepdowns/{row['id']}/handover", json=HANDOVER, headers=etag(row["version"] + 1))
        assert_problem(r, 412)
    assert await cases.snapshot(row["id"]) == before


async def test_a_declined_handover_goes_to_the_managers_worklist_and_the_manager_closes_it(api: Api, cases: Cases) -> None:
    row = await cases.pending_handover()
    async with api.as_user("practitioner") as practitioner:
        version = (
            await practitioner.put(f"/v1/stepdowns/{row['id']}/handover", json=HANDOVER, headers=etag(row["version"]))
        ).json()["version"]
    async with api.early_help() as early_help:
        r = await early_help.post(
            f"/v1/stepdowns/{row['id']}/decline",
            json={"reason": "above_threshold", "detail": "Needs remain at CIN level"},
            headers=etag(version),
        )
    assert r.status_code == 200 and r.json()["status"] == "declined" and r.json()["closure"] is None
    assert r.json()["decline_reason"] == "above_threshold" and r.json()["decline_detail"] == "Needs remain at CIN level"
    async with api.manager() as manager:
        worklist = (await manager.get("/v1/stepdowns/escalations", params={"limit": 200})).json()["items"]
        item = next(i for i in worklist if i["stepdown_id"] == str(row["id"]))
        assert item["reason"] == "declined"
        r = await manager.post(
            f"/v1/stepdowns/{row['id']}/closure",
            json={"reason_for_closure": "RC7", "unmet_need": True},
            headers=etag(item["version"]),
        )
        assert r.status_code == 200, r.text
        assert r.json()["closure"]["reason_for_closure"] == "RC7"
        worklist = (await manager.get("/v1/stepdowns/escalations", params={"limit": 200})).json()["items"]
        assert str(row["id"]) not in [i["stepdown_id"] for i in worklist]
    events = [e["event_type"] for e in await cases.events(row["case_id"])]
    assert events == ["stepdown.requested", "stepdown.declined", "stepdown.escalated", "case.closed"]
    [status] = await cases.partner_statuses(row["nhs_number"])
    assert status["status"] == "closed" and status["since"] == "2026-10-30"


async def test_engagement_and_outcome_after_acceptance(api: Api, cases: Cases) -> None:
    row = await cases.pending_handover()
    async with api.as_user("practitioner") as practitioner:
        version = (
            await practitioner.put(f"/v1/stepdowns/{row['id']}/handover", json=HANDOVER, headers=etag(row["version"]))
        ).json()["version"]
    async with api.early_help() as early_help:
        version = (await early_help.post(f"/v1/stepdowns/{row['id']}/acceptance", headers=etag(version))).json()["version"]
        r = await early_help.post(f"/v1/stepdowns/{row['id']}/engagement", json={"engagement": "partly"}, headers=etag(version))
        assert r.status_code == 200 and r.json()["engagement"] == "partly"
    async with api.manager() as manager:
        r = await manager.post(f"/v1/stepdowns/{row['id']}/engagement", json={"engagement": "engaged"}, headers=etag(version + 1))
        assert_problem(r, 403)
    assert len(await cases.events(row["case_id"], "stepdown.engagement_recorded")) == 1


async def test_a_step_up_links_both_ways_and_a_replayed_key_answers_the_same(api: Api, cases: Cases) -> None:
    row = await cases.pending_handover()
    body = {
        "stepdown_id": str(row["id"]),
        "child_id": str(row["child_id"]),
        "concerns": "New injuries",
        "what_was_tried": "Home visits",
    }
    async with api.early_help() as early_help:
        first = await early_help.post("/v1/step-ups", json=body, headers={"Idempotency-Key": "k-" + uuid.uuid4().hex})
        assert first.status_code == 201, first.text
        key = first.request.headers["Idempotency-Key"]
        again = await early_help.post("/v1/step-ups", json=body, headers={"Idempotency-Key": key})
        assert again.status_code == 201 and again.json() == first.json()
        assert_problem(await early_help.post("/v1/step-ups", json=body), 409)
        read = await early_help.get(f"/v1/step-ups/{first.json()['id']}")
        assert read.status_code == 200
    step_up = first.json()
    assert step_up["stepdown_id"] == str(row["id"]) and step_up["within_12_months_of_step_down"] is True
    assert await cases.scalar("SELECT step_up_id FROM stepdowns WHERE id = :s", s=row["id"]) == uuid.UUID(step_up["id"])
    requested = await cases.events(row["case_id"], "stepup.requested")
    assert len(requested) == 1 and requested[0]["payload"]["data"]["early_help_episode_id"] == str(row["id"])
