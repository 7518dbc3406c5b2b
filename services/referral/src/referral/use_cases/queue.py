"""The front door's queue: undecided referrals, soonest due first."""

from __future__ import annotations

from datetime import datetime

from continuum.casework import clock
from continuum.casework.policy import CouncilPolicy
from continuum.persistence.uow import UnitOfWork
from continuum.web.access import list_teams
from continuum.web.pagination import Page, decode_cursor, page_of
from referral import domain, repository, views
from referral.schemas import ContactItem, QueueItem


async def front_door_queue(
    uow: UnitOfWork, *, team: str | None, cursor: str | None, limit: int, policy: CouncilPolicy
) -> Page[QueueItem]:
    """Undecided referrals of the caller's teams (the front door's: every team's, or ``team``'s),
    soonest due first, overdue ones marked. Another team's queue answers 404, audited."""
    principal = uow.principal_or_fail()
    after = decode_cursor(cursor, datetime.fromisoformat) if cursor else None
    async with uow as tx:
        teams = list_teams(
            tx,
            team,
            is_team=lambda t: policy.team(t) is not None,
            what="Team queue",
            purpose="front-door queue",
            every_team=domain.sees_every_case(principal),
        )
        rows = await repository.queue(tx, teams=teams, after=after, limit=limit)
        now = clock.now()
        page = page_of(rows, limit, item=lambda r: views.queue_item(r, now), position=lambda r: (r.decision_due_at, r.id))
        for item in page.items:
            await tx.audit("child.list", subject_type="child", subject_id=item.child_id, purpose="front-door queue")
        return page


async def front_door_contacts(
    uow: UnitOfWork, *, team: str | None, cursor: str | None, limit: int, policy: CouncilPolicy
) -> Page[ContactItem]:
    """Contacts recorded on open episodes (step-ups from early help that arrived while the child's
    episode was open), oldest first, for the front door to pass on: every team's to the front
    door, else the caller's teams' (or ``team``'s). Another team's list answers 404, audited."""
    principal = uow.principal_or_fail()
    after = decode_cursor(cursor, datetime.fromisoformat) if cursor else None
    async with uow as tx:
        teams = list_teams(
            tx,
            team,
            is_team=lambda t: policy.team(t) is not None,
            what="Team contacts",
            purpose="front-door contacts",
            every_team=domain.sees_every_case(principal),
        )
        rows = await repository.contacts(tx, teams=teams, after=after, limit=limit)
        page = page_of(rows, limit, item=views.contact_item, position=lambda r: (r.received_at, r.id))
        for item in page.items:
            await tx.audit("child.list", subject_type="child", subject_id=item.child_id, purpose="front-door contacts")
        return page
