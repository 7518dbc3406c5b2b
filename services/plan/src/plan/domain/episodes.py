"""Whether a child's episode (case) is open, as the plan service learns it: the assessment
service's ``assessment.opened`` (an episode beyond the front door) or a plan drafted for the case
opens what the service knows of it; step-down's ``case.closed`` closes it and ``case.reopened``
(a corrected closure) opens it again. The events come on three topics in no order across them, so
an episode closed first stays closed when its opening arrives later; only the reopening of that
same closure opens it again."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import date

from plan.domain.states import Episode


def opened(known: Episode | None, *, case_id: uuid.UUID, child_id: uuid.UUID, team: str, opened_on: date | None) -> Episode:
    """Casework (an assessment or a plan) under way for the case in ``team``: the episode is known,
    its team the latest casework's; a closure already known stands."""
    if known is None:
        return Episode(case_id=case_id, child_id=child_id, team=team, opened_on=opened_on)
    return replace(known, team=team, opened_on=known.opened_on or opened_on)


def closed(known: Episode | None, *, case_id: uuid.UUID, child_id: uuid.UUID, team: str, closure_date: date) -> Episode:
    """The episode closed on ``closure_date`` (census CINclosureDate)."""
    if known is None:
        return Episode(case_id=case_id, child_id=child_id, team=team, closed_on=closure_date)
    return replace(known, closed_on=closure_date)


def reopened(known: Episode | None, *, closure_date: date) -> Episode | None:
    """The closure on ``closure_date`` was withdrawn: open again (another closure is left alone)."""
    if known is None or known.closed_on != closure_date:
        return known
    return replace(known, closed_on=None)
