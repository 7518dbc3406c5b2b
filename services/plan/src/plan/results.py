"""What the plan service's use cases answer, as plain frozen dataclasses of domain states (the
views turn each into the API's model): a plan with what its read carries, the family's copy, the
worklist and a page of pre-proceedings blocks."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from plan.domain import PlanState, Preproceedings
from plan.domain.drift import Attention, Closable, Finding
from plan.history import HistoryKind, HistoryPage
from plan.tables import Child

#: How many of each history list (versions, reviews, visits, meetings) a plan's result carries:
#: the rest are paged from the list's own route, so the answer stays small however long the plan.
FIRST_PAGE = 20


@dataclass(frozen=True)
class PlanRecord:
    """A plan as a use case answers it: the plan, its child, the first page of each history list,
    and what the plan shows today (its drift findings, whether it could close)."""

    plan: PlanState
    child: Child | None
    history: Mapping[HistoryKind, HistoryPage]
    findings: tuple[Finding, ...]
    closable: Closable | None
    first_page: int = FIRST_PAGE


@dataclass(frozen=True)
class FamilyCopy:
    """What the family's copy shows: the plan as it stands today, and the child's first name."""

    plan: PlanState
    child_name: str | None
    today: date


@dataclass(frozen=True)
class Listed:
    """A plan on the worklist: the plan, the child's name, and why it needs attention."""

    plan: PlanState
    child_name: str | None
    attention: Attention


@dataclass(frozen=True)
class Worklist:
    items: list[Listed]
    next_cursor: str | None


@dataclass(frozen=True)
class Blocks:
    """A page of pre-proceedings blocks, and the cursor of the next when there is more."""

    items: list[Preproceedings]
    next_cursor: str | None
