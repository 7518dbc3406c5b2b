"""A council's history imported (decision 59): each child's part (its record, its referrals and the
front door's decisions) checked by the domain and written in its own transaction, with its events
at their real instants and its audit rows, or not at all; the same part again changes nothing."""

from __future__ import annotations

from continuum.casework import clock
from continuum.casework.errors import Conflict
from continuum.casework.imports import IMPORT_PURPOSE, ImportOutcome, child_key
from continuum.casework.policy import CouncilPolicy
from continuum.persistence.imports import ImportBatch, ImportTally, import_each, remember
from continuum.persistence.uow import EventKey, Transaction, UnitOfWork
from referral import repository
from referral.domain.imports import ImportedChild, import_child, referral_id_of
from referral.repository import imports as imported

PURPOSE = IMPORT_PURPOSE


#: The command: a batch of children from one file of council ``la`` (the kernel's batch of this service's part).
ImportChildren = ImportBatch[ImportedChild]


async def import_children(uow: UnitOfWork, command: ImportChildren, *, policy: CouncilPolicy) -> ImportTally:
    """Each child imported, updated (a later return adds to it) or left as it is (the same again);
    a child the domain refuses is a problem, nothing of it written."""
    by = uow.principal_or_fail().sub

    async def one(tx: Transaction, child: ImportedChild) -> ImportOutcome:
        return await _import_one(tx, child, command=command, by=by, policy=policy)

    return await import_each(uow, command.children, one, la_child_id=lambda c: c.la_child_id, dry_run=command.dry_run)


async def _import_one(
    tx: Transaction, record: ImportedChild, *, command: ImportChildren, by: str, policy: CouncilPolicy
) -> ImportOutcome:
    la, source = command.la, command.source
    child_id = child_key(la, record.la_child_id)
    known = await repository.known_child(tx, child_id, lock=True)
    if known is None and await imported.child_with_la_child_id(tx, record.la_child_id) is not None:
        # Every service derives the imported child's id from its LA child id: a child registered
        # live has another id, so its history cannot be attached to it here without breaking them.
        raise Conflict(
            "a child registered live has this LA child id; match the council's records before importing its history",
            field="la_child_id",
            slug="registered-live",
        )
    remembered = {"kind": "child", "la_child_id": record.la_child_id, "source": source}
    child_outcome = await remember(tx, record_id=child_id, values=record.child_values(), **remembered)
    episode_outcomes = {}
    for episode in record.episodes:
        referral_id = referral_id_of(la, record.la_child_id, episode.referral_date)
        remembered["kind"] = "referral"
        episode_outcomes[referral_id] = await remember(
            tx, record_id=referral_id, values=record.episode_values(episode), **remembered
        )
    if child_outcome is ImportOutcome.UNCHANGED and all(o is ImportOutcome.UNCHANGED for o in episode_outcomes.values()):
        return ImportOutcome.UNCHANGED
    now = clock.now()
    result = import_child(
        record,
        la=la,
        source_file=source,
        held=known.child if known else None,
        held_received=known.earlier_referrals if known else (),
        held_referrals=await imported.held_referrals(tx, list(episode_outcomes)) if known else {},
        child_outcome=child_outcome,
        episode_outcomes=episode_outcomes,
        by=by,
        today=clock.london_date(now),
        policy=policy,
    )
    if result.registered:
        await imported.insert_imported_child(tx, result.child, source=source)
    elif result.updated:
        await imported.update_imported_child(tx, result.child, source=source, at=now)
    for referral_id, current_stage in result.current_stages:
        await imported.set_import_current_stage(tx, referral_id, current_stage)
    for referral in result.referrals:
        await imported.insert_imported_referral(tx, referral, source=source)
        await tx.audit("referral.imported", subject_type="referral", subject_id=referral.id, purpose=PURPOSE)
    for event in result.events:
        await tx.publish(event.data, aggregate=EventKey(event.subject, event.version), imported=event.imported)
    await tx.audit("child.imported", subject_type="child", subject_id=result.child.id, purpose=PURPOSE)
    return ImportOutcome.IMPORTED if known is None else ImportOutcome.UPDATED
