"""The plan's domain: every rule and every state change, as pure functions over plain states
(no I/O, no clock, no HTTP). Each transition takes a state and keyword arguments (who, when) and
returns the new state, its version bumped, and the contract events that say what changed.

- ``states``: the enums and state objects.
- ``content``: the plan's content, its actions and their quality on the five criteria.
- ``lifecycle``: ``draft`` (from an assessment, a section 47 enquiry or a CP step-down), ``approve``, ``end``.
- ``schedule``: review and visit due dates.
- ``reviews``, ``visits`` (and meetings), ``interventions``.
- ``preproceedings``: the census pre-proceedings blocks of an episode (with or without a plan),
  and ``episodes``: what the service knows of whether an episode is open.
- ``drift``: drift findings, could-close rules and the worklist's attention.
"""

from plan.domain import content, drift, episodes, interventions, lifecycle, preproceedings, reviews, schedule, visits
from plan.domain.states import (
    FINISHED,
    OPEN_STATUSES,
    Action,
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
    Preproceedings,
    ReviewRecord,
    Visits,
)

__all__ = [
    "FINISHED",
    "OPEN_STATUSES",
    "Action",
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
    "Preproceedings",
    "ReviewRecord",
    "Visits",
    "content",
    "drift",
    "episodes",
    "interventions",
    "lifecycle",
    "preproceedings",
    "reviews",
    "schedule",
    "visits",
]
