"""The import path of a council's history (decision 59): the assessments and section 47 enquiries of
its CIN census returns, child by child, each child in its own transaction (its records, their events
at their real instants, the import's audit rows) or, refused, nothing of it."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from assessment import repository
from assessment.domain import AssessmentAndEnquiry, AssessmentState, ChildIdentity, Section47State
from assessment.domain.imports import Importing, Record, ReturnedEpisode, distinct, episode_records
from assessment.domain.imports_held import child_outcome, import_record, partner_statuses
from continuum.casework import clock
from continuum.casework.errors import DomainError, Invalid
from continuum.casework.imports import IMPORT_PURPOSE, Imported, ImportOutcome, child_key, event_id
from continuum.casework.policy import CouncilPolicy
from continuum.persistence.imports import ImportBatch, ImportTally, import_each, remember
from continuum.persistence.uow import Transaction, UnitOfWork

#: Why every row the import writes is audited.
PURPOSE = IMPORT_PURPOSE


@dataclass(frozen=True)
class ChildAssessments:
    """One child's episodes with their assessments and enquiries, and the team that holds its cases."""

    la_child_id: str
    team: str
    episodes: tuple[ReturnedEpisode, ...]


#: The command: a batch of children from one file of council ``la`` (the kernel's batch of this service's part).
ImportAssessments = ImportBatch[ChildAssessments]


async def import_assessments(uow: UnitOfWork, command: ImportAssessments, *, policy: CouncilPolicy) -> ImportTally:
    """Import each child's assessments and enquiries (a child refused is a problem of the tally,
    nothing of it written)."""
    today = clock.london_date(clock.now())

    async def one(tx: Transaction, child: ChildAssessments) -> ImportOutcome:
        ctx = Importing(command.la, child.la_child_id, child.team, command.source, tx.principal_or_fail().sub, today)
        return await _import_child(tx, child, ctx, policy=policy)

    return await import_each(uow, command.children, one, la_child_id=lambda c: c.la_child_id, dry_run=command.dry_run)


async def _import_child(tx: Transaction, child: ChildAssessments, ctx: Importing, *, policy: CouncilPolicy) -> ImportOutcome:
    if policy.team(child.team) is None:
        raise Invalid("team", "is not a team of the council's policy")
    distinct([e.referral_date for e in child.episodes], "episode referred", "episodes")
    child_id = child_key(ctx.la, ctx.la_child_id)
    identity = await repository.child_identity(tx, child_id)
    outcomes: list[ImportOutcome] = []
    for index, episode in enumerate(child.episodes):
        try:
            for record in episode_records(episode, ctx):
                outcomes.extend(await _import_record(tx, record, ctx, identity=identity, policy=policy))
        except DomainError as refused:
            raise refused.prefixed(f"episodes[{index}].") from None
    outcome = child_outcome(outcomes)
    if outcome is not ImportOutcome.UNCHANGED:
        await tx.audit("child.imported", subject_type="child", subject_id=child_id, purpose=PURPOSE)
    return outcome


def assessment_values(state: AssessmentState) -> dict[str, Any]:
    """What an assessment is imported with, as plain JSON: remembered, and compared with a later return's."""
    f, auth = state.findings, state.authorisation
    return {
        "referral_date": _day(state.referral_date),
        "route": state.route.value,
        "start": _day(f.start_date),
        "factors": [x.value for x in f.factors],
        "primary_need": f.primary_need.value if f.primary_need else None,
        "authorised": _day(auth.on) if auth else None,
        "outcome": auth.outcome.value if auth else None,
    }


def section47_values(state: Section47State) -> dict[str, Any]:
    """What an enquiry is imported with, as plain JSON (with the assessment it goes with)."""
    return {
        "assessment_id": str(state.assessment_id),
        "start": _day(state.start_date),
        "icpc_target": _day(state.icpc_target_date),
        "icpc": _day(state.icpc_date),
        "icpc_not_required": state.icpc_not_required,
        "outcome": state.outcome.value if state.outcome else None,
    }


def _day(value: date | None) -> str | None:
    return value.isoformat() if value else None


async def _import_record(
    tx: Transaction, record: Record, ctx: Importing, *, identity: ChildIdentity | None, policy: CouncilPolicy
) -> list[ImportOutcome]:
    """One assessment and its enquiry: remembered (the same values again: nothing else written),
    then imported through the domain, saved, their events published at their real instants, audited."""
    a, s47 = record.assessment, record.section47
    outcomes = [await _remember(tx, ctx, a.id, "assessment", assessment_values(a))]
    if s47 is not None:
        outcomes.append(await _remember(tx, ctx, s47.id, "section47", section47_values(s47)))
    if set(outcomes) == {ImportOutcome.UNCHANGED}:
        return outcomes
    await repository.lock_case(tx, a.case_id)
    held = await repository.assessment_by_id(tx, a.id)
    result = import_record(
        record,
        held=held,
        held_section47=await repository.section47_by_id(tx, s47.id) if s47 is not None else None,
        open_enquiry=await repository.open_section47_of_case(tx, a.case_id) if s47 is not None and s47.is_open else None,
    )
    state, events = result.assessment, result.events
    if state is None:
        return outcomes
    if held is None:
        state, told = partner_statuses(replace(record, assessment=state), child=identity, policy=policy)
        events = sorted([*events, *told], key=lambda d: d.at)
        await repository.insert_opened(tx, AssessmentAndEnquiry(state, result.section47))
    else:
        await repository.save_assessment(tx, state)
        if result.section47 is not None:
            await repository.save_section47(tx, result.section47)
    for dated in events:
        aggregate = result.section47 if result.section47 is not None and dated.record == result.section47.id else state
        imported = Imported(dated.at, event_id(dated.record, dated.data.event_type), ctx.source)
        await tx.publish(dated.data, aggregate=aggregate, imported=imported)
    await tx.audit("assessment.imported", subject_type="assessment", subject_id=state.id, purpose=PURPOSE)
    if result.section47 is not None:
        await tx.audit("section47.imported", subject_type="section47", subject_id=result.section47.id, purpose=PURPOSE)
    return outcomes


async def _remember(tx: Transaction, ctx: Importing, record_id: uuid.UUID, kind: str, values: dict[str, Any]) -> ImportOutcome:
    return await remember(tx, record_id=record_id, kind=kind, la_child_id=ctx.la_child_id, source=ctx.source, values=values)
