"""What partner agencies are told by step-down: ``stepped_down`` when early help accepts the family
(since the day it accepted) and ``closed`` when the episode closes any other way (since the census
closure date, a front-door NFA included), each once, when it becomes true; and the same status
again when the child's NHS number becomes known, if it is still the child's live status.

Step-down alone announces these two (the other services announce ``referred``, ``assessment``,
``cin_plan`` and ``cp_plan``), so a partner never hears "stepped down" for a family early help has
not taken, nor "closed" for an episode still open.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from continuum.casework.clock import london_date
from continuum.casework.partners import partner_status
from continuum.casework.policy import CouncilPolicy
from continuum.contracts import PartnerStatus
from continuum.contracts.stepdown import CaseClosed, StepdownAccepted
from stepdown.domain.codes import StepdownStatus
from stepdown.domain.states import ChildFacts, Episode, Events, Stepdown


def status_of(stepdown: Stepdown) -> tuple[PartnerStatus, date, str] | None:
    """The status a transition gives the child, the date it began and the team whose contact
    partners are given; ``None`` while the episode is open (or the transition was withdrawn)."""
    if stepdown.status is StepdownStatus.WITHDRAWN or stepdown.closure is None:
        return None
    if stepdown.status is StepdownStatus.ACCEPTED and stepdown.answered_at is not None:
        # Early help holds the family now: its contact is the one partners need.
        return PartnerStatus.STEPPED_DOWN, london_date(stepdown.answered_at), stepdown.receiving_team or stepdown.team
    return PartnerStatus.CLOSED, stepdown.closure.closure_date, stepdown.team


def _announce(stepdown: Stepdown, *, child: ChildFacts | None, policy: CouncilPolicy) -> Events:
    found = status_of(stepdown)
    if found is None or child is None:
        return []
    status, since, team = found
    event = partner_status(
        child_id=stepdown.child_id,
        nhs_number=child.nhs_number,
        date_of_birth=child.date_of_birth,
        status=status,
        since=since,
        team=team,
        policy=policy,
    )
    return [event]


def partner_events(stepdown: Stepdown, events: Events, *, child: ChildFacts | None, policy: CouncilPolicy) -> Events:
    """The partner status these events of ``stepdown`` made true (early help accepted, or the
    episode closed), or nothing. Without the child's NHS number it is withheld now
    (``status.withheld``, logged by the partners service, sent to no agency) and sent when the
    number becomes known (:func:`status_when_identified`)."""
    if not any(isinstance(e, StepdownAccepted | CaseClosed) for e in events):
        return []
    return _announce(stepdown, child=child, policy=policy)


def told_partners(change: tuple[Stepdown, Events], *, child: ChildFacts | None, policy: CouncilPolicy) -> tuple[Stepdown, Events]:
    """A transition's result with the partner status it made true appended to its events: what a
    use case publishes, in the transaction of the change."""
    stepdown, events = change
    return stepdown, [*events, *partner_events(stepdown, events, child=child, policy=policy)]


def status_when_identified(
    episodes: Iterable[Episode], stepdowns: Iterable[Stepdown], *, child: ChildFacts, policy: CouncilPolicy
) -> Events:
    """The child's NHS number became known: step-down's status for the child's latest episode, if it
    is still the child's live status as far as step-down knows, i.e. every episode of the child it
    has heard of has closed here (an open one's status is the referral, assessment or plan
    service's to send). The latest closure's status, once; nothing when that closure is one of the
    council's imported history (partners hear of open episodes only)."""
    standing = {s.id: s for s in stepdowns if s.status is not StepdownStatus.WITHDRAWN}
    closed: list[tuple[date, datetime, Stepdown]] = []
    for episode in episodes:
        stepdown = standing.get(episode.stepdown_id) if episode.stepdown_id is not None else None
        if stepdown is None or stepdown.closure is None:
            return []
        closed.append((stepdown.closure.closure_date, stepdown.closure.closed_at, stepdown))
    if not closed:
        return []
    *_, latest = max(closed, key=lambda c: (c[0], c[1]))
    if latest.imported_from is not None:
        return []  # a closure of the imported history: partners are told current statuses only (decision 59)
    return _announce(latest, child=child, policy=policy)
