"""An episode's pre-proceedings blocks of a council's history imported (decision 59): each census
``PreProceedingsandFGDM`` block started on its real start, its record, its step decision and the
letter initiating care proceedings, through the live transitions (``preproceedings``) and their
checks (rules 9006 to 9013); a block imported before may gain what a later return adds, never lose
or change what it held. The events come as ``imports.Dated``, like a plan's."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import date

from continuum.casework.errors import Conflict, Invalid
from continuum.contracts.plan import PreproceedingsOutcome, PreproceedingsStarted
from plan.domain import preproceedings, rules
from plan.domain.imports import BLOCK, Dated
from plan.domain.states import Actor, Episode, Preproceedings

#: What stands for the reason an FGDM meeting was not offered before a court application that a
#: census return records without the offer (the return carries no reason).
NO_OFFER_RECORDED = "Imported: the census return records the court application without an FGDM offer"


@dataclass(frozen=True)
class ImportedBlock:
    """A pre-proceedings block as a census return gives it (``PreProceedingsandFGDM``);
    ``review_meetings``: their dates, or only their count (census ReviewMeetingsCount)."""

    start: date
    letter: date | None = None
    fgdm_offered: bool | None = None
    fgdm_held: bool | None = None
    initial_meeting: date | None = None
    review_meeting_dates: tuple[date, ...] = ()
    review_meetings_count: int | None = None
    decided: date | None = None
    outcome: PreproceedingsOutcome | None = None
    court_application: date | None = None
    letter_initiating: date | None = None

    @property
    def recorded(self) -> tuple[object, ...]:
        """What its record (letter, offer, meetings) says: the key of its ``preproceedings.recorded``."""
        return (self.letter, self.fgdm_offered, self.fgdm_held, self.initial_meeting, self.review_meeting_dates, self.count)

    @property
    def count(self) -> int:
        return len(self.review_meeting_dates) or (self.review_meetings_count or 0)


#: Each census PPOutcome's step decision (the one mapping, read backwards).
DECISION_OF = {outcome: decision for decision, outcome in preproceedings.CENSUS_OUTCOME.items()}


def _check_held_block(held: Preproceedings, record: ImportedBlock) -> None:
    """A block imported before may gain its record, decision and letter; what it held is kept."""
    if held.imported_from is None:
        raise Conflict("are recorded live, not imported: correct them there", field="start", slug="import-correction")
    pairs = {
        "letter": (held.letter_before_proceedings_date, record.letter),
        "fgdm_offered": (held.fgdm_offered, record.fgdm_offered),
        "fgdm_held": (held.fgdm_held, record.fgdm_held),
        "initial_meeting": (held.initial_meeting_date, record.initial_meeting),
        "decided": (held.decision_date, record.decided),
        "outcome": (preproceedings.CENSUS_OUTCOME[held.decision] if held.decision else None, record.outcome),
        "court_application": (held.court_application_date, record.court_application),
        "letter_initiating": (held.letter_initiating_proceedings_date, record.letter_initiating),
    }
    for name, (was, now) in pairs.items():
        if was is not None and was != now:
            reason = f"was imported as {was}: this return takes it back or changes it (a correction is live work)"
            raise Conflict(reason, field=name, slug="import-correction")
    if record.count < held.review_meetings:
        raise Conflict("fewer review meetings than imported before", field="review_meetings", slug="import-correction")


def import_block(
    held: Preproceedings | None,
    record: ImportedBlock,
    *,
    episode: Episode,
    block_id: uuid.UUID,
    plan_id: uuid.UUID | None,
    by: Actor,
    source: str,
    today: date,
) -> tuple[Preproceedings, tuple[Dated, ...]]:
    """Import a pre-proceedings block (``held``: as imported before): started on its real start,
    its record (letter, FGDM offer, meetings), its step decision (census PPOutcome read back to the
    decision) and the letter initiating care proceedings, through the live transitions' checks."""
    if record.review_meeting_dates and record.review_meetings_count not in (None, len(record.review_meeting_dates)):
        raise Invalid("review_meetings", "the count differs from the review meetings' dates")
    if (record.decided is None) != (record.outcome is None):
        raise Invalid("outcome", "a step decision has its date and its outcome, and only a decided block has them")
    events: list[Dated] = []
    if held is None:
        rules.check_day("start", record.start, today=today, not_before=None, what="")
        block = Preproceedings(
            id=block_id,
            case_id=episode.case_id,
            child_id=episode.child_id,
            team=episode.team,
            plan_id=plan_id,
            start_date=record.start,
            started_by=by.id,
            imported_from=source,
        )
        events.append(
            Dated(PreproceedingsStarted(**preproceedings.about(block), start_date=record.start), record.start, (), BLOCK)
        )
    else:
        _check_held_block(held, record)
        block = replace(held, imported_from=source)
    if record.recorded != _recorded(block) and block.decision is None:
        block, said = preproceedings.record(
            block,
            letter_before_proceedings_date=record.letter,
            fgdm_offered=record.fgdm_offered,
            fgdm_held=record.fgdm_held,
            initial_meeting_date=record.initial_meeting,
            review_meeting_dates=record.review_meeting_dates,
            today=today,
        )
        block = replace(block, review_meetings_count=record.review_meetings_count)
        said = [e.model_copy(update={"review_meetings": record.count}) for e in said]
        on = max(d for d in (record.start, record.letter, record.initial_meeting, *record.review_meeting_dates) if d is not None)
        events += [Dated(e, on, record.recorded, BLOCK) for e in said]
    if record.decided is not None and record.outcome is not None and block.decision is None:
        offered = bool(block.fgdm_offered)
        block, said = preproceedings.decide(
            block,
            decision=DECISION_OF[record.outcome],
            decision_date=record.decided,
            court_application_date=record.court_application,
            fgdm_exception_reason=None if offered or record.court_application is None else NO_OFFER_RECORDED,
            today=today,
        )
        events += [Dated(e, record.decided, (), BLOCK) for e in said]
    if record.letter_initiating is not None and block.letter_initiating_proceedings_date is None:
        block, said = preproceedings.record_care_proceedings_letter(block, on=record.letter_initiating, today=today)
        events += [Dated(e, record.letter_initiating, (), BLOCK) for e in said]
    return block, tuple(events)


def _recorded(block: Preproceedings) -> tuple[object, ...]:
    return (
        block.letter_before_proceedings_date,
        block.fgdm_offered,
        block.fgdm_held,
        block.initial_meeting_date,
        block.review_meeting_dates,
        block.review_meetings,
    )
