"""The census as the service answers it (its events read one child at a time through a server-side
cursor, the file spooled and put in order, the audit rows written in batches) is byte for byte the
file made whole from every event of the read model at once, as the census was first made: with
events that name only their case (found through the case's child, whether they arrived before or
after the event that names both), two children with one LA child id, and a child with no identity."""

from __future__ import annotations

import asyncio
import json
import re
import uuid
from datetime import date, datetime, time, timedelta
from pathlib import Path

import pytest
import uvicorn
from census_journeys import Child, Episode
from insight_support import Api, Cases, eventually
from typer.testing import CliRunner

from continuum.casework import clock
from continuum.web.auth import mint_dev_token
from continuum_tools.cli import app as cli
from continuum_tools.devstack import free_port
from continuum_tools.testing import unique
from insight import domain
from insight.domain import CaseEvent
from insight.use_cases import census as census_use_case

D = date


async def whole_file(cases: Cases, year: domain.CensusYear, header: domain.Header) -> tuple[bytes, int]:
    """The file as it was first made: every census event by the day in time order, folded at once."""
    end = datetime.combine(year.cutoff + timedelta(days=1), time(), tzinfo=clock.LONDON)
    rows = await cases.rows(
        "SELECT * FROM case_events WHERE event_type = ANY(:types) AND occurred_at < :end ORDER BY occurred_at, id",
        types=list(domain.CENSUS_EVENT_TYPES),
        end=end,
    )
    events = [CaseEvent(**{k: v for k, v in r.items() if k != "recorded_at"}) for r in rows]
    episodes = {r["case_id"]: r["child_id"] for r in await cases.rows("SELECT case_id, child_id FROM episodes")}
    xml, missing = domain.census_xml(domain.fold(events, case_child=episodes, as_at=year.cutoff).values(), year, header)
    return xml, len(missing)


async def name_only_the_case(cases: Cases, event_id: uuid.UUID) -> uuid.UUID:
    """A copy of a recorded event under a new id, naming only its case (as an event before the
    contracts gave every census event its child would); the copy's id."""
    copy = uuid.uuid4()
    await cases.execute(
        "INSERT INTO case_events (id, topic, event_type, schema_version, case_id, child_id, team, occurred_at, data, recorded_at)"
        " SELECT :copy, topic, event_type, schema_version, case_id, NULL, team, occurred_at + interval '1 second',"
        " data - 'child_id', recorded_at FROM case_events WHERE id = :id",
        copy=copy,
        id=event_id,
    )
    return copy


async def test_the_streamed_census_is_the_whole_file(api: Api, cases: Cases, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(census_use_case, "AUDIT_BATCH", 2)  # several batches of audit rows
    journeys = []
    for day in (D(2025, 8, 2), D(2025, 8, 1)):  # one LA child id for two children
        c = Child(la_child_id=f"SAME-{uuid.uuid4().hex[:6]}" if not journeys else journeys[0].la_child_id).registered(day)
        Episode(c).referred(day, "assessment").assessed(day, D(2025, 9, 1), "cin_plan")
        journeys.append(c)
    c = Child().registered(D(2025, 5, 1))  # a CIN plan whose start event names only its case
    plan_case = Episode(c).referred(D(2025, 5, 2), "assessment").assessed(D(2025, 5, 3), D(2025, 5, 20), "cin_plan")
    plan_case.plan("cin", D(2025, 5, 21))
    journeys.append(c)
    c = Child()  # no identity yet
    Episode(c).referred(D(2025, 7, 1), "assessment")
    journeys.append(c)
    # A case-only event delivered before any event naming its case and child: found once one arrives.
    late = Child().registered(D(2025, 6, 1))
    late_episode = Episode(late).referred(D(2025, 6, 2), "assessment").assessed(D(2025, 6, 3), D(2025, 6, 30), "cin_plan")
    late_episode.plan("cin", D(2025, 7, 1))
    plan_started = next(e for e in late.events if e.type == "plan.started")
    await cases.deliver(plan_started)
    await name_only_the_case(cases, plan_started.id)
    await cases.execute("DELETE FROM case_events WHERE id = :id", id=plan_started.id)
    await cases.deliver_all([e for e in late.events if e is not plan_started])
    for child in journeys:
        await cases.deliver_all(child.events)
    plan_event = next(e for e in journeys[2].events if e.type == "plan.started")
    await name_only_the_case(cases, plan_event.id)
    await cases.execute("DELETE FROM case_events WHERE id = :id", id=plan_event.id)
    # A case-only event of a case no event names with its child: no child's.
    await cases.execute(
        "INSERT INTO case_events (id, topic, event_type, schema_version, case_id, child_id, team, occurred_at, data, recorded_at)"
        " VALUES (:id, 'continuum.plan', 'plan.started', 1, :case, NULL, 'north', '2025-06-01T10:00Z',"
        " CAST(:data AS jsonb), now())",
        id=uuid.uuid4(),
        case=uuid.uuid4(),
        data=json.dumps({"plan_id": str(uuid.uuid4()), "plan_type": "cin", "start_date": "2025-06-01"}),
    )

    sub = f"census-{uuid.uuid4().hex[:8]}"
    async with api.as_user("auditor", teams=(), sub=sub) as auditor:
        answer = await auditor.get("/v1/census/2026", params={"as_at": "2026-04-30"})
        assert answer.status_code == 200, answer.text
    made_at = datetime.fromisoformat(answer.text.split("<DateTime>")[1].split("<")[0])
    year = domain.CensusYear(2026, D(2026, 4, 30))
    header = domain.Header(lea="999", release=made_release(answer.text), serial_no=1, made_at=made_at)
    whole, missing = await whole_file(cases, year, header)
    assert answer.content == whole
    assert int(answer.headers["content-length"]) == len(whole)
    assert int(answer.headers["x-census-missing-identity"]) == missing >= 1
    listed = int(answer.headers["x-census-children"])
    assert listed == whole.count(b"<Child>") >= 4
    for ours in (journeys[0], journeys[1], journeys[2], late):
        assert f"<LAchildID>{ours.la_child_id}</LAchildID>".encode() in whole
    # The case-only plan starts are in their children's files.
    for ours in (journeys[2], late):
        part = whole.split(f"<LAchildID>{ours.la_child_id}</LAchildID>".encode())[1].split(b"</Child>")[0]
        assert b"<CINPlanStartDate>" in part
    audited = await cases.scalar("SELECT count(*) FROM audit_log WHERE actor = :sub AND action = 'child.census'", sub=sub)
    assert audited == listed


def made_release(text: str) -> str:
    return text.split("<Release>")[1].split("<")[0]


def _undated(xml: bytes) -> bytes:
    return re.sub(rb"<DateTime>[^<]*</DateTime>", b"", xml)


async def test_the_cli_writes_the_census_to_disk_as_it_comes(api: Api, cases: Cases, tmp_path: Path) -> None:
    child = Child().registered(D(2025, 5, 1))
    Episode(child).referred(D(2025, 5, 2), "assessment").assessed(D(2025, 5, 3), D(2025, 5, 20), "cin_plan")
    await cases.deliver_all(child.events)
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(api.app, host="127.0.0.1", port=port, lifespan="off", log_level="warning"))
    task = asyncio.create_task(server.serve())
    try:
        await eventually(lambda: server.started, within=10, interval=0.02, what="uvicorn started")
        token = mint_dev_token(api.settings, sub=unique("performance"), roles=["performance"], teams=[], sw_qualified=False)
        out = tmp_path / "census.xml"
        command = ["census", "--year", "2026", "--out", str(out), "--as-at", "2026-04-30"]
        command += ["--url", f"http://127.0.0.1:{port}", "--token", token]
        result = await asyncio.to_thread(CliRunner().invoke, cli, command)
        assert result.exit_code == 0, result.output
        async with api.as_user("performance", teams=()) as performance:
            answer = await performance.get("/v1/census/2026", params={"as_at": "2026-04-30"})
        assert _undated(out.read_bytes()) == _undated(answer.content)
        assert f"<LAchildID>{child.la_child_id}</LAchildID>".encode() in answer.content
        assert result.output.startswith(f"wrote {out}: {answer.headers['x-census-children']} children;")
        refused = await asyncio.to_thread(CliRunner().invoke, cli, [*command[:2], "2030", *command[3:]])
        assert refused.exit_code == 1 and "422" in refused.output
    finally:
        server.should_exit = True
        await task
