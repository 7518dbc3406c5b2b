"""What the API reads: one step-down, the lists, the manager's escalation worklist and the
measures. Every answer that carries a child's record audits the read."""

from __future__ import annotations

import uuid

from continuum.casework.errors import Invalid
from continuum.casework.policy import CouncilPolicy
from continuum.persistence.uow import UnitOfWork
from continuum.web.access import list_teams, measured_teams
from stepdown import domain, reporting, repository
from stepdown.domain import EscalatedHandover, QuarterMeasures, Stepdown
from stepdown.use_cases.commands import ListStepdowns, Measure
from stepdown.use_cases.steps import read_one


async def get_stepdown(uow: UnitOfWork, *, stepdown_id: uuid.UUID) -> Stepdown:
    return await read_one(uow, stepdown_id, load=repository.visible_stepdown, subject_type="stepdown", purpose="view a step-down")


async def list_stepdowns(uow: UnitOfWork, query: ListStepdowns, *, policy: CouncilPolicy) -> repository.Listed[Stepdown]:
    """Step-downs of the caller's teams (as social care or as the receiving early help team), of one
    child or case if asked, newest first. Asked for a child or case, the step-downs of it the caller
    may not see are left out and each such child's refusal is audited, so the answer never tells
    that they exist."""
    of_record = query.child_id is not None or query.case_id is not None
    purpose = "step-downs of a child or case" if of_record else "step-down list"
    async with uow as tx:
        teams = list_teams(tx, query.team, is_team=lambda t: policy.team(t) is not None, what="Team step-downs", purpose=purpose)
        page = await repository.list_stepdowns(
            tx,
            teams=teams,
            status=query.status,
            child_id=query.child_id,
            case_id=query.case_id,
            cursor=query.cursor,
            limit=query.limit,
        )
        for item in page.items:
            await tx.audit("child.list", subject_type="child", subject_id=item.child_id, purpose=purpose)
        if teams is not None and of_record:
            for hidden in await repository.hidden_children(tx, teams=teams, child_id=query.child_id, case_id=query.case_id):
                await tx.audit("child.list", subject_type="child", subject_id=hidden, purpose=purpose, outcome="refused")
        return page


async def escalations(
    uow: UnitOfWork, *, team: str | None, cursor: str | None, limit: int, policy: CouncilPolicy
) -> repository.Listed[EscalatedHandover]:
    """The team manager's worklist: declined or unanswered handovers not yet resolved, oldest first."""
    purpose = "step-down escalations"
    async with uow as tx:
        teams = list_teams(tx, team, is_team=lambda t: policy.team(t) is not None, what="Team escalations", purpose=purpose)
        page = await repository.escalations(tx, teams=teams, cursor=cursor, limit=limit)
        for item in page.items:
            await tx.audit("child.list", subject_type="child", subject_id=item.child_id, purpose=purpose)
        return page


async def measures(uow: UnitOfWork, query: Measure, *, policy: CouncilPolicy) -> list[QuarterMeasures]:
    """Counts only (no child's record): by team and quarter, with the same quarter a year before.
    Of the caller's teams unless ``team`` narrows it (auditors and admins: every team), as social
    care or as the early help team that received the handovers; another team's answers 404."""
    date_from, date_to, team = query.date_from, query.date_to, query.team
    if date_to < date_from:
        raise Invalid("to", "is before from")
    if (date_to - date_from).days > 366 * 3:
        raise Invalid("to", "ask for at most three years at a time")
    is_team = lambda team: policy.team(team) is not None  # noqa: E731
    teams = measured_teams(uow.principal_or_fail(), team, is_team=is_team, what="Team measures")
    async with uow as tx:
        closures, handovers, returns = await reporting.measure_groups(tx, date_from=date_from, date_to=date_to, teams=teams)
    return domain.measure(closures=closures, handovers=handovers, returns=returns, date_from=date_from, date_to=date_to)
