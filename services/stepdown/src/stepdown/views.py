"""Domain states and rows as the API shows them (JSON models and CSV exports)."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence
from datetime import date
from typing import Any, TypeVar

from pydantic import BaseModel

from continuum.web.pagination import Page
from stepdown.domain import EscalatedHandover, QuarterMeasures, SampleItem, Stepdown, StepUp
from stepdown.domain.measures import BANDS, CHANGED, Counts
from stepdown.schemas import (
    ActionsOut,
    AuditItemOut,
    AuditSampleOut,
    ClosureOut,
    CountsOut,
    EscalationOut,
    HandoverOut,
    MeasuresOut,
    QuarterOut,
    StepdownOut,
    StepUpOut,
)

T = TypeVar("T")
M = TypeVar("M", bound=BaseModel)


def _from_fields(model: type[M], source: object, **converted: Any) -> M:
    """``model`` built from ``source``'s attributes of the same names, but for those ``converted``."""
    return model(**{name: getattr(source, name) for name in model.model_fields if name not in converted}, **converted)


def stepdown_view(s: Stepdown) -> StepdownOut:
    c = s.closure
    return _from_fields(
        StepdownOut,
        s,
        statutory_work=sorted(s.statutory_work),
        actions=ActionsOut(**s.actions.model_dump()) if s.actions else None,
        handover=HandoverOut(**vars(s.handover)) if s.handover else None,
        closure=ClosureOut(
            closure_date=c.closure_date, reason_for_closure=c.reason, unmet_need=c.unmet_need, closed_at=c.closed_at
        )
        if c
        else None,
    )


def page_view(items: Sequence[T], next_cursor: str | None, view: Callable[[T], M]) -> Page[M]:
    """A page of a list as the API shows it: each item through its view."""
    return Page[M](items=[view(i) for i in items], next_cursor=next_cursor)


def escalation_view(item: EscalatedHandover) -> EscalationOut:
    return _from_fields(EscalationOut, item)


def step_up_view(s: StepUp) -> StepUpOut:
    return _from_fields(StepUpOut, s)


def audit_item_view(item: SampleItem) -> AuditItemOut:
    return _from_fields(AuditItemOut, item)


def sample_view(month: str, items: list[SampleItem]) -> AuditSampleOut:
    return AuditSampleOut(month=month, items=[audit_item_view(i) for i in items])


def _counts(c: Counts) -> CountsOut:
    return _from_fields(
        CountsOut,
        c,
        closures_by_duration={band: c.bands.get(band, 0) for band in BANDS},
        closures_with_unmet_need=c.unmet_need,
    )


def measures_view(rows: list[QuarterMeasures], *, date_from: date, date_to: date) -> MeasuresOut:
    quarters = [
        _from_fields(
            QuarterOut,
            m,
            current=_counts(m.current),
            year_before=_counts(m.year_before),
            change_percent={name: m.change(name) for name in CHANGED},
        )
        for m in rows
    ]
    return MeasuresOut(date_from=date_from, date_to=date_to, quarters=quarters)


def _csv(header: list[str], rows: list[list[Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(["" if v is None else _safe(v) for v in row] for row in rows)
    return out.getvalue()


def _safe(value: Any) -> Any:
    """Spreadsheets run a cell that starts with = + - @ as a formula: quote such text."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value


def measures_csv(measures: MeasuresOut) -> str:
    counts = list(CountsOut.model_fields)
    header = ["team", "quarter", "quarter_start", "partial", "counted_from", "counted_to"]
    header += [f"{n}" for n in counts if n != "closures_by_duration"] + list(BANDS)
    header += [f"year_before_{n}" for n in ("closures", "closures_with_unmet_need")] + [f"change_percent_{n}" for n in CHANGED]
    rows = []
    for q in measures.quarters:
        now = q.current.model_dump()
        row: list[Any] = [q.team, q.quarter, q.quarter_start.isoformat(), q.partial]
        row += [q.counted_from.isoformat(), q.counted_to.isoformat()]
        row += [now[n] for n in counts if n != "closures_by_duration"] + [now["closures_by_duration"][b] for b in BANDS]
        row += [q.year_before.closures, q.year_before.closures_with_unmet_need] + [q.change_percent[n] for n in CHANGED]
        rows.append(row)
    return _csv(header, rows)


def sample_csv(sample: AuditSampleOut) -> str:
    header = ["month", "kind", "record_id", "child_id", "team", "rating", "finding", "learning", "reviewed_by", "reviewed_at"]
    rows = [
        [
            sample.month,
            i.kind.value,
            str(i.record_id),
            str(i.child_id),
            i.team,
            i.rating.value if i.rating else None,
            i.finding,
            i.learning,
            i.reviewed_by,
            i.reviewed_at.isoformat() if i.reviewed_at else None,
        ]
        for i in sample.items
    ]
    return _csv(header, rows)
