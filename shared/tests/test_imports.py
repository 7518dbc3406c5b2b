"""Importing records of a council's history (decision 59): derived ids and instants, an imported
event's time, id and source on the wire (a live event's JSON unchanged), and a batch imported child
by child: the same values again change nothing, a refused child writes nothing, a dry run nothing
at all."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from continuum.casework.errors import Invalid
from continuum.casework.imports import (
    Imported,
    ImportOutcome,
    child_key,
    episode_key,
    event_id,
    instant_on,
    module_key,
    record_id,
)
from continuum.contracts import InformationRequested, parse_event
from continuum.persistence.db import imported_records, outbox
from continuum.persistence.imports import import_each, remember
from continuum.persistence.transaction import Transaction
from continuum.persistence.uow import EventKey, UnitOfWork


def test_ids_are_derived_from_the_council_the_kind_and_the_key() -> None:
    child = record_id("999", "child", "C1")
    assert child == record_id("999", "child", "C1") != record_id("998", "child", "C1") != record_id("999", "child", "C2")
    episode = record_id("999", "episode", "C1", date(2020, 5, 1))
    assert event_id(episode, "case.closed", date(2021, 1, 1)) == event_id(episode, "case.closed", date(2021, 1, 1))
    assert event_id(episode, "plan.reviewed", date(2021, 1, 1)) != event_id(episode, "plan.reviewed", date(2021, 2, 1))


def test_an_imported_fact_is_filed_at_noon_in_london_on_its_day_in_order() -> None:
    assert instant_on(date(2020, 1, 15)) == datetime(2020, 1, 15, 12, tzinfo=UTC)  # GMT
    assert instant_on(date(2020, 7, 15)) == datetime(2020, 7, 15, 11, tzinfo=UTC)  # BST
    assert instant_on(date(2020, 7, 15), 2) == datetime(2020, 7, 15, 11, 0, 2, tzinfo=UTC)


def _event() -> InformationRequested:
    return InformationRequested(
        request_id=uuid.uuid4(), referral_id=uuid.uuid4(), case_id=uuid.uuid4(), agency="police", due_at="2030-01-01T00:00:00Z"
    )


async def test_an_imported_event_carries_its_real_time_its_derived_id_and_its_file(
    kernel_db: async_sessionmaker[AsyncSession],
) -> None:
    at, eid = instant_on(date(2019, 6, 3)), uuid.uuid4()
    async with UnitOfWork(kernel_db, source="kernel-test") as tx:
        imported = await tx.publish(_event(), aggregate=EventKey("case-1", 1), imported=Imported(at, eid, "cin-2019.xml"))
        live = await tx.publish(_event(), aggregate=EventKey("case-2", 1))
    async with kernel_db() as session:
        rows = {r.event_id: r.payload for r in await session.execute(select(outbox).where(outbox.c.event_id.in_([eid, live.id])))}
    assert imported.id == eid and imported.imported and not live.imported
    assert (rows[eid]["time"], rows[eid]["importedfrom"]) == ("2019-06-03T11:00:00Z", "cin-2019.xml")
    assert "importedfrom" not in rows[live.id]  # a live event's JSON is as it always was
    assert parse_event(rows[eid]).importedfrom == "cin-2019.xml"


@dataclass(frozen=True)
class Record:
    la_child_id: str
    value: str


async def _import(tx: Transaction, record: Record) -> ImportOutcome:
    if record.value == "bad":
        raise Invalid("value", "the value is bad")
    rid = record_id("999", "test", record.la_child_id)
    outcome = await remember(
        tx, record_id=rid, kind="test", la_child_id=record.la_child_id, source="f.xml", values=[record.value]
    )
    if outcome is not ImportOutcome.UNCHANGED:
        await tx.publish(
            _event(), aggregate=EventKey(str(rid), 1), imported=Imported(instant_on(date(2020, 1, 1)), uuid.uuid4(), "f.xml")
        )
    return outcome


async def _written(db: async_sessionmaker[AsyncSession]) -> tuple[int, int]:
    async with db() as session:
        records = (await session.execute(select(func.count()).select_from(imported_records))).scalar_one()
        events = (await session.execute(select(func.count()).select_from(outbox))).scalar_one()
    return records, events


async def test_a_batch_is_imported_child_by_child_and_a_repeat_changes_nothing(
    kernel_db: async_sessionmaker[AsyncSession],
) -> None:
    uow = UnitOfWork(kernel_db, source="kernel-test")
    batch = [Record("C1", "a"), Record("C2", "bad"), Record("C3", "c")]

    dry = await import_each(uow, batch, _import, la_child_id=lambda r: r.la_child_id, dry_run=True)
    assert dict(dry.counts) == {ImportOutcome.IMPORTED: 2} and len(dry.problems) == 1
    assert await _written(kernel_db) == (0, 0)  # a dry run writes nothing

    first = await import_each(uow, batch, _import, la_child_id=lambda r: r.la_child_id)
    assert dict(first.counts) == {ImportOutcome.IMPORTED: 2}
    assert [(p.la_child_id, p.element, p.reason) for p in first.problems] == [("C2", "value", "the value is bad")]
    assert await _written(kernel_db) == (2, 2)  # the refused child wrote nothing

    again = await import_each(uow, batch, _import, la_child_id=lambda r: r.la_child_id)
    assert dict(again.counts) == {ImportOutcome.UNCHANGED: 2}
    assert await _written(kernel_db) == (2, 2)

    later = await import_each(uow, [Record("C1", "a, then more")], _import, la_child_id=lambda r: r.la_child_id)
    assert dict(later.counts) == {ImportOutcome.UPDATED: 1}
    assert await _written(kernel_db) == (2, 3)


def test_every_service_derives_the_same_child_episode_and_module_ids() -> None:
    referral = date(2020, 5, 1)
    assert child_key("999", "C1") == record_id("999", "child", "C1")
    assert episode_key("999", "C1", referral) == record_id("999", "episode", "C1", "2020-05-01")
    assert module_key("999", "cin_plan", "C1", referral, date(2020, 7, 1)) != module_key(
        "999", "cp_plan", "C1", referral, date(2020, 7, 1)
    )
