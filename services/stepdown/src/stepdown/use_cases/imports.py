"""The import path of a council's history (decision 59): the closed episodes of its CIN census
returns, child by child, each child in its own transaction (its closure records, their
``case.closed`` at their real instants, the import's audit rows) or, refused, nothing of it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from continuum.casework import clock
from continuum.casework.errors import DomainError, Invalid
from continuum.casework.imports import IMPORT_PURPOSE, Imported, ImportOutcome, child_key, episode_key, event_id, record_id
from continuum.casework.policy import CouncilPolicy
from continuum.persistence.imports import ImportBatch, ImportTally, import_each, remember
from continuum.persistence.uow import Transaction, UnitOfWork
from stepdown import repository
from stepdown.domain import ChildFacts
from stepdown.domain.imports import ClosedEpisode, child_outcome, closure_instant, distinct_episodes, import_closure

#: Why every row the import writes is audited.
PURPOSE = IMPORT_PURPOSE
#: What each imported record is remembered as (``imported_records.kind``).
KIND = "closure"


@dataclass(frozen=True)
class EpisodeClosure:
    """A closed episode as the census return tells it (the reason as the return codes it: the
    domain checks it)."""

    referral_date: date
    closure_date: date
    reason_for_closure: str
    referral_nfa: bool
    assessed: bool
    statutory: bool
    unmet_need: bool | None

    def values(self) -> dict[str, Any]:
        """The record as plain JSON: what is remembered, and compared with a later return's."""
        return {
            "referral_date": self.referral_date.isoformat(),
            "closure_date": self.closure_date.isoformat(),
            "reason_for_closure": self.reason_for_closure,
            "referral_nfa": self.referral_nfa,
            "assessed": self.assessed,
            "statutory": self.statutory,
            "unmet_need": self.unmet_need,
        }


@dataclass(frozen=True)
class ChildClosures:
    """One child's closed episodes, and the team that holds the child's cases."""

    la_child_id: str
    team: str
    episodes: tuple[EpisodeClosure, ...]


#: The command: a batch of children from one file of council ``la`` (the kernel's batch of this service's part).
ImportClosures = ImportBatch[ChildClosures]


async def import_closures(uow: UnitOfWork, command: ImportClosures, *, policy: CouncilPolicy) -> ImportTally:
    """Import each child's closures (a child refused is a problem of the tally, nothing of it written)."""
    today = clock.london_date(clock.now())

    async def one(tx: Transaction, child: ChildClosures) -> ImportOutcome:
        return await _import_child(tx, child, source=command.source, la=command.la, today=today, policy=policy)

    return await import_each(uow, command.children, one, la_child_id=lambda c: c.la_child_id, dry_run=command.dry_run)


async def _import_child(
    tx: Transaction, child: ChildClosures, *, source: str, la: str, today: date, policy: CouncilPolicy
) -> ImportOutcome:
    if policy.team(child.team) is None:
        raise Invalid("team", "is not a team of the council's policy")
    distinct_episodes(e.referral_date for e in child.episodes)
    child_id = child_key(la, child.la_child_id)
    known = await repository.child_facts(tx, child_id)
    outcomes = []
    for index, closure in enumerate(child.episodes):
        record = ClosedEpisode(
            case_id=episode_key(la, child.la_child_id, closure.referral_date),
            child_id=child_id,
            closure_id=record_id(la, KIND, child.la_child_id, closure.referral_date.isoformat()),
            team=child.team,
            referral_date=closure.referral_date,
            closure_date=closure.closure_date,
            reason_for_closure=closure.reason_for_closure,
            referral_nfa=closure.referral_nfa,
            assessed=closure.assessed,
            statutory=closure.statutory,
            unmet_need=closure.unmet_need,
            source=source,
        )
        try:
            outcomes.append(await _import_episode(tx, record, closure, la_child_id=child.la_child_id, today=today, known=known))
        except DomainError as refused:
            raise refused.prefixed(f"episodes[{index}].") from None
    outcome = child_outcome(outcomes)
    if outcome is not ImportOutcome.UNCHANGED:
        await tx.audit("child.imported", subject_type="child", subject_id=child_id, purpose=PURPOSE)
    return outcome


async def _import_episode(
    tx: Transaction,
    record: ClosedEpisode,
    closure: EpisodeClosure,
    *,
    la_child_id: str,
    today: date,
    known: ChildFacts | None,
) -> ImportOutcome:
    """One closed episode: remembered (the same values again: nothing else written), then closed
    through the domain, saved, its ``case.closed`` published at its real instant, audited."""
    outcome = await remember(
        tx, record_id=record.closure_id, kind=KIND, la_child_id=la_child_id, source=record.source, values=closure.values()
    )
    if outcome is ImportOutcome.UNCHANGED:
        return outcome
    episode = await repository.episode(tx, record.case_id)
    held = await repository.standing_stepdown_of_case(tx, record.case_id)
    result = import_closure(episode, held, record, today=today, date_of_death=known.date_of_death if known else None)
    if result.episode is not None:
        await repository.save_episode(tx, result.episode)
    if result.stepdown is not None:
        await repository.add_stepdown(tx, result.stepdown)
        at = closure_instant(record.closure_date)  # one event: case.closed
        for event in result.events:
            imported = Imported(at, event_id(record.closure_id, event.event_type), record.source)
            await tx.publish(event, aggregate=result.stepdown, imported=imported)
        await tx.audit("stepdown.imported", subject_type="stepdown", subject_id=result.stepdown.id, purpose=PURPOSE)
    return outcome
