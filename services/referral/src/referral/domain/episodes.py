"""Episodes: one open episode per child (census rules 8815 and 8820), closed and reopened by the
step-down service alone, and the contacts recorded on an open episode (decision 34).

An episode (a case) runs from its referral until step-down's ``case.closed``, and again from a
``case.reopened``. A referral whose decision in force is the front door's NFA or early help does
not count as open even before step-down's closure arrives: either is the census's referral with no
further action (ReferralNFA), closed on its referral date, so it cannot overlap a later episode
(rule 8820 compares a later referral date with the closure date), and a new referral is not
refused while the closure is on its way, nor while early help has yet to answer the handover.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from continuum.casework.clock import london_date
from continuum.contracts import DecisionOutcome

#: Corrections that make step-down reopen a closed episode (an NFA or early help corrected to an
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
    #: Imported as the open episode's current stage and not moved on since (``ReferralState``'s).
    import_current_stage: bool = False

    @property
    def referral_date(self) -> date:
        return london_date(self.received_at)

    @property
    def teams(self) -> tuple[str, str | None]:
        return self.team, self.allocated_team

    @property
    def open(self) -> bool:
        return is_open(self.closed_on, self.outcome)


#: The front door's decisions that end statutory work at the referral (census ReferralNFA).
REFERRAL_NFA_OUTCOMES = frozenset({DecisionOutcome.NFA, DecisionOutcome.EARLY_HELP})


def is_open(closed_on: date | None, outcome: DecisionOutcome | None) -> bool:
    """Open until step-down closes it; a front-door NFA or early help is not counted (see the module's docstring)."""
    return closed_on is None and outcome not in REFERRAL_NFA_OUTCOMES


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
    """A correction that makes a closed (or referral-NFA) episode open again, while the child has
    another open episode, is refused: the two would overlap (8820). Step-down reopens a closed
    episode when its NFA or early help is corrected to an assessment or a strategy discussion; a
    front-door NFA or early help not yet closed is open again with an assessment or a strategy
    discussion."""
    becomes_open = outcome in REOPENING_OUTCOMES
    if not is_open(closed_on, previous) and becomes_open:
        check_no_open_episode(episodes, field="outcome", child_id=child_id, besides=referral_id)
