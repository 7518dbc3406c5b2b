"""What the API reads: a child's chronology. Every read of one is audited, shown or refused."""

from __future__ import annotations

from continuum.persistence.uow import UnitOfWork
from insight import annex_repository, domain, repository
from insight.results import Chronology
from insight.use_cases.commands import ReadChronology

#: The audit row of a chronology read (the subject: the child).
ACTION, PURPOSE = "child.chronology", "a child's chronology"


async def chronology(uow: UnitOfWork, query: ReadChronology) -> Chronology:
    """Every event of the child's episodes across the services, oldest first, in plain words, to a
    caller one of whose teams has held the child (or who sees every team); otherwise 404, audited."""
    async with uow as tx:
        await annex_repository.remember_caller(tx)
        await repository.visible_child(tx, query.child_id, action=ACTION, purpose=PURPOSE)
        page = await repository.chronology(tx, query.child_id, cursor=query.cursor, limit=query.limit)
        child = await repository.child(tx, query.child_id)
        await tx.audit(ACTION, subject_type="child", subject_id=query.child_id, purpose=PURPOSE)
        return Chronology(child=child, entries=[domain.entry(e) for e in page.items], next_cursor=page.next_cursor)
