"""What the API reads: one assessment or enquiry, the team worklist, the lookups by case,
referral or child, and the measures. Every answer that carries a child's record audits the read."""

from __future__ import annotations

import uuid
from datetime import date

from assessment import domain, repository
from assessment.results import AssessmentRecord, Listed, Measured, WorklistRow
from assessment.use_cases.steps import assessment_answer
from continuum.casework import clock
from continuum.casework.errors import Invalid
from continuum.casework.policy import CouncilPolicy
from continuum.persistence.uow import UnitOfWork
from continuum.web.access import list_teams, visible_teams


async def get_assessment(uow: UnitOfWork, *, assessment_id: uuid.UUID) -> AssessmentRecord:
    purpose = "view an assessment"
    async with uow as tx:
        state = await repository.visible_assessment(tx, assessment_id, purpose=purpose)
        await tx.audit("assessment.read", subject_type="assessment", subject_id=state.id, purpose=purpose)
        return await assessment_answer(tx, state, purpose=purpose, today=clock.today())


async def get_section47(uow: UnitOfWork, *, section47_id: uuid.UUID) -> domain.Section47State:
    purpose = "view a section 47 enquiry"
    async with uow as tx:
        section47, _ = await repository.visible_section47(tx, section47_id, purpose=purpose)
        await tx.audit("section47.read", subject_type="section47", subject_id=section47.id, purpose=purpose)
        return section47


async def worklist(
    uow: UnitOfWork, *, team: str | None, cursor: str | None, limit: int, policy: CouncilPolicy
) -> Listed[WorklistRow]:
    """Open assessments, fewest working days left first (the most overdue at the top); each child
    listed is a read of the child's record."""
    today = clock.today()
    async with uow as tx:
        teams = list_teams(
            tx, team, is_team=lambda t: policy.team(t) is not None, what="Team worklist", purpose="assessment worklist"
        )
        listed = Listed(await repository.worklist(tx, teams=teams, cursor=cursor, limit=limit), limit, today)
        for row in listed.shown:
            await tx.audit("child.list", subject_type="child", subject_id=row.child_id, purpose="assessment worklist")
        return listed


async def find_assessments(
    uow: UnitOfWork,
    *,
    case_id: uuid.UUID | None,
    referral_id: uuid.UUID | None,
    child_id: uuid.UUID | None,
    cursor: str | None,
    limit: int,
) -> Listed[domain.AssessmentState]:
    """The assessments of one case, referral or child that the caller may see, oldest referral
    first. Each is a read of the child's record; those of another team are left out, and the
    refusal is audited, so the answer never tells that they exist."""
    given = {name for name, value in (("case_id", case_id), ("referral_id", referral_id), ("child_id", child_id)) if value}
    if len(given) != 1:
        raise Invalid(sorted(given)[-1] if given else "case_id", "give exactly one of case_id, referral_id, child_id")
    (by,) = given
    purpose = f"find assessments by {by.removesuffix('_id')}"
    principal = uow.principal_or_fail()
    async with uow as tx:
        found, hidden = await repository.find(
            tx, principal=principal, case_id=case_id, referral_id=referral_id, child_id=child_id, cursor=cursor, limit=limit
        )
        listed = Listed(found, limit, clock.today())
        for state in listed.shown:
            await tx.audit("child.read", subject_type="child", subject_id=state.child_id, purpose=purpose)
        for other in hidden:
            await tx.audit("child.read", subject_type="child", subject_id=other, purpose=purpose, outcome="refused")
        return listed


async def measures(uow: UnitOfWork, *, date_from: date, date_to: date, team: str | None, policy: CouncilPolicy) -> Measured:
    """Assessments authorised in the range (inclusive): how many, how long, how many in time, outcomes."""
    principal = uow.principal_or_fail()
    if date_to < date_from:
        raise Invalid("to", "is before from")
    teams = visible_teams(principal, team, is_team=lambda t: policy.team(t) is not None, what="Team measures")
    async with uow as tx:
        rows = await repository.completed(tx, date_from=date_from, date_to=date_to, teams=teams)
    return Measured(date_from, date_to, overall=domain.figures(rows), by_team=domain.figures_by_team(rows))
