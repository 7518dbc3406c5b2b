"""Episodes: one open episode per child (census rules 8815 and 8820), closed and reopened by the
step-down service alone, and the contacts recorded on an open episode (decisions.md 34).

An episode (a case) runs from its referral until step-down's ``case.closed``, and again from a
``case.reopened``. A referral whose decision in force is the front door's NFA does not count as
open even before step-down's closure arrives: step-down closes it on its referral date (census
ReferralNFA), so it cannot overlap a later episode, and a re-referral straight after an NFA is
not refused while the closure is on its way.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from continuum.clock import london_date
from continuum.contracts import DecisionOutcome

#: Corrections that make step-down reopen a closed episode (AGREEMENTS: an NFA corrected to an
#: assessment or a strategy discussion after its closure).
REOPENING_OUTCOMES = frozenset({DecisionOutcome.ASSESSMENT, DecisionOutcome.STRATEGY_DISCUSSION})


@dataclass(frozen=True)
class Episode:
    """One of a child's episodes as the register's history shows it (its referral's row)."""

    referral_id: uuid.UUID
    case_id: uuid.UUID
    team: str
    allocated_team: str | None
    received_at: datetime
    undecided: bool
    outcome: DecisionOutcome | None
    closed_on: date | None

    @property
    def referral_date(self) -> date:
        return london_date(self.received_at)

    @property
    def teams(self) -> tuple[str, str | None]:
        return self.team, self.allocated_team

    @property
    def open(self) -> bool:
        return is_open(self.closed_on, self.outcome)


def is_open(closed_on: date | None, outcome: DecisionOutcome | None) -> bool:
    """Open until step-down closes it; a front-door NFA is not counted (see the module's docstring)."""
    return closed_on is None and outcome is not DecisionOutcome.NFA


def open_episodes(episodes: Sequence[Episode], *, besides: uuid.UUID | None = None) -> list[Episode]:
    """The open ones of ``episodes`` (but the referral ``besides``), the latest first."""
    found = [e for e in episodes if e.open and e.referral_id != besides]
    return sorted(found, key=lambda e: (e.received_at, e.referral_id), reverse=True)


class OpenEpisodeConflict(Exception):
    """A referral (or a correction that reopens an episode) for a child whose ``episode`` is still
    open: it would be a second, overlapping episode (census rules 8815, 8820). ``field`` is the
    request field at issue, ``child_id`` the child. Whoever may see the open episode is told which it is."""

    def __init__(self, episode: Episode, *, field: str, child_id: uuid.UUID) -> None:
        super().__init__("open-episode")
        self.episode = episode
        self.field = field
        self.child_id = child_id


def check_no_open_episode(
    episodes: Sequence[Episode], *, field: str, child_id: uuid.UUID, besides: uuid.UUID | None = None
) -> None:
    """Refuse a new episode of ``child_id`` while another is open (the latest open one is named)."""
    still_open = open_episodes(episodes, besides=besides)
    if still_open:
        raise OpenEpisodeConflict(still_open[0], field=field, child_id=child_id)


def check_correction_keeps_one_open(
    *,
    referral_id: uuid.UUID,
    child_id: uuid.UUID,
    closed_on: date | None,
    previous: DecisionOutcome | None,
    outcome: DecisionOutcome,
    episodes: Sequence[Episode],
) -> None:
    """A correction that makes a closed (or NFA) episode open again, while the child has another
    open episode, is refused: the two would overlap (8820). Step-down reopens a closed episode when
    its NFA is corrected to an assessment or a strategy discussion; an NFA not yet closed is open
    again with any other outcome."""
    becomes_open = outcome in REOPENING_OUTCOMES if closed_on is not None else outcome is not DecisionOutcome.NFA
    if not is_open(closed_on, previous) and becomes_open:
        check_no_open_episode(episodes, field="outcome", child_id=child_id, besides=referral_id)
