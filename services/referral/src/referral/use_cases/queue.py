"""The front door's lists: undecided referrals, soonest due first, and the contacts held on open
episodes, oldest first."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from typing import Any, Protocol, TypeVar

from continuum.casework import clock
from continuum.casework.policy import CouncilPolicy
from continuum.persistence.uow import Transaction, UnitOfWork
from continuum.web.access import list_teams
from continuum.web.pagination import Page, decode_cursor, page_of
from referral import domain, repository, views
from referral.schemas import ContactItem, QueueItem


class _OfAChild(Protocol):
    @property
    def child_id(self) -> uuid.UUID: ...


T = TypeVar("T", bound=_OfAChild)
Rows = Callable[[Transaction, list[str] | None, tuple[datetime, uuid.UUID] | None], Awaitable[Sequence[Any]]]


async def _team_list(
    uow: UnitOfWork,
    *,
    team: str | None,
    cursor: str | None,
    limit: int,
    policy: CouncilPolicy,
    what: str,
    purpose: str,
    rows: Rows,
    item: Callable[[Any], T],
    position: Callable[[Any], tuple[Any, ...]],
) -> Page[T]:
    """A page of a front-door list for the caller's teams (the front door's: every team's, or
    ``team``'s; another team's list answers 404, audited), each child listed audited."""
    principal = uow.principal_or_fail()
    after = decode_cursor(cursor, datetime.fromisoformat) if cursor else None
    async with uow as tx:
        teams = list_teams(
            tx,
            team,
            is_team=lambda t: policy.team(t) is not None,
            what=what,
            purpose=purpose,
            every_team=domain.sees_every_case(principal),
        )
        page = page_of(await rows(tx, teams, after), limit, item=item, position=position)
        for listed in page.items:
            await tx.audit("child.list", subject_type="child", subject_id=listed.child_id, purpose=purpose)
        return page


async def front_door_queue(
    uow: UnitOfWork, *, team: str | None, cursor: str | None, limit: int, policy: CouncilPolicy
) -> Page[QueueItem]:
    """Undecided referrals of the caller's teams, soonest due first, overdue ones marked."""
    now = clock.now()
    return await _team_list(
        uow,
        team=team,
        cursor=cursor,
        limit=limit,
        policy=policy,
        what="Team queue",
        purpose="front-door queue",
        rows=lambda tx, teams, after: repository.queue(tx, teams=teams, after=after, limit=limit),
        item=lambda r: views.queue_item(r, now),
        position=lambda r: (r.decision_due_at, r.id),
    )


async def front_door_contacts(
    uow: UnitOfWork, *, team: str | None, cursor: str | None, limit: int, policy: CouncilPolicy
) -> Page[ContactItem]:
    """Contacts recorded on open episodes (step-ups from early help that arrived while the child's
    episode was open), oldest first, for the front door to pass on."""
    return await _team_list(
        uow,
        team=team,
        cursor=cursor,
        limit=limit,
        policy=policy,
        what="Team contacts",
        purpose="front-door contacts",
        rows=lambda tx, teams, after: repository.contacts(tx, teams=teams, after=after, limit=limit),
        item=views.contact_item,
        position=lambda r: (r.received_at, r.id),
    )
