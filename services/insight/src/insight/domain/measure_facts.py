"""The facts the measures count, one record per fact, as the read model's events state them
(docs/decisions/52-insight-measures.md). The repository reads them from ``case_events`` already
narrowed to the period and the year before (and to the caller's teams); each carries the team it
is counted under: the team the event that states the fact names.

Corrections are applied before a fact reaches here: a referral carries its latest decision; an
assessment or section 47 withdrawn, a closure withdrawn by ``case.reopened`` and a handover
withdrawn (``stepdown.withdrawn``) are not facts.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import NamedTuple

from continuum.casework.clock import london_date
from continuum.contracts import DecisionOutcome

#: The team of a referral the front door has not given one yet (it counts in the total).
UNASSIGNED = "unassigned"


class Referral(NamedTuple):
    """A referral received (``referral.received``), its latest decision (``referral.decided``;
    ``None``: not decided yet), and when the child's previous referral was received (any team's)."""

    team: str
    child_id: uuid.UUID
    received_at: datetime
    previous_received_at: datetime | None
    outcome: DecisionOutcome | None

    @property
    def referral_date(self) -> date:
        """Census CINreferralDate: the London date it was received."""
        return london_date(self.received_at)


class Assessment(NamedTuple):
    """An assessment authorised (``assessment.authorised``)."""

    team: str
    referral_date: date
    authorisation_date: date


class Section47(NamedTuple):
    """A section 47 enquiry started (``section47.started``)."""

    team: str
    start_date: date


class Icpc(NamedTuple):
    """An initial child protection conference held (``section47.concluded`` with its date), and
    the strategy discussion the enquiry began with (``section47.started``)."""

    team: str
    icpc_date: date
    strategy_discussion_date: date | None
    icpc_target_date: date


class Plan(NamedTuple):
    """A CIN or CP plan started (``plan.started``) and, if it has, ended (``plan.ended``)."""

    team: str
    plan_type: str
    start_date: date
    end_date: date | None


class Review(NamedTuple):
    """A plan's review held (``plan.reviewed``), on time or not (against its due date)."""

    team: str
    plan_type: str
    review_date: date
    on_time: bool


class Visit(NamedTuple):
    """A visit that happened (``visit.recorded`` with a visit date)."""

    team: str
    visit_date: date
    within_frequency: bool | None
    child_seen: bool


class Drift(NamedTuple):
    """A plan's drift finding (``plan.drift_detected``), on the London date it was detected."""

    team: str
    kind: str
    detected_on: date


class Closure(NamedTuple):
    """An episode closed (``case.closed``, not reopened); ``to_early_help``: by a step-down to
    early help (its kind)."""

    team: str
    to_early_help: bool
    referral_date: date
    closure_date: date
    unmet_need: bool


class Handover(NamedTuple):
    """A step-down to early help (``stepdown.requested``, kind ``early_help``, not withdrawn), on
    the London date it was requested, and early help's answer so far."""

    team: str
    stepped_down_on: date
    accepted: bool
    declined: bool


class StepUp(NamedTuple):
    """Early help asked social care to take a family back (``stepup.requested``)."""

    team: str
    requested_on: date
    within_12_months: bool


@dataclass(frozen=True)
class Facts:
    """Every fact of the period and the year before, of the teams asked for."""

    referrals: list[Referral] = field(default_factory=list)
    assessments: list[Assessment] = field(default_factory=list)
    section47s: list[Section47] = field(default_factory=list)
    icpcs: list[Icpc] = field(default_factory=list)
    plans: list[Plan] = field(default_factory=list)
    reviews: list[Review] = field(default_factory=list)
    visits: list[Visit] = field(default_factory=list)
    drift: list[Drift] = field(default_factory=list)
    closures: list[Closure] = field(default_factory=list)
    handovers: list[Handover] = field(default_factory=list)
    step_ups: list[StepUp] = field(default_factory=list)

    @property
    def teams(self) -> set[str]:
        return {f.team for facts in vars(self).values() for f in facts}

    def of_team(self, team: str) -> Facts:
        """Only ``team``'s facts."""
        return Facts(**{name: [f for f in facts if f.team == team] for name, facts in vars(self).items()})
