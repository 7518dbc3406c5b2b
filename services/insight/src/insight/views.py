"""Domain results -> the API's answers."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import asdict
from typing import BinaryIO

from continuum.persistence.child_copy import ChildSummary
from insight.domain import Entry
from insight.domain.measures import Measures, TeamMeasures
from insight.results import Chronology
from insight.schemas import ChronologyEntryOut, ChronologyOut, FigureOut, MeasuresOut, PeriodOut, TeamMeasuresOut

#: A file answer is read and sent this much at a time.
CHUNK = 1 << 20


def file_chunks(body: BinaryIO) -> Iterator[bytes]:
    """A file written for an answer, from its start, a chunk at a time; closed (and, a temporary
    file, removed) once sent or when the client goes away."""
    with body:
        body.seek(0)
        while chunk := body.read(CHUNK):
            yield chunk


def entry_view(entry: Entry) -> ChronologyEntryOut:
    return ChronologyEntryOut(**asdict(entry))


def chronology_view(result: Chronology) -> ChronologyOut:
    child = ChildSummary.model_validate(result.child, from_attributes=True) if result.child else None
    return ChronologyOut(child=child, items=[entry_view(e) for e in result.entries], next_cursor=result.next_cursor)


def _team_view(measured: TeamMeasures) -> TeamMeasuresOut:
    figures = {
        name: FigureOut(value=c.value, year_before=c.year_before, change=c.change, change_percent=c.change_percent)
        for name, c in measured.figures.items()
    }
    return TeamMeasuresOut(team=measured.team, figures=figures)


def measures_view(measured: Measures) -> MeasuresOut:
    p = measured.period
    period = PeriodOut(
        date_from=p.date_from,
        date_to=p.date_to,
        name=p.name,
        as_at=p.as_at,
        counted_to=p.counted_to,
        partial=p.partial,
        not_over=p.not_over,
        not_covered=p.not_covered,
        year_before_from=p.year_before.first,
        year_before_to=p.year_before.last,
        year_before_not_covered=p.year_before_not_covered,
    )
    return MeasuresOut(
        period=period,
        total=_team_view(measured.total),
        by_team=[_team_view(t) for t in measured.by_team],
        not_measured=measured.not_measured,
    )


#: The CSV's columns: the period's, then one row per team (then all) and figure.
CSV_HEADER = [
    "date_from",
    "date_to",
    "counted_to",
    "partial",
    "team",
    "figure",
    "value",
    "year_before",
    "change",
    "change_percent",
]


def _cell(value: float | bool | None) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return f"{value:g}" if isinstance(value, float) and value.is_integer() else str(value)


def measures_csv(measures: MeasuresOut) -> str:
    """The same figures as the JSON answer, one row per team and figure (the total last, team
    ``all``); an empty cell is a null. Team and figure names are the service's own (never text a
    spreadsheet would run as a formula)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    p = measures.period
    for team in [*measures.by_team, measures.total]:
        for name, f in team.figures.items():
            writer.writerow(
                [p.date_from, p.date_to, p.counted_to, _cell(p.partial), team.team, name]
                + [_cell(v) for v in (f.value, f.year_before, f.change, f.change_percent)]
            )
    return out.getvalue()
