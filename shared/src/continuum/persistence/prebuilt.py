"""Prebuilt statements: Core statements compiled once and run straight on the driver connection
by the unit of work, with driver errors raised as SQLAlchemy raises them (decision 29)."""

from __future__ import annotations

import re
from collections import namedtuple
from collections.abc import Callable, Mapping, Sequence
from typing import Any, cast

import asyncpg
from sqlalchemy.dialects.postgresql.asyncpg import dialect as asyncpg_dialect
from sqlalchemy.exc import (
    DataError,
    DBAPIError,
    IntegrityError,
    InterfaceError,
    OperationalError,
    ProgrammingError,
)
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import ClauseElement

#: The dialect the services run on: prebuilt statements are compiled once, for it.
_DIALECT = asyncpg_dialect()  # type: ignore[no-untyped-call]

#: A bound value or a result value as SQLAlchemy's type for it converts it (enum members, JSON text).
_Processor = Callable[[Any], Any]


class Prebuilt:
    """A Core statement compiled once to SQL text with asyncpg's ``$n`` placeholders, run by the
    unit of work straight on the driver connection (:meth:`continuum.persistence.uow.UnitOfWork.fetch`).

    It converts values as SQLAlchemy would (each bound parameter's and result column's type: enum
    columns, JSONB) but skips SQLAlchemy's per-execution work (the greenlet bridge, cache-key
    lookup, parameter construction, result metadata), which cost more than the statement's round
    trip on the hot paths. Result rows are named tuples (``row.column``). Bound parameters are
    named (``bindparam("child_id")``, or a table's columns for an INSERT's ``VALUES``); constants
    (``literal(...)``) keep their value; expanding parameters (``IN`` lists) are not supported.
    ``row``: a class to make each row as instead, given the columns in order (a dataclass whose
    fields are the statement's columns), for a long read that would otherwise copy every row."""

    def __init__(self, statement: ClauseElement, *, row: Callable[..., Any] | None = None) -> None:
        compiled = cast(SQLCompiler, statement.compile(dialect=_DIALECT))
        self.sql = str(compiled)
        #: A plain read: a SELECT that writes, locks and takes nothing (no transaction needed).
        self.reads_only = self.sql.lstrip().upper().startswith(("SELECT", "WITH")) and _WRITES_OR_LOCKS.search(self.sql) is None
        self._binds: list[tuple[str, Any, _Processor | None]] = []  # (name, constant or _REQUIRED, processor)
        for name in compiled.positiontup or ():
            bind = compiled.binds[name]
            if bind.expanding:
                raise ValueError(f"expanding parameter {name!r}: not supported by a prebuilt statement")
            processor = bind.type.dialect_impl(_DIALECT).bind_processor(_DIALECT)
            self._binds.append((bind.key, _REQUIRED if bind.required else bind.effective_value, processor))
        columns = list(getattr(statement, "exported_columns", ()))
        self._row: Any = namedtuple("Row", [c.key for c in columns], rename=True) if columns else None
        self._made_as = row
        self._results = [
            (index, processor)
            for index, column in enumerate(columns)
            if (processor := column.type.dialect_impl(_DIALECT).result_processor(_DIALECT, None)) is not None
        ]

    def arguments(self, params: Mapping[str, Any]) -> list[Any]:
        """The positional arguments for ``params`` (by name), converted for the driver."""
        values = []
        for name, constant, processor in self._binds:
            value = params[name] if constant is _REQUIRED else constant
            values.append(processor(value) if processor is not None else value)
        return values

    def rows(self, records: Sequence[Any]) -> list[Any]:
        """The driver's records as named tuples (or as the class asked), each value converted as its column's type says."""
        if self._row is None:
            return []
        results = self._results
        if self._made_as is not None:
            made_as = self._made_as
            if not results:
                return [made_as(*record) for record in records]
            return [made_as(*self._converted(record)) for record in records]
        make = self._row._make
        if not results:
            return [make(record) for record in records]
        return [make(self._converted(record)) for record in records]

    def _converted(self, record: Any) -> list[Any]:
        values = list(record)
        for index, processor in self._results:
            values[index] = processor(values[index])
        return values


_REQUIRED = object()

#: What makes a statement more than a plain read: a write (a data-modifying CTE too), a row lock,
#: a table lock, an advisory lock, a sequence. Matched on the SQL text as whole words, so a column
#: such as ``updated_at`` does not match; a false match only opens a transaction it did not need.
_WRITES_OR_LOCKS = re.compile(r"\b(INSERT|UPDATE|DELETE|MERGE|SHARE|LOCK|pg_\w*advisory\w*|nextval|setval)\b", re.IGNORECASE)

#: SQLSTATE classes of failures that are the moment's, not the statement's: connection exceptions,
#: transaction rollback (serialization failure, deadlock), insufficient resources, operator intervention.
_OPERATIONAL_CLASSES = frozenset({"08", "40", "53", "57"})


def database_error(exc: BaseException, statement: str, *, connection_lost: bool) -> DBAPIError:
    """A driver error of a prebuilt statement as SQLAlchemy raises it for the session's statements
    (``IntegrityError`` for class 23, ``DataError`` for 22, ``OperationalError`` for a lost connection,
    ...), with the driver's error as ``orig`` (its ``sqlstate``, its message naming the constraint)
    and never the parameters."""
    sqlstate = str(getattr(exc, "sqlstate", "") or "")
    kind: type[DBAPIError]
    if connection_lost or isinstance(exc, OSError | asyncpg.PostgresConnectionError) or sqlstate[:2] in _OPERATIONAL_CLASSES:
        kind = OperationalError
    elif isinstance(exc, asyncpg.InterfaceError):  # the driver refused the call (another operation is in progress, ...)
        kind = InterfaceError
    elif sqlstate.startswith("23"):
        kind = IntegrityError
    elif sqlstate.startswith("22"):
        kind = DataError
    elif sqlstate.startswith("42"):
        kind = ProgrammingError
    else:
        kind = DBAPIError
    return kind(statement, None, exc, hide_parameters=True, connection_invalidated=connection_lost)
