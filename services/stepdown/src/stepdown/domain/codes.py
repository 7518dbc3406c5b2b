"""The step-down service's statuses and codes, as its states, tables and rules name them. The
events carry their values (``continuum.contracts.stepdown`` lists the ones published); the API
shows these enums."""

from __future__ import annotations

from enum import StrEnum


class StepdownStatus(StrEnum):
    """Where a transition stands.

    ``pending``: a handover early help has not answered; ``accepted``: early help took the family;
    ``declined``: early help refused it (and the manager has it); ``awaiting_closure``: a plan
    closed without a census reason, which the manager gives; ``closed``: the episode closed
    without a handover (close or universal services), or the manager closed a declined handover;
    ``withdrawn``: the front door corrected the early help decision that made it."""

    PENDING = "pending"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    AWAITING_CLOSURE = "awaiting_closure"
    CLOSED = "closed"
    #: The transition no longer stands: the front door corrected the decision that made it.
    WITHDRAWN = "withdrawn"


class TransitionKind(StrEnum):
    """Where the child goes from statutory social care."""

    EARLY_HELP = "early_help"
    UNIVERSAL = "universal"
    CLOSE = "close"


class TransitionTrigger(StrEnum):
    """The event that created the transition."""

    FRONT_DOOR = "front_door"
    ASSESSMENT = "assessment"
    PLAN = "plan"


class DeclineReason(StrEnum):
    """Why early help declined a handover (the words stay in the service)."""

    BELOW_THRESHOLD = "below_threshold"
    ABOVE_THRESHOLD = "above_threshold"
    INSUFFICIENT_INFORMATION = "insufficient_information"
    FAMILY_DID_NOT_AGREE = "family_did_not_agree"
    NO_CAPACITY = "no_capacity"
    OTHER = "other"


class EscalationReason(StrEnum):
    DECLINED = "declined"
    UNANSWERED = "unanswered"


class Engagement(StrEnum):
    """The family's engagement with early help at the council's check point."""

    ENGAGED = "engaged"
    PARTLY = "partly"
    DECLINED = "declined"


class EarlyHelpOutcome(StrEnum):
    """How the early help episode ended."""

    NEEDS_MET = "needs_met"
    NEEDS_PARTLY_MET = "needs_partly_met"
    NEEDS_NOT_MET = "needs_not_met"
    STEPPED_UP = "stepped_up"
    MOVED_AWAY = "moved_away"


class StatutoryWork(StrEnum):
    """Statutory work the census records in an episode: with any of it, the episode may not close
    with RC8 or RC9 (census rule 2990: those reasons mean "closed after assessment" and nothing more)."""

    SECTION47 = "section47"
    ICPC = "icpc"
    CIN_PLAN = "cin_plan"
    CP_PLAN = "cp_plan"


class FrontDoorOutcome(StrEnum):
    """The front door's decisions (``referral.decided``'s outcome, as step-down reads it): no further
    action and early help end the episode without an assessment; an assessment or a strategy
    discussion go on in social care."""

    NFA = "nfa"
    EARLY_HELP = "early_help"
    ASSESSMENT = "assessment"
    STRATEGY_DISCUSSION = "strategy_discussion"

    @property
    def ends_episode(self) -> bool:
        """The decision ends the episode at the front door (at once, or by a handover)."""
        return self in (FrontDoorOutcome.NFA, FrontDoorOutcome.EARLY_HELP)


class ReturnKind(StrEnum):
    """How a family came back to social care within 12 months of a step-down (the measures count both)."""

    STEP_UP = "step_up"
    RE_REFERRAL = "re_referral"
