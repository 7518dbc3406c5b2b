"""What ``continuum import census`` reports of the returns before it sends anything (each return,
the merged history, what is open at its end, each problem one line), and how it cuts the history
into each service's part: the front door's decision, an assessment's outcome, how a plan ended,
and the one current record of an open episode (whose owner tells partners)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from importing.test_census_reader import census, child, episode

from continuum_tools.importing.census_reader import read_census
from continuum_tools.importing.command import report
from continuum_tools.importing.generate import generate_history, generated_children
from continuum_tools.importing.merge import merge
from continuum_tools.importing.payloads import PATHS, assessment_outcome, current_record, ending, front_door_decision, parts
from continuum_tools.importing.records import Assessment, CinPlan, CpPlan, Episode, Section47


def _report(paths: list[Path]) -> list[str]:
    read = [(p, read_census(p)) for p in paths]
    lines: list[str] = []
    report(read, merge([c for _, c in read]), lines.append)
    return lines


def test_the_report_names_each_return_the_history_and_what_is_open_at_its_end(tmp_path: Path) -> None:
    paths = []
    for year, xml in zip(range(2023, 2026), generate_history(11, range(2023, 2026), referrals_per_year=15), strict=True):
        paths.append(tmp_path / f"cin-{year}.xml")
        paths[-1].write_bytes(xml)
    lines = _report(paths)
    assert [line.split(":")[0] for line in lines[:3]] == ["cin-2023.xml", "cin-2024.xml", "cin-2025.xml"]
    assert lines[3].startswith("History: ") and "over 3 collection years" in lines[3]
    assert lines[4].startswith("Open on 2025-03-31: ")
    assert lines[5] == "0 problems (child: element: reason)"


def test_a_bad_child_is_one_line_and_the_others_are_read(tmp_path: Path) -> None:
    bad = episode().replace("<ReferralSource>6</ReferralSource>", "<ReferralSource>Z9</ReferralSource>")
    path = tmp_path / "cin-2019.xml"
    path.write_bytes(census(child("GOOD1") + child("BAD01", episodes=bad)))
    lines = _report([path])
    assert "1 children, 1 episodes read, 1 children left out" in lines[0]
    assert lines[1].startswith("History: 1 children, 1 episodes")
    assert [line.strip() for line in lines if line.startswith("  ")] == [
        "BAD01: CINdetails/ReferralSource: 'Z9' is not a code of the DfE list"
    ]


D = date(2020, 5, 1)


def test_the_front_door_decision_and_the_assessment_outcome_are_derived_from_what_followed() -> None:
    assert front_door_decision(Episode(D, referral_nfa=True)) == "nfa"
    assert front_door_decision(Episode(D, section47s=(Section47(D),), assessments=(Assessment(D),))) == "strategy_discussion"
    assert front_door_decision(Episode(D, assessments=(Assessment(date(2020, 5, 2)),))) == "assessment"
    done = Assessment(D, authorised=date(2020, 6, 1))
    assert assessment_outcome(Episode(D, assessments=(done,), cin_plans=(CinPlan(date(2020, 6, 1)),)), done) == "cin_plan"
    assert assessment_outcome(Episode(D, assessments=(done,), cp_plans=(CpPlan(date(2020, 6, 5)),)), done) == "child_protection"
    assert assessment_outcome(Episode(D, closure=date(2020, 6, 1), reason_for_closure="RC9"), done) == "early_help"
    assert assessment_outcome(Episode(D, closure=date(2020, 6, 1), reason_for_closure="RC8"), done) == "nfa"
    assert assessment_outcome(Episode(D), Assessment(D)) is None  # not authorised: no outcome yet


def test_how_a_plan_ended_is_derived_from_the_episode() -> None:
    cin, cp = CinPlan(D, end=date(2020, 8, 1)), CpPlan(date(2020, 8, 1), end=date(2021, 1, 1))
    assert ending(Episode(D, cin_plans=(cin,), cp_plans=(cp,)), cin) == ("escalate_cp", None)
    closed = Episode(D, cp_plans=(cp,), closure=date(2021, 1, 1), reason_for_closure="RC4")
    assert ending(closed, cp) == ("close", "RC4")
    assert ending(Episode(D, cp_plans=(cp,)), cp) == ("universal", None)
    assert ending(Episode(D), CinPlan(D)) == (None, None)


def test_an_open_episode_has_one_current_record_and_a_closed_one_none() -> None:
    cin = CinPlan(date(2020, 7, 1))
    open_plan = Episode(D, assessments=(Assessment(D, authorised=date(2020, 6, 1)),), cin_plans=(cin,))
    assert current_record(open_plan, date(2021, 3, 31)) is cin
    assessing = Episode(D, assessments=(a := Assessment(D),))
    assert current_record(assessing, date(2021, 3, 31)) is a
    assert current_record(Episode(D), date(2021, 3, 31)) == Episode(D)  # referred, nothing more yet
    assert current_record(Episode(D, closure=date(2020, 9, 1), reason_for_closure="RC8"), date(2021, 3, 31)) is None


def test_every_child_has_a_referral_part_and_each_open_episode_one_current_status() -> None:
    children = generated_children(5, range(2022, 2026), referrals_per_year=20)
    cut = parts(children, end=date(2025, 3, 31), team_of=lambda _: "north")
    assert list(cut) == list(PATHS)
    assert [c["la_child_id"] for c in cut["referral"]] == [c.la_child_id for c in children]
    for ch in children:
        for ep in ch.episodes:
            open_at_end = ep.closure is None or ep.closure > date(2025, 3, 31)
            flags = _current_flags(cut, ch.la_child_id, ep.referral_date.isoformat())
            assert flags == (1 if open_at_end else 0), (ch.la_child_id, ep)
    closed = sum(1 for ch in children for ep in ch.episodes if ep.closure)
    assert sum(len(c["episodes"]) for c in cut["stepdown"]) == closed


def _current_flags(cut: dict[str, list[dict[str, object]]], la_child_id: str, referral_date: str) -> int:
    """How many records of the episode, across the services' parts, are flagged its current stage."""
    count = 0
    for service in ("referral", "assessment", "plan"):
        for part in cut[service]:
            if part["la_child_id"] != la_child_id:
                continue
            for ep in part["episodes"]:  # type: ignore[attr-defined]
                if ep["referral_date"] != referral_date:
                    continue
                count += int(bool(ep.get("current_status")))
                for key in ("assessments", "section47s", "cin_plans", "cp_plans"):
                    count += sum(int(r["current_status"]) for r in ep.get(key, []))
    return count
