"""Importing a record of a council's history idempotently (decision 59): each service remembers
what it imported each record with (``imported_records``), so the same values again change nothing
and a later return's additions are told apart from a first import."""

from __future__ import annotations

import hashlib
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic, TypeVar

import orjson
from sqlalchemy import bindparam, select, text

from continuum.casework.errors import DomainError
from continuum.casework.imports import ImportOutcome
from continuum.persistence.db import Prebuilt, imported_records
from continuum.persistence.transaction import Transaction

if TYPE_CHECKING:
    from continuum.persistence.uow import UnitOfWork

T = TypeVar("T")

_HELD = Prebuilt(select(imported_records.c.fingerprint).where(imported_records.c.record_id == bindparam("record_id")))
_KEEP = Prebuilt(
    text(
        "INSERT INTO imported_records (record_id, kind, la_child_id, source, fingerprint)"
        " VALUES (:record_id, :kind, :la_child_id, :source, :fingerprint)"
        " ON CONFLICT (record_id) DO UPDATE SET source = excluded.source, fingerprint = excluded.fingerprint,"
        " last_imported_at = now()"
    )
)


def fingerprint(values: Any) -> str:
    """A digest of a record's imported values (plain data: dicts, lists, strings, dates, numbers)."""
    return hashlib.sha256(orjson.dumps(values, option=orjson.OPT_SORT_KEYS)).hexdigest()


async def held_fingerprint(tx: Transaction, record_id: uuid.UUID) -> str | None:
    """The fingerprint ``record_id`` was last imported with, or ``None`` if it never was."""
    rows = await tx.fetch(_HELD, {"record_id": record_id})
    return str(rows[0].fingerprint) if rows else None


async def remember(
    tx: Transaction, *, record_id: uuid.UUID, kind: str, la_child_id: str, source: str, values: Any
) -> ImportOutcome:
    """Note that ``record_id`` is imported with ``values`` from ``source``, in the caller's
    transaction, and say whether that is new, an update, or nothing (the same values again:
    nothing is written, so the caller writes nothing either)."""
    digest = fingerprint(values)
    held = await held_fingerprint(tx, record_id)
    if held == digest:
        return ImportOutcome.UNCHANGED
    await tx.execute(
        _KEEP, {"record_id": record_id, "kind": kind, "la_child_id": la_child_id, "source": source, "fingerprint": digest}
    )
    return ImportOutcome.IMPORTED if held is None else ImportOutcome.UPDATED


@dataclass(frozen=True)
class ImportBatch(Generic[T]):
    """A service's import command: children of council ``la``'s history (each service's own record
    of a child's part) from the file ``source``; ``dry_run``: check each, write nothing."""

    source: str
    la: str
    children: tuple[T, ...]
    dry_run: bool = False


@dataclass(frozen=True)
class ImportProblem:
    """A child's record a service could not import: whose (LA child id), where and why."""

    la_child_id: str
    element: str
    reason: str


@dataclass
class ImportTally:
    """What importing a batch did: how many records of each outcome, and each child refused."""

    counts: Counter[ImportOutcome] = field(default_factory=Counter)
    problems: list[ImportProblem] = field(default_factory=list)


class _DryRun(Exception):
    """Raised at the end of a dry run's child to roll its transaction back."""


async def import_each(
    uow: UnitOfWork,
    children: Sequence[T],
    one: Callable[[Transaction, T], Awaitable[ImportOutcome]],
    *,
    la_child_id: Callable[[T], str],
    dry_run: bool = False,
) -> ImportTally:
    """Import ``children`` one by one, each in its own transaction: ``one`` checks the child's
    record through the domain, writes its rows, events and audit rows, and says what it did. A
    domain refusal of a child writes nothing of it and is a problem (its element and reason); the
    next child goes on. A dry run does all of it and rolls each child back."""
    tally = ImportTally()
    for child in children:
        try:
            async with uow as tx:
                outcome = await one(tx, child)
                if dry_run:
                    raise _DryRun
        except _DryRun:
            pass
        except DomainError as refused:
            tally.problems.append(ImportProblem(la_child_id(child), refused.field or "", refused.reason))
            continue
        tally.counts[outcome] += 1
    return tally
