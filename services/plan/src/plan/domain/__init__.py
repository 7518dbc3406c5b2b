"""The plan's domain: every rule and every state change, as pure functions over plain states
(no I/O, no clock, no HTTP). Each transition takes a state and keyword arguments (who, when) and
returns the new state, its version bumped, with what follows from it (its actions' quality, the
day the drift check next looks at it), and the contract events that say what changed: a use case
asks the domain once per change and saves what it answered.

- ``states``: the enums (the service's own statuses) and state objects.
- ``rules``: the checks transitions share, and what every plan event says of its plan.
- ``content``: the plan's content and its actions; ``quality``: the actions on the five criteria.
- ``drafting``: ``draft`` (from an assessment, a section 47 enquiry or a CP step-down).
- ``lifecycle``: ``approve``, ``end``, strategy discussions, and what partners are told.
- ``schedule``: review and visit due dates.
- ``reviews``, ``visits`` (and meetings), ``interventions``.
- ``preproceedings``: the census pre-proceedings blocks of an episode (with or without a plan),
  and ``episodes``: what the service knows of whether an episode is open.
- ``imports`` and ``import_blocks``: a council's history imported (plans; pre-proceedings).
- ``drift``: drift findings, could-close rules and the worklist's attention.
"""

from plan.domain import (
    content,
    drafting,
    drift,
    episodes,
    import_blocks,
    imports,
    interventions,
    lifecycle,
    preproceedings,
    quality,
    reviews,
    rules,
    schedule,
    visits,
)
from plan.domain.states import (
    FINISHED,
    OPEN_STATUSES,
    Action,
    ActionProgress,
    Actor,
    ChildIdentity,
    Content,
    Ending,
    Episode,
    Events,
    Family,
    FgdmMeeting,
    Intervention,
    NetworkMember,
    Owner,
    PlanState,
    PlanStatus,
    Preproceedings,
    ReviewRecord,
    Visits,
)

__all__ = [
    "FINISHED",
    "OPEN_STATUSES",
    "Action",
    "ActionProgress",
    "Actor",
    "ChildIdentity",
    "Content",
    "Ending",
    "Episode",
    "Events",
    "Family",
    "FgdmMeeting",
    "Intervention",
    "NetworkMember",
    "Owner",
    "PlanState",
    "PlanStatus",
    "Preproceedings",
    "ReviewRecord",
    "Visits",
    "content",
    "drafting",
    "drift",
    "episodes",
    "import_blocks",
    "imports",
    "interventions",
    "lifecycle",
    "preproceedings",
    "quality",
    "reviews",
    "rules",
    "schedule",
    "visits",
]
