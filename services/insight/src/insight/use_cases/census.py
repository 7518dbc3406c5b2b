"""The CIN census file of a collection year, as at a day (the year to date): read the census's
events from the read model, fold them into each child's facts, write the XML. The whole council's
return, for those who run or check it; the read is audited, and so is each child in the file."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from continuum.casework import clock
from continuum.casework.errors import Invalid
from continuum.persistence.uow import UnitOfWork
from insight import annex_repository, domain, repository
from insight.use_cases.commands import ReadCensus

ACTION, PURPOSE = "census.read", "the CIN census return"


@dataclass(frozen=True)
class CensusFile:
    """The file, the day it is as at, and the children left out for want of an identity."""

    xml: bytes
    year: domain.CensusYear
    children: int
    missing_identity: int


async def census(uow: UnitOfWork, query: ReadCensus, *, lea: str, release: str) -> CensusFile:
    """The census of the year ending 31 March ``query.year``, as at ``query.as_at`` (today if not
    given); a day after today, or a year that has not begun by that day, is refused (422)."""
    now = clock.now()
    today = clock.london_date(now)
    if query.as_at is not None and query.as_at > today:
        raise Invalid("as_at", f"{query.as_at} is after today ({today}): a return is of what has happened")
    year = domain.CensusYear(query.year, query.as_at or today)
    if year.as_at < year.start:
        raise Invalid("year", f"the collection year {query.year - 1}-{query.year % 100:02d} has not begun by {year.as_at}")
    end = datetime.combine(year.cutoff + timedelta(days=1), time(), tzinfo=clock.LONDON)
    async with uow as tx:
        await annex_repository.remember_caller(tx)
        events, cases = await repository.census_events(tx, before=end)
        children = domain.fold(events, case_child=cases, as_at=year.cutoff)
        header = domain.Header(lea=lea, release=release, serial_no=1, made_at=now.astimezone(clock.LONDON))
        xml, missing = domain.census_xml(children.values(), year, header)
        listed = [c for c in children.values() if c.identity is not None and domain.in_year(c, year)]
        for child in listed:
            await tx.audit("child.census", subject_type="child", subject_id=child.child_id, purpose=PURPOSE)
        await tx.audit(ACTION, subject_type="census", subject_id=f"{query.year}@{year.cutoff}", purpose=PURPOSE)
    return CensusFile(xml=xml, year=year, children=len(listed), missing_identity=len(missing))
