"""The front door's rules and state changes, as pure functions over plain state objects.

Each transition takes the state and what happened (who, when, what was decided) and returns the
new state and the events that announce it. It checks every rule first (raising ``RuleBroken`` or
``MatchConflict``), bumps the version and builds the contract events; it reads no clock, database
or request: instants, dates and the council's policy come as arguments.
"""

from continuum.casework import Closure
from continuum.errors import RuleBroken
from referral.domain.access import may_see_case, sees_every_case
from referral.domain.children import (
    SAME_IDENTIFIER,
    SAME_NAME_AND_BIRTH,
    Candidate,
    ChildIdentity,
    ChildState,
    MatchConflict,
    check_child_identity,
    check_possible_matches,
    identity_differences,
    looks_for_possible_matches,
    match_registered,
    register_child,
    register_or_match,
    update_child,
    valid_nhs_number,
)
from referral.domain.information import Agency, InformationRequestState, record_information, request_information
from referral.domain.referrals import (
    DECISION_WORKING_DAYS,
    DecisionRecord,
    Intake,
    LawfulBasis,
    ReferralState,
    ReferralStatus,
    check_received_at,
    check_team,
    closure_for,
    correct_decision,
    decide,
    decision_due_at,
    is_re_referral,
    receive,
    within_decision_timescale,
)

__all__ = [
    "DECISION_WORKING_DAYS",
    "SAME_IDENTIFIER",
    "SAME_NAME_AND_BIRTH",
    "Agency",
    "Candidate",
    "ChildIdentity",
    "ChildState",
    "Closure",
    "DecisionRecord",
    "InformationRequestState",
    "Intake",
    "LawfulBasis",
    "MatchConflict",
    "ReferralState",
    "ReferralStatus",
    "RuleBroken",
    "check_child_identity",
    "check_possible_matches",
    "check_received_at",
    "check_team",
    "closure_for",
    "correct_decision",
    "decide",
    "decision_due_at",
    "identity_differences",
    "is_re_referral",
    "looks_for_possible_matches",
    "match_registered",
    "may_see_case",
    "receive",
    "record_information",
    "register_child",
    "register_or_match",
    "request_information",
    "sees_every_case",
    "update_child",
    "valid_nhs_number",
    "within_decision_timescale",
]
