"""A year of journeys through the four case services' APIs, and the CIN census the insight service
makes of it: the DfE's own validator (``csc-validator-be-cin``, ruleset cin2026_27) finds no error
in the file and every query it raises is explained here; section 5, which the released validator
does not read, passes the DfE's draft rules (``continuum_tools.testing.section5``).

Every route of the issue is driven as its users take it (``year_of_journeys.Driver``), on the day it
happens in the collection year 2025-26: the front door's NFA, an assessment's NFA, CIN plans (one
open on 31 March), a strategy discussion to a section 47 and a CP plan reviewed and stepped down,
a CIN plan escalated to child protection, an enquiry without a conference, pre-proceedings to court,
step-down to early help and a step-up back, closures with every reason RC1 to RC9, an unborn child,
a school-age child without a UPN, an episode begun the year before and a child referred twice.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
from year_of_journeys import Child, Clock, Driver, Stack, five_services, upn

from continuum_tools.devstack import TansuBroker
from continuum_tools.testing import section5, start_broker
from continuum_tools.testing.cin_validator import validate

D = date


@pytest.fixture(scope="module")
def year_broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TansuBroker]:
    """A broker of this module's own: the services' own tests keep apps in the same consumer groups
    on the session broker, which would take part of this year's events."""
    broker = start_broker(tmp_path_factory.mktemp("census-year-tansu"))
    yield broker
    broker.stop()


@pytest.fixture(scope="module")
async def stack(make_database: Callable[[str, Path], str], year_broker: TansuBroker) -> AsyncIterator[Stack]:
    async with five_services(make_database, year_broker.bootstrap, "census_year") as running:
        yield running


@dataclass
class Expected:
    """What the census must say of one child's last episode in the year."""

    child: Child
    closure: str | None  # ReasonForClosure, or None: open on 31 March
    referral_nfa: bool = False


@dataclass
class Year:
    """What the year's journeys left: what each child's census record must show, and the clock."""

    children: list[Expected]
    clock: Clock


@pytest.fixture(scope="module")
async def year(stack: Stack) -> AsyncIterator[Year]:
    """The year's journeys, driven once for the module's tests, with the kernel clock moved in this
    process until the module ends (each test sets the day it reads on)."""
    with pytest.MonkeyPatch.context() as monkeypatch:
        drive = Driver(stack, Clock(monkeypatch))
        yield Year(await a_year(drive), drive.clock)


async def a_year(drive: Driver) -> list[Expected]:
    """The journeys, each through the services' APIs; what each child's census record must show."""
    expected: list[Expected] = []

    # The front door's NFA (RC8, ReferralNFA), and the same child referred again in the autumn,
    # assessed and closed NFA: two episodes, one after the other.
    twice = Child.new(upn=upn(1))
    await drive.refer(twice, D(2025, 5, 6), "nfa")
    await drive.heard(twice, "case.closed")
    again = await drive.refer(twice, D(2025, 10, 6), "assessment")
    await drive.assess(again, D(2025, 10, 7), D(2025, 10, 24), "nfa", factors=("21",), primary_need="N9")
    await drive.heard(twice, "case.closed", 2)
    expected.append(Expected(twice, "RC8"))

    # A CIN plan, reviewed, open on 31 March (a school referral; a child with two disabilities).
    open_cin = Child.new(upn=upn(3), disabilities=["AUT", "COMM"])
    episode = await drive.refer(open_cin, D(2025, 7, 1), "assessment", source="2A")
    await drive.assess(episode, D(2025, 7, 2), D(2025, 7, 25), "cin_plan")
    await drive.plan(episode, "cin", D(2025, 7, 28))
    await drive.review(episode, "cin", D(2025, 10, 20))
    await drive.heard(open_cin, "plan.reviewed")
    expected.append(Expected(open_cin, None))

    # A strategy discussion at the front door: a section 47 enquiry, the conference's CP plan,
    # reviewed and stepped down to a CIN plan; pre-proceedings to court.
    protected = Child.new(upn=upn(4), ethnicity="BAFR", sex="M", born=D(2019, 8, 2))
    episode = await drive.refer(protected, D(2025, 4, 7), "strategy_discussion")
    await drive.enquire(episode, D(2025, 4, 8), D(2025, 4, 24), "cp_plan")
    await drive.assess(episode, D(2025, 4, 8), D(2025, 4, 24), "child_protection", factors=("3B", "16A"), route="section47")
    await drive.plan(episode, "cp", D(2025, 4, 24), approved=D(2025, 4, 25))
    await drive.review(episode, "cp", D(2025, 7, 17))
    await drive.preproceedings(
        episode,
        D(2025, 10, 1),
        letter=D(2025, 10, 2),
        meeting=D(2025, 10, 15),
        reviews=[D(2025, 11, 20)],
        decided=D(2026, 1, 9),
        court=D(2026, 1, 12),
        letter_initiating=D(2026, 1, 14),
    )
    await drive.review(episode, "cp", D(2026, 1, 15), decision="step_down_cin")
    await drive.end_plan(episode, "cp", D(2026, 1, 15), "step_down_cin")
    await drive.plan(episode, "cin", D(2026, 1, 15), approved=D(2026, 1, 16))
    await drive.heard(protected, "plan.started", 2)
    expected.append(Expected(protected, None))

    # A CIN plan escalated to child protection: the section 47 the escalation starts, the
    # conference's CP plan, reviewed, open on 31 March; the enquiry's assessment authorised.
    escalated = Child.new(upn=upn(5), sex="M", born=D(2012, 1, 20))
    episode = await drive.refer(escalated, D(2025, 5, 12), "assessment", source="3A")
    await drive.assess(episode, D(2025, 5, 13), D(2025, 6, 6), "cin_plan", factors=("2B", "3B"))
    await drive.plan(episode, "cin", D(2025, 6, 9))
    await drive.end_plan(episode, "cin", D(2025, 8, 15), "escalate_cp", unmet_need=True)
    await drive.enquire(episode, D(2025, 8, 15), D(2025, 8, 29), "cp_plan")
    await drive.assess(episode, D(2025, 8, 18), D(2025, 8, 29), "child_protection", factors=("3B", "17A"), route="section47")
    await drive.plan(episode, "cp", D(2025, 8, 29))
    await drive.review(episode, "cp", D(2025, 11, 20))
    await drive.heard(escalated, "plan.reviewed")
    expected.append(Expected(escalated, None))

    # A strategy discussion whose enquiry ends without a conference; the assessment finds no need:
    # an NFA after an enquiry closes RC7 (rule 2990), not RC8.
    enquired = Child.new(upn=upn(6), born=D(2014, 6, 30))
    episode = await drive.refer(enquired, D(2025, 8, 4), "strategy_discussion", source="6")
    await drive.enquire(episode, D(2025, 8, 5), None, "no_cp_plan")
    await drive.assess(episode, D(2025, 8, 5), D(2025, 8, 20), "nfa", factors=("20",), primary_need="N9", route="section47")
    await drive.heard(enquired, "case.closed")
    expected.append(Expected(enquired, "RC7"))

    # An assessment that finds early help will do: early help accepts the handover (RC9).
    early_help = Child.new(upn=upn(7), born=D(2010, 11, 5))
    episode = await drive.refer(early_help, D(2025, 9, 1), "assessment", source="3A")
    await drive.assess(episode, D(2025, 9, 2), D(2025, 9, 19), "early_help", factors=("4B",), primary_need="N4")
    await drive.hand_over(episode, D(2025, 9, 22))
    await drive.heard(early_help, "case.closed")
    expected.append(Expected(early_help, "RC9"))

    # A CIN plan stepped down to early help (RC7: rule 2990), and early help's step-up back in
    # March: a referral from source 5D, its assessment in progress (within 45 working days) on 31 March.
    stepped = Child.new(upn=upn(8), born=D(2013, 2, 11))
    episode = await drive.refer(stepped, D(2025, 4, 22), "assessment", source="1A")
    await drive.assess(episode, D(2025, 4, 23), D(2025, 5, 20), "cin_plan", factors=("1B",), primary_need="N5")
    await drive.plan(episode, "cin", D(2025, 5, 21))
    await drive.end_plan(episode, "cin", D(2025, 9, 30), "step_down_early_help", unmet_need=True)
    await drive.hand_over(episode, D(2025, 10, 3))
    await drive.step_up(episode, D(2026, 3, 2))
    back = await drive.decide_step_up(stepped, D(2026, 3, 3), "assessment")
    await drive.assess(back, D(2026, 3, 4), D(2026, 3, 4), "cin_plan", authorise=False)
    await drive.heard(stepped, "assessment.opened", 2)
    expected.append(Expected(stepped, None))

    # An unborn child (sex U, an expected date of birth), on a CIN plan from December.
    unborn = Child.new(born=None, expected_date_of_birth="2026-06-01", sex="U")
    episode = await drive.refer(unborn, D(2025, 11, 3), "assessment", source="3B")
    await drive.assess(episode, D(2025, 11, 4), D(2025, 11, 28), "cin_plan", factors=("2B",))
    await drive.plan(episode, "cin", D(2025, 12, 1))
    await drive.heard(unborn, "plan.started")
    expected.append(Expected(unborn, None))

    # A school-age child without a UPN (the reason given), the plan ended and the case closed: RC7.
    no_upn = Child.new(upn_unknown_reason="UN2", born=D(2015, 9, 9))
    episode = await drive.refer(no_upn, D(2025, 4, 14), "assessment")
    await drive.assess(episode, D(2025, 4, 15), D(2025, 4, 30), "cin_plan", factors=("4B",), primary_need="N3")
    await drive.plan(episode, "cin", D(2025, 5, 1))
    await drive.end_plan(episode, "cin", D(2025, 12, 1), "close", reason_for_closure="RC7")
    await drive.heard(no_upn, "case.closed")
    expected.append(Expected(no_upn, "RC7"))

    # An episode begun the year before, closed in this one (services ceased: RC7).
    old = Child.new(upn=upn(10), born=D(2011, 4, 1))
    episode = await drive.refer(old, D(2024, 11, 4), "assessment")
    await drive.assess(episode, D(2024, 11, 5), D(2024, 12, 2), "cin_plan", factors=("1B",))
    await drive.plan(episode, "cin", D(2024, 12, 3))
    await drive.end_plan(episode, "cin", D(2025, 6, 30), "close", reason_for_closure="RC7")
    await drive.heard(old, "case.closed")
    expected.append(Expected(old, "RC7"))

    # Closures with each other reason, each after a CIN plan referred on 16 June; RC2 after the
    # child's death is recorded, the plan ending that day (a later end is refused: census 4009Q);
    # RC6 (to adult social care) for a young person of 17. The closure dates sit on the duration
    # bands' edges: 15 September (under 3 months), 16 September (3 months: 3 to 6), 16 December
    # (6 months: 6 to 9), 16 March (9 months: 9 or more).
    for n, (reason, born, ended) in enumerate(
        (
            ("RC1", D(2018, 5, 5), D(2025, 9, 16)),
            ("RC2", D(2017, 2, 2), D(2026, 2, 2)),
            ("RC3", D(2016, 7, 7), D(2025, 12, 16)),
            ("RC4", D(2015, 1, 30), D(2025, 9, 15)),
            ("RC5", D(2012, 10, 10), D(2026, 2, 27)),
            ("RC6", D(2008, 6, 1), D(2026, 3, 16)),
        ),
        start=20,
    ):
        closed = Child.new(upn=upn(n), born=born)
        episode = await drive.refer(closed, D(2025, 6, 16), "assessment", source="8")
        await drive.assess(episode, D(2025, 6, 17), D(2025, 7, 11), "cin_plan", factors=("3B",), primary_need="N4")
        await drive.plan(episode, "cin", D(2025, 7, 14))
        if reason == "RC2":
            await drive.died(closed, ended)
        await drive.end_plan(episode, "cin", ended, "close", reason_for_closure=reason)
        await drive.heard(closed, "case.closed")
        expected.append(Expected(closed, reason))

    return expected


async def test_a_year_of_journeys_through_the_services_makes_a_census_the_dfe_validator_passes(
    stack: Stack, year: Year, tmp_path: Path
) -> None:
    expected = year.children
    year.clock.on(D(2026, 4, 30))
    async with stack.client("insight", "performance", teams=()) as performance:
        answer = await performance.get("/v1/census/2026", params={"as_at": "2026-04-30"})
    assert answer.status_code == 200, answer.text
    census = tmp_path / "census-2026.xml"
    census.write_bytes(answer.content)

    root = ET.parse(census).getroot()
    by_id = {c.findtext("ChildIdentifiers/LAchildID"): c for c in root.findall("Children/Child")}
    assert sorted(by_id) == sorted(e.child.la_child_id for e in expected)
    for e in expected:
        last = by_id[e.child.la_child_id].findall("CINdetails")[-1]
        assert last.findtext("ReasonForClosure") == e.closure, (e.child.la_child_id, ET.tostring(last))

    # The children the issue names, as the services recorded them.
    twice = by_id[expected[0].child.la_child_id].findall("CINdetails")
    assert [(e.findtext("CINreferralDate"), e.findtext("ReferralNFA"), e.findtext("CINclosureDate")) for e in twice] == [
        ("2025-05-06", "true", "2025-05-06"),
        ("2025-10-06", "false", "2025-10-24"),
    ]
    unborn = by_id[next(e.child.la_child_id for e in expected if e.child.body["sex"] == "U")]
    assert (unborn.findtext("ChildIdentifiers/ExpectedPersonBirthDate"), unborn.findtext("ChildIdentifiers/Sex")) == (
        "2026-06-01",
        "U",
    )
    no_upn = by_id[next(e.child.la_child_id for e in expected if e.child.body.get("upn_unknown_reason"))]
    assert (no_upn.findtext("ChildIdentifiers/UPN"), no_upn.findtext("ChildIdentifiers/UPNunknown")) == (None, "UN2")
    stepped_up = by_id[expected[6].child.la_child_id].findall("CINdetails")
    assert [e.findtext("ReferralSource") for e in stepped_up] == ["1A", "5D"]

    report = validate(census)
    assert report.rules > 100 and not report.crashed
    assert report.errors == [], report.errors
    # Every query, explained:
    # - 8825Q (RC8 with no assessment in the episode): the front door's NFA, which step-down closes
    #   RC8 on the referral date with ReferralNFA (decision 37); the DfE asks the council to confirm
    #   it, and RC8 is how a front-door NFA is returned. The same child's second episode (assessed)
    #   draws none.
    queries = sorted((q.code, q.child_id) for q in report.queries)
    assert queries == [("8825Q", expected[0].child.la_child_id)], queries

    # Section 5: the DfE's draft rules over the one pre-proceedings block (the released validator
    # does not read it): no finding.
    assert section5.check(census) == []
    [block] = root.findall("Children/Child/CINdetails/PreProceedingsandFGDM")
    assert [(e.tag, e.text) for e in block] == [
        ("PPStartDate", "2025-10-01"),
        ("LBPSentDate", "2025-10-02"),
        ("FGDMMeetingOffer", "1"),
        ("FGDMMeetingFac", "1"),
        ("InitialPPMeetingDate", "2025-10-15"),
        ("ReviewMeetingsCount", "1"),
        ("StepDecisionDate", "2026-01-09"),
        ("PPOutcome", "A"),
        ("CourtAppDate", "2026-01-12"),
        ("LetterInitCPDate", "2026-01-14"),
    ]


#: The year's financial quarters.
QUARTERS = ("2025-26 Q1", "2025-26 Q2", "2025-26 Q3", "2025-26 Q4")
#: What the journeys above built into the year, counted by hand from their dates: referrals received
#: (the step-up's 5D referral is received on the day early help asked, 2 March), and closures by
#: the closure date's quarter and the duration band from the referral date (the band edges are the
#: closures of 15 and 16 September, 16 December and 16 March; the quarters' last days, 30 June and
#: 30 September, close an episode each).
REFERRALS = {"2025-26 Q1": 11, "2025-26 Q2": 3, "2025-26 Q3": 2, "2025-26 Q4": 1}
CLOSURES = {
    "2025-26 Q1": {"under_3_months": 1, "3_to_6_months": 0, "6_to_9_months": 1, "9_months_or_more": 0},
    "2025-26 Q2": {"under_3_months": 3, "3_to_6_months": 2, "6_to_9_months": 0, "9_months_or_more": 0},
    "2025-26 Q3": {"under_3_months": 1, "3_to_6_months": 0, "6_to_9_months": 2, "9_months_or_more": 0},
    "2025-26 Q4": {"under_3_months": 0, "3_to_6_months": 0, "6_to_9_months": 2, "9_months_or_more": 1},
}
#: Insight's name of each figure step-down also counts (decision 52).
SHARED_WITH_STEPDOWN = {
    "closures": "closures",
    "closures_with_unmet_need": "closures_with_unmet_need",
    "unmet_need_share": "unmet_need_share",
    "handovers": "handovers_to_early_help",
    "accepted": "handovers_accepted",
    "declined": "handovers_declined",
    "acceptance_rate": "early_help_acceptance",
    "step_ups_within_12_months": "step_ups_within_12_months",
}


async def test_the_measures_are_the_figures_built_into_the_year_and_agree_with_step_down_and_assessment(
    stack: Stack, year: Year
) -> None:
    year.clock.on(D(2026, 4, 30))
    async with (
        stack.client("insight", "performance", teams=()) as performance,
        stack.client("stepdown", "auditor", teams=()) as stepdown_auditor,
        stack.client("assessment", "auditor", teams=()) as assessment_auditor,
    ):
        r = await stepdown_auditor.get("/v1/measures", params={"from": "2025-04-01", "to": "2026-03-31"})
        assert r.status_code == 200, r.text
        stepdown = {q["quarter"]: q["current"] for q in r.json()["quarters"] if q["team"] == "all"}
        for quarter in QUARTERS:
            r = await performance.get("/v1/measures", params={"period": quarter.replace(" ", "-")})
            assert r.status_code == 200, r.text
            assert not r.json()["period"]["partial"], r.json()["period"]
            ours = {name: figure["value"] for name, figure in r.json()["total"]["figures"].items()}
            # The figures built into the year, at the bands' and the quarters' edges.
            assert ours["referrals"] == REFERRALS[quarter], quarter
            bands = {band: ours[f"closures_{band}"] for band in CLOSURES[quarter]}
            assert bands == CLOSURES[quarter], quarter
            assert ours["closures"] == sum(CLOSURES[quarter].values()), quarter
            # Step-down's own measures of the same quarter, figure by figure.
            theirs = stepdown[quarter]
            assert {b: theirs["closures_by_duration"][b] for b in CLOSURES[quarter]} == bands, quarter
            assert {ours_: ours[ours_] for ours_ in SHARED_WITH_STEPDOWN.values()} == {
                ours_: theirs[name] for name, ours_ in SHARED_WITH_STEPDOWN.items()
            }, quarter

        # The whole financial year, and the assessment service's timeliness of the same year.
        r = await performance.get("/v1/measures", params={"period": "2025-26"})
        assert r.status_code == 200, r.text
        ours = {name: figure["value"] for name, figure in r.json()["total"]["figures"].items()}
        assert ours["referrals"] == sum(REFERRALS.values())
        assert ours["closures"] == sum(sum(c.values()) for c in CLOSURES.values())
        r = await assessment_auditor.get("/v1/assessments/measures", params={"from": "2025-04-01", "to": "2026-03-31"})
        assert r.status_code == 200, r.text
        assessed = r.json()
        assert (
            ours["assessments_completed"],
            ours["assessments_median_working_days"],
            ours["assessments_within_45_working_days"],
        ) == (
            assessed["completed"],
            assessed["median_working_days"],
            assessed["within_45_working_days"],
        )
