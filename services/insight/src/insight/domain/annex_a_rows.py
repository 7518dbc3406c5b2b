"""The rows of Ofsted's Annex A lists 3 to 7, folded from the read model's events as known on the
as-at day (docs/decisions/51-annex-a-lists.md).

Pure. The census's fold (:func:`insight.domain.census.fold`) gives each child's identity and
episodes (referral, assessments, section 47 enquiries, plans, closure, with every correction the
services announced); a second pass here adds what only Annex A reads: each case's team and lead
practitioner, whether and when the child was seen, each assessment's outcome, each enquiry's
outcome, each child protection plan's visits. Which rows a list holds, and which one is kept when a
child has several, is said on each builder.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from continuum.casework.clock import london_date
from continuum.contracts.assessment import AssessmentOutcome, Section47Outcome
from insight.domain import annex_a as a
from insight.domain.census import CENSUS_EVENT_TYPES, CensusChild, Episode, day_of, fold
from insight.domain.events import CaseEvent

#: Every event type Annex A reads: the census's, and who holds the case, visits and outcomes.
ANNEX_EVENT_TYPES: tuple[str, ...] = (
    *CENSUS_EVENT_TYPES,
    "assessment.opened",
    "assessment.allocated",
    "assessment.reassigned",
    "visit.recorded",
)

#: The assessment outcomes that mean the child needs children's social care's support.
NEEDS_SUPPORT = frozenset({AssessmentOutcome.CIN_PLAN, AssessmentOutcome.CHILD_PROTECTION})


@dataclass
class Visit:
    on: date
    seen_alone: bool


@dataclass
class CaseExtras:
    """What Annex A reads of a case beyond the census: the case's team and lead practitioner (the
    latest named), each assessment's lead practitioner, child-seen date and outcome, each enquiry's
    outcome, the last visit of each plan, and the days the child was seen."""

    team: str | None = None
    worker: str | None = None
    assessment_worker: dict[str, str] = field(default_factory=dict)
    child_seen: dict[str, date] = field(default_factory=dict)
    outcome: dict[str, AssessmentOutcome] = field(default_factory=dict)
    section47_outcome: dict[str, Section47Outcome] = field(default_factory=dict)
    last_visit: dict[str, Visit] = field(default_factory=dict)
    seen_on: list[date] = field(default_factory=list)


def _extras(events: Iterable[CaseEvent], as_at: date) -> dict[uuid.UUID, CaseExtras]:
    cases: dict[uuid.UUID, CaseExtras] = {}
    for event in events:
        if event.case_id is None or london_date(event.occurred_at) > as_at:
            continue
        case, d = cases.setdefault(event.case_id, CaseExtras()), event.data
        case.team = event.team or case.team
        worker = d.get("lead_practitioner")
        if isinstance(worker, str) and worker:
            case.worker = worker
            case.assessment_worker[str(d["assessment_id"])] = worker
        seen = day_of(d.get("child_seen_date"))
        if seen is not None and event.event_type.startswith("assessment."):
            case.child_seen[str(d["assessment_id"])] = seen
            case.seen_on.append(seen)
        if event.event_type == "assessment.authorised":
            case.outcome[str(d["assessment_id"])] = AssessmentOutcome(d["outcome"])
        elif event.event_type == "section47.concluded":
            case.section47_outcome[str(d["section47_id"])] = Section47Outcome(d["outcome"])
        elif event.event_type == "visit.recorded" and (visited := day_of(d.get("visit_date"))) is not None:
            if d.get("child_seen"):
                case.seen_on.append(visited)
            last = case.last_visit.get(str(d["plan_id"]))
            if last is None or visited >= last.on:
                case.last_visit[str(d["plan_id"])] = Visit(visited, bool(d.get("seen_alone")))
    return cases


@dataclass
class Facts:
    """Every child's census facts and each case's extras, as known on the as-at day."""

    children: dict[uuid.UUID, CensusChild]
    cases: dict[uuid.UUID, CaseExtras]
    window: a.Window

    def known(self, value: date | None) -> date | None:
        """A date is a fact on the as-at day only when it is not after it."""
        return value if value is not None and value <= self.window.as_at else None

    def extras(self, episode: Episode) -> CaseExtras:
        return self.cases.get(episode.case_id) or CaseExtras()

    def base(self, child: CensusChild, episode: Episode) -> a.Row:
        assert child.identity is not None
        extras = self.extras(episode)
        values = a.identity_cells(child.identity, self.window.as_at) | {"team": extras.team or ""}
        return a.Row(child_id=child.child_id, values=values, worker=extras.worker)


def facts(events: list[CaseEvent], *, case_child: dict[uuid.UUID, uuid.UUID], as_at: date) -> Facts:
    return Facts(fold(events, case_child=case_child, as_at=as_at), _extras(events, as_at), a.Window(as_at))


def _identified(f: Facts) -> Iterable[CensusChild]:
    return (c for c in f.children.values() if c.identity is not None)


def referrals(f: Facts) -> list[a.Row]:
    """List 3: every referral received in the six months (its date in the window). Ofsted: a child
    referred more than once appears once for each referral; the count is of the child's referrals
    in the 12 months before this one's date."""
    rows = []
    for child in _identified(f):
        dates = [d for e in child.episodes.values() if (d := f.known(e.referral_date)) is not None]
        for episode in child.episodes.values():
            received = f.known(episode.referral_date)
            if not f.window.holds(received):
                continue
            assert received is not None
            earlier = sum(1 for d in dates if a.months_before(received, 12) <= d < received)
            row = f.base(child, episode)
            row.values |= {
                "referral_date": a.day(received),
                "source": a.source(episode.source),
                "nfa": a.YES if episode.nfa else a.NO,
                "referrals_12_months": str(earlier),
            }
            rows.append(row)
    return rows


def assessments(f: Facts) -> list[a.Row]:
    """List 4: every assessment open on any day of the six months (started by the as-at day, not
    authorised before the window), one row each, as Ofsted's template has one row per assessment."""
    rows = []
    for child in _identified(f):
        for episode in child.episodes.values():
            extras = f.extras(episode)
            for key, found in episode.assessments.items():
                start, authorised = f.known(found.start), f.known(found.authorised)
                if not f.window.open_in(start, authorised):
                    continue
                outcome = extras.outcome.get(key) if authorised else None
                row = f.base(child, episode)
                row.worker = extras.assessment_worker.get(key, row.worker)
                seen = f.known(extras.child_seen.get(key))
                row.values |= {
                    "start": a.day(start),
                    "child_seen": a.YES if seen else (a.NO if authorised else a.UNKNOWN),
                    "authorised": a.day(authorised),
                    "needs_support": a.yes_no(outcome in NEEDS_SUPPORT if outcome else None),
                }
                rows.append(row)
    return rows


def section47s(f: Facts) -> list[a.Row]:
    """List 5: every section 47 enquiry open on any day of the six months (started by the as-at
    day, not concluded before the window). Ofsted: one row for each enquiry; the counts are of the
    child's enquiries started, and ICPCs held, in the 12 months before this enquiry's start."""
    rows = []
    for child in _identified(f):
        enquiries = [(s, ep) for ep in child.episodes.values() for s in ep.section47s.items()]
        starts = [f.known(s.start) for (_, s), _ in enquiries]
        icpcs = [f.known(s.icpc) for (_, s), _ in enquiries]
        for (key, s47), episode in enquiries:
            start, concluded = f.known(s47.start), f.known(s47.concluded)
            if not f.window.open_in(start, concluded):
                continue
            assert start is not None
            year_before = a.months_before(start, 12)
            icpc = f.known(s47.icpc)
            outcome = f.extras(episode).section47_outcome.get(key) if concluded else None
            row = f.base(child, episode)
            row.values |= {
                "start": a.day(start),
                "icpc_not_required": a.yes_no(s47.icpc_not_required if concluded else None),
                "icpc": a.day(icpc),
                "icpc_cp_plan": a.yes_no(outcome is Section47Outcome.CP_PLAN if icpc and outcome else None),
                "section47s_12_months": str(sum(1 for d in starts if d is not None and year_before <= d < start)),
                "icpcs_12_months": str(sum(1 for d in icpcs if d is not None and year_before <= d < start)),
            }
            rows.append(row)
    return rows


def _latest(candidates: list[tuple[date, date | None, Any]]) -> Any:
    """The latest begun, and of those begun the same day the one still open or ended last."""
    return max(candidates, key=lambda c: (c[0], c[1] or date.max))[2]


def children_in_need(f: Facts) -> list[a.Row]:
    """List 6: every child with an episode open on any day of the six months beyond its referral
    (the front door decided an assessment or strategy discussion; an episode closed at the door is
    only a referral, which Ofsted leaves out). One row per child: its latest episode."""
    rows = []
    for child in _identified(f):
        open_episodes = [
            (start, f.known(ep.closure), ep)
            for ep in child.episodes.values()
            if (start := f.known(ep.referral_date)) is not None
            and ep.front_door_outcome is not None
            and not ep.nfa
            and f.window.open_in(start, f.known(ep.closure))
        ]
        if not open_episodes:
            continue
        episode: Episode = _latest(open_episodes)
        closure = f.known(episode.closure)
        seen = [d for d in f.extras(episode).seen_on if d <= f.window.as_at]
        row = f.base(child, episode)
        row.values |= {
            "start": a.day(f.known(episode.referral_date)),
            "primary_need": a.PRIMARY_NEED.get(episode.primary_need or "", ""),
            "last_seen": a.day(max(seen) if seen else None),
            "closure": a.day(closure),
            "reason_for_closure": a.REASON_FOR_CLOSURE.get(episode.reason_for_closure or "", "") if closure else "",
            "case_status": _case_status(f, episode, closure),
        }
        rows.append(row)
    return rows


def _case_status(f: Facts, episode: Episode, closure: date | None) -> str:
    """Closed; else on a CP plan; else on a CIN plan; else being assessed (no assessment
    authorised yet); else assessed as in need, the plan to come (a child in need)."""
    if closure is not None:
        return a.CASE_STATUS_CLOSED
    if any(f.known(p.start) and not f.known(p.end) for p in episode.cp_plans.values()):
        return a.CASE_STATUS_CP
    if any(f.known(p.start) and not f.known(p.end) for p in episode.cin_plans.values()):
        return a.CASE_STATUS_CIN
    if not any(f.known(s.authorised) for s in episode.assessments.values()):
        return a.CASE_STATUS_ASSESSMENT
    return a.CASE_STATUS_CIN


def child_protection(f: Facts) -> list[a.Row]:
    """List 7: every child on a child protection plan on the as-at day, or whose plan ended in the
    six months (started by the as-at day, not ended before the window). One row per child: its
    latest plan."""
    rows = []
    for child in _identified(f):
        plans = [
            (start, f.known(p.end), (key, p, ep))
            for ep in child.episodes.values()
            for key, p in ep.cp_plans.items()
            if (start := f.known(p.start)) is not None and f.window.open_in(start, f.known(p.end))
        ]
        if not plans:
            continue
        key, plan, episode = _latest(plans)
        visit = f.extras(episode).last_visit.get(key)
        visit = visit if visit is not None and visit.on <= f.window.as_at else None
        reviews = [d for d in plan.reviews.values() if d <= f.window.as_at]
        row = f.base(child, episode)
        row.values |= {
            "start": a.day(plan.start),
            "initial_category": a.CATEGORY.get(plan.initial_category or "", ""),
            "latest_category": a.CATEGORY.get(plan.latest_category or "", ""),
            "last_visit": a.day(visit.on if visit else None),
            "seen_alone": a.yes_no(visit.seen_alone if visit else None),
            "latest_review": a.day(max(reviews) if reviews else None),
            "end": a.day(f.known(plan.end)),
            "previous_plans": "" if plan.previous_plans is None else str(plan.previous_plans),
        }
        rows.append(row)
    return rows


BUILDERS: dict[int, Callable[[Facts], list[a.Row]]] = {
    3: referrals,
    4: assessments,
    5: section47s,
    6: children_in_need,
    7: child_protection,
}


def rows(number: int, f: Facts) -> list[a.Row]:
    """The rows of list ``number``, in the order of the child's unique id, then the first dated column."""
    found = BUILDERS[number](f)
    return sorted(found, key=_order)


def _order(row: a.Row) -> tuple[str, str]:
    dated = row.values.get("referral_date") or row.values.get("start") or ""
    return row.values.get("child", ""), "".join(reversed(dated.split("/")))
