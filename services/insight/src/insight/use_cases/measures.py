"""The managers' measures of a period: counts, shares and medians, by team and in total, beside
the same period a year before. No child's record is in the answer (so no child's read is audited,
and no figure is suppressed: the answer stays inside the council, where a count under 5 names
no one to those who already hold the records)."""

from __future__ import annotations

from dataclasses import replace

from continuum.casework import clock
from continuum.casework.policy import CouncilPolicy
from continuum.persistence.uow import UnitOfWork
from continuum.web.access import measured_teams
from insight import repository_measures
from insight.domain import measures as domain
from insight.domain.periods import period as checked_period
from insight.use_cases.commands import ReadMeasures


async def measures(uow: UnitOfWork, query: ReadMeasures, *, policy: CouncilPolicy) -> domain.Measures:
    """The figures of the period asked for (422 naming the field for a bad one), as at today, of
    ``query.team`` (422 if the council has no such team; 404 if the caller may not see it) or of
    the caller's teams (every team for auditors, performance officers and admins)."""
    today = clock.london_date(clock.now())
    asked = checked_period(date_from=query.date_from, date_to=query.date_to, name=query.period, as_at=today, covered_from=None)
    is_team = lambda team: policy.team(team) is not None  # noqa: E731
    teams = measured_teams(uow.principal_or_fail(), query.team, is_team=is_team, what="Team measures")
    async with uow as tx:
        counted = replace(asked, covered_from=await repository_measures.first_event_day(tx))
        facts = await repository_measures.measure_facts(tx, counted, teams=teams)
    return domain.measure(facts, counted, teams=teams or ())
