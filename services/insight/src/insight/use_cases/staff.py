"""The staff directory: an admin loads the council's identity provider's export (sub, name,
teams), so that Annex A names each case's worker even before they have called insight. Loading the
same export again changes nothing. Staff data, not a child's: no child's audit row, and no names
in the logs."""

from __future__ import annotations

from continuum.persistence.uow import UnitOfWork
from insight import annex_repository
from insight.use_cases.commands import LoadStaff


async def load_staff(uow: UnitOfWork, command: LoadStaff) -> int:
    """Record every member of ``command.staff``; how many were given."""
    async with uow as tx:
        await annex_repository.remember_caller(tx)
        return await annex_repository.load_staff(tx, ((m.sub, m.name, m.teams) for m in command.staff))
