"""The worklists that need action, for the dashboard: of the team asked for (checked as the
measures check it) or the caller's teams (every team for those who see every team). Each case
listed (by its id and team only) is audited as read for the dashboard's worklist."""

from __future__ import annotations

from continuum.casework import clock
from continuum.casework.errors import Invalid, NotFound
from continuum.casework.policy import CouncilPolicy
from continuum.persistence.uow import UnitOfWork
from insight import repository_worklists
from insight.domain.worklists import OLDEST, Worklists
from insight.use_cases.commands import ReadWorklists

ACTION, PURPOSE = "case.worklist", "the dashboard's worklists"


async def worklists(uow: UnitOfWork, query: ReadWorklists, *, policy: CouncilPolicy) -> Worklists:
    today = clock.london_date(clock.now())
    team = query.team
    if team is not None and policy.team(team) is None:
        raise Invalid("team", "is not a team of the council")
    principal = uow.principal_or_fail()
    if team is not None and not principal.can_see_team(team):
        raise NotFound("Team worklists")
    teams = [team] if team is not None else None if principal.sees_all_teams else sorted(principal.teams)
    async with uow as tx:
        lists = await repository_worklists.worklists(tx, today=today, teams=teams, limit=OLDEST)
        result = Worklists(as_at=today, lists=lists)
        for case_id in sorted({item.case_id for item in result.items}):
            await tx.audit(ACTION, subject_type="case", subject_id=case_id, purpose=PURPOSE)
    return result
