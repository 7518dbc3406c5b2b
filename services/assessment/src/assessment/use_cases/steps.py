"""Steps every assessment use case takes: who is acting, the answer that carries the assessment
(a read of the child's record, audited), and the change of one assessment or enquiry through the
kernel's pipeline (``continuum.persistence.change.change_one``) with the stores it needs."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Sequence
from datetime import date, datetime

from assessment import repository
from assessment.domain import Actor, AssessmentState, Events, Section47State
from assessment.results import AssessmentRecord
from continuum.casework import clock
from continuum.casework.principal import Principal, Role
from continuum.contracts import EventData
from continuum.persistence.change import change_one
from continuum.persistence.uow import Transaction, UnitOfWork

#: A transition of one assessment, as a use case runs it: given the transaction (to load what else
#: it needs), the assessment and the instant, the new state and its events.
Change = Callable[[Transaction, AssessmentState, datetime], Awaitable[tuple[AssessmentState, Events]]]


class Assessments:
    """Assessments as the change pipeline loads (visible to the caller, locked) and saves them."""

    subject_type = "assessment"

    async def load(self, tx: Transaction, id: uuid.UUID, *, purpose: str) -> AssessmentState:
        return await repository.visible_assessment(tx, id, purpose=purpose, lock=True)

    async def save(self, tx: Transaction, before: AssessmentState, after: AssessmentState, *, action: str) -> None:
        await repository.save_assessment(tx, after)


class Enquiries:
    """Section 47 enquiries as the change pipeline loads and saves them: an enquiry is visible when
    its assessment is, and a transition decides with both (``assessment_of`` keeps the one loaded)."""

    subject_type = "section47"

    def __init__(self) -> None:
        self.assessment_of: dict[uuid.UUID, AssessmentState] = {}

    async def load(self, tx: Transaction, id: uuid.UUID, *, purpose: str) -> Section47State:
        section47, assessment = await repository.visible_section47(tx, id, purpose=purpose, lock=True)
        self.assessment_of[section47.id] = assessment
        return section47

    async def save(self, tx: Transaction, before: Section47State, after: Section47State, *, action: str) -> None:
        await repository.save_section47(tx, after)


async def publish_and_audit(
    tx: Transaction, events: Sequence[EventData], state: AssessmentState, *, action: str, purpose: str
) -> None:
    """Publish what a change of the assessment says and audit the change, for the paths that change
    an assessment outside ``change_assessment`` (the front door's decision, an escalation, the
    overdue sweep)."""
    await tx.publish_all(events, aggregate=state)
    await tx.audit(action, subject_type="assessment", subject_id=state.id, purpose=purpose)


def actor_of(principal: Principal) -> Actor:
    """The domain's view of the caller: their id, and whether they are a social-work-qualified manager."""
    return Actor(principal.sub, sw_qualified_manager=principal.has(Role.MANAGER) and principal.sw_qualified)


async def assessment_answer(tx: Transaction, state: AssessmentState, *, purpose: str, today: date) -> AssessmentRecord:
    """The assessment with what its answer shows: a read of the child's record, audited."""
    await tx.audit("child.read", subject_type="child", subject_id=state.child_id, purpose=purpose)
    return AssessmentRecord(
        state,
        child=await repository.child(tx, state.child_id),
        allocations=await repository.allocations(tx, state.id),
        returns=await repository.returns(tx, state.id),
        section47=await repository.latest_section47(tx, state.id),
        today=today,
    )


async def change_assessment(
    uow: UnitOfWork,
    *,
    assessment_id: uuid.UUID,
    version: int,
    purpose: str,
    action: str | Callable[[AssessmentState], str],
    change: Change,
) -> AssessmentRecord:
    """Load the visible assessment (locked), check the version the caller read, run the domain
    transition, save the new state, publish its events and audit the change (``action``, or the
    action named from the state before it), in one transaction."""
    now = clock.now()
    async with uow as tx:

        async def decide(state: AssessmentState) -> tuple[AssessmentState, Events]:
            return await change(tx, state, now)

        changed = await change_one(
            tx, Assessments(), id=assessment_id, version=version, purpose=purpose, action=action, decide=decide
        )
        return await assessment_answer(tx, changed, purpose=purpose, today=clock.london_date(now))
