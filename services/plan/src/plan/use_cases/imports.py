"""A council's history imported (decision 59): each child's CIN and CP plans, with their reviews,
categories and ends, and its episodes' pre-proceedings, each child in its own transaction (the
kernel's ``import_each``: a refused child writes nothing, a dry run rolls each child back).

Every id is derived (child, episode, plan, block), every record remembered with the values it was
imported with (the same again: nothing written), every event dated on its fact's real day with its
derived id and the file it came from; each child written is audited, each record too."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from continuum.casework import clock
from continuum.casework.errors import Conflict, DomainError, Invalid
from continuum.casework.imports import (
    IMPORT_PURPOSE,
    Imported,
    ImportOutcome,
    child_key,
    episode_key,
    event_id,
    instant_on,
    module_key,
)
from continuum.casework.policy import CouncilPolicy
from continuum.contracts.plan import PlanType
from continuum.persistence.imports import ImportBatch, ImportTally, import_each, remember
from continuum.persistence.transaction import Aggregate
from continuum.persistence.uow import Transaction, UnitOfWork
from plan import domain, episode_repository, repository
from plan.domain.import_blocks import ImportedBlock
from plan.domain.imports import Dated, ImportedPlan
from plan.use_cases.steps import save

PURPOSE = IMPORT_PURPOSE

#: The record kinds (``imported_records.kind`` and the derived ids' kind) of each plan type.
KIND = {PlanType.CIN: "cin_plan", PlanType.CP: "cp_plan"}


@dataclass(frozen=True)
class ImportedEpisode:
    """An episode's part: its referral date (its key), its plans and its pre-proceedings blocks;
    ``values`` the plain JSON each record was sent as, by (kind, index)."""

    referral_date: date
    plans: tuple[ImportedPlan, ...] = ()
    blocks: tuple[ImportedBlock, ...] = ()
    values: dict[tuple[str, int], Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ImportedChild:
    la_child_id: str
    team: str
    episodes: tuple[ImportedEpisode, ...]


#: The command: a batch of children from one file of council ``la`` (the kernel's batch of this service's part).
ImportPlans = ImportBatch[ImportedChild]


@dataclass
class _Written:
    """What one child's import wrote: each record's outcome and its events to publish."""

    outcomes: list[ImportOutcome] = field(default_factory=list)
    events: list[tuple[Dated, uuid.UUID, Aggregate]] = field(default_factory=list)


async def import_plans(uow: UnitOfWork, *, command: ImportPlans, policy: CouncilPolicy) -> ImportTally:
    """Import each child's plans and pre-proceedings (or, in a dry run, check them and write nothing)."""

    async def one(tx: Transaction, child: ImportedChild) -> ImportOutcome:
        return await _import_child(tx, child, command=command, policy=policy)

    return await import_each(uow, command.children, one, la_child_id=lambda c: c.la_child_id, dry_run=command.dry_run)


def _at(prefix: str, error: DomainError) -> DomainError:
    return error.prefixed(prefix)


async def _import_child(tx: Transaction, child: ImportedChild, *, command: ImportPlans, policy: CouncilPolicy) -> ImportOutcome:
    if policy.team(child.team) is None:
        raise Invalid("team", "is not a team of the council's policy")
    by = domain.Actor(tx.principal_or_fail().sub)
    today = clock.today()
    child_id = child_key(command.la, child.la_child_id)
    written = _Written()
    for e, episode in enumerate(child.episodes):
        try:
            await _import_episode(
                tx, child, episode, child_id=child_id, by=by, command=command, today=today, policy=policy, written=written
            )
        except DomainError as refused:
            raise _at(f"episodes.{e}.", refused) from None
    if all(o is ImportOutcome.UNCHANGED for o in written.outcomes):
        return ImportOutcome.UNCHANGED
    await _publish(tx, written.events, source=command.source)
    await tx.audit("child.imported", subject_type="child", subject_id=child_id, purpose=PURPOSE)
    return ImportOutcome.IMPORTED if ImportOutcome.IMPORTED in written.outcomes else ImportOutcome.UPDATED


async def _import_episode(
    tx: Transaction,
    child: ImportedChild,
    episode: ImportedEpisode,
    *,
    child_id: uuid.UUID,
    by: domain.Actor,
    command: ImportPlans,
    today: date,
    policy: CouncilPolicy,
    written: _Written,
) -> None:
    domain.imports.check_episode(episode.referral_date, episode.plans, episode.blocks, today=today)
    la, key = command.la, child.la_child_id
    case_id = episode_key(la, key, episode.referral_date)
    known = await episode_repository.episode(tx, case_id)
    opened = domain.episodes.opened(known, case_id=case_id, child_id=child_id, team=child.team, opened_on=episode.referral_date)
    if opened != known:
        await episode_repository.save_episode(tx, opened, at=clock.now())
    identity = await repository.child_identity(tx, child_id)
    plan_ids = [(module_key(la, KIND[p.plan_type], key, episode.referral_date, p.start), p) for p in episode.plans]
    for plan_id, record in sorted(plan_ids, key=lambda item: (item[1].plan_type, item[1].start)):
        index = [p for p in episode.plans if p.plan_type is record.plan_type].index(record)
        prefix = f"{KIND[record.plan_type]}s.{index}."
        values = episode.values.get((KIND[record.plan_type], index))
        try:
            await _import_plan(
                tx,
                plan_id,
                record,
                values,
                case_id=case_id,
                child_id=child_id,
                team=child.team,
                by=by,
                command=command,
                today=today,
                policy=policy,
                identity=identity,
                written=written,
                la_child_id=key,
            )
        except DomainError as refused:
            raise _at(prefix, refused) from None
    for index, block in enumerate(episode.blocks):
        block_id = module_key(la, "preproceedings", key, episode.referral_date, block.start)
        outcome = await remember(
            tx,
            record_id=block_id,
            kind="preproceedings",
            la_child_id=key,
            source=command.source,
            values=episode.values.get(("preproceedings", index)),
        )
        written.outcomes.append(outcome)
        if outcome is ImportOutcome.UNCHANGED:
            continue
        try:
            await _import_block(tx, block_id, block, opened, plan_ids, by=by, command=command, today=today, written=written)
        except DomainError as refused:
            raise _at(f"preproceedings.{index}.", refused) from None


async def _import_plan(
    tx: Transaction,
    plan_id: uuid.UUID,
    record: ImportedPlan,
    values: Any,
    *,
    case_id: uuid.UUID,
    child_id: uuid.UUID,
    team: str,
    by: domain.Actor,
    command: ImportPlans,
    today: date,
    policy: CouncilPolicy,
    identity: domain.ChildIdentity | None,
    written: _Written,
    la_child_id: str,
) -> None:
    kind = KIND[record.plan_type]
    outcome = await remember(tx, record_id=plan_id, kind=kind, la_child_id=la_child_id, source=command.source, values=values)
    written.outcomes.append(outcome)
    if outcome is ImportOutcome.UNCHANGED:
        return
    held = await repository.plan_by_id(tx, plan_id)
    if record.end is None:
        other = await repository.open_plan_of(tx, case_id, record.plan_type)
        if other is not None and other.id != plan_id:
            reason = (
                f"the episode already has an open {record.plan_type.value} plan (started {other.start_date}): it cannot hold two"
            )
            raise Conflict(reason, field="end", slug="plan-open")
    previous = 0
    if record.plan_type is PlanType.CP and held is None:
        previous = await repository.earlier_cp_plans(tx, child_id, plan_id=plan_id, starting=record.start)
        previous += await repository.previous_cp_plans_elsewhere(tx, child_id)
    done = domain.imports.import_plan(
        held,
        record,
        held_reviews=await repository.review_dates(tx, plan_id) if held else (),
        plan_id=plan_id,
        case_id=case_id,
        child_id=child_id,
        team=team,
        by=by,
        source=command.source,
        today=today,
        policy=policy,
        child=identity,
        previous_cp_plans=previous,
    )
    now = clock.now()
    if held is not None and done.plan.version == held.version:
        await repository.save_plan(tx, done.plan)  # nothing added (e.g. no longer the current stage): no new version
    else:
        await save(tx, done.plan, change="plan.imported", at=now, new=held is None)
    for review in done.reviews:
        await repository.add_review(tx, done.plan, review, at=now, imported_from=command.source)
    written.events += [(dated, plan_id, done.plan) for dated in done.events]
    await tx.audit(f"{kind}.imported", subject_type="plan", subject_id=plan_id, purpose=PURPOSE)


async def _import_block(
    tx: Transaction,
    block_id: uuid.UUID,
    record: ImportedBlock,
    episode: domain.Episode,
    plans: list[tuple[uuid.UUID, ImportedPlan]],
    *,
    by: domain.Actor,
    command: ImportPlans,
    today: date,
    written: _Written,
) -> None:
    held = await episode_repository.block_by_id(tx, block_id)
    if held is None:
        undecided = await episode_repository.undecided_preproceedings(tx, episode.case_id)
        if undecided is not None:
            reason = f"the episode has undecided pre-proceedings (started {undecided.start_date.isoformat()}): one at a time"
            raise Conflict(reason, field="start", slug="preproceedings-started")
    block, events = domain.import_blocks.import_block(
        held,
        record,
        episode=episode,
        block_id=block_id,
        plan_id=domain.imports.active_plan_on(record.start, plans),
        by=by,
        source=command.source,
        today=today,
    )
    if held is None:
        await episode_repository.insert_preproceedings(tx, block)
    else:
        await episode_repository.save_preproceedings(tx, block)
    written.events += [(dated, block_id, block) for dated in events]
    await tx.audit("preproceedings.imported", subject_type="preproceedings", subject_id=block_id, purpose=PURPOSE)


async def _publish(tx: Transaction, events: list[tuple[Dated, uuid.UUID, Aggregate]], *, source: str) -> None:
    """The child's events in the order of their facts: by day, then their place in a day; each a
    second after the one before it on its day (noon London), its id derived from its record."""
    ordered = sorted(events, key=lambda item: (item[0].on, item[0].place))
    seen: dict[date, int] = {}
    for dated, record, aggregate in ordered:
        n = seen.get(dated.on, 0)
        seen[dated.on] = n + 1
        derived = event_id(record, dated.data.event_type, *dated.key)
        await tx.publish(dated.data, aggregate=aggregate, imported=Imported(instant_on(dated.on, n), derived, source))
