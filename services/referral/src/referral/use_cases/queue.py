"""The front door's lists: undecided referrals, soonest due first, and the contacts held on open
episodes, oldest first."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
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


class Rows(Protocol):
    """A repository query of a front-door list (``teams`` ``None``: every team's)."""

    async def __call__(
        self, tx: Transaction, *, teams: Sequence[str] | None, after: tuple[datetime, uuid.UUID] | None, limit: int
    ) -> Sequence[Any]: ...


@dataclass(frozen=True)
class _FrontDoorList:
    """What differs between the front door's lists: the name a 404 gives, the audit purpose, the
    query and the position a cursor carries."""

    what: str
    purpose: str
    rows: Rows
    position: Callable[[Any], tuple[Any, ...]]

    async def page(
        self,
        uow: UnitOfWork,
        *,
        team: str | None,
        cursor: str | None,
        limit: int,
        policy: CouncilPolicy,
        item: Callable[[Any], T],
    ) -> Page[T]:
        """A page of the list for the caller's teams (the front door's: every team's, or
        ``team``'s; another team's list answers 404, audited), each child listed audited."""
        principal = uow.principal_or_fail()
        after = decode_cursor(cursor, datetime.fromisoformat) if cursor else None
        async with uow as tx:
            teams = list_teams(
                tx,
                team,
                is_team=lambda t: policy.team(t) is not None,
                what=self.what,
                purpose=self.purpose,
                every_team=domain.sees_every_case(principal),
            )
            found = await self.rows(tx, teams=teams, after=after, limit=limit)
            page = page_of(found, limit, item=item, position=self.position)
            for listed in page.items:
                await tx.audit("child.list", subject_type="child", subject_id=listed.child_id, purpose=self.purpose)
            return page


_QUEUE = _FrontDoorList("Team queue", "front-door queue", repository.queue, lambda r: (r.decision_due_at, r.id))
_CONTACTS = _FrontDoorList("Team contacts", "front-door contacts", repository.contacts, lambda r: (r.received_at, r.id))


async def front_door_queue(
    uow: UnitOfWork, *, team: str | None, cursor: str | None, limit: int, policy: CouncilPolicy
) -> Page[QueueItem]:
    """Undecided referrals of the caller's teams, soonest due first, overdue ones marked."""
    now = clock.now()
    return await _QUEUE.page(uow, team=team, cursor=cursor, limit=limit, policy=policy, item=lambda r: views.queue_item(r, now))


async def front_door_contacts(
    uow: UnitOfWork, *, team: str | None, cursor: str | None, limit: int, policy: CouncilPolicy
) -> Page[ContactItem]:
    """Contacts recorded on open episodes (step-ups from early help that arrived while the child's
    episode was open), oldest first, for the front door to pass on."""
    return await _CONTACTS.page(uow, team=team, cursor=cursor, limit=limit, policy=policy, item=views.contact_item)
