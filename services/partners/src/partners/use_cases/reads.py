"""The sharing log read: a page, or the whole selection (for the CSV export).
Every row read carries a child's identifier: each child read is audited, in the read's transaction."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from continuum.casework import clock
from continuum.casework.errors import Invalid
from continuum.persistence.uow import Transaction, UnitOfWork
from partners import repository
from partners.domain.policy import PartnersPolicy
from partners.repository import Listed, LogEntry, LogFilter
from partners.use_cases.commands import ReadLog

#: The most rows one export carries: a bigger selection is refused, to be narrowed (by dates).
EXPORT_LIMIT = 50_000


def _where(query: ReadLog, policy: PartnersPolicy) -> LogFilter:
    if query.agency is not None and policy.agency(query.agency) is None:
        raise Invalid("query.agency", "is not an agency of the council policy's partners section")
    if query.date_from is not None and query.date_to is not None and query.date_to < query.date_from:
        raise Invalid("query.to", "is before from")

    return LogFilter(
        agency_id=query.agency,
        decision=query.decision,
        nhs_number=query.nhs_number,
        start=_start_of(query.date_from),
        end=_start_of(query.date_to + timedelta(days=1) if query.date_to is not None else None),
    )


def _start_of(day: date | None) -> datetime | None:
    """The instant a London day begins."""
    return datetime.combine(day, time(), tzinfo=clock.LONDON) if day is not None else None


async def _audit(tx: Transaction, entries: list[LogEntry], purpose: str) -> None:
    """One audit row per child read: by its NHS number, or its id when the status was withheld."""
    children = dict.fromkeys(
        ("nhs_number", e.nhs_number) if e.nhs_number is not None else ("child", str(e.child_id)) for e in entries
    )
    for subject_type, subject_id in children:
        await tx.audit("sharing_log.read", subject_type=subject_type, subject_id=subject_id, purpose=purpose)


async def read_log(uow: UnitOfWork, query: ReadLog, *, policy: PartnersPolicy) -> Listed:
    """A page of the sharing log, oldest first."""
    where = _where(query, policy)
    async with uow as tx:
        listed = await repository.page(tx, where, cursor=query.cursor, limit=query.limit)
        await _audit(tx, listed.items, "sharing log")
        return listed


async def export_log(uow: UnitOfWork, query: ReadLog, *, policy: PartnersPolicy) -> list[LogEntry]:
    """Every row of the selection, oldest first (refused when more than :data:`EXPORT_LIMIT`)."""
    where = _where(query, policy)
    async with uow as tx:
        entries = await repository.every(tx, where, at_most=EXPORT_LIMIT)
        if len(entries) > EXPORT_LIMIT:
            raise Invalid("query.from", f"the selection holds more than {EXPORT_LIMIT} rows: narrow it (from, to, agency)")
        await _audit(tx, entries, "sharing log export")
        return entries
