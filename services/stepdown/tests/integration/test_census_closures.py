"""Census-correct closures, wherever they are made (issue 16): through the consumer and the API, the
wrong record cannot be made and the right one is.

- Rule 2990: RC8 and RC9 only for an episode with no section 47, ICPC, CIN plan or CP plan. The
  automatic closures pick RC7 otherwise; a manager's RC8 or RC9 is refused (422 naming
  reason_for_closure). Step-down learns of the statutory work from assessment.authorised (route
  section 47), section47.started and .concluded, plan.started and plan.ended, in any order.
- RC2 (died) only with the child's date of death, and a closure date not before it.
- Point 5: one closure per episode, from one place: the front door's NFA closes here, at once (RC8,
  ReferralNFA, on the referral date); a correction of it to an assessment or a strategy discussion
  reopens the episode (case.reopened), and the closures the measures count follow.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from stepdown_support import (
    HANDOVER,
    Api,
    Cases,
    assert_problem,
    authorised,
    child_registered,
    decided,
    etag,
    nhs_number,
    plan_ended,
    plan_started,
    section47_concluded,
    section47_started,
)

from continuum.contracts import ChildUpdated
from continuum.contracts.codes import ReasonForClosure
from continuum.contracts.plan import PlanType


async def _stepdown(cases: Cases, case_id: uuid.UUID) -> dict[str, Any]:
    row = await cases.row("SELECT * FROM stepdowns WHERE case_id = :c AND status <> 'withdrawn'", c=case_id)
    assert row is not None
    return row


async def _closed(cases: Cases, case_id: uuid.UUID) -> list[dict[str, Any]]:
    return [e["payload"]["data"] for e in await cases.events(case_id, "case.closed")]


async def _accept(api: Api, row: dict[str, Any], *, team: str = "north") -> dict[str, Any]:
    handover = HANDOVER if row["lead_practitioner"] else HANDOVER | {"same_lead_practitioner": False}
    if not row["lead_practitioner"]:
        handover |= {"proposed_lead_professional": "Early help worker"}
    async with api.as_user("practitioner", teams=(team,)) as practitioner:
        r = await practitioner.put(f"/v1/stepdowns/{row['id']}/handover", json=handover, headers=etag(row["version"]))
        assert r.status_code == 200, r.text
    async with api.early_help() as early_help:
        r = await early_help.post(f"/v1/stepdowns/{row['id']}/acceptance", headers=etag(r.json()["version"]))
    assert r.status_code == 200, r.text
    accepted: dict[str, Any] = r.json()
    return accepted


# --- rule 2990 ---------------------------------------------------------------------------------------


async def test_rule_2990_an_assessments_nfa_after_a_section_47_closes_rc7(cases: Cases) -> None:
    """The assessment.authorised that closes the episode itself says it went with an enquiry."""
    a = authorised(outcome="nfa", section47_id=uuid.uuid4())
    await cases.deliver(a)
    [closed] = await _closed(cases, a.data.case_id)
    assert closed["reason_for_closure"] == "RC7" and closed["closure_date"] == "2026-05-20"
    assert (await _stepdown(cases, a.data.case_id))["statutory_work"] == ["section47"]


async def test_rule_2990_an_assessments_nfa_after_an_enquiry_and_conference_it_heard_of_first_closes_rc7(cases: Cases) -> None:
    """section47.started and .concluded (with the ICPC date) come first; the assessment's own event
    says section 17: the episode still had an enquiry and a conference."""
    case, child = uuid.uuid4(), uuid.uuid4()
    await cases.deliver(section47_started(case_id=case, child_id=child))
    await cases.deliver(section47_concluded(case_id=case, child_id=child))
    await cases.deliver(authorised(outcome="nfa", case_id=case, child_id=child))
    [closed] = await _closed(cases, case)
    assert closed["reason_for_closure"] == "RC7"
    assert sorted((await _stepdown(cases, case))["statutory_work"]) == ["icpc", "section47"]


async def test_rule_2990_an_assessment_alone_still_closes_rc8_and_its_early_help_rc9(api: Api, cases: Cases) -> None:
    nfa = authorised(outcome="nfa")
    await cases.deliver(nfa)
    assert [c["reason_for_closure"] for c in await _closed(cases, nfa.data.case_id)] == ["RC8"]
    early_help = authorised(outcome="early_help")
    await cases.deliver(early_help)
    accepted = await _accept(api, await _stepdown(cases, early_help.data.case_id))
    assert accepted["closure"]["reason_for_closure"] == "RC9"


async def test_rule_2990_a_plan_started_in_the_episode_makes_early_helps_acceptance_rc7(api: Api, cases: Cases) -> None:
    case, child = uuid.uuid4(), uuid.uuid4()
    await cases.deliver(plan_started(case_id=case, child_id=child, plan_type=PlanType.CP))
    await cases.deliver(authorised(outcome="early_help", case_id=case, child_id=child))
    accepted = await _accept(api, await _stepdown(cases, case))
    assert accepted["closure"]["reason_for_closure"] == "RC7" and accepted["statutory_work"] == ["cp_plan"]


async def test_rule_2990_statutory_work_heard_of_after_the_handover_was_made_decides_its_closure(api: Api, cases: Cases) -> None:
    a = authorised(outcome="early_help")
    await cases.deliver(a)
    pending = await _stepdown(cases, a.data.case_id)
    assert pending["statutory_work"] == []
    late = section47_started(case_id=a.data.case_id, child_id=a.data.child_id)
    await cases.deliver(late)
    assert await cases.deliver(late) == "duplicate"
    kept = await _stepdown(cases, a.data.case_id)
    assert kept["statutory_work"] == ["section47"] and kept["version"] == pending["version"] + 1
    accepted = await _accept(api, kept)
    assert accepted["closure"]["reason_for_closure"] == "RC7"


async def test_rule_2990_a_plan_that_ends_with_universal_services_or_its_own_reason_never_closes_rc8(cases: Cases) -> None:
    a = authorised(outcome="cin_plan")
    await cases.deliver(a)
    # A plan's end from before plans refused RC8: the plan itself proves the episode had one.
    await cases.deliver(
        plan_ended(
            case_id=a.data.case_id,
            child_id=a.data.child_id,
            next_step="close",
            reason_for_closure=ReasonForClosure.NFA_AFTER_ASSESSMENT,
        )
    )
    [closed] = await _closed(cases, a.data.case_id)
    assert closed["reason_for_closure"] == "RC7"


async def _declined_plan_handover(api: Api, cases: Cases) -> dict[str, Any]:
    row = await cases.pending_handover()
    async with api.as_user("practitioner") as practitioner:
        r = await practitioner.put(f"/v1/stepdowns/{row['id']}/handover", json=HANDOVER, headers=etag(row["version"]))
    async with api.early_help() as early_help:
        r = await early_help.post(
            f"/v1/stepdowns/{row['id']}/decline",
            json={"reason": "above_threshold", "detail": "Needs remain at CIN level"},
            headers=etag(r.json()["version"]),
        )
    assert r.status_code == 200, r.text
    return row | {"version": r.json()["version"]}


async def test_rule_2990_a_manager_closing_a_plans_declined_handover_may_not_give_rc8_or_rc9(api: Api, cases: Cases) -> None:
    row = await _declined_plan_handover(api, cases)
    before = await cases.snapshot(row["id"])
    url = f"/v1/stepdowns/{row['id']}/closure"
    async with api.manager() as manager:
        for reason in ("RC8", "RC9"):
            r = await manager.post(url, json={"reason_for_closure": reason, "unmet_need": True}, headers=etag(row["version"]))
            assert_problem(r, 422, "reason_for_closure")
            assert "rule 2990" in r.json()["detail"] and "a CIN plan" in r.json()["detail"]
        assert await cases.snapshot(row["id"]) == before
        r = await manager.post(url, json={"reason_for_closure": "RC7", "unmet_need": True}, headers=etag(row["version"]))
    assert r.status_code == 200, r.text
    assert [c["reason_for_closure"] for c in await _closed(cases, row["case_id"])] == ["RC7"]


# --- RC2 ---------------------------------------------------------------------------------------------


async def test_rc2_needs_the_childs_date_of_death_and_a_closure_date_not_before_it(api: Api, cases: Cases) -> None:
    row = await _declined_plan_handover(api, cases)
    url = f"/v1/stepdowns/{row['id']}/closure"
    body = {"reason_for_closure": "RC2", "unmet_need": False, "closure_date": "2026-11-05"}
    before = await cases.snapshot(row["id"])
    async with api.manager() as manager:
        assert_problem(await manager.post(url, json=body, headers=etag(row["version"])), 422, "reason_for_closure")
        await cases.deliver(
            child_registered(
                row["child_id"], version=2, nhs_number=row["nhs_number"], date_of_death=date(2026, 11, 6), event_type=ChildUpdated
            )
        )
        assert_problem(await manager.post(url, json=body, headers=etag(row["version"])), 422, "closure_date")
        assert await cases.snapshot(row["id"]) == before
        r = await manager.post(url, json=body | {"closure_date": "2026-11-06"}, headers=etag(row["version"]))
    assert r.status_code == 200, r.text
    [closed] = await _closed(cases, row["case_id"])
    assert closed["reason_for_closure"] == "RC2" and closed["closure_date"] == "2026-11-06"


async def test_rc2_from_a_plan_closes_at_once_only_with_the_childs_date_of_death(cases: Cases) -> None:
    for date_of_death, closes in ((None, False), (date(2026, 10, 28), True)):
        child = uuid.uuid4()
        await cases.deliver(child_registered(child, nhs_number=nhs_number(), date_of_death=date_of_death))
        a = authorised(outcome="cin_plan", child_id=child)
        await cases.deliver(a)
        await cases.deliver(
            plan_ended(case_id=a.data.case_id, child_id=child, next_step="close", reason_for_closure=ReasonForClosure.DIED)
        )
        row = await _stepdown(cases, a.data.case_id)
        assert (row["status"], row["closure_reason"]) == (("closed", "RC2") if closes else ("awaiting_closure", None))


# --- point 5: the front door's NFA ----------------------------------------------------------------


async def test_point_5_a_front_door_nfa_closes_the_episode_at_once_rc8_referral_nfa_on_the_referral_date(
    cases: Cases,
) -> None:
    child, number = uuid.uuid4(), nhs_number()
    await cases.deliver(child_registered(child, nhs_number=number))
    nfa = decided(outcome="nfa", child_id=child, referral_date=date(2026, 9, 14))
    assert await cases.deliver(nfa) == "handled"
    assert await cases.deliver(nfa) == "duplicate"
    [closed] = await _closed(cases, nfa.data.case_id)
    assert (closed["reason_for_closure"], closed["referral_nfa"], closed["closure_date"], closed["kind"]) == (
        "RC8",
        True,
        "2026-09-14",
        "close",
    )
    assert closed["referral_date"] == "2026-09-14" and not closed["assessed"]
    row = await _stepdown(cases, nfa.data.case_id)
    assert (row["trigger"], row["status"]) == ("front_door", "closed")
    [status] = await cases.partner_statuses(number)
    assert (status["status"], status["since"]) == ("closed", "2026-09-14")


async def test_point_5_a_front_door_nfa_corrected_to_an_assessment_reopens_the_episode_and_a_later_closure_is_new(
    api: Api, cases: Cases
) -> None:
    # A quarter of its own, so the measures show exactly this episode's closures.
    nfa = decided(outcome="nfa", team="east", referral_date=date(2011, 5, 3))
    await cases.deliver(nfa)
    corrected = decided(
        outcome="assessment",
        case_id=nfa.data.case_id,
        child_id=nfa.data.child_id,
        team="east",
        referral_date=date(2011, 5, 3),
        correction_of=nfa.id,
    )
    assert await cases.deliver(corrected) == "handled"
    assert await cases.deliver(corrected) == "duplicate"
    [reopened] = [e["payload"]["data"] for e in await cases.events(nfa.data.case_id, "case.reopened")]
    assert reopened["closure_date"] == "2011-05-03" and reopened["correction_of"] == str(nfa.id)
    withdrawn = await cases.row("SELECT * FROM stepdowns WHERE case_id = :c", c=nfa.data.case_id)
    assert withdrawn is not None and withdrawn["status"] == "withdrawn" and withdrawn["closure_date"] is None
    assert withdrawn["reopened_at"] is not None

    async with api.as_user("auditor") as auditor:
        r = await auditor.get("/v1/measures", params={"from": "2011-04-01", "to": "2011-06-30", "team": "east"})
    [east] = [q for q in r.json()["quarters"] if q["team"] == "all"]  # east's alone: the team asked for
    assert east["current"]["closures"] == 0  # the withdrawn closure is not counted

    # The episode goes on: the assessment's NFA closes it again, a new case.closed.
    await cases.deliver(
        authorised(
            outcome="nfa",
            case_id=nfa.data.case_id,
            child_id=nfa.data.child_id,
            team="east",
            referral_date=date(2011, 5, 3),
            on=date(2011, 6, 1),
        )
    )
    closures = await _closed(cases, nfa.data.case_id)
    assert [(c["reason_for_closure"], c["closure_date"], c["referral_nfa"]) for c in closures] == [
        ("RC8", "2011-05-03", True),
        ("RC8", "2011-06-01", False),
    ]
    async with api.as_user("auditor") as auditor:
        r = await auditor.get("/v1/measures", params={"from": "2011-04-01", "to": "2011-06-30", "team": "east"})
    [east] = [q for q in r.json()["quarters"] if q["team"] == "all"]
    assert east["current"]["closures"] == 1


async def test_point_5_a_front_door_nfa_corrected_to_early_help_reopens_and_hands_over(api: Api, cases: Cases) -> None:
    nfa = decided(outcome="nfa")
    await cases.deliver(nfa)
    back = decided(outcome="early_help", case_id=nfa.data.case_id, child_id=nfa.data.child_id, correction_of=nfa.id)
    await cases.deliver(back)
    assert len(await cases.events(nfa.data.case_id, "case.reopened")) == 1
    pending = await _stepdown(cases, nfa.data.case_id)
    assert (pending["kind"], pending["status"], pending["trigger"]) == ("early_help", "pending", "front_door")
    accepted = await _accept(api, pending, team="front-door")
    assert accepted["closure"]["reason_for_closure"] == "RC8"
    assert [c["referral_nfa"] for c in await _closed(cases, nfa.data.case_id)] == [True, True]


async def test_point_5_front_door_early_help_corrected_to_nfa_withdraws_the_handover_and_closes_at_once(cases: Cases) -> None:
    first = decided(outcome="early_help")
    await cases.deliver(first)
    to_nfa = decided(outcome="nfa", case_id=first.data.case_id, child_id=first.data.child_id, correction_of=first.id)
    await cases.deliver(to_nfa)
    rows = await cases.rows("SELECT kind, status FROM stepdowns WHERE case_id = :c ORDER BY requested_at", c=first.data.case_id)
    assert [(r["kind"], r["status"]) for r in rows] == [("early_help", "withdrawn"), ("close", "closed")]
    [closed] = await _closed(cases, first.data.case_id)
    assert closed["reason_for_closure"] == "RC8" and closed["referral_nfa"]
    assert await cases.events(first.data.case_id, "case.reopened") == []


async def test_point_5_a_strategy_discussion_corrected_to_nfa_closes_the_episode_at_once(cases: Cases) -> None:
    first = decided(outcome="strategy_discussion")
    await cases.deliver(first)
    assert await _closed(cases, first.data.case_id) == []
    await cases.deliver(decided(outcome="nfa", case_id=first.data.case_id, child_id=first.data.child_id, correction_of=first.id))
    [closed] = await _closed(cases, first.data.case_id)
    assert closed["reason_for_closure"] == "RC8" and closed["referral_nfa"]


async def test_rc2_from_a_plan_closes_when_the_childs_date_of_death_arrives_after_the_plans_end(cases: Cases) -> None:
    """The plan's end and the child's date of death come from two services: in either order the
    episode closes RC2 (here the end first: it waits, then the date closes it), once; a date after
    the plan's end leaves it for the manager, and the date delivered again changes nothing."""
    for date_of_death, closes in ((date(2026, 10, 31), False), (date(2026, 10, 28), True)):
        child, number = uuid.uuid4(), nhs_number()
        await cases.deliver(child_registered(child, nhs_number=number))
        a = authorised(outcome="cin_plan", child_id=child)
        await cases.deliver(a)
        ended = plan_ended(case_id=a.data.case_id, child_id=child, next_step="close", reason_for_closure=ReasonForClosure.DIED)
        await cases.deliver(ended)
        assert (await _stepdown(cases, a.data.case_id))["status"] == "awaiting_closure"
        died = child_registered(child, version=2, nhs_number=number, date_of_death=date_of_death, event_type=ChildUpdated)
        await cases.deliver(died)
        await cases.deliver(died)
        row = await _stepdown(cases, a.data.case_id)
        if not closes:
            assert (row["status"], row["closure_reason"]) == ("awaiting_closure", None)
            continue
        assert (row["status"], row["closure_reason"]) == ("closed", "RC2")
        [closed] = await _closed(cases, a.data.case_id)
        assert (closed["reason_for_closure"], closed["closure_date"]) == ("RC2", ended.data.end_date.isoformat())
        [status] = await cases.partner_statuses(number)
        assert status["status"] == "closed"
