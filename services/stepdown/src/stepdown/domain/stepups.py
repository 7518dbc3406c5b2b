"""Step-up: early help asks social care to take a family back. The referral service turns
``stepup.requested`` into a referral with source 5D; here the step-up and the step-down it follows
link both ways, and a step-up within 12 months of the step-down is counted as such."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import date, datetime

from continuum.casework.errors import Conflict, Invalid
from continuum.contracts import StepUpRequested
from stepdown.domain.codes import TransitionKind
from stepdown.domain.states import Actor, Events, Stepdown, StepUp
from stepdown.domain.transitions import within_12_months


def request_step_up(
    *,
    step_up_id: uuid.UUID,
    by: Actor,
    child_id: uuid.UUID,
    team: str,
    concerns: str,
    what_was_tried: str,
    now: datetime,
    today: date,
    stepdown: Stepdown | None,
    child_known: bool,
) -> tuple[StepUp, Stepdown | None, Events]:
    """Record the step-up, link it to the step-down it follows (if any), and ask for the referral.
    The child must be one children's social care knows (its copy of the child, or an episode of
    theirs): the referral service opens the new referral for a registered child only, and would
    refuse the event after this service had answered 201."""
    if stepdown is None and not child_known:
        raise Invalid("child_id", "is not a child known to children's social care: refer a new child through the front door")
    if stepdown is not None:
        if stepdown.kind is TransitionKind.CLOSE:
            raise Invalid("stepdown_id", "names a closure, not a step-down")
        if stepdown.child_id != child_id:
            raise Invalid("child_id", "is not the child of that step-down")
        if stepdown.step_up_id is not None:
            raise Conflict(
                "the family was stepped up from this step-down already", field="stepdown_id", slug="already-stepped-up"
            )
    within = within_12_months(stepdown.stepped_down_on, today) if stepdown is not None else None
    step_up = StepUp(
        id=step_up_id,
        child_id=child_id,
        team=stepdown.team if stepdown is not None else team,
        requested_by=by.id,
        requested_at=now,
        requested_on=today,
        concerns=concerns,
        what_was_tried=what_was_tried,
        stepdown_id=stepdown.id if stepdown is not None else None,
        within_12_months_of_step_down=within,
    )
    linked = replace(stepdown, step_up_id=step_up_id, version=stepdown.version + 1) if stepdown is not None else None
    event = StepUpRequested(
        early_help_episode_id=stepdown.id if stepdown is not None else step_up_id,
        child_id=child_id,
        requested_at=now,
        requested_by=by.id,
        reason=concerns,
        team=step_up.team,
        step_up_id=step_up_id,
        stepdown_id=step_up.stepdown_id,
        within_12_months_of_step_down=within,
    )
    return step_up, linked, [event]
