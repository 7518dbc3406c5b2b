"""Every query of the assessment service, by concern, and rows to and from domain states.

- ``rows``: the tables as Core handles, and states to and from their rows;
- ``loads``: one record, visible to this principal (another team's answers 404, audited), and
  what a transition or an answer needs beside it;
- ``writes``: a new assessment's rows, a transition's state saved (one UPDATE of its row), the
  allocation and return history;
- ``front_door``: a run of front-door events read in one statement and written in another, and
  the assessments waiting for their child's identity;
- ``escalations``: what an escalation from a child in need plan reads and keeps;
- ``lists``: the worklist, the lookups by case, referral or child, the measures' rows.

Use cases call them as ``repository.<name>``; writes are Core statements built once from the
table metadata, so the consumer's hot path skips the ORM's unit of work.
"""

from assessment.repository.escalations import (
    episode_referral,
    escalation_seen,
    lock_case,
    open_section47_of_case,
    record_escalation,
)
from assessment.repository.front_door import (
    FrontDoorLookup,
    awaiting_partner_status,
    front_door_lookup,
    partner_status_order,
    write_front_door_run,
)
from assessment.repository.lists import completed, find, worklist
from assessment.repository.loads import (
    allocations,
    assessment_by_id,
    by_referral,
    child,
    child_identity,
    claim_overdue,
    current_section47,
    episode_had_section47,
    latest_section47,
    may_see,
    returns,
    section47_by_id,
    visible_assessment,
    visible_section47,
)
from assessment.repository.rows import assessment_state, section47_state
from assessment.repository.writes import (
    add_allocation,
    add_return,
    insert_opened,
    save_assessment,
    save_assessments,
    save_section47,
)

__all__ = [
    "FrontDoorLookup",
    "add_allocation",
    "add_return",
    "allocations",
    "assessment_by_id",
    "assessment_state",
    "awaiting_partner_status",
    "by_referral",
    "child",
    "child_identity",
    "claim_overdue",
    "completed",
    "current_section47",
    "episode_had_section47",
    "episode_referral",
    "escalation_seen",
    "find",
    "front_door_lookup",
    "insert_opened",
    "latest_section47",
    "lock_case",
    "may_see",
    "open_section47_of_case",
    "partner_status_order",
    "record_escalation",
    "returns",
    "save_assessment",
    "save_assessments",
    "save_section47",
    "section47_by_id",
    "section47_state",
    "visible_assessment",
    "visible_section47",
    "worklist",
    "write_front_door_run",
]
