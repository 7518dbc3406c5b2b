"""What a consumer does with a failed event: wait (a dependency away: :func:`is_transient`),
dead-letter it at once (a rule it breaks: :func:`refusal`), or retry it a few times."""

from __future__ import annotations

import asyncpg
from sqlalchemy.exc import DBAPIError, DisconnectionError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from continuum.casework.errors import DomainError
from continuum.persistence.db import DatabaseUnavailable


class PermanentFailure(Exception):
    """The event can never be handled (it breaks a rule); retrying will not help."""


#: A dependency that is away for a while (the database restarting, the network): the event waits.
#: Connection exceptions, transaction rollback (serialization failure, deadlock), insufficient
#: resources (too many connections), operator intervention (terminated, shutting down, cannot
#: connect now); and two that PostgreSQL raises only while connecting: invalid authorization (a
#: credential refused) and invalid catalog name (the database is not there).
_TRANSIENT_SQLSTATE_CLASSES = ("08", "40", "53", "57", "28", "3D")
#: Classes that are the event's own fault whatever else the chain holds: a data exception (a value
#: that cannot be stored) and an integrity constraint violation.
_DATA_SQLSTATE_CLASSES = ("22", "23")


def is_transient(exc: BaseException) -> bool:
    """Whether ``exc`` says "try again later" rather than "this event is wrong": no connection to
    be had (refused, not accepting connections, no such database, too many, the pool's wait timed
    out: :class:`continuum.persistence.db.DatabaseUnavailable`), a lost connection, a timeout, a serialization
    failure or deadlock, a database shutting down. Such a failure pauses the partition and retries
    the event until it succeeds. A data or integrity error (SQLSTATE 22, 23) is the event's."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        sqlstate = str(getattr(current, "sqlstate", "") or getattr(getattr(current, "orig", None), "sqlstate", "") or "")
        if sqlstate[:2] in _DATA_SQLSTATE_CLASSES:
            return False
        if isinstance(current, DatabaseUnavailable | PoolTimeout | DisconnectionError):
            return True  # failing to get a connection at all is never the event's fault
        if isinstance(current, ConnectionError | TimeoutError | OSError | asyncpg.InterfaceError):
            return True
        if isinstance(current, DBAPIError) and current.connection_invalidated:
            return True
        if isinstance(current, OperationalError | asyncpg.PostgresConnectionError):
            return True
        if sqlstate[:2] in _TRANSIENT_SQLSTATE_CLASSES:
            return True
        current = current.__cause__ or current.__context__
    return False


def refusal(exc: Exception) -> str | None:
    """Why the event can never be handled, if ``exc`` says so: retrying cannot change a broken
    rule or a use case's 4xx answer."""
    if isinstance(exc, PermanentFailure):
        return str(exc)
    if isinstance(exc, DomainError):
        return str(exc) if exc.field else (f"{exc.title}: {exc.detail}" if exc.detail else exc.title)
    # A web problem a use case shared with the API raised (the messaging room does not import the
    # web room, so it is known by its HTTP status): a 4xx is the event's fault, a 5xx is not.
    status = getattr(exc, "status", None)
    if isinstance(status, int) and 400 <= status < 500:
        title, detail = getattr(exc, "title", str(exc)), getattr(exc, "detail", None)
        return f"{title}: {detail}" if detail else str(title)
    return None
