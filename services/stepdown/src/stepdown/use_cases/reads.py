"""What the API reads: one step-down, the lists, the manager's escalation worklist and the
measures. Every answer that carries a child's record audits the read."""

from __future__ import annotations

import uuid
from datetime import date

from continuum.casework.policy import CouncilPolicy
from continuum.persistence.uow import UnitOfWork
from continuum.web.access import list_teams
from continuum.web.errors import invalid, not_found
from continuum.web.pagination import page_of
from stepdown import domain, reporting, repository
from stepdown.domain import StepdownStatus
from stepdown.schemas import EscalationPage, MeasuresOut, StepdownOut, StepdownPage
from stepdown.use_cases.steps import stepdown_answer
from stepdown.views import escalation_view, measures_view, stepdown_view


async def get_stepdown(uow: UnitOfWork, *, stepdown_id: uuid.UUID) -> StepdownOut:
    purpose = "view a step-down"
    async with uow as tx:
        state = await repository.visible_stepdown(tx, stepdown_id, purpose=purpose)
        await tx.audit("stepdown.read", subject_type="stepdown", subject_id=state.id, purpose=purpose)
        return await stepdown_answer(tx, state, purpose=purpose)


async def list_stepdowns(
    uow: UnitOfWork,
    *,
    team: str | None,
    status: StepdownStatus | None,
    child_id: uuid.UUID | None = None,
    case_id: uuid.UUID | None = None,
    cursor: str | None,
    limit: int,
    policy: CouncilPolicy,
) -> StepdownPage:
    """Step-downs of the caller's teams (as social care or as the receiving early help team), of one
    child or case if asked, newest first. Asked for a child or case, the step-downs of it the caller
    may not see are left out and each such child's refusal is audited, so the answer never tells
    that they exist."""
    purpose = "step-down list" if child_id is None and case_id is None else "step-downs of a child or case"
    async with uow as tx:
        teams = list_teams(tx, team, is_team=lambda t: policy.team(t) is not None, what="Team step-downs", purpose=purpose)
        rows = await repository.list_stepdowns(
            tx, teams=teams, status=status, child_id=child_id, case_id=case_id, cursor=cursor, limit=limit
        )
        page = page_of(
            rows, limit, item=lambda r: stepdown_view(repository.stepdown_state(r)), position=lambda r: (r.requested_at, r.id)
        )
        for item in page.items:
            await tx.audit("child.list", subject_type="child", subject_id=item.child_id, purpose=purpose)
        if teams is not None and (child_id is not None or case_id is not None):
            for hidden in await repository.hidden_children(tx, teams=teams, child_id=child_id, case_id=case_id):
                await tx.audit("child.list", subject_type="child", subject_id=hidden, purpose=purpose, outcome="refused")
        return page


async def escalations(
    uow: UnitOfWork, *, team: str | None, cursor: str | None, limit: int, policy: CouncilPolicy
) -> EscalationPage:
    """The team manager's worklist: declined or unanswered handovers not yet resolved, oldest first."""
    purpose = "step-down escalations"
    async with uow as tx:
        teams = list_teams(tx, team, is_team=lambda t: policy.team(t) is not None, what="Team escalations", purpose=purpose)
        rows = await repository.escalations(tx, teams=teams, cursor=cursor, limit=limit)
        page = page_of(rows, limit, item=escalation_view, position=lambda r: (r.escalated_at, r.id))
        for item in page.items:
            await tx.audit("child.list", subject_type="child", subject_id=item.child_id, purpose=purpose)
        return page


async def measures(uow: UnitOfWork, *, date_from: date, date_to: date, team: str | None, policy: CouncilPolicy) -> MeasuresOut:
    """Counts only (no child's record): by team and quarter, with the same quarter a year before.
    Of the caller's teams unless ``team`` narrows it (auditors and admins: every team), as social
    care or as the early help team that received the handovers; another team's answers 404."""
    if date_to < date_from:
        raise invalid("to", "is before from")
    if (date_to - date_from).days > 366 * 3:
        raise invalid("to", "ask for at most three years at a time")
    if team is not None and policy.team(team) is None:
        raise invalid("team", "is not a team of the council")
    principal = uow.principal_or_fail()
    if team is not None and not principal.can_see_team(team):
        raise not_found("Team measures")
    teams = [team] if team is not None else None if principal.sees_all_teams else sorted(principal.teams)
    async with uow as tx:
        closures, handovers, returns = await reporting.measure_groups(tx, date_from=date_from, date_to=date_to, teams=teams)
    rows = domain.measure(closures=closures, handovers=handovers, returns=returns, date_from=date_from, date_to=date_to)
    return measures_view(rows, date_from=date_from, date_to=date_to)
