"""The queries of the measures and the monthly audit (the read side of the step-down records):
the facts the domain counts, the month's candidates for the sample, the sample and its findings."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any, get_type_hints

from sqlalchemy import Date, Integer, String, bindparam, literal, select, text, update
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.dialects.postgresql import insert as pg_insert

from continuum.persistence.db import Prebuilt, enum_column
from continuum.persistence.uow import Transaction
from stepdown.domain.audit import SampledKind, SampleItem
from stepdown.domain.codes import Engagement, ReturnKind, StepdownStatus, TransitionKind
from stepdown.domain.measures import BAND_EDGES_MONTHS, BANDS, ClosureGroup, HandoverGroup, ReturnGroup, windows
from stepdown.tables import SAMPLE, STEP_UPS, STEPDOWNS

# --- measures ---------------------------------------------------------------------------------------


_TEAMS = "CAST(:teams AS varchar[])"


def _counted(day: str, *, visible: str) -> str:
    """The SQL condition of the facts the measures count: dated in the period or a year before
    (``domain.measures.windows``), of the teams the caller asked for or may see (``visible``;
    ``:teams`` NULL: every team)."""
    return f"({day} BETWEEN :from1 AND :to1 OR {day} BETWEEN :from0 AND :to0) AND ({_TEAMS} IS NULL OR {visible})"


#: A step-down of the teams: its social-care team's, or the early help team's that received it.
_STEPDOWN_OF_TEAMS = f"(team = ANY({_TEAMS}) OR receiving_team = ANY({_TEAMS}))"
#: A step-up of the teams: the team it went to, or the early help team of the step-down it follows.
_STEP_UP_OF_TEAMS = (
    f"(team = ANY({_TEAMS}) OR EXISTS (SELECT 1 FROM stepdowns s WHERE s.id = step_ups.stepdown_id "
    f"AND s.receiving_team = ANY({_TEAMS})))"
)


def _band_case() -> str:
    """The domain's duration bands (``BAND_EDGES_MONTHS``, ``BANDS``) as SQL: PostgreSQL's
    ``date + interval 'n months'`` clamps to the month's end as ``add_months`` does."""
    whens = " ".join(
        f"WHEN closure_date < referral_date + interval '{months} months' THEN '{band}'"
        for months, band in zip(BAND_EDGES_MONTHS, BANDS, strict=False)
    )
    return f"CASE {whens} ELSE '{BANDS[-1]}' END"


#: The SQL type of each kind of value a group counted in SQL holds.
_SQL_TYPES: dict[Any, Any] = {str: String, date: Date, int: Integer, ReturnKind: enum_column(ReturnKind, 20)}


def _prebuilt(sql: str, group: type[ClosureGroup] | type[HandoverGroup] | type[ReturnGroup]) -> Prebuilt:
    """The query that counts ``group`` (a named tuple): its columns, in order, the group's fields."""
    params = [bindparam(n, type_=Date) for n in ("from1", "to1", "from0", "to0")] + [bindparam("teams", type_=ARRAY(String))]
    kinds = get_type_hints(group)
    columns = {name: _SQL_TYPES[kinds[name]] for name in group._fields}
    return Prebuilt(text(sql).bindparams(*params).columns(**columns))


# Counted in SQL, by team and quarter (financial quarters start in January, April, July and
# October, as date_trunc's do): a council's year is tens of thousands of rows, and reading each
# into Python cost ten times the query (bench/bench_stepdown_measures.py).
_QUARTER = "CAST(date_trunc('quarter', {}) AS date)"
_CLOSURES = _prebuilt(
    f"""SELECT team, {_QUARTER.format("closure_date")} AS quarter_start, {_band_case()} AS band,
           count(*) AS closures, count(*) FILTER (WHERE unmet_need) AS unmet_need
      FROM stepdowns WHERE status <> '{StepdownStatus.WITHDRAWN}' AND {_counted("closure_date", visible=_STEPDOWN_OF_TEAMS)}
      GROUP BY 1, 2, 3""",
    ClosureGroup,
)
_HANDOVERS = _prebuilt(
    f"""SELECT team, {_QUARTER.format("stepped_down_on")} AS quarter_start, count(*) AS handovers,
           count(*) FILTER (WHERE status = '{StepdownStatus.ACCEPTED}') AS accepted,
           count(*) FILTER (WHERE decline_reason IS NOT NULL) AS declined,
           count(engagement) AS engagement_recorded,
           count(*) FILTER (WHERE engagement = '{Engagement.ENGAGED}') AS engaged,
           count(*) FILTER (WHERE engagement = '{Engagement.PARTLY}') AS partly_engaged
      FROM stepdowns
     WHERE kind = '{TransitionKind.EARLY_HELP}' AND status <> '{StepdownStatus.WITHDRAWN}'
       AND {_counted("stepped_down_on", visible=_STEPDOWN_OF_TEAMS)}
      GROUP BY 1, 2""",
    HandoverGroup,
)
_RETURNS = _prebuilt(
    f"""SELECT team, {_QUARTER.format("re_referred_on")} AS quarter_start, '{ReturnKind.RE_REFERRAL}' AS kind, count(*) AS number
      FROM stepdowns WHERE {_counted("re_referred_on", visible=_STEPDOWN_OF_TEAMS)} GROUP BY 1, 2
    UNION ALL
    SELECT team, {_QUARTER.format("requested_on")}, '{ReturnKind.STEP_UP}', count(*)
      FROM step_ups WHERE within_12_months AND {_counted("requested_on", visible=_STEP_UP_OF_TEAMS)} GROUP BY 1, 2""",
    ReturnGroup,
)


async def measure_groups(
    tx: Transaction, *, date_from: date, date_to: date, teams: list[str] | None
) -> tuple[list[ClosureGroup], list[HandoverGroup], list[ReturnGroup]]:
    """The facts of the period and of the same period a year before, of ``teams`` (``None``: every
    team), counted by team and quarter."""
    (from1, to1), (from0, to0) = windows(date_from, date_to)
    params = {"from1": from1, "to1": to1, "from0": from0, "to0": to0, "teams": teams}
    return (
        [ClosureGroup._make(r) for r in await tx.fetch(_CLOSURES, params)],
        [HandoverGroup._make(r) for r in await tx.fetch(_HANDOVERS, params)],
        [ReturnGroup._make(r) for r in await tx.fetch(_RETURNS, params)],
    )


# --- the monthly audit ------------------------------------------------------------------------------


async def audit_candidates(tx: Transaction, *, first: date, following: date) -> list[Any]:
    """Last month's step-downs (not plain closures) and step-ups, by their London dates."""
    stepdowns = select(
        STEPDOWNS.c.id.label("record_id"),
        STEPDOWNS.c.child_id,
        STEPDOWNS.c.team,
        literal(SampledKind.STEPDOWN.value).label("kind"),
    ).where(
        STEPDOWNS.c.kind != TransitionKind.CLOSE,
        STEPDOWNS.c.stepped_down_on >= first,
        STEPDOWNS.c.stepped_down_on < following,
    )
    step_ups = select(
        STEP_UPS.c.id.label("record_id"),
        STEP_UPS.c.child_id,
        STEP_UPS.c.team,
        literal(SampledKind.STEP_UP.value).label("kind"),
    ).where(STEP_UPS.c.requested_on >= first, STEP_UPS.c.requested_on < following)
    return list((await tx.session.execute(stepdowns.union_all(step_ups))).all())


async def add_sample_items(tx: Transaction, items: list[SampleItem]) -> None:
    """The month's sample (an item drawn already stays as it is: the same month draws the same records)."""
    if items:
        await tx.session.execute(pg_insert(SAMPLE).values([vars(i) for i in items]).on_conflict_do_nothing())


async def sample_items(tx: Transaction, month: str, *, teams: list[str] | None = None) -> list[SampleItem]:
    """The month's sample, of ``teams`` only (``None``: every team's, for auditors and admins)."""
    stmt = select(SAMPLE).where(SAMPLE.c.month == month).order_by(SAMPLE.c.kind, SAMPLE.c.record_id)
    if teams is not None:
        stmt = stmt.where(SAMPLE.c.team.in_(teams))
    return [SampleItem(**row._mapping) for row in (await tx.session.execute(stmt)).all()]


async def sample_item(tx: Transaction, month: str, item_id: uuid.UUID) -> SampleItem | None:
    """One item of the month's sample, locked (an auditor records the finding on it)."""
    stmt = select(SAMPLE).where(SAMPLE.c.id == item_id, SAMPLE.c.month == month).with_for_update()
    row = (await tx.session.execute(stmt)).first()
    return SampleItem(**row._mapping) if row is not None else None


async def save_finding(tx: Transaction, item: SampleItem) -> None:
    finding = {k: getattr(item, k) for k in ("rating", "finding", "learning", "reviewed_by", "reviewed_at", "version")}
    await tx.session.execute(update(SAMPLE).where(SAMPLE.c.id == item.id).values(**finding))
