"""The assessment's domain: every rule and every state change, as pure functions over plain
states (no I/O, no clock, no HTTP). Each transition takes a state and keyword arguments (who, when)
and returns the new state, its version bumped, and the contract events that say what changed.

- ``states``: the enums and state objects.
- ``rules``: the clocks and the checks the transitions make.
- ``intake``: ``open_from_decision``, ``apply_corrected_decision``, ``withdraw``, ``child_identified``.
- ``work``: ``allocate``, ``record``, ``submit``.
- ``review``: ``return_``, ``authorise``.
- ``section47``: ``start_section47``, ``conclude_section47``.
- ``escalation``: ``escalate``, from a child in need plan's ``escalate_cp`` end or strategy
  discussion (a new section 47 assessment with its enquiry started).
- ``timeliness``: ``mark_overdue`` and the measures.
"""

from assessment.domain.escalation import (
    UNKNOWN_REFERRAL,
    Escalation,
    EscalationRecord,
    EscalationResult,
    EscalationTrigger,
    escalate,
    from_plan_ended,
    from_strategy_discussion,
)
from assessment.domain.intake import (
    apply_corrected_decision,
    child_identified,
    current_partner_status,
    open_from_decision,
    withdraw,
)
from assessment.domain.review import authorise, return_
from assessment.domain.rules import (
    check_allocation,
    check_authorisation_date,
    check_can_record,
    check_can_submit,
    check_dates,
    check_enquiry_agrees,
    check_lead_practitioner,
    check_primary_need,
    check_section47_conclusion,
    check_section47_start,
    closure_for,
    due_date,
    icpc_target,
    is_overdue,
    parse_factors,
    referral_date_of,
    route_for,
    working_days_left,
)
from assessment.domain.section47 import conclude_section47, start_section47
from assessment.domain.states import (
    ASSESSMENT_WORKING_DAYS,
    ICPC_WORKING_DAYS,
    OPEN_STATUSES,
    Actor,
    AssessmentAndEnquiry,
    AssessmentState,
    Authorisation,
    ChildIdentity,
    Events,
    Findings,
    Lead,
    Section47State,
    Section47Status,
    SpecialistAssessment,
    Status,
    Submission,
)
from assessment.domain.timeliness import Completed, Figures, figures, figures_by_team, mark_overdue
from assessment.domain.work import KEEP, FindingsChange, Keep, allocate, record, submit
from continuum.casework.closure import Closure

__all__ = [
    "ASSESSMENT_WORKING_DAYS",
    "ICPC_WORKING_DAYS",
    "KEEP",
    "OPEN_STATUSES",
    "UNKNOWN_REFERRAL",
    "Actor",
    "AssessmentAndEnquiry",
    "AssessmentState",
    "Authorisation",
    "ChildIdentity",
    "Closure",
    "Completed",
    "Escalation",
    "EscalationRecord",
    "EscalationResult",
    "EscalationTrigger",
    "Events",
    "Figures",
    "Findings",
    "FindingsChange",
    "Keep",
    "Lead",
    "Section47State",
    "Section47Status",
    "SpecialistAssessment",
    "Status",
    "Submission",
    "allocate",
    "apply_corrected_decision",
    "authorise",
    "check_allocation",
    "check_authorisation_date",
    "check_can_record",
    "check_can_submit",
    "check_dates",
    "check_enquiry_agrees",
    "check_lead_practitioner",
    "check_primary_need",
    "check_section47_conclusion",
    "check_section47_start",
    "child_identified",
    "closure_for",
    "conclude_section47",
    "current_partner_status",
    "due_date",
    "escalate",
    "figures",
    "figures_by_team",
    "from_plan_ended",
    "from_strategy_discussion",
    "icpc_target",
    "is_overdue",
    "mark_overdue",
    "open_from_decision",
    "parse_factors",
    "record",
    "referral_date_of",
    "return_",
    "route_for",
    "start_section47",
    "submit",
    "withdraw",
    "working_days_left",
]
