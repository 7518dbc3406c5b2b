"""The managers' measures from the read model: journeys of the four services' contract events
(``census_journeys``), handed to insight's real consumer, whose figures are known by construction.

They are dated in the financial quarter 2019-20 Q1 and the same quarter a year before, which no
other test of the service writes into; teams east and south (the period's only teams).
"""

from __future__ import annotations

import csv
import io
from datetime import date
from typing import Any

from census_journeys import Child, Episode
from insight_support import Api, Cases, assert_problem
from measures_journeys import Q1, delivered

from continuum.casework import clock
from continuum.casework.bands import add_months
from continuum.casework.calendar import add_working_days
from insight.domain.periods import financial_year_start

D = date


async def measures(api: Api, *roles: str, teams: tuple[str, ...] = (), **params: str) -> dict[str, Any]:
    async with api.as_user(*roles, teams=teams) as caller:
        answer = await caller.get("/v1/measures", params=params)
    assert answer.status_code == 200, answer.text
    found: dict[str, Any] = answer.json()
    return found


def values(team: dict[str, Any], key: str = "value") -> dict[str, Any]:
    return {name: f[key] for name, f in team["figures"].items()}


async def test_the_quarter_s_figures_by_team_and_in_total(api: Api, cases: Cases) -> None:
    await delivered(cases)
    answer = await measures(api, "performance", **Q1)
    assert answer["period"] | {"as_at": None} == {
        "date_from": "2019-04-01",
        "date_to": "2019-06-30",
        "name": "2019-20 Q1",
        "as_at": None,
        "counted_to": "2019-06-30",
        "partial": False,
        "not_over": False,
        "not_covered": False,
        "year_before_from": "2018-04-01",
        "year_before_to": "2018-06-30",
        "year_before_not_covered": False,
    }
    by_team = {t["team"]: t for t in answer["by_team"]}
    assert list(by_team) == ["east", "south"]
    east, south, total = values(by_team["east"]), values(by_team["south"]), values(answer["total"])
    expected_east = {
        "referrals": 2,
        "re_referrals": 1,
        "re_referral_share": 0.5,
        "referrals_decided": 2,
        "nfa_share": 0.5,
        "assessments_completed": 2,
        "assessments_median_working_days": 52.5,
        "assessments_within_45_working_days": 0.5,
        "cin_plans_open": 1,
        "cin_plans_open_median_age_days": 27.0,
        "reviews": 1,
        "reviews_on_time": 1.0,
        "visits": 2,
        "visits_on_time": 0.5,
        "visits_child_seen": 0.5,
        "drift_findings": 1,
        "drift_review_overdue": 1,
        "closures": 3,
        "closures_under_3_months": 1,
        "closures_3_to_6_months": 1,
        "closures_6_to_9_months": 1,
        "closures_9_months_or_more": 0,
        "closures_with_unmet_need": 1,
        "unmet_need_share": 0.3333,
        "closures_stepped_down_to_early_help": 1,
        "handovers_to_early_help": 1,
        "handovers_accepted": 1,
        "early_help_acceptance": 1.0,
        "step_ups": 0,
    }
    assert {k: east[k] for k in expected_east} == expected_east
    cp_days = (D(2019, 6, 14) - add_working_days(D(2019, 4, 11), 16)).days
    expected_south = {
        "referrals": 3,
        "re_referrals": 0,
        "referrals_decided": 2,
        "nfa_share": 0.0,
        "section47s_started": 2,
        "icpcs": 2,
        "icpcs_within_15_working_days": 0.5,
        "cp_plans_open": 1,
        "cp_plans_ended": 1,
        "cp_plans_ended_median_days": float(cp_days),
        "cin_plans_open": 0,
        "closures": 0,
        "unmet_need_share": None,
        "handovers_to_early_help": 1,
        "handovers_declined": 1,
        "early_help_acceptance": 0.0,
        "step_ups": 2,
        "step_ups_within_12_months": 1,
    }
    assert {k: south[k] for k in expected_south} == expected_south
    assert total["referrals"] == 5 and total["closures"] == 3 and total["icpcs"] == 2 and total["step_ups"] == 2
    assert total["nfa_share"] == 0.25  # 1 NFA of 4 decided
    assert answer["not_measured"].keys() == {"plan_action_quality"}


async def test_the_same_quarter_a_year_before_and_the_change(api: Api, cases: Cases) -> None:
    await delivered(cases)
    answer = await measures(api, "auditor", **Q1)
    east = {t["team"]: t for t in answer["by_team"]}["east"]["figures"]
    assert east["referrals"] == {"value": 2, "year_before": 2, "change": 0, "change_percent": 0.0}
    assert east["closures"] == {"value": 3, "year_before": 1, "change": 2, "change_percent": 200.0}
    assert east["assessments_within_45_working_days"] == {
        "value": 0.5,
        "year_before": 1.0,
        "change": -0.5,
        "change_percent": -50.0,
    }
    assert east["cin_plans_open"] == {"value": 1, "year_before": 0, "change": 1, "change_percent": None}
    south = {t["team"]: t for t in answer["by_team"]}["south"]["figures"]
    assert south["nfa_share"] == {"value": 0.0, "year_before": 1.0, "change": -1.0, "change_percent": -100.0}


async def test_corrections_duplicates_and_any_order(api: Api, cases: Cases) -> None:
    """A corrected decision replaces the first; a reopened closure and a withdrawn handover are not
    counted; every event delivered twice, newest first, changes none of it (2017-18 Q2)."""
    k, m_, n = (Child().registered(D(2017, 1, 2)) for _ in range(3))
    Episode(k, team="disabled-children").referred(D(2017, 7, 3), "nfa").decision_corrected(D(2017, 7, 4), "assessment")
    ep = (
        Episode(m_, team="disabled-children")
        .referred(D(2017, 7, 5), "nfa")
        .closed(D(2017, 7, 5), "RC8", nfa=True, assessed=False)
    )
    ep.reopened(D(2017, 7, 6))
    ep = Episode(n, team="disabled-children").referred(D(2017, 8, 1), "early_help")
    ep.handover_withdrawn(ep.handover(D(2017, 8, 1), answer=None), D(2017, 8, 2))
    events = [e for child in (k, m_, n) for e in child.events]
    await cases.deliver_all(events[::-1] + events)
    answer = await measures(api, "auditor", team="disabled-children", period="2017-18-Q2")
    figures = values(answer["total"])
    assert (figures["referrals"], figures["referrals_decided"], figures["nfa_share"]) == (3, 3, 0.3333)
    assert (figures["closures"], figures["handovers_to_early_help"]) == (0, 0)


async def test_json_and_csv_agree(api: Api, cases: Cases) -> None:
    await delivered(cases)
    answer = await measures(api, "manager", teams=("east", "south"), **Q1)
    async with api.as_user("manager", teams=("east", "south")) as manager:
        exported = await manager.get("/v1/measures.csv", params=Q1)
    assert exported.status_code == 200 and exported.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    teams = [*answer["by_team"], answer["total"]]
    assert len(rows) == sum(len(t["figures"]) for t in teams)
    for row in rows:
        figure = next(t for t in teams if t["team"] == row["team"])["figures"][row["figure"]]
        for key in ("value", "year_before", "change", "change_percent"):
            assert row[key] == ("" if figure[key] is None else str(figure[key]).removesuffix(".0")), (row, key)
        assert row["partial"] == "false" and row["date_from"] == "2019-04-01"


async def test_a_manager_sees_their_teams_and_team_narrows(api: Api, cases: Cases) -> None:
    await delivered(cases)
    mine = await measures(api, "manager", teams=("east",), **Q1)
    assert [t["team"] for t in mine["by_team"]] == ["east"] and mine["total"]["figures"]["referrals"]["value"] == 2
    narrowed = await measures(api, "admin", team="south", **Q1)
    assert [t["team"] for t in narrowed["by_team"]] == ["south"] and narrowed["total"]["figures"]["referrals"]["value"] == 3
    # A team of the council with nothing in the quarter: its figures are there, zero.
    north = await measures(api, "manager", teams=("north",), **{"from": "2019-04-01", "to": "2019-06-30"})
    assert north["by_team"][0]["figures"]["referrals"]["value"] == 0
    async with api.as_user("manager", teams=("east",)) as manager:
        other = await manager.get("/v1/measures", params=Q1 | {"team": "south"})
    assert other.status_code == 404, other.text


async def test_a_period_not_over_is_partial_and_counted_to_today(api: Api) -> None:
    today = clock.london_date(clock.now())
    year = financial_year_start(today).year
    answer = await measures(api, "performance", period=f"{year}-{(year + 1) % 100:02d}")
    p = answer["period"]
    assert p["date_to"] == f"{year + 1}-03-31" and p["as_at"] == today.isoformat()
    assert p["partial"] and p["not_over"] and p["counted_to"] == today.isoformat()
    assert p["year_before_to"] == add_months(today, -12).isoformat()
    async with api.as_user("auditor") as auditor:
        later = await auditor.get("/v1/measures", params={"period": f"{year + 2}"})
    assert_problem(later, 422, field="from")  # not begun: nothing is known of it


async def test_the_measures_are_for_those_who_run_the_returns(api: Api) -> None:
    for role in ("practitioner", "front_door", "early_help"):
        async with api.as_user(role) as caller:
            assert (await caller.get("/v1/measures", params=Q1)).status_code == 403
            assert (await caller.get("/v1/measures.csv", params=Q1)).status_code == 403


async def test_bad_periods_name_the_field(api: Api) -> None:
    bad = [
        ({"from": "2019-06-30", "to": "2019-04-01"}, "to"),
        ({"from": "2017-04-01", "to": "2019-04-01"}, "to"),
        ({"period": "2019-20-Q5"}, "period"),
        ({"period": "2019-21"}, "period"),
        ({"period": "summer"}, "period"),
        ({"period": "2019-20", "from": "2019-04-01"}, "period"),
        ({"to": "2019-04-01"}, "from"),
        ({"team": "nowhere", **Q1}, "team"),
    ]
    async with api.as_user("auditor") as auditor:
        for params, field in bad:
            answer = await auditor.get("/v1/measures", params=params)
            assert_problem(answer, 422, field=field)
