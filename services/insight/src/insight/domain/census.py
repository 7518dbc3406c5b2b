"""The CIN census's facts, folded from the read model's events: each child's identity and each of
its episodes with their modules (assessments, CIN plans, section 47 enquiries, CP plans,
pre-proceedings blocks), as they stood on a given day (docs/decisions/50-cin-census-from-read-model.md).

Pure: events in time order in, :class:`CensusChild` records out. Every value is the one the
producing service put in its event for the census (decisions 34 to 37 and 47: the services record
census values; insight only assembles them). A fact is known on a day when its event was recorded
by then (the event's London date) and the date it carries is not after that day.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from continuum.casework.clock import LONDON, london_date
from continuum.contracts import DecisionOutcome
from continuum.contracts.plan import PlanType
from insight.domain.events import CaseEvent

#: Every event type the census reads (the rest of the read model is not the census's).
CENSUS_EVENT_TYPES: tuple[str, ...] = (
    "child.registered",
    "child.updated",
    "referral.received",
    "referral.decided",
    "assessment.recorded",
    "assessment.authorised",
    "assessment.withdrawn",
    "section47.started",
    "section47.concluded",
    "section47.withdrawn",
    "plan.started",
    "plan.reviewed",
    "plan.category_changed",
    "plan.ended",
    "preproceedings.started",
    "preproceedings.recorded",
    "preproceedings.decided",
    "preproceedings.care_proceedings_letter_sent",
    "case.closed",
    "case.reopened",
)


#: The front door's decisions that end the episode at the door (census ReferralNFA).
FRONT_DOOR_CLOSURES = frozenset({DecisionOutcome.NFA, DecisionOutcome.EARLY_HELP})


def day_of(value: Any) -> date | None:
    """A date as an event's JSON carries it (ISO text), or ``None`` when absent or empty."""
    return date.fromisoformat(value) if isinstance(value, str) and value else None


@dataclass
class Assessment:
    start: date | None = None
    authorised: date | None = None
    factors: list[str] = field(default_factory=list)


@dataclass
class CinPlan:
    start: date
    end: date | None = None


@dataclass
class Section47:
    start: date
    icpc_target: date
    icpc: date | None = None
    icpc_not_required: bool = False
    concluded: date | None = None


@dataclass
class CpPlan:
    start: date
    initial_category: str | None
    latest_category: str | None
    previous_plans: int | None
    end: date | None = None
    reviews: dict[int, date] = field(default_factory=dict)


@dataclass
class Preproceedings:
    start: date
    letter: date | None = None
    fgdm_offered: bool | None = None
    fgdm_held: bool | None = None
    initial_meeting: date | None = None
    review_meetings: int | None = None
    decided: date | None = None
    outcome: str | None = None
    court_application: date | None = None
    letter_initiating: date | None = None


@dataclass
class Episode:
    """One CIN episode (a case): from its referral to its closure."""

    case_id: uuid.UUID
    referral_date: date | None = None
    source: str | None = None
    front_door_outcome: DecisionOutcome | None = None
    primary_need: str | None = None
    closure: date | None = None
    reason_for_closure: str | None = None
    referral_nfa: bool | None = None
    assessments: dict[str, Assessment] = field(default_factory=dict)
    cin_plans: dict[str, CinPlan] = field(default_factory=dict)
    section47s: dict[str, Section47] = field(default_factory=dict)
    cp_plans: dict[str, CpPlan] = field(default_factory=dict)
    preproceedings: dict[str, Preproceedings] = field(default_factory=dict)

    @property
    def nfa(self) -> bool:
        """Census ReferralNFA: closed at the front door (NFA or early help), as step-down closed it."""
        if self.referral_nfa is not None:
            return self.referral_nfa
        return self.front_door_outcome in FRONT_DOOR_CLOSURES


@dataclass
class CensusChild:
    child_id: uuid.UUID
    identity: dict[str, Any] | None = None
    episodes: dict[uuid.UUID, Episode] = field(default_factory=dict)


Fold = Callable[[Episode, dict[str, Any]], None]


def _referral_received(ep: Episode, d: dict[str, Any]) -> None:
    ep.source = ep.source or d["source"]
    received = d.get("received_at")
    if ep.referral_date is None and isinstance(received, str):
        ep.referral_date = london_date(_instant(received))


def _instant(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def _referral_decided(ep: Episode, d: dict[str, Any]) -> None:  # a correction is later, so it wins
    ep.referral_date, ep.source, ep.front_door_outcome = day_of(d["referral_date"]), d["source"], DecisionOutcome(d["outcome"])
    # An imported decision carries its return's primary need; an assessment's, in whatever order
    # the two arrive, wins (live work records the primary need only at the assessment).
    ep.primary_need = ep.primary_need or d.get("primary_need")


def _assessment_recorded(ep: Episode, d: dict[str, Any]) -> None:
    found = ep.assessments.setdefault(d["assessment_id"], Assessment())
    found.start = day_of(d.get("start_date")) or found.start
    ep.primary_need = d.get("primary_need") or ep.primary_need


def _assessment_authorised(ep: Episode, d: dict[str, Any]) -> None:
    found = ep.assessments.setdefault(d["assessment_id"], Assessment())
    found.start, found.authorised = day_of(d["start_date"]), day_of(d["authorisation_date"])
    found.factors = sorted(str(f) for f in d.get("factors") or [])
    ep.primary_need = d.get("primary_need") or ep.primary_need


def _assessment_withdrawn(ep: Episode, d: dict[str, Any]) -> None:
    ep.assessments.pop(d["assessment_id"], None)


def _section47_started(ep: Episode, d: dict[str, Any]) -> None:
    start, target = day_of(d["start_date"]), day_of(d["icpc_target_date"])
    if start and target:
        ep.section47s.setdefault(d["section47_id"], Section47(start=start, icpc_target=target))


def _section47_concluded(ep: Episode, d: dict[str, Any]) -> None:
    start, target = day_of(d["start_date"]), day_of(d["icpc_target_date"])
    if not (start and target):
        return
    found = ep.section47s.setdefault(d["section47_id"], Section47(start=start, icpc_target=target))
    found.icpc, found.icpc_not_required = day_of(d.get("icpc_date")), bool(d.get("icpc_not_required"))
    found.concluded = found.icpc or london_date(_instant(d["concluded_at"]))


def _section47_withdrawn(ep: Episode, d: dict[str, Any]) -> None:
    ep.section47s.pop(d["section47_id"], None)


def _plan_started(ep: Episode, d: dict[str, Any]) -> None:
    start = day_of(d["start_date"])
    if start is None:
        return
    if PlanType(d["plan_type"]) is PlanType.CP:
        category = d.get("initial_category_of_abuse")
        plan = CpPlan(start=start, initial_category=category, latest_category=category, previous_plans=d.get("previous_cp_plans"))
        ep.cp_plans.setdefault(d["plan_id"], plan)
    else:
        ep.cin_plans.setdefault(d["plan_id"], CinPlan(start=start))


def _plan_reviewed(ep: Episode, d: dict[str, Any]) -> None:
    plan = ep.cp_plans.get(d["plan_id"])
    review = day_of(d["review_date"])
    if plan is not None and review is not None:
        plan.reviews[int(d["review_number"])] = review
        plan.latest_category = d.get("latest_category_of_abuse") or plan.latest_category


def _category_changed(ep: Episode, d: dict[str, Any]) -> None:
    plan = ep.cp_plans.get(d["plan_id"])
    if plan is not None:
        plan.latest_category = d["latest_category_of_abuse"]


def _plan_ended(ep: Episode, d: dict[str, Any]) -> None:
    end = day_of(d["end_date"])
    if PlanType(d["plan_type"]) is PlanType.CP:
        cp = ep.cp_plans.get(d["plan_id"])
        if cp is not None:
            cp.end, cp.latest_category = end, d.get("latest_category_of_abuse") or cp.latest_category
    elif (cin := ep.cin_plans.get(d["plan_id"])) is not None:
        cin.end = end


def _pp(ep: Episode, d: dict[str, Any]) -> Preproceedings | None:
    start = day_of(d.get("start_date"))
    block = ep.preproceedings.get(d["preproceedings_id"])
    if block is None and start is not None:
        block = ep.preproceedings[d["preproceedings_id"]] = Preproceedings(start=start)
    return block


def _pp_started(ep: Episode, d: dict[str, Any]) -> None:
    _pp(ep, d)


def _pp_recorded(ep: Episode, d: dict[str, Any]) -> None:
    if (block := _pp(ep, d)) is not None:
        block.letter, block.fgdm_offered = day_of(d.get("letter_before_proceedings_date")), d.get("fgdm_offered")
        block.fgdm_held, block.initial_meeting = d.get("fgdm_held"), day_of(d.get("initial_meeting_date"))
        block.review_meetings = d.get("review_meetings")


def _pp_decided(ep: Episode, d: dict[str, Any]) -> None:
    if (block := _pp(ep, d)) is not None:
        block.decided, block.outcome = day_of(d["decision_date"]), d["outcome"]
        block.court_application = day_of(d.get("court_application_date")) or block.court_application
        block.letter_initiating = day_of(d.get("letter_initiating_proceedings_date")) or block.letter_initiating
        block.fgdm_offered = block.fgdm_offered if block.fgdm_offered is not None else d.get("fgdm_offered")


def _pp_letter(ep: Episode, d: dict[str, Any]) -> None:
    if (block := _pp(ep, d)) is not None:
        block.court_application, block.letter_initiating = day_of(d["court_application_date"]), day_of(d["letter_date"])


def _case_closed(ep: Episode, d: dict[str, Any]) -> None:
    ep.closure, ep.reason_for_closure, ep.referral_nfa = day_of(d["closure_date"]), d["reason_for_closure"], d["referral_nfa"]
    ep.referral_date = ep.referral_date or day_of(d["referral_date"])


def _case_reopened(ep: Episode, d: dict[str, Any]) -> None:
    ep.closure = ep.reason_for_closure = ep.referral_nfa = None


FOLDS: dict[str, Fold] = {
    "referral.received": _referral_received,
    "referral.decided": _referral_decided,
    "assessment.recorded": _assessment_recorded,
    "assessment.authorised": _assessment_authorised,
    "assessment.withdrawn": _assessment_withdrawn,
    "section47.started": _section47_started,
    "section47.concluded": _section47_concluded,
    "section47.withdrawn": _section47_withdrawn,
    "plan.started": _plan_started,
    "plan.reviewed": _plan_reviewed,
    "plan.category_changed": _category_changed,
    "plan.ended": _plan_ended,
    "preproceedings.started": _pp_started,
    "preproceedings.recorded": _pp_recorded,
    "preproceedings.decided": _pp_decided,
    "preproceedings.care_proceedings_letter_sent": _pp_letter,
    "case.closed": _case_closed,
    "case.reopened": _case_reopened,
}


def fold(events: Iterable[CaseEvent], *, case_child: dict[uuid.UUID, uuid.UUID], as_at: date) -> dict[uuid.UUID, CensusChild]:
    """Every child's census facts from ``events`` (in time order, then id), as known on ``as_at``:
    events recorded after that day are not read. ``case_child`` names the child of a case whose
    events do not (the read model's ``episodes``)."""
    children: dict[uuid.UUID, CensusChild] = {}
    # The instant the day after begins in London, in UTC as the read model's instants are (a quicker comparison).
    after = datetime.combine(as_at + timedelta(days=1), time(), tzinfo=LONDON).astimezone(UTC)
    for event in events:
        if event.occurred_at >= after:
            continue
        child_id = event.child_id or (case_child.get(event.case_id) if event.case_id else None)
        if child_id is None:
            continue
        child = children.get(child_id)
        if child is None:
            child = children[child_id] = CensusChild(child_id=child_id)
        if event.event_type in ("child.registered", "child.updated"):
            if child.identity is None or int(event.data["version"]) >= int(child.identity["version"]):
                child.identity = event.data
            continue
        folder = FOLDS.get(event.event_type)
        if folder is not None and event.case_id is not None:
            episode = child.episodes.get(event.case_id)
            if episode is None:
                episode = child.episodes[event.case_id] = Episode(case_id=event.case_id)
            folder(episode, event.data)
    return children
