"""The plan service's import path (decision 59, issue 20): a council's CIN and CP plans and
pre-proceedings imported with their real dates, idempotently, child by child, by the importer alone;
what is open is live at once (worklist, next review, drift check); imported events start no work."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta
from typing import Any

import httpx
from plan_support import Api, Cases, authorised, child_registered, concluded, nhs_number

from continuum.casework import clock
from continuum.casework.imports import child_key, episode_key, event_id, instant_on, module_key
from continuum.contracts import Envelope
from continuum_tools.testing import unique
from plan.workers import drift_scheduler

LA = "201"
SOURCE = "cin_census_2025-26.xml"
TODAY = clock.today()


def ago(days: int) -> date:
    return TODAY - timedelta(days=days)


def iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def importer(api: Api) -> httpx.AsyncClient:
    return api.as_user("importer", teams=())


async def post(api: Api, children: list[dict[str, Any]], *, dry_run: bool = False, source: str = SOURCE) -> httpx.Response:
    async with importer(api) as client:
        return await client.post(
            "/v1/imports/plans",
            params={"dry_run": str(dry_run).lower()},
            json={"source": source, "la": LA, "children": children},
        )


def cin(start: date, end: date | None = None, **more: Any) -> dict[str, Any]:
    return {"start": iso(start), "end": iso(end), "reviews": [], "current_status": end is None} | more


def child_with(la_child_id: str, referral: date, **parts: Any) -> dict[str, Any]:
    episode = {"referral_date": iso(referral), "cin_plans": [], "cp_plans": [], "preproceedings": []} | parts
    return {"la_child_id": la_child_id, "team": "north", "episodes": [episode]}


def batch() -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Three children: a CP plan stepped down to an open CIN plan; a CIN plan closed; pre-proceedings decided."""
    a, b, c = (unique("c")[:30] for _ in range(3))
    referral = ago(400)
    cp = {
        "start": iso(ago(380)),
        "end": iso(ago(200)),
        "next_step": "step_down_cin",
        "reason_for_closure": None,
        "initial_category": "NEG",
        "latest_category": "EMO",
        "previous_plans": 1,
        "reviews": [iso(ago(300)), iso(ago(220))],
        "current_status": False,
    }
    children = [
        child_with(a, referral, cp_plans=[cp], cin_plans=[cin(ago(200), reviews=[iso(ago(150)), iso(ago(100))])]),
        child_with(b, ago(300), cin_plans=[cin(ago(280), ago(100), next_step="close", reason_for_closure="RC2")]),
        child_with(
            c,
            ago(300),
            preproceedings=[
                {
                    "start": iso(ago(250)),
                    "letter": iso(ago(249)),
                    "fgdm_offered": True,
                    "fgdm_held": True,
                    "initial_meeting": iso(ago(240)),
                    "review_meetings": 2,
                    "decided": iso(ago(200)),
                    "outcome": "B",
                }
            ],
        ),
    ]
    return children, {"a": a, "b": b, "c": c, "referral": referral}


def case_of(la_child_id: str, referral: date) -> uuid.UUID:
    return episode_key(LA, la_child_id, referral)


async def test_a_batch_imports_rows_events_with_real_times_and_audit_rows(api: Api, cases: Cases) -> None:
    children, ids = batch()
    r = await post(api, children)
    assert r.status_code == 200, r.text
    assert r.json() == {"dry_run": False, "imported": 3, "updated": 0, "unchanged": 0, "problems": []}
    case = case_of(ids["a"], ids["referral"])
    plans = await cases.rows("SELECT * FROM plans WHERE case_id = :c ORDER BY start_date", c=case)
    cp_id = module_key(LA, "cp_plan", ids["a"], ids["referral"], ago(380))
    cin_id = module_key(LA, "cin_plan", ids["a"], ids["referral"], ago(200))
    assert [(p["id"], p["plan_type"], p["status"], p["imported_from"]) for p in plans] == [
        (cp_id, "cp", "ended", SOURCE),
        (cin_id, "cin", "active", SOURCE),
    ]
    assert plans[0]["child_id"] == child_key(LA, ids["a"]) and plans[0]["previous_cp_plans"] == 1
    assert plans[0]["latest_category"] == "EMO" and plans[1]["next_review_due"] == ago(100) + timedelta(weeks=6)
    reviews = await cases.rows("SELECT review_date, imported_from FROM plan_reviews WHERE plan_id = :p ORDER BY number", p=cp_id)
    assert [(x["review_date"], x["imported_from"]) for x in reviews] == [(ago(300), SOURCE), (ago(220), SOURCE)]
    # Events: the fact's day at noon London (a second apart within a day), derived ids, the file named.
    rows = await cases.rows("SELECT event_type, event_id, payload FROM outbox WHERE key = :k ORDER BY seq", k=str(case))
    kinds = [(row["event_type"], row["payload"]["data"].get("plan_id")) for row in rows]
    assert kinds == [
        ("plan.started", str(cp_id)),
        ("plan.reviewed", str(cp_id)),
        ("plan.reviewed", str(cp_id)),
        ("plan.category_changed", str(cp_id)),
        ("plan.ended", str(cp_id)),
        ("plan.started", str(cin_id)),
        ("plan.reviewed", str(cin_id)),
        ("plan.reviewed", str(cin_id)),
    ]
    assert all(row["payload"]["importedfrom"] == SOURCE for row in rows)
    times = [datetime.fromisoformat(row["payload"]["time"]) for row in rows]
    assert times[0] == instant_on(ago(380)) and times[4] == instant_on(ago(200)) and times[5] == instant_on(ago(200), 1)
    assert rows[0]["event_id"] == event_id(cp_id, "plan.started")
    assert rows[1]["event_id"] == event_id(cp_id, "plan.reviewed", ago(300))
    ended = rows[4]["payload"]["data"]
    assert ended["next_step"] == "step_down_cin" and ended["end_date"] == iso(ago(200))
    assert rows[0]["payload"]["data"]["approved_by"].startswith("user")
    # The open CIN plan is its episode's current stage: partners told (withheld: no NHS number).
    withheld = await cases.rows(
        "SELECT payload FROM outbox WHERE event_type = 'status.withheld' AND payload->'data'->>'child_id' = :c",
        c=str(child_key(LA, ids["a"])),
    )
    assert len(withheld) == 1 and withheld[0]["payload"]["data"]["since"] == iso(ago(200))
    assert datetime.fromisoformat(withheld[0]["payload"]["time"]) == instant_on(ago(200), 2)
    # Pre-proceedings: started, recorded (2 review meetings counted), decided (B: stepped down).
    block = await cases.row("SELECT * FROM preproceedings WHERE case_id = :c", c=case_of(ids["c"], ago(300)))
    assert block is not None and block["imported_from"] == SOURCE and block["decision"] == "step_down"
    pp = [row["event_type"] for row in await cases.events(case_of(ids["c"], ago(300)))]
    assert pp == ["preproceedings.started", "preproceedings.recorded", "preproceedings.decided"]
    recorded = (await cases.events(case_of(ids["c"], ago(300)), "preproceedings.recorded"))[0]["payload"]
    assert recorded["data"]["review_meetings"] == 2 and datetime.fromisoformat(recorded["time"]) == instant_on(ago(240))
    # Audit: each child, each record, purpose "history import".
    audited = await cases.rows(
        "SELECT action, subject_type, subject_id FROM audit_log WHERE purpose = 'history import' AND subject_id = ANY(:s)",
        s=[str(child_key(LA, ids[k])) for k in "abc"] + [str(cp_id), str(cin_id)],
    )
    assert {(a["action"], a["subject_id"]) for a in audited} >= {
        ("child.imported", str(child_key(LA, ids["a"]))),
        ("child.imported", str(child_key(LA, ids["b"]))),
        ("child.imported", str(child_key(LA, ids["c"]))),
        ("cp_plan.imported", str(cp_id)),
        ("cin_plan.imported", str(cin_id)),
    }


async def _outbox(cases: Cases) -> int:
    count: int = await cases.scalar("SELECT count(*) FROM outbox")
    return count


async def test_the_same_batch_again_is_unchanged_and_writes_nothing(api: Api, cases: Cases) -> None:
    children, _ = batch()
    assert (await post(api, children)).json()["imported"] == 3
    before = (await _outbox(cases), await cases.scalar("SELECT count(*) FROM audit_log WHERE purpose = 'history import'"))
    r = await post(api, children)
    assert r.json() == {"dry_run": False, "imported": 0, "updated": 0, "unchanged": 3, "problems": []}
    after = (await _outbox(cases), await cases.scalar("SELECT count(*) FROM audit_log WHERE purpose = 'history import'"))
    assert after == before


async def test_a_later_return_adds_a_review_and_an_end_and_publishes_only_those(api: Api, cases: Cases) -> None:
    la_child_id, referral = unique("c")[:30], ago(200)
    first = child_with(la_child_id, referral, cin_plans=[cin(ago(150), reviews=[iso(ago(100))])])
    assert (await post(api, [first])).json()["imported"] == 1
    case = case_of(la_child_id, referral)
    assert [row["event_type"] for row in await cases.events(case)] == ["plan.started", "plan.reviewed"]
    count = len(await cases.events(case))
    later = cin(ago(150), ago(10), reviews=[iso(ago(100)), iso(ago(50))], next_step="close", reason_for_closure="RC1")
    later["current_status"] = False
    r = await post(api, [child_with(la_child_id, referral, cin_plans=[later])], source="cin_census_2026-27.xml")
    assert r.json() == {"dry_run": False, "imported": 0, "updated": 1, "unchanged": 0, "problems": []}
    new = (await cases.events(case))[count:]
    assert [e["event_type"] for e in new] == ["plan.reviewed", "plan.ended"]
    assert new[0]["payload"]["data"]["review_number"] == 2 and new[1]["payload"]["data"]["reason_for_closure"] == "RC1"
    plan = await cases.row("SELECT status, imported_from FROM plans WHERE case_id = :c", c=case)
    assert plan == {"status": "ended", "imported_from": "cin_census_2026-27.xml"}
    # A return that takes the end back is a correction: that child refused, nothing changed.
    r = await post(api, [first], source="cin_census_2027-28.xml")
    problem = r.json()["problems"]
    assert [(p["la_child_id"], p["element"]) for p in problem] == [(la_child_id, "episodes.0.cin_plans.0.reviews")]
    assert len(await cases.events(case)) == count + 2


async def test_a_later_return_that_adds_nothing_to_a_plan_updates_its_source_and_publishes_nothing(
    api: Api, cases: Cases
) -> None:
    la_child_id, referral = unique("c")[:30], ago(100)
    assert (await post(api, [child_with(la_child_id, referral, cin_plans=[cin(ago(90))])])).json()["imported"] == 1
    case = case_of(la_child_id, referral)
    count = len(await cases.events(case))
    no_longer_current = cin(ago(90)) | {"current_status": False}
    r = await post(api, [child_with(la_child_id, referral, cin_plans=[no_longer_current])], source="later.xml")
    assert r.json()["updated"] == 1 and len(await cases.events(case)) == count
    plan = await cases.row("SELECT version, imported_from FROM plans WHERE case_id = :c", c=case)
    assert plan == {"version": 1, "imported_from": "later.xml"}


async def test_a_bad_child_is_refused_whole_and_the_others_imported(api: Api, cases: Cases) -> None:
    good, bad, referral = unique("c")[:30], unique("c")[:30], ago(300)
    cp = {"start": iso(ago(200)), "initial_category": "PHY", "reviews": [iso(ago(200))], "current_status": True}
    children = [
        child_with(bad, referral, cin_plans=[cin(ago(280), ago(200), next_step="escalate_cp")], cp_plans=[cp]),
        child_with(good, referral, cin_plans=[cin(ago(250))]),
        child_with(unique("c")[:30], referral, cin_plans=[cin(ago(100), ago(150), next_step="universal")]),
    ]
    r = await post(api, children)
    body = r.json()
    assert body["imported"] == 1
    assert [(p["la_child_id"], p["element"]) for p in body["problems"]] == [
        (bad, "episodes.0.cp_plans.0.reviews.0"),
        (children[2]["la_child_id"], "episodes.0.cin_plans.0.end_date"),
    ]
    assert "8841" in body["problems"][0]["reason"]
    bad_child = child_key(LA, bad)
    assert await cases.scalar("SELECT count(*) FROM plans WHERE child_id = :c", c=bad_child) == 0
    assert await cases.scalar("SELECT count(*) FROM imported_records WHERE la_child_id = :c", c=bad) == 0
    assert await cases.events(case_of(bad, referral)) == []
    assert await cases.scalar("SELECT count(*) FROM plans WHERE child_id = :c", c=child_key(LA, good)) == 1


async def test_a_dry_run_answers_the_same_and_writes_nothing(api: Api, cases: Cases) -> None:
    children, ids = batch()
    children[1]["episodes"][0]["cin_plans"][0]["reason_for_closure"] = "RC8"  # after a plan, RC1 to RC7
    before = await _outbox(cases)
    dry = await post(api, children, dry_run=True)
    assert dry.status_code == 200, dry.text
    assert await _outbox(cases) == before
    assert await cases.scalar("SELECT count(*) FROM imported_records WHERE la_child_id = :c", c=ids["a"]) == 0
    assert await cases.scalar("SELECT count(*) FROM episodes WHERE child_id = :c", c=child_key(LA, ids["a"])) == 0
    real = await post(api, children)
    assert dry.json() == real.json() | {"dry_run": True}
    assert real.json()["imported"] == 2 and real.json()["problems"][0]["element"] == "episodes.0.cin_plans.0.reason_for_closure"


async def test_only_the_importer_may_import_and_refusals_are_audited(api: Api, cases: Cases) -> None:
    children, _ = batch()
    for role in ("practitioner", "manager", "auditor", "admin", "service"):
        async with api.as_user(role, sw_qualified=True) as client:
            r = await client.post("/v1/imports/plans", json={"source": SOURCE, "la": LA, "children": children})
        assert r.status_code == 403, r.text
        audited = await cases.rows(
            "SELECT subject_type, outcome FROM audit_log WHERE request_id = :r", r=r.headers["x-request-id"]
        )
        assert [(a["subject_type"], a["outcome"]) for a in audited] == [("child", "refused")]
    async with importer(api) as client:
        bad = await client.post("/v1/imports/plans", json={"source": SOURCE, "la": "20", "children": []})
    assert bad.status_code == 422 and bad.headers["content-type"] == "application/problem+json"


async def test_an_imported_open_cin_plan_appears_on_its_teams_worklist_with_its_real_next_review_date(
    api: Api, cases: Cases
) -> None:
    """Issue 20, must-show 4."""
    la_child_id, referral = unique("c")[:30], ago(240)
    team = "south"
    child = child_with(la_child_id, referral, cin_plans=[cin(ago(220), reviews=[iso(ago(120)), iso(ago(50))])])
    child["team"] = team
    assert (await post(api, [child])).json()["imported"] == 1
    plan_id = module_key(LA, "cin_plan", la_child_id, referral, ago(220))
    real_next_review = ago(50) + timedelta(weeks=6)
    async with api.manager(team) as manager:
        r = await manager.get("/v1/plans/worklist", params={"team": team, "limit": 200})
    assert r.status_code == 200, r.text
    (item,) = [i for i in r.json()["items"] if i["plan_id"] == str(plan_id)]
    assert item["next_review_due"] == real_next_review.isoformat() and item["start_date"] == iso(ago(220))
    assert {"kind": "review_overdue", "key": iso(real_next_review), "since": iso(real_next_review + timedelta(days=1))} in item[
        "drift"
    ]
    assert {d["kind"] for d in item["drift"]} == {"review_overdue", "open_over_threshold"}  # no visits or progress invented


async def test_the_drift_check_sees_an_imported_open_plan_at_once(api: Api, cases: Cases) -> None:
    la_child_id, referral = unique("c")[:30], ago(100)
    assert (await post(api, [child_with(la_child_id, referral, cin_plans=[cin(ago(90))])])).json()["imported"] == 1
    plan_id = module_key(LA, "cin_plan", la_child_id, referral, ago(90))
    assert await cases.scalar("SELECT drift_next_check FROM plans WHERE id = :p", p=plan_id) == TODAY
    policy = cases.runtime.policy
    assert policy is not None
    await drift_scheduler(cases.runtime.session_factory, source="plan", policy=policy, batch_size=500).tick()
    drift = [e["payload"]["data"] for e in await cases.events(case_of(la_child_id, referral), "plan.drift_detected")]
    due = ago(90) + timedelta(weeks=6)
    assert [(d["kind"], d["since"]) for d in drift] == [("review_overdue", iso(due + timedelta(days=1)))]


def _imported(event: Envelope[Any]) -> Envelope[Any]:
    return Envelope.wrap(
        event.data, source=event.source, subject=event.subject, aggregate_version=event.aggregate_version, imported_from=SOURCE
    )


async def test_an_imported_authorisation_or_conference_keeps_the_episode_and_drafts_no_plan(cases: Cases) -> None:
    for event in (_imported(authorised()), _imported(concluded())):
        assert event.imported
        await cases.deliver(event)
        case_id = event.data.case_id
        episode = await cases.row("SELECT child_id, closed_on FROM episodes WHERE case_id = :c", c=case_id)
        assert episode == {"child_id": event.data.child_id, "closed_on": None}
        assert await cases.scalar("SELECT count(*) FROM plans WHERE case_id = :c", c=case_id) == 0
        assert await cases.events(case_id) == []
    live = authorised()
    await cases.deliver(live)
    assert await cases.scalar("SELECT count(*) FROM plans WHERE case_id = :c", c=live.data.case_id) == 1


async def test_an_imported_open_plans_withheld_status_goes_out_once_the_nhs_number_is_known(api: Api, cases: Cases) -> None:
    # A return carries no NHS number: the open CIN plan's status was withheld at the import. When
    # the council's records are matched (child.registered or .updated with the number), it goes
    # out since the plan's real start, once; an ended plan's child is told nothing.
    children, ids = batch()
    assert (await post(api, children)).status_code == 200
    open_child, ended_child = child_key(LA, ids["a"]), child_key(LA, ids["b"])

    async def statuses(nhs: str) -> list[tuple[str, str]]:  # partners' events carry the number, not the id
        rows = await cases.rows(
            "SELECT payload FROM outbox WHERE event_type = 'status.changed' AND payload->'data'->>'nhs_number' = :n", n=nhs
        )
        return [(r["payload"]["data"]["status"], r["payload"]["data"]["since"]) for r in rows]

    await cases.deliver(child_registered(open_child, nhs_number=None))
    known, other = nhs_number(), nhs_number()
    await cases.deliver(child_registered(open_child, version=2, nhs_number=known))
    await cases.deliver(child_registered(open_child, version=3, nhs_number=known))  # the same number again
    assert await statuses(known) == [("cin_plan", iso(ago(200)))]
    await cases.deliver(child_registered(ended_child, nhs_number=other))
    assert await statuses(other) == []
