"""The measures reproduce, from events put in, the figures put in: durations exactly at the band
edges, the quarter's boundaries, the change on the same quarter a year before, unmet-need shares,
early help's acceptance and the families' engagement; JSON and CSV."""

from __future__ import annotations

import csv
import io
from datetime import date
from typing import Any

from stepdown_support import HANDOVER, Api, Cases, assert_problem, authorised, etag, plan_ended

from continuum.casework import clock
from stepdown.domain.measures import quarter_label, quarter_start


async def _nfa(cases: Cases, team: str, referral: date, closed: date) -> None:
    await cases.deliver(authorised(outcome="nfa", team=team, referral_date=referral, on=closed))


async def _universal(cases: Cases, team: str, referral: date, ended: date, *, unmet_need: bool) -> None:
    a = authorised(team=team, referral_date=referral, on=referral)
    await cases.deliver(a)
    await cases.deliver(
        plan_ended(
            case_id=a.data.case_id,
            child_id=a.data.child_id,
            team=team,
            next_step="universal",
            end_date=ended,
            unmet_need=unmet_need,
        )
    )


async def test_closures_by_band_with_the_year_before_and_unmet_need(api: Api, cases: Cases) -> None:
    team = "east"
    # 2018-19 Q1 (April to June 2018): one closure at each band edge.
    await _nfa(cases, team, date(2018, 1, 31), date(2018, 4, 29))  # a day under 3 months
    await _nfa(cases, team, date(2018, 1, 31), date(2018, 4, 30))  # exactly 3 months (31 Jan + 3 = 30 Apr)
    await _nfa(cases, team, date(2017, 12, 31), date(2018, 6, 30))  # exactly 6 months, the quarter's last day
    await _universal(cases, team, date(2017, 9, 30), date(2018, 6, 30), unmet_need=True)  # exactly 9 months
    await _nfa(cases, team, date(2018, 6, 1), date(2018, 7, 1))  # the next quarter's first day: not counted
    # 2017-18 Q1, the year before: two closures, one with unmet need.
    await _nfa(cases, team, date(2017, 3, 1), date(2017, 4, 1))
    await _universal(cases, team, date(2016, 6, 1), date(2017, 5, 1), unmet_need=True)

    async with api.manager(team) as manager:
        r = await manager.get("/v1/measures", params={"from": "2018-04-01", "to": "2018-06-30", "team": team})
        assert r.status_code == 200, r.text
        exported = await manager.get("/v1/measures.csv", params={"from": "2018-04-01", "to": "2018-06-30", "team": team})
    quarters = {(q["team"], q["quarter"]): q for q in r.json()["quarters"]}
    assert set(quarters) == {(team, "2018-19 Q1"), ("all", "2018-19 Q1")}
    q1 = quarters[(team, "2018-19 Q1")]
    assert q1["current"]["closures_by_duration"] == {
        "under_3_months": 1,
        "3_to_6_months": 1,
        "6_to_9_months": 1,
        "9_months_or_more": 1,
    }
    assert q1["current"]["closures"] == 4 and q1["current"]["closures_with_unmet_need"] == 1
    assert q1["current"]["unmet_need_share"] == 0.25
    assert q1["year_before"]["closures"] == 2 and q1["year_before"]["closures_by_duration"]["9_months_or_more"] == 1
    assert q1["change_percent"]["closures"] == 100.0 and q1["change_percent"]["unmet_need"] == 0.0

    assert exported.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    row = next(r for r in rows if r["team"] == team)
    assert (row["quarter"], row["closures"], row["3_to_6_months"], row["change_percent_closures"]) == (
        "2018-19 Q1",
        "4",
        "1",
        "100.0",
    )


async def _handover(api: Api, cases: Cases, team: str) -> dict[str, Any]:
    row = await cases.pending_handover(team=team)
    async with api.as_user("practitioner", teams=(team,)) as practitioner:
        r = await practitioner.put(f"/v1/stepdowns/{row['id']}/handover", json=HANDOVER, headers=etag(row["version"]))
    return row | {"version": r.json()["version"]}


async def test_acceptance_engagement_and_step_ups_in_the_current_quarter(api: Api, cases: Cases) -> None:
    team = "disabled-children"
    handovers = [await _handover(api, cases, team) for _ in range(3)]
    async with api.early_help() as early_help:
        for h, engagement in zip(handovers[:2], ("engaged", "partly"), strict=True):
            version = (await early_help.post(f"/v1/stepdowns/{h['id']}/acceptance", headers=etag(h["version"]))).json()["version"]
            await early_help.post(f"/v1/stepdowns/{h['id']}/engagement", json={"engagement": engagement}, headers=etag(version))
        last = handovers[2]
        await early_help.post(
            f"/v1/stepdowns/{last['id']}/decline",
            json={"reason": "below_threshold", "detail": "x"},
            headers=etag(last["version"]),
        )
        body = {
            "stepdown_id": str(handovers[0]["id"]),
            "child_id": str(handovers[0]["child_id"]),
            "concerns": "c",
            "what_was_tried": "t",
        }
        assert (await early_help.post("/v1/step-ups", json=body)).status_code == 201
    today = clock.today()
    start = quarter_start(today)
    async with api.manager(team) as manager:
        r = await manager.get("/v1/measures", params={"from": start.isoformat(), "to": today.isoformat(), "team": team})
    [mine] = [q for q in r.json()["quarters"] if q["team"] == team]
    assert mine["quarter"] == quarter_label(start)
    now = mine["current"]
    assert (now["handovers"], now["accepted"], now["declined"], now["acceptance_rate"]) == (3, 2, 1, 0.6667)
    assert (now["engagement_recorded"], now["engaged"], now["partly_engaged"], now["engagement_rate"]) == (2, 1, 1, 0.5)
    assert now["step_ups_within_12_months"] == 1


async def test_a_period_that_ends_before_it_starts_is_a_422(api: Api) -> None:
    async with api.manager() as manager:
        assert_problem(await manager.get("/v1/measures", params={"from": "2026-04-01", "to": "2026-03-31"}), 422, "to")
        assert_problem(
            await manager.get("/v1/measures", params={"from": "2026-04-01", "to": "2026-06-30", "team": "atlantis"}), 422
        )
