"""What the API reads: one assessment or enquiry, the team worklist, the lookups by case,
referral or child, and the measures. Every answer that carries a child's record audits the read."""

from __future__ import annotations

import uuid
from datetime import date

from assessment import domain, repository
from assessment.results import AssessmentRecord
from assessment.schemas import AssessmentPage, MeasuresOut, TeamMeasures, WorklistPage
from assessment.use_cases.steps import assessment_answer
from assessment.views import measures_view, summary_view, worklist_item
from continuum.casework import clock
from continuum.casework.errors import Invalid
from continuum.casework.policy import CouncilPolicy
from continuum.persistence.uow import UnitOfWork
from continuum.web.access import list_teams, visible_teams
from continuum.web.pagination import page_of


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


async def worklist(uow: UnitOfWork, *, team: str | None, cursor: str | None, limit: int, policy: CouncilPolicy) -> WorklistPage:
    """Open assessments, fewest working days left first (the most overdue at the top); each child
    listed is a read of the child's record."""
    today = clock.today()
    async with uow as tx:
        teams = list_teams(
            tx, team, is_team=lambda t: policy.team(t) is not None, what="Team worklist", purpose="assessment worklist"
        )
        rows = await repository.worklist(tx, teams=teams, cursor=cursor, limit=limit)
        page = page_of(rows, limit, item=lambda r: worklist_item(r, today), position=lambda r: (r.due_date, r.id))
        for item in page.items:
            await tx.audit("child.list", subject_type="child", subject_id=item.child_id, purpose="assessment worklist")
        return page


async def find_assessments(
    uow: UnitOfWork,
    *,
    case_id: uuid.UUID | None,
    referral_id: uuid.UUID | None,
    child_id: uuid.UUID | None,
    cursor: str | None,
    limit: int,
) -> AssessmentPage:
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
        page = page_of(found, limit, item=summary_view, position=lambda a: (a.referral_date, a.id))
        for item in page.items:
            await tx.audit("child.read", subject_type="child", subject_id=item.child_id, purpose=purpose)
        for other in hidden:
            await tx.audit("child.read", subject_type="child", subject_id=other, purpose=purpose, outcome="refused")
        return page


async def measures(uow: UnitOfWork, *, date_from: date, date_to: date, team: str | None, policy: CouncilPolicy) -> MeasuresOut:
    """Assessments authorised in the range (inclusive): how many, how long, how many in time, outcomes."""
    principal = uow.principal_or_fail()
    if date_to < date_from:
        raise Invalid("to", "is before from")
    teams = visible_teams(principal, team, is_team=lambda t: policy.team(t) is not None, what="Team measures")
    async with uow as tx:
        rows = await repository.completed(tx, date_from=date_from, date_to=date_to, teams=teams)
    return MeasuresOut(
        date_from=date_from,
        date_to=date_to,
        by_team=[TeamMeasures(team=t, **measures_view(f)) for t, f in domain.figures_by_team(rows).items()],
        **measures_view(domain.figures(rows)),
    )
