"""What use cases answer with, beside domain states: results a view turns into an API model."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from assessment.domain import AssessmentState, Section47State
from assessment.tables import Allocation, Child, Return


@dataclass(frozen=True)
class AssessmentRecord:
    """What an answer shows of an assessment: its state, its child's copy, its allocation and
    return history, its enquiry (the current one, else the one withdrawn last), and the day it is
    shown (working days left count from it). ``views.assessment_view`` makes the API model."""

    state: AssessmentState
    child: Child | None
    allocations: Sequence[Allocation]
    returns: Sequence[Return]
    section47: Section47State | None
    today: date
