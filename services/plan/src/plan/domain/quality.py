"""The quality of a plan's actions on the Children's Commissioner's five criteria (2024):
actionable, measurable, owned, with a defined measure of success and a timeframe.

Whether a description is *actionable* and a measure *measurable* is judged by the wording (see
:func:`judge`), and reported, never refused: the practitioner sees it at every version. A plan's
state carries its quality (``PlanState.quality``), so every transition's result has it.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import date

#: First words of actions the Commissioner found vague ("continue to monitor"): not actionable.
VAGUE_OPENINGS = frozenset({"monitor", "continue", "ensure", "consider", "encourage", "maintain", "explore", "try", "to"})
#: An owner that names nobody in particular.
NOBODY = frozenset({"all", "everyone", "all professionals", "professionals", "tbc", "tba", "n/a", "unknown", "team", "agencies"})
#: Words that make a measure of success countable or observable on a date.
MEASURING_WORDS = re.compile(
    r"\d|%|\b(every|each|daily|weekly|fortnightly|monthly|per|times|at least|no more than|fewer|less than|more than|"
    r"score|none|zero|one|two|three|four|five|six|seven|eight|nine|ten|twelve|all)\b",
    re.IGNORECASE,
)
CRITERIA = ("actionable", "measurable", "owned", "success_measure", "timeframe")


def words(text: str) -> list[str]:
    return re.findall(r"[\w'-]+", text.lower())


@dataclass(frozen=True)
class ActionQuality:
    """One action against the Commissioner's five criteria."""

    action_id: uuid.UUID
    actionable: bool
    measurable: bool
    owned: bool
    success_measure: bool
    timeframe: bool

    @property
    def all_five(self) -> bool:
        return self.actionable and self.measurable and self.owned and self.success_measure and self.timeframe


@dataclass(frozen=True)
class Quality:
    """The plan's actions against the five criteria: each action, and how many meet each and all."""

    actions: tuple[ActionQuality, ...]

    @property
    def total(self) -> int:
        return len(self.actions)

    @property
    def meeting_all_five(self) -> int:
        return sum(q.all_five for q in self.actions)

    def meeting(self, criterion: str) -> int:
        return sum(bool(getattr(q, criterion)) for q in self.actions)

    @property
    def share_all_five(self) -> float | None:
        return round(self.meeting_all_five / self.total, 4) if self.actions else None


def judge(action_id: uuid.UUID, *, description: str, person: str, success_measure: str, due_date: date | None) -> ActionQuality:
    """Actionable: a concrete step of at least four words, not opening with a vague verb
    ("monitor", "continue", "ensure"...). Measurable: the measure counts or dates something
    (a number, a frequency, "all", "none"...). Owned: a named person (not "all professionals") and
    an agency. Success measure: one is given and says more than the action. Timeframe: a due date."""
    said = words(description)
    measure = success_measure.strip()
    return ActionQuality(
        action_id=action_id,
        actionable=len(said) >= 4 and said[0] not in VAGUE_OPENINGS,
        measurable=bool(MEASURING_WORDS.search(measure)),
        owned=person.strip().lower() not in NOBODY,
        success_measure=len(words(measure)) >= 3 and measure.lower() != description.strip().lower(),
        timeframe=due_date is not None,
    )
