"""Child protection plans through the API: the CP plan that steps down to a CIN plan, and the
commissioned interventions with their before and after scores, and meetings (pre-proceedings, which
belong to the episode since issue 16, are in test_plan_preproceedings.py)."""

from __future__ import annotations

from plan_support import Api, Cases, etag

from continuum.casework import clock

TODAY = clock.today().isoformat()


async def test_a_cp_plan_stepping_down_drafts_a_cin_plan_for_the_same_case(api: Api, cases: Cases) -> None:
    plan = await cases.started(api, plan_type="cp", actions=2)
    first, second = (a["id"] for a in plan["actions"])
    ending = {
        "end_date": TODAY,
        "reason": "The review conference ended the CP plan; CIN support continues.",
        "unmet_need": True,
        "next_step": "step_down_cin",
        "actions": [{"action_id": first, "progress": "done"}, {"action_id": second, "progress": "in_progress"}],
    }
    async with api.manager() as m:
        r = await m.post(f"/v1/plans/{plan['id']}/ending", json=ending, headers=etag(plan["version"]))
        assert r.status_code == 200, r.text
        found = (await m.get("/v1/plans", params={"case_id": plan["case_id"]})).json()["items"]
    assert [(p["plan_type"], p["status"]) for p in found] == [("cp", "ended"), ("cin", "draft")]
    types = [e["event_type"] for e in await cases.events(plan["case_id"])]
    # No partner status at the ending: the CIN plan's own start announces cin_plan.
    assert types[-2:] == ["plan.ended", "plan.drafted"]
    async with api.manager() as m:
        cin = (await m.get(f"/v1/plans/{found[1]['plan_id']}")).json()
    assert (
        len(cin["actions"]) == 1 and cin["actions"][0]["progress"] == "in_progress" and cin["drafted_from"] == "step_down_from_cp"
    )


async def test_an_intervention_shows_what_it_changed_on_its_scale(api: Api, cases: Cases) -> None:
    plan = await cases.started(api)
    body = {
        "name": "12-week intensive family programme",
        "provider": "Family Support",
        "start_date": TODAY,
        "planned_end_date": TODAY,
        "scale": "Family Star Plus",
        "score_before": 3.5,
    }
    async with api.practitioner() as sw:
        r = await sw.post(f"/v1/plans/{plan['id']}/interventions", json=body, headers=etag(plan["version"]))
        assert r.status_code == 201, r.text
        intervention = r.json()["interventions"][0]["id"]
        r = await sw.post(
            f"/v1/plans/{plan['id']}/interventions/{intervention}/outcome",
            json={"actual_end_date": TODAY, "score_after": 7},
            headers=etag(r.json()["version"]),
        )
    assert r.status_code == 200, r.text
    done = r.json()["interventions"][0]
    assert (done["scale"], done["score_before"], done["score_after"], done["change"]) == ("Family Star Plus", 3.5, 7.0, 3.5)


async def test_a_meeting_that_leaves_out_probation_is_flagged_and_attendance_recorded(api: Api, cases: Cases) -> None:
    plan = await cases.started(api)
    async with api.practitioner() as sw:
        r = await sw.patch(
            f"/v1/plans/{plan['id']}",
            json={"agencies_involved": ["probation", "adult_mental_health"]},
            headers=etag(plan["version"]),
        )
        meeting = {
            "kind": "cin_meeting",
            "meeting_date": TODAY,
            "invitees": [{"agency": "family", "name": "Jo"}, {"agency": "adult_mental_health", "name": "CPN"}],
        }
        r = await sw.post(f"/v1/plans/{plan['id']}/meetings", json=meeting, headers=etag(r.json()["version"]))
        scheduled = r.json()["meetings"][0]
        assert scheduled["agencies_left_out"] == ["probation"]
        r = await sw.post(
            f"/v1/plans/{plan['id']}/meetings/{scheduled['id']}/attendance",
            json={"attended": [True, False]},
            headers=etag(r.json()["version"]),
        )
    assert r.status_code == 200, r.text
    assert [i["attended"] for i in r.json()["meetings"][0]["invitees"]] == [True, False]
    event = (await cases.events(plan["case_id"], "meeting.scheduled"))[0]["payload"]["data"]
    assert event["agencies_left_out"] == ["probation"] and "CPN" not in str(event) and "Jo" not in str(event)
