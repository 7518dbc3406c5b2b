"""Ofsted's Annex A lists 3 to 7 from the read model (docs/decisions/51-annex-a-lists.md).

The journeys are the four services' contract events (``census_journeys``) handed to insight's real
consumer. They are dated from April to November 2026 (outside the census year 2025-26 that
test_census validates); the lists are asked as at 31 October 2026 (six months: 30 April, the same
day six months before in a month of 30 days, to 31 October). Other tests' children are in the same read model, so
each test reads only the rows of its own children (by their LA child id)."""

from __future__ import annotations

import asyncio
import csv
import io
import uuid
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import openpyxl
import pytest
import uvicorn
from census_journeys import Child, Episode, upn
from insight_support import Api, Cases, assert_problem, eventually
from typer.testing import CliRunner

from continuum.web.auth import mint_dev_token
from continuum_tools.cli import app as cli
from continuum_tools.devstack import free_port
from continuum_tools.testing import unique
from insight.domain.annex_a import LISTS

D = date
AS_AT = "2026-10-31"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def fresh_upn() -> str:
    """A UPN no other child of the read model has (the census refuses two children with one)."""
    return upn(uuid.uuid4().int % 10**9)


class Journeys:
    """The children of one test, each with its own worker subs (so names are the test's own)."""

    def __init__(self) -> None:
        self.alex, self.sam = unique("sw-alex"), unique("sw-sam")
        # A: referred three times (once before the window, twice in it), now on a CIN plan.
        self.a = Child().registered(D(2026, 4, 1), upn=fresh_upn())
        Episode(self.a).referred(D(2026, 4, 15), "nfa").closed(D(2026, 4, 15), "RC8", nfa=True, assessed=False)
        Episode(self.a).referred(D(2026, 5, 1), "nfa", source="2A").closed(D(2026, 5, 1), "RC8", nfa=True, assessed=False)
        ep = Episode(self.a).referred(D(2026, 5, 4), "assessment", source="3A")
        ep.assessed(D(2026, 5, 5), D(2026, 5, 20), "cin_plan", lead=self.alex)
        ep.plan("cin", D(2026, 5, 21))
        # B: referred on the window's first day (in); C: the day before it (out).
        self.b = Child().registered(D(2026, 4, 1), upn=fresh_upn())
        Episode(self.b).referred(D(2026, 4, 30), "nfa").closed(D(2026, 4, 30), "RC8", nfa=True, assessed=False)
        self.c = Child().registered(D(2026, 4, 1), upn=fresh_upn())
        Episode(self.c).referred(D(2026, 4, 29), "nfa").closed(D(2026, 4, 29), "RC8", nfa=True, assessed=False)
        # D: section 47, ICPC, a CP plan reviewed and visited (seen alone).
        self.d = Child().registered(D(2026, 5, 1), upn=fresh_upn(), disabilities=["AUT"], sex="M", ethnicity="BAFR")
        ep = Episode(self.d).referred(D(2026, 6, 1), "strategy_discussion")
        ep.section47(D(2026, 6, 1), icpc=D(2026, 6, 15), target=D(2026, 6, 19))
        ep.assessed(D(2026, 6, 1), D(2026, 6, 15), "child_protection", factors=("16A",), s47=True, lead=self.alex)
        cp = ep.plan("cp", D(2026, 6, 15), category="NEG", reviews=(D(2026, 9, 1),))
        ep.visit(cp, D(2026, 9, 20), seen_alone=True)
        # E: an assessment open on the as-at day, its worker not in the directory.
        self.e = Child().registered(D(2026, 9, 1), upn=fresh_upn())
        ep = Episode(self.e).referred(D(2026, 9, 1), "assessment")
        ep.recorded(ep.allocated(D(2026, 9, 2), self.sam), D(2026, 9, 3), start=D(2026, 9, 2), seen=D(2026, 9, 3))
        # F: referred the day after the as-at day.
        self.f = Child().registered(D(2026, 10, 30), upn=fresh_upn())
        Episode(self.f).referred(D(2026, 11, 1), "assessment")

    @property
    def children(self) -> list[Child]:
        return [self.a, self.b, self.c, self.d, self.e, self.f]

    async def deliver(self, cases: Cases) -> None:
        for child in self.children:
            await cases.deliver_all(child.events)


@pytest.fixture
async def journeys(cases: Cases, api: Api) -> Journeys:
    made = Journeys()
    await made.deliver(cases)
    async with api.as_user("admin", teams=()) as admin:
        loaded = await admin.put("/v1/staff", json={"staff": [{"sub": made.alex, "name": "Alex Morgan", "teams": ["north"]}]})
    assert loaded.status_code == 200, loaded.text
    return made


def parse_csv(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8"))))


def parse_xlsx(content: bytes) -> list[list[str]]:
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    assert sheet is not None
    return [["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)]


async def annex(api: Api, number: int, as_at: str = AS_AT, role: str = "performance", **params: Any) -> httpx.Response:
    async with api.as_user(role, teams=()) as caller:
        return await caller.get(f"/v1/annex-a/{number}", params={"as_at": as_at} | params)


async def listed(api: Api, number: int, children: list[Child], as_at: str = AS_AT) -> list[dict[str, str]]:
    """The rows of ``children`` in list ``number``, as dicts by header."""
    answer = await annex(api, number, as_at)
    assert answer.status_code == 200, answer.text
    header, *rows = parse_csv(answer.content)
    assert header == LISTS[number].headers
    ours = {c.la_child_id for c in children}
    return [dict(zip(header, r, strict=True)) for r in rows if r[0] in ours]


async def test_list_3_holds_each_referral_in_the_six_months_with_the_earlier_ones_counted(api: Api, journeys: Journeys) -> None:
    rows = await listed(api, 3, journeys.children)
    a = [r for r in rows if r["Child Unique ID"] == journeys.a.la_child_id]
    # Ofsted: a child referred more than once appears once for each referral in the six months.
    assert [
        (r["Date of Referral"], r["Referral Source"], r["Referral NFA?"], r["Number of Referrals in Last 12 Months"]) for r in a
    ] == [
        ("01/05/2026", "e) 2A: Schools", "a) Yes", "1"),
        ("04/05/2026", "g) 3A: Health services", "b) No", "2"),
    ]
    assert a[1]["Allocated Worker"] == "Alex Morgan" and a[1]["Allocated Team"] == "north"
    ids = {r["Child Unique ID"] for r in rows}
    assert journeys.b.la_child_id in ids  # referred on 30 April: the window's first day
    assert journeys.c.la_child_id not in ids  # 29 April: the day before it
    assert journeys.f.la_child_id not in ids  # 1 November: after the as-at day
    later = await listed(api, 3, journeys.children, as_at="2026-11-01")
    assert journeys.f.la_child_id in {r["Child Unique ID"] for r in later}
    assert journeys.b.la_child_id not in {r["Child Unique ID"] for r in later}  # 30 April is now outside


async def test_list_4_holds_assessments_open_in_the_six_months(api: Api, journeys: Journeys) -> None:
    rows = {r["Child Unique ID"]: r for r in await listed(api, 4, journeys.children)}
    assert set(rows) == {journeys.a.la_child_id, journeys.d.la_child_id, journeys.e.la_child_id}
    a, e = rows[journeys.a.la_child_id], rows[journeys.e.la_child_id]
    assert (a["Continuous Assessment Start Date"], a["Continuous Assessment Date of Authorisation"]) == (
        "05/05/2026",
        "20/05/2026",
    )
    assert a["Was the child assessed as requiring LA children's social care support?"] == "a) Yes"
    assert a["Child Seen During Continuous Assessment"] == "a) Yes"
    # The open assessment: no authorisation, its worker known only by their sub.
    assert e["Continuous Assessment Date of Authorisation"] == "" and e["Child Seen During Continuous Assessment"] == "a) Yes"
    assert e["Allocated Worker"] == journeys.sam
    assert rows[journeys.d.la_child_id]["Does the Child have a Disability"] == "a) Yes"
    assert a["Does the Child have a Disability"] == "b) No"


async def test_list_5_holds_each_section_47_enquiry_with_its_conference(api: Api, journeys: Journeys) -> None:
    rows = await listed(api, 5, journeys.children)
    assert len(rows) == 1
    d = rows[0]
    assert d["Child Unique ID"] == journeys.d.la_child_id and d["Gender"] == "a) Male" and d["Ethnicity"] == "o) BAFR"
    assert d["Strategy discussion initiating Section 47 Enquiry Start Date"] == "01/06/2026"
    assert d["Date of Initial Child Protection Conference"] == "15/06/2026"
    assert d["Was an Initial Child Protection Conference deemed unnecessary?"] == "b) No"
    assert d["Did the Initial Child Protection Conference Result in a Child Protection Plan"] == "a) Yes"
    assert (d["Number of Section 47 Enquiries in the last 12 months"], d["Number of ICPCs in the last 12 months"]) == ("0", "0")


async def test_list_6_holds_one_row_per_child_in_need_its_latest_episode(api: Api, journeys: Journeys) -> None:
    rows = {r["Child Unique ID"]: r for r in await listed(api, 6, journeys.children)}
    # B and C were only referred (closed at the front door): not children in need.
    assert set(rows) == {journeys.a.la_child_id, journeys.d.la_child_id, journeys.e.la_child_id}
    a = rows[journeys.a.la_child_id]
    assert (a["CIN Start Date"], a["Case Status"], a["CIN Closure Date"]) == ("04/05/2026", "c) Child in need plan", "")
    assert a["Primary Need Code"] == "N1 - Abuse or neglect"
    assert rows[journeys.d.la_child_id]["Case Status"] == "b) Child Protection plan"
    assert rows[journeys.d.la_child_id]["Date Child Was Last Seen"] == "20/09/2026"
    assert rows[journeys.e.la_child_id]["Case Status"] == "d) Open assessment"


async def test_list_7_holds_the_child_protection_plan_with_its_visit_and_review(api: Api, journeys: Journeys) -> None:
    rows = await listed(api, 7, journeys.children)
    assert [r["Child Unique ID"] for r in rows] == [journeys.d.la_child_id]
    d = rows[0]
    assert (d["Child Protection Plan Start Date"], d["Initial Category of Abuse"], d["Latest Category of Abuse"]) == (
        "15/06/2026",
        "a) Neglect",
        "a) Neglect",
    )
    assert (d["Date of the Last Statutory Visit"], d["Was the Child Seen Alone?"]) == ("20/09/2026", "a) Yes")
    assert d["Date of latest review conference"] == "01/09/2026" and d["Child Protection Plan End Date"] == ""
    assert d["Number of Previous Child Protection Plans"] == "0"
    # Not recorded by any service: left blank, never guessed.
    assert d[LISTS[7].columns[-4].header] == ""
    assert d["Allocated Worker"] == "Alex Morgan"
    # On 14 September the visit of the 20th had not happened: no visit, the review of 1 September.
    early = (await listed(api, 7, journeys.children, as_at="2026-09-14"))[0]
    assert early["Date of the Last Statutory Visit"] == "" and early["Date of latest review conference"] == "01/09/2026"


async def test_csv_and_xlsx_hold_the_same_header_and_rows(api: Api, journeys: Journeys) -> None:
    as_csv = await annex(api, 3)
    as_xlsx = await annex(api, 3, format="xlsx")
    async with api.as_user("auditor", teams=()) as auditor:
        by_accept = await auditor.get("/v1/annex-a/3", params={"as_at": AS_AT}, headers={"Accept": XLSX})
    assert as_csv.headers["content-type"].startswith("text/csv")
    assert as_xlsx.headers["content-type"] == by_accept.headers["content-type"] == XLSX
    assert as_xlsx.headers["content-disposition"] == f'attachment; filename="annex-a-list-3-referrals-as-at-{AS_AT}.xlsx"'
    assert parse_csv(as_csv.content) == parse_xlsx(as_xlsx.content) == parse_xlsx(by_accept.content)
    assert len(parse_csv(as_csv.content)) == int(as_csv.headers["x-annex-a-rows"]) + 1


async def test_every_authenticated_caller_is_remembered_with_their_name(api: Api, cases: Cases) -> None:
    sub = unique("manager")
    token = mint_dev_token(api.settings, sub=sub, name="Kim Patel", roles=["manager"], teams=["north"], sw_qualified=True)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=api.app), base_url="http://insight") as client:
        assert (await client.get("/v1/annex-a/6", headers={"Authorization": f"Bearer {token}"})).status_code == 200
    row = await cases.row("SELECT name, teams, last_seen_on FROM staff WHERE sub = :sub", sub=sub)
    assert row is not None and row["name"] == "Kim Patel" and row["teams"] == ["north"] and row["last_seen_on"] is not None
    # Loading the directory twice changes nothing the second time.
    async with api.as_user("admin", teams=()) as admin:
        body = {"staff": [{"sub": sub, "name": "Kim Patel-Jones", "teams": ["north", "south"]}]}
        assert (await admin.put("/v1/staff", json=body)).json() == {"loaded": 1}
        first = await cases.row("SELECT name, teams, updated_at FROM staff WHERE sub = :sub", sub=sub)
        assert (await admin.put("/v1/staff", json=body)).status_code == 200
    assert await cases.row("SELECT name, teams, updated_at FROM staff WHERE sub = :sub", sub=sub) == first
    assert first is not None and first["name"] == "Kim Patel-Jones"


async def test_lists_1_and_2_are_answered_with_the_reason_and_others_refused(api: Api) -> None:
    for number, reason in ((1, "contacts"), (2, "early help assessment")):
        answer = await annex(api, number)
        assert_problem(answer, 404)
        assert reason in answer.json()["detail"]
    for number in (0, 8, 12):
        assert_problem(await annex(api, number), 422, field="list")


async def test_a_future_as_at_is_refused_and_writes_nothing(api: Api, cases: Cases) -> None:
    sub = unique("performance")
    async with api.as_user("performance", teams=(), sub=sub) as caller:
        answer = await caller.get("/v1/annex-a/3", params={"as_at": "2999-01-01"})
    assert_problem(answer, 422, field="as_at")
    assert await cases.scalar("SELECT count(*) FROM audit_log WHERE actor = :sub", sub=sub) == 0
    assert await cases.scalar("SELECT count(*) FROM staff WHERE sub = :sub", sub=sub) == 0


async def test_annex_a_is_for_those_who_run_the_returns_and_the_staff_load_for_admins(api: Api) -> None:
    for role in ("practitioner", "front_door", "early_help"):
        assert (await annex(api, 3, role=role)).status_code == 403
    for role in ("manager", "auditor", "performance", "admin"):
        assert (await annex(api, 3, role=role)).status_code == 200
    for role in ("manager", "auditor", "performance"):
        async with api.as_user(role, teams=()) as caller:
            refused = await caller.put("/v1/staff", json={"staff": [{"sub": "x", "name": "X", "teams": []}]})
        assert refused.status_code == 403


async def test_the_cli_writes_a_list_over_http(api: Api, journeys: Journeys, tmp_path: Path) -> None:
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(api.app, host="127.0.0.1", port=port, lifespan="off", log_level="warning"))
    task = asyncio.create_task(server.serve())
    try:
        await eventually(lambda: server.started, within=10, interval=0.02, what="uvicorn started")
        token = mint_dev_token(api.settings, sub=unique("performance"), roles=["performance"], teams=[], sw_qualified=False)
        out = tmp_path / "list-7.xlsx"
        command = ["annex-a", "--list", "7", "--out", str(out), "--format", "xlsx", "--as-at", AS_AT]
        command += ["--url", f"http://127.0.0.1:{port}", "--token", token]
        result = await asyncio.to_thread(CliRunner().invoke, cli, command)
        assert result.exit_code == 0, result.output
        assert result.output.startswith(f"wrote {out}: list 7,")
        rows = parse_xlsx(out.read_bytes())
        assert rows[0] == LISTS[7].headers and journeys.d.la_child_id in [r[0] for r in rows[1:]]
        refused = await asyncio.to_thread(CliRunner().invoke, cli, [*command[:2], "1", *command[3:]])
        assert refused.exit_code == 1 and "404" in refused.output
    finally:
        server.should_exit = True
        await task


def test_each_list_names_its_columns_once() -> None:
    for annex_list in LISTS.values():
        assert len(set(annex_list.headers)) == len(annex_list.headers)
        assert annex_list.headers[0] == "Child Unique ID" and annex_list.headers[-1] == "Allocated Worker"
