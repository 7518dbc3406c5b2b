"""Object-level access: load a record the caller may see, or answer 404 and audit the refusal."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy import select

from continuum.casework.errors import Invalid, NotFound
from continuum.casework.principal import Principal
from continuum.persistence.uow import Transaction, UnitOfWork
from continuum.web.errors import Problem, not_found

T = TypeVar("T")


async def load_visible(
    uow: UnitOfWork,
    model: type[T],
    object_id: uuid.UUID,
    *,
    may_see: Callable[[Principal, T], bool],
    subject_type: str,
    purpose: str,
    lock: bool = False,
) -> T:
    """The ``model`` row with ``object_id`` if the caller may see it (``may_see``), locked
    ``FOR UPDATE`` when ``lock``. Otherwise 404, whether it is missing or another team's: the
    answer never tells which. A refusal is audited even though the use case then fails."""
    statement: Any = select(model).where(model.id == object_id)  # type: ignore[attr-defined]
    if lock:
        statement = statement.with_for_update()
    found: T | None = (await uow.session.execute(statement)).scalar_one_or_none()
    if found is None or not may_see(uow.principal_or_fail(), found):
        uow.audit_refusal(f"{subject_type}.read", subject_type=subject_type, subject_id=object_id, purpose=purpose)
        raise not_found(subject_type.replace("_", " ").capitalize())
    return found


def visible_teams(principal: Principal, team: str | None, *, is_team: Callable[[str], bool], what: str) -> list[str] | None:
    """The teams a list may show to ``principal``: ``None`` for every team (auditors, admins,
    services), else the one asked for or all of the caller's. Asking for another team's list, or for
    a team the council does not have, answers 404 (``what`` names the list)."""
    if team is not None:
        if not is_team(team) or not principal.can_see_team(team):
            raise not_found(what)
        return [team]
    return None if principal.sees_all_teams else sorted(principal.teams)


def measured_teams(principal: Principal, team: str | None, *, is_team: Callable[[str], bool], what: str) -> list[str] | None:
    """The teams a set of figures counts for ``principal``: ``None`` for every team (those who see
    every team), else the one asked for or all of the caller's. A team the council does not have
    is bad input (422 naming ``team``); another team's figures answer 404 (``what`` names them)."""
    if team is not None and not is_team(team):
        raise Invalid("team", "is not a team of the council")
    if team is not None and not principal.can_see_team(team):
        raise NotFound(what)
    return [team] if team is not None else None if principal.sees_all_teams else sorted(principal.teams)


def list_teams(
    tx: Transaction,
    team: str | None,
    *,
    is_team: Callable[[str], bool],
    what: str,
    purpose: str,
    every_team: bool = False,
) -> list[str] | None:
    """:func:`visible_teams` for a list use case, its refusal audited: asking for another team's
    list is a refused ``child.list`` of that team (then 404). ``every_team``: the caller may list
    every team's records (the front door's queue), so ``team`` only narrows the list."""
    if every_team:
        return [team] if team is not None else None
    try:
        return visible_teams(tx.principal_or_fail(), team, is_team=is_team, what=what)
    except Problem:
        tx.audit_refusal("child.list", subject_type="team", subject_id=team, purpose=purpose)
        raise
