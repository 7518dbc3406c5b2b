"""The handover to early help and what follows: social care records the handover, early help
accepts or declines it, a declined or unanswered handover goes back to the team's manager (once),
the family's engagement and early help's outcome are recorded, and the manager closes what early
help did not take. Every function is pure: the instant and the London date come in as arguments."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import date, datetime

from continuum.casework.errors import Conflict, Invalid
from continuum.contracts.codes import ReasonForClosure
from continuum.contracts.stepdown import (
    StepdownAccepted,
    StepdownDecisionCorrected,
    StepdownDeclined,
    StepdownEngagementRecorded,
    StepdownEscalated,
    StepdownWithdrawn,
)
from stepdown.domain.closure import close_episode, handover_closure_reason, reopen
from stepdown.domain.codes import (
    DeclineReason,
    EarlyHelpOutcome,
    Engagement,
    EscalationReason,
    FrontDoorOutcome,
    StepdownStatus,
    TransitionKind,
)
from stepdown.domain.states import Actor, Episode, Events, Handover, Stepdown
from stepdown.domain.transitions import within_12_months


def _conflict(field: str, reason: str) -> Conflict:
    return Conflict(reason, field=field, slug="wrong-status")


def _must_be(stepdown: Stepdown, *statuses: StepdownStatus, doing: str) -> None:
    if stepdown.status not in statuses:
        wanted = " or ".join(s.value for s in statuses)
        raise _conflict("status", f"is {stepdown.status.value}: only a {wanted} step-down can {doing}")


def record_handover(stepdown: Stepdown, *, handover: Handover) -> tuple[Stepdown, Events]:
    """Social care writes (or rewrites) the handover while early help has not answered."""
    _must_be(stepdown, StepdownStatus.PENDING, doing="have its handover recorded")
    if handover.same_lead_practitioner and handover.proposed_lead_professional:
        raise Invalid("proposed_lead_professional", "leave it out when the same lead practitioner continues under family help")
    if not handover.same_lead_practitioner and not handover.proposed_lead_professional:
        raise Invalid(
            "proposed_lead_professional", "name the proposed lead professional, or say the same lead practitioner continues"
        )
    if handover.same_lead_practitioner and stepdown.lead_practitioner is None:
        raise Invalid("same_lead_practitioner", "the episode had no lead practitioner to continue")
    return replace(stepdown, handover=handover, version=stepdown.version + 1), []


def accept(stepdown: Stepdown, *, by: Actor, now: datetime, today: date) -> tuple[Stepdown, Events]:
    """Early help takes the family: the episode closes (RC9 after an assessment, RC8 at the front
    door, RC7 after a section 47 or a plan: :func:`handover_closure_reason`)."""
    _must_be(stepdown, StepdownStatus.PENDING, doing="be accepted")
    if stepdown.handover is None:
        raise _conflict("handover", "social care has not recorded the handover yet")
    assert stepdown.receiving_team is not None and stepdown.response_due is not None
    accepted = replace(stepdown, status=StepdownStatus.ACCEPTED, answered_at=now, answered_by=by.id, version=stepdown.version + 1)
    event = StepdownAccepted(
        **accepted.named(),
        receiving_team=stepdown.receiving_team,
        accepted_at=now,
        accepted_by=by.id,
        same_lead_practitioner=stepdown.handover.same_lead_practitioner,
        within_deadline=today <= stepdown.response_due,
    )
    closed, closing = close_episode(
        accepted, reason=handover_closure_reason(accepted), on=accepted.ended_on, now=now, unmet_need=True
    )
    return closed, [event, *closing]


def decline(
    stepdown: Stepdown, *, by: Actor, now: datetime, reason: DeclineReason, detail: str | None = None
) -> tuple[Stepdown, Events]:
    """Early help declines: the handover goes back to the team's manager (unless it already has)."""
    _must_be(stepdown, StepdownStatus.PENDING, doing="be declined")
    assert stepdown.receiving_team is not None
    declined = replace(
        stepdown,
        status=StepdownStatus.DECLINED,
        answered_at=now,
        answered_by=by.id,
        decline_reason=reason,
        decline_detail=detail,
        version=stepdown.version + 1,
    )
    events: Events = [
        StepdownDeclined(
            **declined.named(),
            receiving_team=stepdown.receiving_team,
            declined_at=now,
            declined_by=by.id,
            reason=reason,
        )
    ]
    escalated, escalation = escalate(declined, reason=EscalationReason.DECLINED, now=now)
    return escalated, events + escalation


def is_overdue(stepdown: Stepdown, *, today: date) -> bool:
    """A handover early help has not answered by its deadline (London date), not yet escalated."""
    return (
        stepdown.status is StepdownStatus.PENDING
        and stepdown.escalated_at is None
        and stepdown.response_due is not None
        and today > stepdown.response_due
    )


def escalate(stepdown: Stepdown, *, reason: EscalationReason, now: datetime) -> tuple[Stepdown, Events]:
    """Send the handover back to the team's manager, once: a second escalation changes nothing."""
    if stepdown.escalated_at is not None:
        return stepdown, []
    assert stepdown.response_due is not None
    escalated = replace(stepdown, escalated_at=now, escalation_reason=reason, version=stepdown.version + 1)
    return escalated, [
        StepdownEscalated(
            **escalated.named(),
            reason=reason,
            response_due=stepdown.response_due,
            escalated_at=now,
        )
    ]


def escalate_if_overdue(stepdown: Stepdown, *, now: datetime, today: date) -> tuple[Stepdown, Events]:
    if not is_overdue(stepdown, today=today):
        return stepdown, []
    return escalate(stepdown, reason=EscalationReason.UNANSWERED, now=now)


def _engagement_event(stepdown: Stepdown) -> StepdownEngagementRecorded:
    assert stepdown.receiving_team is not None and stepdown.engagement is not None
    assert stepdown.engagement_recorded_on is not None
    return StepdownEngagementRecorded(
        **stepdown.named(),
        receiving_team=stepdown.receiving_team,
        engagement=stepdown.engagement,
        recorded_on=stepdown.engagement_recorded_on,
        outcome=stepdown.outcome,
        early_help_closed_on=stepdown.early_help_closed_on,
    )


def _followed_up(stepdown: Stepdown, **recorded: object) -> tuple[Stepdown, Events]:
    """Early help's follow-up of the family recorded: ``stepdown.engagement_recorded`` says where it stands."""
    changed = replace(stepdown, **recorded, version=stepdown.version + 1)  # type: ignore[arg-type]
    return changed, [_engagement_event(changed)]


def _check_day(field: str, on: date, *, not_before: date, today: date) -> None:
    if on < not_before:
        raise Invalid(field, f"is before early help accepted the family on {not_before.isoformat()}")
    if on > today:
        raise Invalid(field, "is in the future")


def record_engagement(
    stepdown: Stepdown, *, engagement: Engagement, on: date, accepted_on: date, today: date
) -> tuple[Stepdown, Events]:
    """Early help records the family's engagement at the council's check point (it may be revised
    until early help closes)."""
    _must_be(stepdown, StepdownStatus.ACCEPTED, doing="have engagement recorded")
    if stepdown.outcome is not None:
        raise _conflict("outcome", "early help closed already")
    _check_day("recorded_on", on, not_before=accepted_on, today=today)
    return _followed_up(stepdown, engagement=engagement, engagement_recorded_on=on)


def record_outcome(
    stepdown: Stepdown, *, outcome: EarlyHelpOutcome, closed_on: date, accepted_on: date, today: date
) -> tuple[Stepdown, Events]:
    """Early help closed: its outcome, once, after the engagement was recorded."""
    _must_be(stepdown, StepdownStatus.ACCEPTED, doing="have early help's outcome recorded")
    if stepdown.engagement is None:
        raise _conflict("engagement", "record the family's engagement first")
    if stepdown.outcome is not None:
        raise _conflict("outcome", "early help's outcome is recorded already")
    _check_day("closed_on", closed_on, not_before=accepted_on, today=today)
    return _followed_up(stepdown, outcome=outcome, early_help_closed_on=closed_on)


def close_by_manager(
    stepdown: Stepdown,
    *,
    reason: ReasonForClosure,
    on: date,
    unmet_need: bool,
    now: datetime,
    today: date,
    date_of_death: date | None = None,
) -> tuple[Stepdown, Events]:
    """The manager closes a plan that ended without a census reason, or a handover early help
    declined or left unanswered (never silently: it is the manager's decision, with its reason,
    checked against the census's rules like every other closure: RC8 and RC9 are refused for an
    episode with statutory work, RC2 without the child's date of death)."""
    unanswered = stepdown.status is StepdownStatus.PENDING and stepdown.escalated_at is not None
    if stepdown.status not in (StepdownStatus.AWAITING_CLOSURE, StepdownStatus.DECLINED) and not unanswered:
        raise _conflict(
            "status",
            f"is {stepdown.status.value}: the manager closes only what awaits closure, or a declined or escalated handover",
        )
    return close_episode(stepdown, reason=reason, on=on, now=now, unmet_need=unmet_need, today=today, date_of_death=date_of_death)


def note_re_referral(stepdown: Stepdown, *, referral_date: date) -> Stepdown | None:
    """A new referral of the child within 12 months of a step-down (the day of the step-down
    included, as for a step-up) is counted on the step-down (the first one only); returns the
    changed step-down, or ``None`` when it does not count."""
    if stepdown.kind is TransitionKind.CLOSE or stepdown.status is StepdownStatus.WITHDRAWN:
        return None
    if stepdown.re_referred_on is not None or not within_12_months(stepdown.stepped_down_on, referral_date):
        return None
    return replace(stepdown, re_referred_on=referral_date, version=stepdown.version + 1)


def correct_front_door(
    episode: Episode, stepdown: Stepdown | None, *, outcome: FrontDoorOutcome, correction_of: uuid.UUID | None, now: datetime
) -> tuple[Episode, Stepdown | None, Events]:
    """The front door corrected the decision (no further action, or early help) that made the
    episode's transition to ``outcome``. Returns the episode, the
    transition and the events; when the transition no longer stands the episode forgets the front
    door's decision, so whatever ends it later (the corrected decision included) makes its own.

    - A handover early help has not settled (pending, or declined and with the manager) is
      withdrawn (``stepdown.withdrawn``).
    - A front-door closure (the NFA's, or a handover early help took) corrected to an assessment or
      a strategy discussion no longer stands: social care's work goes on in the episode, so the
      closure is withdrawn (``case.reopened``).
    - An NFA closure corrected to early help is withdrawn too (``case.reopened``): the episode
      closes again when early help accepts the new handover.
    - A handover early help took is not undone behind anyone's back: ``stepdown.decision_corrected``
      tells the team's manager and early help, who review it; corrected to no further action, its
      closure (RC8 on the referral date, the same census record) stands.

    A transition the front door did not make, or the same decision again, changes nothing."""
    decided = stepdown.front_door_outcome if stepdown is not None else None
    if stepdown is None or decided is None or stepdown.status is StepdownStatus.WITHDRAWN or outcome is decided:
        return episode, stepdown, []
    forgotten = replace(episode, front_door=None, stepdown_id=None, version=episode.version + 1)
    if stepdown.closure is None:
        withdrawn = replace(stepdown, status=StepdownStatus.WITHDRAWN, version=stepdown.version + 1)
        return forgotten, withdrawn, [_withdrawn(stepdown, outcome=outcome, now=now)]
    told: Events = [_corrected(stepdown, outcome=outcome, now=now)] if decided is FrontDoorOutcome.EARLY_HELP else []
    if decided is FrontDoorOutcome.EARLY_HELP and outcome is FrontDoorOutcome.NFA:
        return episode, stepdown, told
    reopened, reopening = reopen(stepdown, now=now, correction_of=correction_of)
    return forgotten, reopened, told + reopening


def _withdrawn(stepdown: Stepdown, *, outcome: FrontDoorOutcome, now: datetime) -> StepdownWithdrawn:
    return StepdownWithdrawn(
        **stepdown.named(),
        receiving_team=stepdown.receiving_team,
        corrected_outcome=outcome.value,
        withdrawn_at=now,
    )


def _corrected(stepdown: Stepdown, *, outcome: FrontDoorOutcome, now: datetime) -> StepdownDecisionCorrected:
    return StepdownDecisionCorrected(
        **stepdown.named(),
        receiving_team=stepdown.receiving_team,
        corrected_outcome=outcome.value,
        handover_status=stepdown.status.value,
        corrected_at=now,
    )
