"""Who sees which case: the object-level rules of the referral service (decisions 7 and 20)."""

from __future__ import annotations

from collections.abc import Iterable

from continuum.casework.principal import Principal, Role


def sees_every_case(principal: Principal | None) -> bool:
    """The front door works across the council, so it sees every referral and every registered
    child (and so do auditors, admins and services; and the service itself, acting on an event)."""
    return principal is None or principal.sees_all_teams or principal.has(Role.FRONT_DOOR)


def may_see_case(principal: Principal | None, teams: Iterable[str | None]) -> bool:
    """Others see a referral of one of their teams (referred or allocated to it), and a child once
    it has such a referral (decisions 7 and 20)."""
    return sees_every_case(principal) or (principal is not None and any(principal.can_see_team(t) for t in teams))
