"""A council's history imported (decision 59): the assessments and section 47 enquiries of its CIN
census returns become this service's records with their real dates, checked by the rules live work
is checked by where they apply (the factor and primary need codes, census rule 2990's closure, the
order of the dates, nothing after today), through the same transitions (the enquiry's start and
conclusion, the authorisation), and not by what only live work can have (who allocated, the
submission, today's timescales).

The census keeps an episode's section 47 enquiries apart from its assessments; here an enquiry goes
with an assessment (the assessment on the section 47 route): each is paired with the episode's
assessment that started nearest to it. What is still open becomes live: an assessment not
authorised is unallocated on its team's worklist, on the 45-working-day clock from its referral
date; an enquiry not concluded has its conference target.

A later return's additions: ``imports_held``. Pure: ids, importer, file and today are arguments.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import date, datetime

from assessment.domain.intake import opened_event
from assessment.domain.review import authorised_state
from assessment.domain.rules import check_authorisation_date, check_dates, check_primary_need, due_date, parse_factors
from assessment.domain.section47 import conclude_section47, start_section47
from assessment.domain.states import (
    Actor,
    AssessmentState,
    Findings,
    Lead,
    Section47State,
    Status,
)
from continuum.casework.errors import DomainError, Invalid
from continuum.casework.imports import child_key, episode_key, instant_on, module_key
from continuum.contracts.assessment import AssessmentOutcome, AssessmentRecorded, AssessmentRoute, Section47Outcome
from continuum.contracts.codes import PrimaryNeedCode
from continuum.contracts.envelope import EventData

#: Where an imported record's events fall in their day (noon in London + these seconds): after the
#: front door's (lower), an enquiry's conference before the authorisation, and step-down's closure
#: (50) after them all.
OPENED, RECORDED, STATUS, STARTED, CONCLUDED, AUTHORISED = 10, 11, 12, 20, 30, 40
#: The lead practitioner's role on an imported authorised assessment (a return names no one).
NOT_RECORDED = "not_recorded"


@dataclass(frozen=True)
class ReturnedAssessment:
    """An assessment as the return tells it (codes as strings: checked here)."""

    start: date | None
    authorised: date | None
    factors: tuple[str, ...]
    outcome: str | None
    current_status: bool


@dataclass(frozen=True)
class ReturnedSection47:
    """A section 47 enquiry as the return tells it."""

    start: date
    icpc_target: date | None
    icpc: date | None
    icpc_not_required: bool
    current_status: bool

    @property
    def concluded(self) -> bool:
        return self.icpc is not None or self.icpc_not_required


@dataclass(frozen=True)
class ReturnedEpisode:
    """An episode's assessments and enquiries, keyed by its referral date."""

    referral_date: date
    primary_need: str | None
    assessments: tuple[ReturnedAssessment, ...]
    section47s: tuple[ReturnedSection47, ...]


@dataclass(frozen=True)
class Importing:
    """Whose history (the council's LA code, the child's LA child id and team), from which file, by
    whom (the importer's user id, as live work names the manager) and today's London date."""

    la: str
    la_child_id: str
    team: str
    source: str
    by: str
    today: date


@dataclass(frozen=True)
class Dated:
    """An event of the history, the instant it is filed at, and the record it tells of (its id is
    derived from the record's and its type)."""

    data: EventData
    at: datetime
    record: uuid.UUID


@dataclass(frozen=True)
class Record:
    """One assessment of the return with the enquiry that goes with it (if any), as this service
    holds them once imported: their states, their events in order, where they are in the request
    and whether each is its open episode's current stage."""

    element: str
    assessment: AssessmentState
    current: bool
    events: tuple[Dated, ...]
    section47: Section47State | None = None
    section47_element: str | None = None
    section47_current: bool = False


def distinct(days: list[date | None], what: str, element: str) -> None:
    """Each record is given once (its date is its key)."""
    for index, day in enumerate(days):
        if day is not None and day in days[:index]:
            raise Invalid(f"{element}[{index}]", f"the {what} of {day.isoformat()} is given twice")


def renamed(error: DomainError, field: str) -> DomainError:
    """A live check's refusal named by the request's field (``authorised`` for ``authorisation_date``)."""
    clone = error.__class__.__new__(error.__class__)
    clone.__dict__.update(error.__dict__)
    clone.field, clone.detail, clone.args = field, f"{field}: {error.reason}", (f"{field}: {error.reason}",)
    return clone


def primary_need_of(code: str | None) -> PrimaryNeedCode | None:
    """The episode's primary need, a census code if given."""
    try:
        return PrimaryNeedCode(code) if code is not None else None
    except ValueError:
        raise Invalid("primary_need", f"{code!r} is not a census primary need code (N0 to N9)") from None


def outcome_of(code: str | None, authorised: date | None) -> AssessmentOutcome | None:
    """The outcome, given when (and only when) the assessment was authorised."""
    if authorised is None:
        if code is not None:
            raise Invalid("outcome", "an assessment not authorised has no outcome yet")
        return None
    if code is None:
        raise Invalid("outcome", "an authorised assessment has its outcome")
    try:
        return AssessmentOutcome(code)
    except ValueError:
        choices = ", ".join(o.value for o in AssessmentOutcome)
        raise Invalid("outcome", f"{code!r} is not an outcome ({choices})") from None


def pairs(episode: ReturnedEpisode) -> dict[int, int]:
    """Which assessment each enquiry goes with (by index): in the enquiries' order, the assessment
    not yet taken that started nearest to it (the earlier of two as near)."""
    taken: dict[int, int] = {}
    for j, s in sorted(enumerate(episode.section47s), key=lambda item: item[1].start):
        near = [
            (abs((a.start - s.start).days), a.start, i)
            for i, a in enumerate(episode.assessments)
            if a.start is not None and i not in taken.values()
        ]
        if not near:
            raise Invalid(
                f"section47s[{j}]", "goes with an assessment, and the episode has none left for it (each goes with its own)"
            )
        taken[j] = min(near)[2]
    open_enquiries = [j for j, s in enumerate(episode.section47s) if not s.concluded]
    if len(open_enquiries) > 1:
        raise Invalid(f"section47s[{open_enquiries[1]}]", "a case has at most one section 47 enquiry open")
    return {i: j for j, i in taken.items()}


def episode_records(episode: ReturnedEpisode, ctx: Importing) -> list[Record]:
    """Every assessment of the episode (with its enquiry) as imported, checked; a refusal names its
    element (``assessments[0].authorised``)."""
    need = primary_need_of(episode.primary_need)
    distinct([a.start for a in episode.assessments], "assessment started", "assessments")
    distinct([s.start for s in episode.section47s], "section 47 enquiry started", "section47s")
    with_enquiry = pairs(episode)
    records = []
    for i in range(len(episode.assessments)):
        j = with_enquiry.get(i)
        enquiry = episode.section47s[j] if j is not None else None
        try:
            records.append(_record(episode, i, need, enquiry, j, ctx))
        except DomainError as refused:
            if refused.field and refused.field.startswith("section47s["):
                raise
            raise refused.prefixed(f"assessments[{i}].") from None
    return records


def _record(
    episode: ReturnedEpisode,
    i: int,
    need: PrimaryNeedCode | None,
    enquiry: ReturnedSection47 | None,
    j: int | None,
    ctx: Importing,
) -> Record:
    returned = episode.assessments[i]
    if returned.start is None:
        raise Invalid("start", "the return gives no AssessmentActualStartDate")
    start, referral = returned.start, episode.referral_date
    try:
        check_dates(referral_date=referral, today=ctx.today, start_date=start, child_seen_date=None)
    except DomainError as refused:
        raise renamed(refused, "start") from None
    factors = tuple(parse_factors(returned.factors)) if returned.factors else ()
    outcome = outcome_of(returned.outcome, returned.authorised)
    ids = (ctx.la, ctx.la_child_id, referral)
    opened_on = min(start, enquiry.start) if enquiry else start
    state = AssessmentState(
        id=module_key(ctx.la, "assessment", ctx.la_child_id, referral, start),
        case_id=episode_key(*ids),
        referral_id=module_key(ctx.la, "referral", ctx.la_child_id, referral, referral),
        child_id=child_key(ctx.la, ctx.la_child_id),
        team=ctx.team,
        route=AssessmentRoute.SECTION47 if enquiry else AssessmentRoute.SECTION17,
        status=Status.UNALLOCATED,
        referral_date=referral,
        due_date=due_date(referral),
        opened_at=instant_on(opened_on, OPENED),
        findings=Findings(start_date=start, factors=factors, primary_need=need),
        partner_status_sent=True,
        imported_from=ctx.source,
    )
    section47 = None
    if enquiry is not None:
        section47 = Section47State(
            id=module_key(ctx.la, "section47", ctx.la_child_id, referral, enquiry.start),
            assessment_id=state.id,
            case_id=state.case_id,
            child_id=state.child_id,
            team=ctx.team,
            imported_from=ctx.source,
        )
    events = [
        Dated(opened_event(state, section47), state.opened_at, state.id),
        Dated(_recorded(state, ctx.by, instant_on(start, RECORDED)), instant_on(start, RECORDED), state.id),
    ]
    if enquiry is not None and section47 is not None:
        try:
            section47, told = _enquiry(section47, state, enquiry, outcome, ctx)
        except DomainError as refused:
            raise refused.prefixed(f"section47s[{j}].") from None
        events.extend(told)
    if returned.authorised is not None and outcome is not None:
        state, authorised = _authorise(state, section47, returned, outcome, bool(episode.section47s), ctx)
        events.append(authorised)
    return Record(
        element=f"assessments[{i}]",
        assessment=state,
        current=returned.current_status,
        events=tuple(sorted(events, key=lambda d: d.at)),
        section47=section47,
        section47_element=f"section47s[{j}]" if j is not None else None,
        section47_current=bool(enquiry and enquiry.current_status),
    )


def _recorded(state: AssessmentState, by: str, at: datetime) -> AssessmentRecorded:
    """The census's start date and primary need of the assessment, as recording them says."""
    return AssessmentRecorded(
        **state.about,
        route=state.route,
        start_date=state.findings.start_date,
        child_seen_date=None,
        primary_need=state.findings.primary_need,
        recorded_by=by,
        recorded_at=at,
    )


def _enquiry(
    section47: Section47State,
    state: AssessmentState,
    enquiry: ReturnedSection47,
    outcome: AssessmentOutcome | None,
    ctx: Importing,
) -> tuple[Section47State, list[Dated]]:
    """The enquiry started (the strategy discussion taken as its start: a return has no date of
    its own for it) and, when the conference was held or not required, concluded: the live
    transitions, by the importer as a social-work-qualified manager would."""
    if enquiry.start < state.referral_date:
        raise Invalid("start", f"is before the referral date {state.referral_date.isoformat()}")
    if enquiry.start > ctx.today:
        raise Invalid("start", "is in the future")
    if enquiry.icpc_target is not None and enquiry.icpc_target < enquiry.start:
        raise Invalid("icpc_target", f"is before the enquiry's start {enquiry.start.isoformat()}")
    if enquiry.icpc is not None and enquiry.icpc_not_required:
        raise Invalid("icpc_not_required", "give the conference date or icpc_not_required, not both")
    by = Actor(ctx.by, sw_qualified_manager=True)
    at = instant_on(enquiry.start, STARTED)
    started, told = start_section47(
        section47, assessment=state, by=by, today=ctx.today, strategy_discussion_date=enquiry.start, start_date=enquiry.start
    )
    event = told[0]
    if enquiry.icpc_target is not None:
        started = replace(started, icpc_target_date=enquiry.icpc_target)
        event = event.model_copy(update={"icpc_target_date": enquiry.icpc_target})
    events = [Dated(event, at, section47.id)]
    if not enquiry.concluded:
        return started, events
    on = enquiry.icpc or enquiry.start
    at = instant_on(on, CONCLUDED)
    try:
        concluded, told = conclude_section47(
            started,
            assessment=state,
            by=by,
            now=at,
            today=ctx.today,
            icpc_date=enquiry.icpc,
            icpc_not_required=enquiry.icpc_not_required,
            outcome=enquiry_outcome(enquiry, outcome),
        )
    except DomainError as refused:
        raise (renamed(refused, "icpc") if refused.field == "icpc_date" else refused) from None
    return concluded, [*events, Dated(told[0], at, section47.id)]


def enquiry_outcome(enquiry: ReturnedSection47, outcome: AssessmentOutcome | None) -> Section47Outcome:
    """A return says whether the conference was held, not what it decided: no conference, no plan;
    a conference decided a child protection plan unless its assessment was authorised with
    another outcome (so the enquiry and its assessment agree, as live work has them)."""
    if enquiry.icpc is None:
        return Section47Outcome.NO_CP_PLAN
    if outcome is None or outcome is AssessmentOutcome.CHILD_PROTECTION:
        return Section47Outcome.CP_PLAN
    return Section47Outcome.NO_CP_PLAN


def _authorise(
    state: AssessmentState,
    section47: Section47State | None,
    returned: ReturnedAssessment,
    outcome: AssessmentOutcome,
    episode_had_section47: bool,
    ctx: Importing,
) -> tuple[AssessmentState, Dated]:
    """The authorisation with its census checks: the date after the referral and the start and not
    after today, the factors and the primary need agreeing with the outcome, the closure rule 2990
    gives. Not asked: the submission, the lead's allocation, the enquiry concluded first."""
    assert returned.authorised is not None and state.findings.start_date is not None
    on = returned.authorised
    try:
        check_authorisation_date(on, today=ctx.today, referral_date=state.referral_date, start_date=state.findings.start_date)
    except DomainError as refused:
        raise renamed(refused, "authorised") from None
    need, factors = state.findings.primary_need, state.findings.factors
    if not factors:
        raise Invalid("factors", "an authorised assessment has its factors (21 when none were identified)")
    if need is None:
        raise Invalid("primary_need", "an authorised assessment's episode has its primary need (PrimaryNeedCode)")
    check_primary_need(need, outcome, factors)
    at = instant_on(on, AUTHORISED)
    lead = Lead(ctx.by, NOT_RECORDED, social_worker=False, allocated_at=state.opened_at)
    authorised, event = authorised_state(
        replace(state, lead=lead),
        section47=section47,
        outcome=outcome,
        on=on,
        by=ctx.by,
        at=at,
        went_with_section47=episode_had_section47,
    )
    return replace(authorised, version=state.version), Dated(event, at, state.id)
