"""The census file made one child at a time (what the census use case does: each child's events
folded alone, its ``<Child>`` written alone, the children put in the file's order afterwards) is
byte for byte the file made whole from every event at once (``domain.census_xml``)."""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import UTC, date, datetime
from typing import Any

from census_journeys import Child, Episode, upn

from continuum.casework.clock import london_date
from continuum.contracts import Envelope
from insight import domain
from insight.domain import CaseEvent

D = date
HEADER = domain.Header(lea="999", release="1.2.3", serial_no=1, made_at=datetime(2026, 4, 30, 9, 15, 2, 123456))


def children() -> list[Child]:
    found = []
    c = Child().registered(D(2025, 5, 1), upn=upn(1))
    Episode(c).referred(D(2025, 5, 6), "nfa").closed(D(2025, 5, 6), "RC8", nfa=True, assessed=False)
    found.append(c)
    c = Child().registered(D(2025, 4, 1), upn=upn(4), ethnicity="BAFR", sex="M", disabilities=["AUT", "COMM"])
    ep = Episode(c).referred(D(2025, 4, 7), "strategy_discussion")
    ep.section47(D(2025, 4, 8), icpc=D(2025, 4, 24), target=D(2025, 4, 30))
    ep.assessed(D(2025, 4, 8), D(2025, 4, 24), "child_protection", factors=("3B", "16A"), s47=True)
    cp = ep.plan("cp", D(2025, 4, 24), category="NEG", reviews=(D(2025, 7, 17), D(2026, 1, 15)))
    ep.plan_ended(cp, "cp", D(2025, 4, 24), D(2026, 1, 15), "step_down_cin", category="NEG")
    ep.plan("cin", D(2026, 1, 15))
    ep.preproceedings(D(2025, 10, 1), letter=D(2025, 10, 2), meeting=D(2025, 10, 15), decided=D(2026, 1, 9), court=D(2026, 1, 12))
    # A second episode of the same child, later in the year.
    Episode(c).referred(D(2026, 2, 2), "assessment").assessed(D(2026, 2, 3), D(2026, 3, 1), "cin_plan")
    found.append(c)
    # Two children with the same LA child id: the file keeps the order the fold met them in.
    for day in (D(2025, 8, 2), D(2025, 8, 1)):
        c = Child(la_child_id="SAME-1").registered(day, upn=None, upn_unknown_reason="UN2")
        Episode(c).referred(day, "assessment").assessed(day, D(2025, 9, 1), "cin_plan")
        found.append(c)
    # What XML must escape, in the one free text the file carries.
    c = Child(la_child_id="A&B<1>Zoë").registered(D(2025, 6, 1), date_of_birth=None, expected_date_of_birth="2026-06-01", sex="U")
    Episode(c).referred(D(2025, 6, 2), "assessment").assessed(D(2025, 6, 3), D(2025, 6, 20), "nfa", factors=("21",))
    found.append(c)
    # A child whose identity has not arrived (left out, counted), and one whose episode ended the year before.
    c = Child()
    Episode(c).referred(D(2025, 7, 1), "assessment")
    found.append(c)
    c = Child().registered(D(2024, 1, 1))
    Episode(c).referred(D(2024, 1, 2), "nfa").closed(D(2024, 1, 2), "RC8", nfa=True, assessed=False)
    found.append(c)
    # A child updated after registering: the newer identity is the one written.
    c = Child().registered(D(2025, 4, 2), upn=upn(9))
    c.emit("child.updated", D(2025, 11, 1), c.child_id, **{**c.events[0].data.model_dump(mode="json"), "version": 2, "sex": "M"})
    Episode(c).referred(D(2025, 4, 3), "assessment").assessed(D(2025, 4, 4), D(2025, 5, 1), "cin_plan")
    found.append(c)
    return found


def events_of(journeys: list[Child]) -> list[CaseEvent]:
    envelopes: list[Envelope[Any]] = [e for c in journeys for e in c.events]
    return sorted((domain.case_event(e) for e in envelopes), key=lambda e: (e.occurred_at, e.id))


def streamed(events: list[CaseEvent], year: domain.CensusYear) -> tuple[bytes, int]:
    """As the use case makes it: the events recorded by the day, by child (in child id order), each
    child's folded and written alone."""
    by_child: dict[uuid.UUID, list[CaseEvent]] = defaultdict(list)
    for event in events:
        if event.child_id is not None and london_date(event.occurred_at) <= year.cutoff:
            by_child[event.child_id].append(event)
    placed, missing = [], 0
    for child_id in sorted(by_child):
        own = by_child[child_id]
        child = domain.fold(own, case_child={}, as_at=year.cutoff)[child_id]
        xml = domain.child_xml(child, year)
        if xml is None:
            missing += domain.missing_identity(child, year)
            continue
        placed.append((domain.order_key(child, (own[0].occurred_at, own[0].id)), xml))
    placed.sort(key=lambda p: p[0])
    return b"".join(domain.census_parts(domain.census_frame(year, HEADER), (xml for _, xml in placed))), missing


def test_the_file_made_child_by_child_is_the_file_made_whole() -> None:
    events = events_of(children())
    files = {}
    for as_at in (D(2026, 4, 30), D(2025, 9, 30), D(2025, 4, 1)):
        year = domain.CensusYear(2026, as_at)
        whole, missing = domain.census_xml(domain.fold(events, case_child={}, as_at=year.cutoff).values(), year, HEADER)
        assert streamed(events, year) == (whole, len(missing))
        files[as_at] = whole, len(missing)
    whole, missing_count = files[D(2026, 4, 30)]
    assert "<LAchildID>A&amp;B&lt;1&gt;Zoë</LAchildID>".encode() in whole and missing_count == 1
    assert whole.count(b"<LAchildID>SAME-1</LAchildID>") == 2 and whole.count(b"<Child>") == 6
    assert b"<Sex>M</Sex>" in whole.split(upn(9).encode())[1][:200]  # the updated identity
    assert b"<Children />" in files[D(2025, 4, 1)][0]  # nobody referred in the year by its first day


def test_two_children_with_one_id_stand_in_the_order_they_were_first_met() -> None:
    journeys = children()
    same = [c for c in journeys if c.la_child_id == "SAME-1"]
    year = domain.CensusYear(2026, D(2026, 4, 30))
    made, _ = streamed(events_of(same), year)
    # The second was registered first (1 August): it comes first, whichever child id sorts first.
    first = made.index(b"2025-08-01</CINreferralDate>")
    assert first < made.index(b"2025-08-02</CINreferralDate>")
    assert made == domain.census_xml(domain.fold(events_of(same), case_child={}, as_at=year.cutoff).values(), year, HEADER)[0]


def test_a_file_of_no_children_is_the_whole_files_empty_list() -> None:
    year = domain.CensusYear(2001, D(2026, 4, 30))
    made, missing = streamed([], year)
    assert (made, missing) == (domain.census_xml([], year, HEADER)[0], 0)
    assert b"<Children />" in made


def test_the_fold_reads_what_was_recorded_by_the_end_of_the_day_in_london() -> None:
    """An event recorded at 23:59 on 30 April in London (22:59 UTC: summer time) is a fact of that
    day; one at 00:30 on 1 May in London (23:30 UTC on 30 April) is not yet."""
    c = Child().registered(D(2025, 4, 1), upn=upn(3))
    ep = Episode(c).referred(D(2025, 4, 2), "assessment")
    ep.assessed(D(2025, 4, 3), D(2026, 4, 30), "cin_plan")
    events = events_of([c])
    authorised = next(e for e in events if e.event_type == "assessment.authorised")

    def folded(recorded_at: datetime) -> Any:
        moved = [CaseEvent(**{**vars(e), "occurred_at": recorded_at}) if e is authorised else e for e in events]
        return domain.fold(moved, case_child={}, as_at=D(2026, 4, 30))[c.child_id]

    in_time = folded(datetime(2026, 4, 30, 22, 59, tzinfo=UTC))
    too_late = folded(datetime(2026, 4, 30, 23, 30, tzinfo=UTC))
    assert [a.authorised for a in next(iter(in_time.episodes.values())).assessments.values()] == [D(2026, 4, 30)]
    assert [a.authorised for a in next(iter(too_late.episodes.values())).assessments.values()] == []  # not yet authorised
