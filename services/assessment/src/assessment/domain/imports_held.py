"""What importing a record of a council's history does beside the record (decision 59): the partner
status of its open episode's current stage, and a record imported again: a later return that adds a
stage (an authorisation, a conference) publishes the events of what it added; one that takes back or
changes a stage imported before is refused, and so is one that would change an open assessment live
work has taken up since: a correction is live work. Pure."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from assessment.domain.imports import STATUS, Dated, Record
from assessment.domain.intake import current_partner_status, partner_update
from assessment.domain.states import AssessmentState, ChildIdentity, Section47State, Section47Status, Status
from continuum.casework.clock import london_date
from continuum.casework.errors import Conflict
from continuum.casework.imports import ImportOutcome, instant_on
from continuum.casework.policy import CouncilPolicy


@dataclass(frozen=True)
class ImportedRecord:
    """What importing a record changes: the states to save (``None``: unchanged) and the events."""

    assessment: AssessmentState | None
    section47: Section47State | None
    events: list[Dated]


def child_outcome(outcomes: list[ImportOutcome]) -> ImportOutcome:
    """A child's import by its records': all new, imported; all held, unchanged; else updated."""
    found = set(outcomes)
    if found <= {ImportOutcome.UNCHANGED}:
        return ImportOutcome.UNCHANGED
    return ImportOutcome.IMPORTED if found == {ImportOutcome.IMPORTED} else ImportOutcome.UPDATED


def partner_statuses(
    record: Record, *, child: ChildIdentity | None, policy: CouncilPolicy
) -> tuple[AssessmentState, list[Dated]]:
    """For a record that is its open episode's current stage (the return says which: the assessment
    or its enquiry, still open), partners hear ``assessment`` since its real start, as
    :func:`~assessment.domain.intake.current_partner_status` tells it: the open assessment's (an
    open enquiry is part of it), or, the assessment authorised, the open enquiry's. Withheld without
    an NHS number, and the assessment waits (``partner_status_sent`` false) so that
    ``child_identified`` sends the same status, with the same ``since``, when a ``child.*`` event
    brings one, as live. A record that is not the current stage, or is closed, tells nothing and
    waits for nothing (a superseded stage has nothing to announce)."""
    state, s47 = record.assessment, record.section47
    current = current_partner_status(state, s47)
    is_stage = (record.current and state.is_open) or (record.section47_current and s47 is not None and s47.is_open)
    if not is_stage or current is None:
        return replace(state, partner_status_sent=True), []
    status, since = current
    told, events = partner_update(replace(state, partner_status_sent=False), child, status, since, policy)
    return told, [Dated(e, instant_on(london_date(since), STATUS), state.id) for e in events]


def _stages(assessment: AssessmentState | None, section47: Section47State | None) -> dict[str, dict[str, Any]]:
    """What a held (or returned) record says, stage by stage: the fields each stage fixed."""
    stages: dict[str, dict[str, Any]] = {}
    if assessment is not None:
        f = assessment.findings
        stages["assessment.opened"] = {
            "referral_date": assessment.referral_date,
            "start": f.start_date,
            "route": assessment.route.value,
        }
        if assessment.authorisation is not None:
            stages["assessment.authorised"] = {
                "authorised": assessment.authorisation.on,
                "outcome": assessment.authorisation.outcome.value,
                "factors": [x.value for x in f.factors],
                "primary_need": f.primary_need.value if f.primary_need else None,
            }
    if section47 is not None and section47.status in (Section47Status.STARTED, Section47Status.CONCLUDED):
        stages["section47.started"] = {
            "start": section47.start_date,
            "icpc_target": section47.icpc_target_date,
            "assessment_id": section47.assessment_id,
        }
        if section47.status is Section47Status.CONCLUDED:
            stages["section47.concluded"] = {"icpc": section47.icpc_date, "icpc_not_required": section47.icpc_not_required}
    return stages


def _taken_up(held: AssessmentState, held_section47: Section47State | None, record: Record) -> bool:
    """Whether live work changed the held record since its import: a lead allocated to the open
    assessment, a correction that moved it to another team or withdrew it or its enquiry."""
    withdrawn = held.status is Status.WITHDRAWN or (
        held_section47 is not None and held_section47.status is Section47Status.WITHDRAWN
    )
    allocated = held.lead is not None and held.status is not Status.AUTHORISED
    return withdrawn or allocated or held.team != record.assessment.team


def _shown(value: object) -> str:
    if isinstance(value, date):
        return value.isoformat()
    return "none" if value is None else str(value)


def import_record(
    record: Record,
    *,
    held: AssessmentState | None,
    held_section47: Section47State | None,
    open_enquiry: Section47State | None,
) -> ImportedRecord:
    """Import one record: new, all of it; held already, only the stages the return adds (their
    events), or a refusal when it takes back or changes a stage held (element and reason), or when
    live work has taken up the open assessment since. ``open_enquiry``: the case's open enquiry."""
    s47 = record.section47
    if s47 is not None and s47.is_open and open_enquiry is not None and open_enquiry.id != s47.id:
        raise Conflict(
            "the case has another section 47 enquiry open: at most one at a time", field=f"{record.section47_element}.start"
        )
    if held is None and held_section47 is not None:
        raise Conflict("was imported before with another assessment: a correction is live work", field=record.section47_element)
    if held is None:
        return ImportedRecord(record.assessment, s47, list(record.events))
    before, after = _stages(held, held_section47), _stages(record.assessment, s47)
    for stage, fields in before.items():
        element = record.element if stage.startswith("assessment") else record.section47_element
        if stage not in after:
            raise Conflict(f"{stage} was imported before; this return takes it back: a correction is live work", field=element)
        for name, was in fields.items():
            if after[stage][name] != was:
                raise Conflict(
                    f"was imported with {name} {_shown(was)}, this return has {_shown(after[stage][name])}:"
                    " a correction is live work",
                    field=f"{element}.{name}",
                    slug="history-taken-back",
                )
    added = [d for d in record.events if d.data.event_type in set(after) - set(before)]
    if not added:
        return ImportedRecord(None, None, [])
    if _taken_up(held, held_section47, record):
        raise Conflict(
            "was taken up in live work since it was imported (allocated, moved or withdrawn): what follows is recorded there",
            field=record.element,
            slug="taken-up-live",
        )
    # Still waiting for the child's NHS number only while what it waited to announce is open.
    sent = held.partner_status_sent or current_partner_status(record.assessment, s47) is None
    kept = replace(
        record.assessment, overdue_notified_at=held.overdue_notified_at, partner_status_sent=sent, version=held.version + 1
    )
    section47 = None
    if s47 is not None and any(d.record == s47.id for d in added):
        section47 = replace(s47, version=held_section47.version + 1) if held_section47 else s47
    return ImportedRecord(kept, section47, added)
