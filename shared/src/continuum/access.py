"""Object-level access: load a record the caller may see, or answer 404 and audit the refusal."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy import select

from continuum.auth import Principal
from continuum.errors import not_found
from continuum.uow import UnitOfWork

T = TypeVar("T")


async def load_visible(
    uow: UnitOfWork,
    model: type[T],
    object_id: uuid.UUID,
    *,
    may_see: Callable[[Principal, T], bool],
    subject_type: str,
    purpose: str,
    lock: bool = False,
) -> T:
    """The ``model`` row with ``object_id`` if the caller may see it (``may_see``), locked
    ``FOR UPDATE`` when ``lock``. Otherwise 404, whether it is missing or another team's: the
    answer never tells which. A refusal is audited even though the use case then fails."""
    statement: Any = select(model).where(model.id == object_id)  # type: ignore[attr-defined]
    if lock:
        statement = statement.with_for_update()
    found: T | None = (await uow.session.execute(statement)).scalar_one_or_none()
    if found is None or not may_see(uow.principal_or_fail(), found):
        uow.audit_refusal(f"{subject_type}.read", subject_type=subject_type, subject_id=object_id, purpose=purpose)
        raise not_found(subject_type.replace("_", " ").capitalize())
    return found
