"""Child protection plans through the API: pre-proceedings and the court application that needs the
FGDM offer or a reasoned exception (refused otherwise, changing nothing), the CP plan that steps down
to a CIN plan, and the commissioned interventions with their before and after scores."""

from __future__ import annotations

from typing import Any

from plan_support import Api, Cases, assert_problem, etag

from continuum import clock

TODAY = clock.today().isoformat()


async def _in_preproceedings(api: Api, cases: Cases) -> dict[str, Any]:
    plan = await cases.started(api, plan_type="cp")
    async with api.manager() as m:
        r = await m.post(f"/v1/plans/{plan['id']}/pre-proceedings", json={"start_date": TODAY}, headers=etag(plan["version"]))
    assert r.status_code == 200, r.text
    return dict(r.json())


async def test_a_court_application_without_the_fgdm_offer_or_an_exception_is_refused_and_changes_nothing(
    api: Api, cases: Cases
) -> None:
    plan = await _in_preproceedings(api, cases)
    before = await cases.snapshot(plan["id"])
    decision = {"decision": "issue_proceedings", "decision_date": TODAY, "court_application_date": TODAY}
    async with api.manager() as m:
        r = await m.post(f"/v1/plans/{plan['id']}/pre-proceedings/decision", json=decision, headers=etag(plan["version"]))
    body = assert_problem(r, 409, "fgdm_exception_reason")
    assert body["type"].endswith("/fgdm-offer-required")
    assert await cases.snapshot(plan["id"]) == before
    reason = {"fgdm_exception_reason": "A family meeting would tell the alleged abuser where the child is."}
    async with api.manager() as m:
        r = await m.post(
            f"/v1/plans/{plan['id']}/pre-proceedings/decision", json=decision | reason, headers=etag(plan["version"])
        )
    assert r.status_code == 200, r.text
    assert r.json()["preproceedings"]["court_application_date"] == TODAY
    event = (await cases.events(plan["case_id"], "preproceedings.decided"))[0]["payload"]["data"]
    assert (event["fgdm_offered"], event["fgdm_exception"]) == (False, True) and "reason" not in str(event)


async def test_the_fgdm_offer_in_the_letter_lets_the_application_go_ahead(api: Api, cases: Cases) -> None:
    plan = await _in_preproceedings(api, cases)
    record = {"letter_before_proceedings_date": TODAY, "fgdm_offered": True, "fgdm_held": True, "initial_meeting_date": TODAY}
    decision = {"decision": "issue_proceedings", "decision_date": TODAY, "court_application_date": TODAY}
    async with api.manager() as m:
        r = await m.put(f"/v1/plans/{plan['id']}/pre-proceedings", json=record, headers=etag(plan["version"]))
        assert r.status_code == 200, r.text
        r = await m.post(f"/v1/plans/{plan['id']}/pre-proceedings/decision", json=decision, headers=etag(r.json()["version"]))
    assert r.status_code == 200, r.text
    types = [e["event_type"] for e in await cases.events(plan["case_id"])]
    assert types[-3:] == ["preproceedings.started", "preproceedings.recorded", "preproceedings.decided"]


async def test_an_offer_without_the_letter_is_refused_naming_it(api: Api, cases: Cases) -> None:
    plan = await _in_preproceedings(api, cases)
    before = await cases.snapshot(plan["id"])
    async with api.practitioner() as sw:
        r = await sw.put(
            f"/v1/plans/{plan['id']}/pre-proceedings",
            json={"fgdm_offered": True, "fgdm_held": False},
            headers=etag(plan["version"]),
        )
    assert_problem(r, 422, "fgdm_offered")
    assert await cases.snapshot(plan["id"]) == before


async def test_pre_proceedings_of_a_cin_plan_are_refused(api: Api, cases: Cases) -> None:
    plan = await cases.started(api)
    async with api.manager() as m:
        r = await m.post(f"/v1/plans/{plan['id']}/pre-proceedings", json={"start_date": TODAY}, headers=etag(plan["version"]))
    assert assert_problem(r, 409, "plan")["type"].endswith("/not-a-cp-plan")


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
