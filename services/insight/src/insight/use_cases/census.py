"""The CIN census file of a collection year, as at a day (the year to date): read the census's
events from the read model one child at a time, fold each child's into its facts, write its part of
the XML, and move on. The whole council's return, for those who run or check it; the read is
audited, and so is each child in the file.

A council's year is some 400,000 children and millions of events, an XML of hundreds of MB: nothing
holds them all. The events come through a server-side cursor ordered by child; each child's
``<Child>`` element goes to a spool file as it is made, with where it stands in the file (by LA
child id); then the file is written to ``out`` in that order, between the header and the end, the
same bytes as the whole file made at once (``domain.census_xml``)."""

from __future__ import annotations

import os
import tempfile
import uuid
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import BinaryIO

from continuum.casework import clock
from continuum.casework.errors import Invalid
from continuum.persistence.uow import UnitOfWork
from insight import annex_repository, domain, repository
from insight.use_cases.commands import ReadCensus

ACTION, PURPOSE = "census.read", "the CIN census return"
#: The audit rows of the children listed are written this many at a time (in the census's transaction).
AUDIT_BATCH = 2000
#: A listed child: its place in the file, and where its element is in the spool (offset, length).
Placed = tuple[tuple[str, datetime, uuid.UUID], int, int]


@dataclass(frozen=True)
class CensusFile:
    """What was written: the day the file is as at, its children, those left out for want of an
    identity, and its size in bytes."""

    year: domain.CensusYear
    children: int
    missing_identity: int
    size: int


async def census(uow: UnitOfWork, query: ReadCensus, *, lea: str, release: str, out: BinaryIO) -> CensusFile:
    """Write the census of the year ending 31 March ``query.year``, as at ``query.as_at`` (today if
    not given), to ``out``; a day after today, or a year that has not begun by that day, is refused
    (422), nothing written."""
    now = clock.now()
    today = clock.london_date(now)
    if query.as_at is not None and query.as_at > today:
        raise Invalid("as_at", f"{query.as_at} is after today ({today}): a return is of what has happened")
    year = domain.CensusYear(query.year, query.as_at or today)
    if year.as_at < year.start:
        raise Invalid("year", f"the collection year {query.year - 1}-{query.year % 100:02d} has not begun by {year.as_at}")
    end = datetime.combine(year.cutoff + timedelta(days=1), time(), tzinfo=clock.LONDON)
    header = domain.Header(lea=lea, release=release, serial_no=1, made_at=now.astimezone(clock.LONDON))
    placed: list[Placed] = []
    missing = 0
    with tempfile.TemporaryFile() as spool:
        async with uow as tx:
            await annex_repository.remember_caller(tx)
            offset = 0
            async for found in repository.census_children(tx, before=end):
                child = domain.fold(found.events, case_child=found.cases, as_at=year.cutoff).get(found.child_id)
                if child is None:
                    continue
                xml = domain.child_xml(child, year)
                if xml is None:
                    missing += domain.missing_identity(child, year)
                    continue
                first = found.events[0]
                placed.append((domain.order_key(child, (first.occurred_at, first.id)), offset, len(xml)))
                spool.write(xml)
                offset += len(xml)
                await tx.audit("child.census", subject_type="child", subject_id=child.child_id, purpose=PURPOSE)
                if len(placed) % AUDIT_BATCH == 0:
                    await repository.write_audits(tx)
            await tx.audit(ACTION, subject_type="census", subject_id=f"{query.year}@{year.cutoff}", purpose=PURPOSE)
        size = _assemble(spool, placed, domain.census_frame(year, header), out)
    return CensusFile(year=year, children=len(placed), missing_identity=missing, size=size)


def _assemble(
    spool: BinaryIO, placed: list[tuple[tuple[str, datetime, uuid.UUID], int, int]], frame: domain.CensusFrame, out: BinaryIO
) -> int:
    """The file to ``out``: the frame around the spooled children in their order; its size."""
    spool.flush()
    placed.sort(key=lambda p: p[0])
    fd = spool.fileno()
    return sum(out.write(part) for part in domain.census_parts(frame, (os.pread(fd, n, at) for _, at, n in placed)))
