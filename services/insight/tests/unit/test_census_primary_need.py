"""An episode's census PrimaryNeedCode: an assessment's authorisation records it (live work); an
imported front-door decision carries its return's (decision 59), so an episode closed at the
front door keeps it. When both say, the assessment's holds, in whatever order they arrive."""

from __future__ import annotations

from datetime import date

from census_journeys import Child, Episode, upn

from insight import domain
from insight.domain import CaseEvent

D = date
AS_AT = D(2026, 3, 31)


def primary_need(events: list[CaseEvent], child: Child) -> str | None:
    folded = domain.fold(events, case_child={}, as_at=AS_AT)[child.child_id]
    (episode,) = folded.episodes.values()
    return episode.primary_need


def in_order(child: Child) -> list[CaseEvent]:
    return sorted((domain.case_event(e) for e in child.events), key=lambda e: (e.occurred_at, e.id))


def test_a_front_door_nfa_keeps_the_primary_need_its_decision_carries() -> None:
    c = Child().registered(D(2025, 5, 1), upn=upn(21))
    Episode(c).referred(D(2025, 5, 6), "nfa", primary_need="N4").closed(D(2025, 5, 6), "RC8", nfa=True, assessed=False)
    assert primary_need(in_order(c), c) == "N4"


def test_without_one_an_nfa_has_no_primary_need() -> None:
    c = Child().registered(D(2025, 5, 1), upn=upn(22))
    Episode(c).referred(D(2025, 5, 6), "nfa").closed(D(2025, 5, 6), "RC8", nfa=True, assessed=False)
    assert primary_need(in_order(c), c) is None


def test_the_assessments_primary_need_holds_whatever_order_the_events_arrive_in() -> None:
    c = Child().registered(D(2025, 5, 1), upn=upn(23))
    Episode(c).referred(D(2025, 5, 6), "assessment", primary_need="N4").assessed(D(2025, 5, 7), D(2025, 6, 2), "cin_plan")
    events = in_order(c)
    assert primary_need(events, c) == "N1"  # the assessment's (census_journeys records N1)
    decided = next(e for e in events if e.event_type == "referral.decided")
    assert primary_need([e for e in events if e is not decided] + [decided], c) == "N1"
