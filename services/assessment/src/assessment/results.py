"""What use cases answer with, beside domain states: results a view turns into an API model."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Generic, TypeVar

from assessment.domain import AssessmentState, Figures, Section47State
from assessment.tables import Allocation, Child, Return

T = TypeVar("T")


@dataclass(frozen=True)
class AssessmentRecord:
    """What an answer shows of an assessment: its state, its child's copy, its allocation and
    return history, its enquiry (the current one, else the one withdrawn last), and the day it is
    shown (working days left count from it). ``views.assessment_view`` makes the API model."""

    state: AssessmentState
    child: Child | None
    allocations: Sequence[Allocation]
    returns: Sequence[Return]
    section47: Section47State | None
    today: date


@dataclass(frozen=True)
class Listed(Generic[T]):
    """A page of a list as fetched: up to ``limit + 1`` rows (the extra one only says there is
    another page), and the day they are shown (working days left count from it)."""

    rows: Sequence[T]
    limit: int
    today: date

    @property
    def shown(self) -> Sequence[T]:
        """The rows the page shows."""
        return self.rows[: self.limit]


@dataclass(frozen=True)
class Measured:
    """The measures of a date range: over every team the caller sees, and by team (in team order)."""

    date_from: date
    date_to: date
    overall: Figures
    by_team: dict[str, Figures] = field(default_factory=dict)


#: A worklist row: an ``assessments`` row with the child's names.
WorklistRow = Any
