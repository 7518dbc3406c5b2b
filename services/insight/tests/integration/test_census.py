"""The CIN census file from the read model, checked by the DfE's own validator
(``csc-validator-be-cin``, ruleset cin2026_27, in its own virtual environment).

The journeys are the four services' contract events (``census_journeys``), handed to insight's real
consumer (its handler, in a transaction on the real PostgreSQL), not driven through the services'
APIs. They are dated in the collection year 2025-26 (year 2026), which no other test of the
service writes into (each test adds its own children: each checks its own, and the whole file's
errors)."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from xml.etree import ElementTree as ET

from census_journeys import Child, Episode, upn
from insight_support import Api, Cases

from continuum.casework import clock
from continuum_tools.testing.cin_validator import validate

D = date


def journeys() -> list[Child]:
    children = []
    # Front-door NFA: closed on the referral date, RC8, ReferralNFA.
    c = Child().registered(D(2025, 5, 1), upn=upn(1))
    Episode(c).referred(D(2025, 5, 6), "nfa").closed(D(2025, 5, 6), "RC8", nfa=True, assessed=False)
    children.append(c)
    # Assessment NFA: no factors (21), RC8.
    c = Child().registered(D(2025, 6, 1), upn=upn(2))
    Episode(c).referred(D(2025, 6, 2), "assessment").assessed(D(2025, 6, 3), D(2025, 6, 20), "nfa", factors=("21",)).closed(
        D(2025, 6, 20), "RC8"
    )
    children.append(c)
    # A CIN plan, open on 31 March.
    c = Child().registered(D(2025, 7, 1), upn=upn(3), disabilities=["AUT", "COMM"])
    ep = Episode(c).referred(D(2025, 7, 1), "assessment", source="2A").assessed(D(2025, 7, 2), D(2025, 7, 25), "cin_plan")
    ep.plan("cin", D(2025, 7, 28))
    children.append(c)
    # Section 47 to a CP plan (ICPC the plan's day), reviewed, stepped down to a CIN plan; pre-proceedings.
    c = Child().registered(D(2025, 4, 1), upn=upn(4), ethnicity="BAFR", sex="M")
    ep = Episode(c).referred(D(2025, 4, 7), "strategy_discussion")
    ep.section47(D(2025, 4, 8), icpc=D(2025, 4, 24), target=D(2025, 4, 30))
    ep.assessed(D(2025, 4, 8), D(2025, 4, 24), "child_protection", factors=("3B", "16A"), s47=True)
    cp = ep.plan("cp", D(2025, 4, 24), category="NEG", reviews=(D(2025, 7, 17), D(2026, 1, 15)))
    ep.plan_ended(cp, "cp", D(2025, 4, 24), D(2026, 1, 15), "step_down_cin", category="NEG")
    ep.plan("cin", D(2026, 1, 15))
    ep.preproceedings(D(2025, 10, 1), letter=D(2025, 10, 2), meeting=D(2025, 10, 15), decided=D(2026, 1, 9), court=D(2026, 1, 12))
    children.append(c)
    # Step-down to early help after the assessment: RC9.
    c = Child().registered(D(2025, 9, 1), upn=upn(5))
    Episode(c).referred(D(2025, 9, 1), "assessment", source="3A").assessed(D(2025, 9, 2), D(2025, 9, 19), "early_help").closed(
        D(2025, 9, 19), "RC9", kind="early_help"
    )
    children.append(c)
    # An unborn child (sex U, an expected date of birth), on a CIN plan.
    c = Child().registered(D(2025, 11, 3), date_of_birth=None, expected_date_of_birth="2026-06-01", sex="U", upn=None)
    ep = Episode(c).referred(D(2025, 11, 3), "assessment", source="3B").assessed(D(2025, 11, 4), D(2025, 11, 28), "cin_plan")
    ep.plan("cin", D(2025, 12, 1))
    children.append(c)
    # A school-age child without a UPN (a reason given), its CIN plan ended and the case closed: RC7.
    c = Child().registered(D(2025, 4, 10), upn=None, upn_unknown_reason="UN2")
    ep = Episode(c).referred(D(2025, 4, 14), "assessment").assessed(D(2025, 4, 15), D(2025, 4, 30), "cin_plan", factors=("4B",))
    plan = ep.plan("cin", D(2025, 5, 1))
    ep.plan_ended(plan, "cin", D(2025, 5, 1), D(2025, 12, 1), "close").closed(D(2025, 12, 1), "RC7")
    children.append(c)
    # An episode from the year before, closed in this one.
    c = Child().registered(D(2024, 11, 1), upn=upn(8))
    ep = Episode(c).referred(D(2024, 11, 4), "assessment").assessed(D(2024, 11, 5), D(2024, 12, 2), "cin_plan", factors=("1B",))
    plan = ep.plan("cin", D(2024, 12, 3))
    ep.plan_ended(plan, "cin", D(2024, 12, 3), D(2025, 6, 30), "close").closed(D(2025, 6, 30), "RC7")
    children.append(c)
    return children


async def census_of(api: Api, tmp_path: Path, as_at: str) -> Path:
    async with api.as_user("auditor", teams=()) as auditor:
        answer = await auditor.get("/v1/census/2026", params={"as_at": as_at})
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("application/xml")
    census = tmp_path / f"census-{as_at}.xml"
    census.write_bytes(answer.content)
    return census


async def test_the_census_of_a_year_of_journeys_passes_the_dfe_validator(api: Api, cases: Cases, tmp_path: Path) -> None:
    children = journeys()
    for child in children:
        await cases.deliver_all(child.events)
    front_door_nfa = children[0].la_child_id

    # The whole year (asked after it ended), then the year to date at 30 September 2025.
    ours = [c.la_child_id for c in children]
    for as_at, listed in (("2026-04-30", ours), ("2025-09-30", ours[:5] + ours[6:])):
        census = await census_of(api, tmp_path, as_at)
        root = ET.parse(census).getroot()
        assert root.findtext("Header/CollectionDetails/ReferenceDate") == "2026-03-31"
        assert root.findtext("Header/Source/LEA") == "999"  # the dev council policy's la_code
        in_file = [c.findtext("ChildIdentifiers/LAchildID") for c in root.findall("Children/Child")]
        assert sorted(set(in_file) & set(ours)) == sorted(listed)
        report = validate(census)
        assert report.rules > 100 and not report.crashed
        assert report.errors == [], report.errors
        # Every query, explained:
        # - 8825Q (RC8 with no assessment in the episode): the front door's NFA. Step-down closes it RC8
        #   on the referral date, with ReferralNFA true (decision 37); the DfE asks the council to
        #   confirm, and RC8 is what a front-door NFA is returned as.
        # - 2887Q (fewer than 8 disability codes in the return): a return-level query about the whole
        #   council's spread of codes; a file of a handful of children cannot have eight.
        queries = {(q.code, q.child_id) for q in report.queries if q.child_id in ours or not q.child_id}
        assert queries == {("8825Q", front_door_nfa), ("2887Q", "")}


async def test_the_year_to_date_leaves_later_facts_out(api: Api, cases: Cases, tmp_path: Path) -> None:
    """On 30 September 2025 the plan that ended on 1 December was open and its case not closed;
    the child referred in November is not in the file yet."""
    children = journeys()
    for child in children:
        await cases.deliver_all(child.events)
    root = ET.parse(await census_of(api, tmp_path, "2025-09-30")).getroot()
    by_id = {c.findtext("ChildIdentifiers/LAchildID"): c for c in root.findall("Children/Child")}
    assert children[5].la_child_id not in by_id  # the unborn child, referred on 3 November
    no_upn = by_id[children[6].la_child_id]
    assert no_upn.findtext("ChildIdentifiers/UPNunknown") == "UN2"
    assert no_upn.find("CINdetails/CINclosureDate") is None and no_upn.find("CINdetails/CINPlanDates/CINPlanEndDate") is None
    cp = by_id[children[3].la_child_id].find("CINdetails/ChildProtectionPlans")
    assert cp is not None and cp.find("CPPendDate") is None
    assert [r.text for r in cp.findall("Reviews/CPPreviewDate")] == ["2025-07-17"]
    pp = by_id[children[3].la_child_id].find("CINdetails/PreProceedingsandFGDM")
    assert pp is None  # pre-proceedings started on 1 October


async def test_the_census_is_for_those_who_run_the_return(api: Api) -> None:
    for role in ("practitioner", "front_door", "early_help"):
        async with api.as_user(role) as caller:
            assert (await caller.get("/v1/census/2026")).status_code == 403
    async with api.as_user("manager") as manager:
        refused = await manager.get("/v1/census/2030", params={"as_at": "2026-12-01"})
        assert refused.status_code == 422, refused.text
        tomorrow = (clock.today() + timedelta(days=1)).isoformat()
        future = await manager.get("/v1/census/2027", params={"as_at": tomorrow})
    assert future.status_code == 422 and future.json()["errors"][0]["field"] == "as_at", future.text
