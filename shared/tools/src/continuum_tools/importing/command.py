"""``continuum import census FILE.xml ... [--dry-run]``: a council's past CIN census returns read
(every layout from 2017-18 to 2026-27), merged into one history per child and reported: what each
return holds, what the history holds, and each record that cannot be imported, one line each
(child, element, reason).

Then each service's part is checked by the service (a dry run at all four first, so that a child
one refuses is written by none) and, unless ``--dry-run``, written through its import path
(decision 59)."""

from __future__ import annotations

import asyncio
import csv
from collections import Counter
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import httpx
import typer

from continuum.casework import clock
from continuum_tools.importing.census_reader import read_census
from continuum_tools.importing.merge import History, merge
from continuum_tools.importing.payloads import PATHS, Identity, current_record, parts
from continuum_tools.importing.records import Assessment, CensusFile, Child, CinPlan, CpPlan, Episode, Section47
from continuum_tools.importing.send import Sent, send
from continuum_tools.returns import dev_token
from continuum_tools.services import service_url

import_app = typer.Typer(help="A council's history brought into Continuum", no_args_is_help=True)


#: How the report names an open episode's stage, by the kind of its current record (``payloads.current_record``).
STAGES: dict[type, str] = {
    CpPlan: "on a CP plan",
    CinPlan: "on a CIN plan",
    Section47: "in a section 47 enquiry",
    Assessment: "in assessment",
    Episode: "referred, nothing open",
}


def report(files: Sequence[tuple[Path, CensusFile]], history: History, echo: Callable[[str], None]) -> None:
    """What the returns and their merge hold, then every problem, one line each."""
    for path, census in files:
        read = sum(len(c.episodes) for c in census.children)
        left_out = len({p.la_child_id for p in census.problems})
        echo(
            f"{path.name}: {census.header.collection} {census.header.year - 1}-{census.header.year % 100:02d}, "
            f"LA {census.header.lea or '?'}: {len(census.children)} children, {read} episodes read"
            + (f", {left_out} children left out" if left_out else "")
        )
    episodes = [e for child in history.children for e in child.episodes]
    last = max(date(year, 3, 31) for year in history.years) if history.years else None
    echo(f"History: {len(history.children)} children, {len(episodes)} episodes over {len(history.years)} collection years")
    if last is not None:
        current = (current_record(e, last) for e in episodes if e.referral_date <= last)
        still_open = Counter(STAGES[type(record)] for record in current if record is not None)
        stages = "".join(f"; {n} {s}" for s, n in sorted(still_open.items()))
        echo(f"Open on {last}: {sum(still_open.values())} episodes{stages}")
    echo(f"{len(history.problems)} problems (child: element: reason)")
    for problem in history.problems:
        echo(f"  {problem}")


@import_app.command("census")
def import_census(
    files: Annotated[
        list[Path], typer.Argument(help="CIN census returns (XML), several years in any order", exists=True, dir_okay=False)
    ],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="read, merge, check with every service; write nothing")] = False,
    team: Annotated[str | None, typer.Option(help="the team of every imported child (the returns have none)")] = None,
    teams: Annotated[Path | None, typer.Option(help="CSV of la_child_id,team: each child's team (else --team)")] = None,
    identities: Annotated[
        Path | None, typer.Option(help="CSV of la_child_id,given_name,family_name,nhs_number,postcode from the council's records")
    ] = None,
    port_offset: Annotated[int, typer.Option(help="the --port-offset the stack was started with (dev)")] = 0,
    bearer: Annotated[
        str | None, typer.Option("--token", help="an importer's token (dev: made)", envvar="CONTINUUM_TOKEN")
    ] = None,
) -> None:
    """Import a council's past CIN census returns into the services: children, episodes,
    assessments, section 47s, plans, reviews, pre-proceedings and closures, with their real dates
    (decision 59). Each service checks every child first (a child one refuses is written by none),
    then writes it. Exits 1 when a record could not be imported (each is listed), 0 otherwise.
    Service URLs: CONTINUUM_<SERVICE>_URL, else 127.0.0.1 at the service's port (+ --port-offset)."""
    read = sorted(((path, read_census(path)) for path in files), key=lambda item: item[1].header.year)
    history = merge([census for _, census in read])
    report(read, history, typer.echo)
    if not history.children:
        raise typer.Exit(1 if history.problems else 0)
    team_of = _teams(team, teams)
    la = _council(read)
    end = min(max(census.header.reference_date for _, census in read), clock.today())
    sources = {child.la_child_id: path.name for path, census in read for child in census.children}  # the newest wins
    token = bearer or dev_token("continuum-import", "importer")
    refused: dict[str, list[str]] = {}
    with typer.progressbar(length=len(history.children), label="checking" if dry_run else "importing") as bar:
        for source, children in _by_source(history.children, sources).items():
            cut = parts(children, end=end, team_of=team_of, identities=_identities(identities))
            sent = asyncio.run(
                _send(cut, source=source, la=la, dry_run=dry_run, port_offset=port_offset, token=token, done=bar.update)
            )
            refused |= sent.refused
            for service, counts in sent.counts.items():
                typer.echo(f"\n{source} {service}: " + ", ".join(f"{n} {what}" for what, n in sorted(counts.items())))
    typer.echo(f"{len(refused)} children refused by a service (child: service: element: reason)")
    for la_child_id, reasons in refused.items():
        for reason in reasons:
            typer.echo(f"  {la_child_id}: {reason}")
    typer.echo("Dry run: nothing written." if dry_run else "Done.")
    if history.problems or refused:
        raise typer.Exit(1)


def _teams(team: str | None, teams: Path | None) -> Callable[[str], str]:
    named = {row["la_child_id"]: row["team"] for row in csv.DictReader(teams.open())} if teams else {}

    def team_of(la_child_id: str) -> str:
        found = named.get(la_child_id, team)
        if not found:
            raise typer.BadParameter(f"no team for {la_child_id}: give --team or list it in --teams", param_hint="--team")
        return found

    return team_of


def _identities(path: Path | None) -> dict[str, Identity]:
    if path is None:
        return {}
    return {
        row["la_child_id"]: Identity(
            **{name: (row.get(name) or None) for name in ("given_name", "family_name", "nhs_number", "postcode")}
        )
        for row in csv.DictReader(path.open())
    }


def _council(read: Sequence[tuple[Path, CensusFile]]) -> str:
    councils = {census.header.lea for _, census in read if census.header.lea}
    if len(councils) != 1:
        raise typer.BadParameter(f"the returns are of {len(councils)} councils ({', '.join(sorted(councils))}): one at a time")
    return councils.pop()


def _by_source(children: Sequence[Child], sources: dict[str, str]) -> dict[str, list[Child]]:
    grouped: dict[str, list[Child]] = {}
    for child in children:
        grouped.setdefault(sources[child.la_child_id], []).append(child)
    return grouped


async def _send(cut: dict[str, list[dict[str, Any]]], *, port_offset: int, token: str, **options: Any) -> Sent:
    headers = {"Authorization": f"Bearer {token}"}
    clients = {
        service: httpx.AsyncClient(base_url=service_url(service, port_offset), headers=headers, timeout=300) for service in PATHS
    }
    try:
        return await send(cut, clients, **options)
    finally:
        for client in clients.values():
            await client.aclose()
