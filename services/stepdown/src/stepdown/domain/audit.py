"""The monthly audit: a reproducible sample of last month's step-downs and step-ups (the policy's
rate, seeded by the council and the month, so drawing the same month again gives the same sample),
and the auditors' findings."""

from __future__ import annotations

import math
import random
import re
import uuid
from dataclasses import dataclass, replace
from datetime import date, datetime
from enum import StrEnum

from continuum.casework.errors import Invalid
from stepdown.domain.states import Events

MONTH_PATTERN = r"^(19|20)\d\d-(0[1-9]|1[0-2])$"


class SampledKind(StrEnum):
    STEPDOWN = "stepdown"
    STEP_UP = "step_up"


class Rating(StrEnum):
    GOOD = "good"
    REQUIRES_IMPROVEMENT = "requires_improvement"
    INADEQUATE = "inadequate"


@dataclass(frozen=True)
class Candidate:
    kind: SampledKind
    record_id: uuid.UUID
    team: str


@dataclass(frozen=True)
class SampleItem:
    """A record drawn for a month's audit (a child's record: reading it is audited), and the
    auditor's finding once recorded."""

    id: uuid.UUID
    month: str
    kind: SampledKind
    record_id: uuid.UUID
    child_id: uuid.UUID
    team: str
    drawn_at: datetime
    rating: Rating | None = None
    finding: str | None = None
    learning: str | None = None
    reviewed_by: str | None = None
    reviewed_at: datetime | None = None
    version: int = 1

    @property
    def subject(self) -> str:
        return str(self.id)


def sample_items(month: str, chosen: list[Candidate], *, children: dict[uuid.UUID, uuid.UUID], now: datetime) -> list[SampleItem]:
    """The chosen records as items of the month's sample (``children``: each record's child)."""
    return [SampleItem(uuid.uuid4(), month, c.kind, c.record_id, children[c.record_id], c.team, drawn_at=now) for c in chosen]


def record_finding(
    item: SampleItem, *, rating: Rating, finding: str, learning: str, by: str, now: datetime
) -> tuple[SampleItem, Events]:
    """The auditor's finding and learning on a sampled record (revised as often as needed); no event."""
    changed = replace(
        item, rating=rating, finding=finding, learning=learning, reviewed_by=by, reviewed_at=now, version=item.version + 1
    )
    return changed, []


def month_bounds(month: str) -> tuple[date, date]:
    """The first day of ``month`` (``YYYY-MM``) and the first day of the month after."""
    if not re.match(MONTH_PATTERN, month):
        raise Invalid("month", "is not a month such as 2026-10")
    year, number = int(month[:4]), int(month[5:])
    first = date(year, number, 1)
    following = date(year + number // 12, number % 12 + 1, 1)
    return first, following


def previous_month(today: date) -> str:
    """Last month, as ``YYYY-MM``, for the London date ``today``."""
    year, number = (today.year, today.month - 1) if today.month > 1 else (today.year - 1, 12)
    return f"{year:04d}-{number:02d}"


def check_month_is_over(month: str, *, today: date) -> None:
    if month_bounds(month)[1] > today:
        raise Invalid("month", "has not ended yet: a month is sampled once it is over")


def sample_size(population: int, rate: float) -> int:
    """The policy's share, rounded up, so a month with any step-downs and a rate above 0 audits one."""
    return min(population, math.ceil(population * rate)) if rate > 0 else 0


def draw_sample(candidates: list[Candidate], *, month: str, la_code: str, rate: float) -> list[Candidate]:
    """The sample: the same candidates, month and council always give the same records."""
    ordered = sorted(candidates, key=lambda c: (c.kind.value, str(c.record_id)))
    rng = random.Random(f"{la_code}:{month}")
    chosen = rng.sample(ordered, sample_size(len(ordered), rate))
    return sorted(chosen, key=lambda c: (c.kind.value, str(c.record_id)))
