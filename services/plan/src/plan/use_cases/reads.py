"""What the API reads: one plan, its history lists, its family copy, the plans of a case or child,
and the manager's worklist. Every result that carries a child's record audits the read."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from continuum.casework import clock
from continuum.casework.policy import CouncilPolicy
from continuum.persistence.uow import Transaction, UnitOfWork
from continuum.web.access import list_teams
from continuum.web.pagination import decode_cursor, encode_cursor
from plan import repository
from plan.domain import PlanState
from plan.domain.drift import attention
from plan.history import HistoryPage, history_page
from plan.results import FamilyCopy, Listed, PlanRecord, Worklist
from plan.use_cases.steps import audit_found, find_purpose, plan_record


async def get_plan(uow: UnitOfWork, *, plan_id: uuid.UUID, policy: CouncilPolicy) -> PlanRecord:
    purpose = "view a plan"
    async with uow as tx:
        plan = await repository.visible_plan(tx, plan_id, purpose=purpose)
        await tx.audit("plan.read", subject_type="plan", subject_id=plan.id, purpose=purpose)
        return await plan_record(tx, plan, purpose=purpose, today=clock.today(), policy=policy)


async def _read_plan(tx: Transaction, plan_id: uuid.UUID, *, purpose: str) -> PlanState:
    """The plan the caller may see, audited as a read of the plan and of the child's record."""
    plan = await repository.visible_plan(tx, plan_id, purpose=purpose)
    await tx.audit("plan.read", subject_type="plan", subject_id=plan.id, purpose=purpose)
    await tx.audit("child.read", subject_type="child", subject_id=plan.child_id, purpose=purpose)
    return plan


async def history(uow: UnitOfWork, *, plan_id: uuid.UUID, kind: str, cursor: str | None, limit: int) -> HistoryPage:
    """One page of the plan's versions, reviews, visits or meetings, oldest first: a read of the
    plan and of the child's record, audited like the plan."""
    purpose = f"view a plan's {kind}"
    after = decode_cursor(cursor, datetime.fromisoformat) if cursor else None
    async with uow as tx:
        plan = await _read_plan(tx, plan_id, purpose=purpose)
        return await history_page(tx, plan.id, kind, after=after, limit=limit)


async def family_copy(uow: UnitOfWork, *, plan_id: uuid.UUID) -> FamilyCopy:
    """The family's copy of the plan: the same access rules and audit as the plan."""
    purpose = "print the family's copy of the plan"
    async with uow as tx:
        plan = await _read_plan(tx, plan_id, purpose=purpose)
        child = await repository.child(tx, plan.child_id)
        return FamilyCopy(plan, child.given_name if child else None, clock.today())


async def find_plans(uow: UnitOfWork, *, case_id: uuid.UUID | None, child_id: uuid.UUID | None) -> list[PlanState]:
    """The plans of one case or child that the caller may see, oldest first (at most 200). Each is
    a read of the child's record; those of another team are left out and the refusal audited."""
    purpose = find_purpose("plans", case_id=case_id, child_id=child_id)
    async with uow as tx:
        shown, hidden = await repository.find(tx, principal=tx.principal_or_fail(), case_id=case_id, child_id=child_id)
        await audit_found(tx, (plan.child_id for plan in shown), hidden, purpose=purpose)
        return shown[:200]


async def worklist(uow: UnitOfWork, *, team: str | None, cursor: str | None, limit: int, policy: CouncilPolicy) -> Worklist:
    """Started plans that drift or could close or step down, the one needing attention longest
    first; each child listed is a read of the child's record."""
    today = clock.today()
    after = decode_cursor(cursor, date.fromisoformat) if cursor else None
    async with uow as tx:
        teams = list_teams(tx, team, is_team=lambda t: policy.team(t) is not None, what="Team worklist", purpose="plan worklist")
        ranked: list[Listed] = []
        for plan, name in await repository.open_plans(tx, teams=teams):
            needs = attention(plan, today=today, policy=policy)
            if needs is not None and (after is None or (needs.since, plan.id) > after):
                ranked.append(Listed(plan, name, needs))
        ranked.sort(key=lambda r: (r.attention.since, r.plan.id))
        page = ranked[:limit]
        for item in page:
            await tx.audit("child.list", subject_type="child", subject_id=item.plan.child_id, purpose="plan worklist")
        last = page[-1] if page else None
        more = len(ranked) > limit
        next_cursor = encode_cursor(last.attention.since, last.plan.id) if more and last else None
        return Worklist(page, next_cursor)
