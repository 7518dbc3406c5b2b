"""Ofsted's Annex A lists 3 to 7 as at a day: read the events Annex A reads from the read model,
fold them into the list's rows, name each allocated worker from the staff directory, write the
file. The whole council's lists, for those who prepare and check its returns; the read is audited,
and so is each child listed. Lists 1 and 2 are not held (404, with the reason)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from continuum.casework import clock
from continuum.casework.errors import Invalid
from continuum.persistence.uow import UnitOfWork
from insight import annex_repository
from insight.domain import annex_a, annex_a_rows
from insight.domain.annex_a_file import AnnexFormat, write
from insight.use_cases.commands import ReadAnnexA

ACTION, PURPOSE = "annex_a.read", "Ofsted's Annex A lists for an inspection"


@dataclass(frozen=True)
class AnnexFile:
    """The file, its list and format, the day it is as at, how many rows and children it holds."""

    content: bytes
    annex: annex_a.AnnexList
    file_format: AnnexFormat
    as_at: date
    rows: int
    children: int

    @property
    def filename(self) -> str:
        return f"annex-a-list-{self.annex.number}-{self.annex.name}-as-at-{self.as_at}.{self.file_format.value}"


def checked(query: ReadAnnexA, today: date) -> tuple[annex_a.AnnexList, AnnexFormat, date]:
    """The list, format and day asked for, or the reason they cannot be answered (nothing is read)."""
    if query.number in annex_a.NOT_HELD:
        raise annex_a.ListNotHeld(query.number)
    if query.number not in annex_a.LISTS:
        raise Invalid("list", f"Annex A lists are numbered 1 to 12; Continuum answers 3 to 7, not {query.number}")
    try:
        kind = AnnexFormat(query.file_format)
    except ValueError:
        raise Invalid("format", "csv or xlsx") from None
    as_at = query.as_at or today
    if as_at > today:
        raise Invalid("as_at", f"{as_at} is after today ({today}): a list is of what has happened")
    return annex_a.LISTS[query.number], kind, as_at


async def annex_a_list(uow: UnitOfWork, query: ReadAnnexA) -> AnnexFile:
    """List ``query.number`` as at ``query.as_at`` (today if not given): the six months before it."""
    annex, kind, as_at = checked(query, clock.today())
    end = datetime.combine(as_at + timedelta(days=1), time(), tzinfo=clock.LONDON)
    async with uow as tx:
        await annex_repository.remember_caller(tx)
        events, cases = await annex_repository.annex_events(tx, before=end)
        rows = annex_a_rows.rows(annex.number, annex_a_rows.facts(events, case_child=cases, as_at=as_at))
        names = await annex_repository.staff_names(tx, (r.worker for r in rows if r.worker))
        children = sorted({r.child_id for r in rows})
        for child_id in children:
            await tx.audit("child.annex_a", subject_type="child", subject_id=child_id, purpose=PURPOSE)
        await tx.audit(ACTION, subject_type="annex_a", subject_id=f"{annex.number}@{as_at}", purpose=PURPOSE)
    content = write(annex, rows, names, kind)
    return AnnexFile(content, annex, kind, as_at, rows=len(rows), children=len(children))
