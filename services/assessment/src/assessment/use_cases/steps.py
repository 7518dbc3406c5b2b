"""Steps every assessment use case takes: who is acting, the answer that carries the assessment
(a read of the child's record, audited), and the change of one assessment from load to answer."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import date, datetime

from assessment import repository
from assessment.domain import Actor, AssessmentState, Events
from assessment.schemas import AssessmentOut
from assessment.views import assessment_view
from continuum.casework import clock
from continuum.casework.principal import Principal, Role
from continuum.persistence.uow import Transaction, UnitOfWork
from continuum.web.errors import check_version

#: A transition of one assessment, as a use case runs it: given the transaction (to load what else
#: it needs), the assessment and the instant, the new state and its events.
Change = Callable[[Transaction, AssessmentState, datetime], Awaitable[tuple[AssessmentState, Events]]]


def actor_of(principal: Principal) -> Actor:
    """The domain's view of the caller: their id, and whether they are a social-work-qualified manager."""
    return Actor(principal.sub, sw_qualified_manager=principal.has(Role.MANAGER) and principal.sw_qualified)


async def assessment_answer(tx: Transaction, state: AssessmentState, *, purpose: str, today: date) -> AssessmentOut:
    """The assessment as the API shows it, with its child: a read of the child's record, audited."""
    await tx.audit("child.read", subject_type="child", subject_id=state.child_id, purpose=purpose)
    return assessment_view(
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
) -> AssessmentOut:
    """Load the visible assessment (locked), check the version the caller read, run the domain
    transition, save the new state, publish its events and audit the change (``action``, or the
    action named from the state before it), in one transaction."""
    now = clock.now()
    async with uow as tx:
        state = await repository.visible_assessment(tx, assessment_id, purpose=purpose, lock=True)
        check_version(state.version, version)
        changed, events = await change(tx, state, now)
        await repository.save_assessment(tx, changed)
        await tx.publish_all(events, aggregate=changed)
        audited = action if isinstance(action, str) else action(state)
        await tx.audit(audited, subject_type="assessment", subject_id=changed.id, purpose=purpose)
        return await assessment_answer(tx, changed, purpose=purpose, today=clock.london_date(now))
