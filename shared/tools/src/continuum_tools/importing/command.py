"""``continuum import census FILE.xml ... [--dry-run]``: a council's past CIN census returns read
(every layout from 2017-18 to 2026-27), merged into one history per child and reported: what each
return holds, what the history holds, and each record that cannot be imported, one line each
(child, element, reason).

Today only ``--dry-run`` runs: the services' import paths (decision 59) come next, and without
them nothing can be written; the command says so rather than pretend."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from continuum_tools.importing.census_reader import read_census
from continuum_tools.importing.merge import History, merge
from continuum_tools.importing.records import CensusFile, Episode

import_app = typer.Typer(help="A council's history brought into Continuum", no_args_is_help=True)


def _open_on(episode: Episode, day: date) -> bool:
    return episode.referral_date <= day and (episode.closure is None or episode.closure > day)


def stage(episode: Episode) -> str:
    """Where an episode open at the end of its history stands: the module it is in."""
    if any(p.end is None for p in episode.cp_plans):
        return "on a CP plan"
    if any(p.end is None for p in episode.cin_plans):
        return "on a CIN plan"
    if any(s.icpc is None and not s.icpc_not_required for s in episode.section47s):
        return "in a section 47 enquiry"
    if any(a.authorised is None for a in episode.assessments):
        return "in assessment"
    return "referred, nothing open"


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
        still_open = Counter(stage(e) for e in episodes if _open_on(e, last))
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
    dry_run: Annotated[bool, typer.Option("--dry-run", help="read, merge and report; write nothing")] = False,
) -> None:
    """Import a council's past CIN census returns: children, episodes, assessments, section 47s,
    plans, reviews, pre-proceedings and closures, with their real dates. Exits 1 when a record
    cannot be imported (each is listed), 0 when every child reads and merges whole."""
    read = [(path, read_census(path)) for path in files]
    history = merge([census for _, census in read])
    report(read, history, typer.echo)
    if not dry_run:
        typer.echo("Writing into the services is not built yet (decision 59): nothing was written. Use --dry-run.", err=True)
        raise typer.Exit(2)
    typer.echo("Dry run: nothing written.")
    if history.problems:
        raise typer.Exit(1)
