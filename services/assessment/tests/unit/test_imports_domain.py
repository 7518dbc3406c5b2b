"""The history import's domain (decision 59), pure: a return's assessments and enquiries become
states and events with their real dates, checked by the census rules live work is checked by; an
enquiry goes with the assessment that started nearest to it; a later return adds stages, and one
that takes back a stage is refused."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

import pytest

from assessment import domain
from assessment.domain import ChildIdentity, Section47Status, Status, due_date
from assessment.domain.imports import (
    Importing,
    ReturnedAssessment,
    ReturnedEpisode,
    ReturnedSection47,
    enquiry_outcome,
    episode_records,
    pairs,
)
from assessment.domain.imports_held import child_outcome, import_record, partner_statuses
from continuum.casework.errors import DomainError
from continuum.casework.imports import ImportOutcome, instant_on, module_key
from continuum.casework.policy import load_policy
from continuum.contracts import StatusChanged, StatusWithheld
from continuum.contracts.assessment import AssessmentOutcome, Section47Outcome
from continuum.contracts.codes import ReasonForClosure

POLICY = load_policy(None)
CTX = Importing(la="201", la_child_id="C0001", team="north", source="CIN.xml", by="importer-1", today=date(2026, 12, 6))
REFERRAL = date(2019, 5, 2)


def a(
    start: date | None, authorised: date | None = None, *factors: str, outcome: str | None = None, current: bool = False
) -> Any:
    return ReturnedAssessment(start, authorised, factors, outcome, current)


def s(
    start: date, icpc: date | None = None, *, not_required: bool = False, target: date | None = None, current: bool = False
) -> ReturnedSection47:
    return ReturnedSection47(start, target, icpc, not_required, current)


def ep(*assessments: ReturnedAssessment, s47s: tuple[ReturnedSection47, ...] = (), need: str | None = "N1") -> ReturnedEpisode:
    return ReturnedEpisode(REFERRAL, need, assessments, s47s)


def refusal(episode: ReturnedEpisode, ctx: Importing = CTX) -> tuple[str | None, str]:
    with pytest.raises(DomainError) as refused:
        episode_records(episode, ctx)
    return refused.value.field, refused.value.reason


def test_an_authorised_assessment_has_its_real_dates_ids_and_events_in_order() -> None:
    [record] = episode_records(ep(a(date(2019, 5, 3), date(2019, 6, 14), "3A", outcome="nfa")), CTX)
    state = record.assessment
    assert state.id == module_key("201", "assessment", "C0001", REFERRAL, date(2019, 5, 3))
    assert state.referral_id == module_key("201", "referral", "C0001", REFERRAL, REFERRAL)
    assert (state.status, state.due_date, state.imported_from) == (Status.AUTHORISED, due_date(REFERRAL), "CIN.xml")
    assert state.opened_at == instant_on(date(2019, 5, 3), 10)
    assert state.authorisation is not None and state.authorisation.closure is not None
    assert state.authorisation.closure.reason is ReasonForClosure.NFA_AFTER_ASSESSMENT
    assert [d.data.event_type for d in record.events] == ["assessment.opened", "assessment.recorded", "assessment.authorised"]
    authorised = record.events[-1]
    assert authorised.at == instant_on(date(2019, 6, 14), 40)
    assert authorised.data.model_dump()["authorised_by"] == "importer-1"
    assert authorised.data.model_dump()["lead_practitioner_role"] == "not_recorded"


def test_an_open_assessment_is_unallocated_on_the_clock_from_its_referral() -> None:
    [record] = episode_records(ep(a(date(2026, 11, 3), current=True), need=None), CTX)
    assert (record.assessment.status, record.assessment.lead, record.assessment.due_date) == (
        Status.UNALLOCATED,
        None,
        due_date(REFERRAL),
    )
    assert [d.data.event_type for d in record.events] == ["assessment.opened", "assessment.recorded"]


def test_an_enquiry_goes_with_the_nearest_assessment_and_opens_it_on_the_section47_route() -> None:
    episode = ep(
        a(date(2019, 5, 3), date(2019, 6, 1), "2A", outcome="cin_plan"),
        a(date(2019, 9, 2), date(2019, 10, 20), "2A", outcome="child_protection"),
        s47s=(s(date(2019, 8, 30), date(2019, 9, 18), target=date(2019, 9, 20)),),
    )
    assert pairs(episode) == {1: 0}
    first, second = episode_records(episode, CTX)
    assert first.section47 is None and first.assessment.route.value == "section17"
    assert second.section47 is not None and second.assessment.route.value == "section47"
    assert second.assessment.opened_at == instant_on(date(2019, 8, 30), 10)  # the strategy discussion opened it
    enquiry = second.section47
    assert (enquiry.status, enquiry.icpc_target_date, enquiry.outcome) == (
        Section47Status.CONCLUDED,
        date(2019, 9, 20),  # the return's own target
        Section47Outcome.CP_PLAN,
    )
    assert second.assessment.authorisation is not None and second.assessment.authorisation.closure is None
    types = [d.data.event_type for d in second.events]
    assert types == [
        "assessment.opened",
        "section47.started",
        "assessment.recorded",
        "section47.concluded",
        "assessment.authorised",
    ]


def test_rule_2990_an_episode_with_an_enquiry_closes_with_rc7() -> None:
    episode = ep(
        a(date(2019, 5, 3), date(2019, 6, 1), "2A", outcome="early_help"), s47s=(s(date(2019, 5, 3), not_required=True),)
    )
    [record] = episode_records(episode, CTX)
    assert record.assessment.authorisation is not None and record.assessment.authorisation.closure is not None
    assert record.assessment.authorisation.closure.reason is ReasonForClosure.SERVICES_CEASED


def test_what_a_conference_decided_follows_the_return() -> None:
    held = s(date(2019, 5, 3), date(2019, 5, 20))
    assert enquiry_outcome(held, None) is Section47Outcome.CP_PLAN
    assert enquiry_outcome(held, AssessmentOutcome.CHILD_PROTECTION) is Section47Outcome.CP_PLAN
    assert enquiry_outcome(held, AssessmentOutcome.CIN_PLAN) is Section47Outcome.NO_CP_PLAN
    assert enquiry_outcome(s(date(2019, 5, 3), not_required=True), None) is Section47Outcome.NO_CP_PLAN


@pytest.mark.parametrize(
    ("episode", "field"),
    [
        (ep(a(None)), "assessments[0].start"),
        (ep(a(date(2019, 5, 1))), "assessments[0].start"),  # before the referral
        (ep(a(date(2027, 1, 4))), "assessments[0].start"),  # after today
        (ep(a(date(2019, 5, 3), date(2019, 5, 2), "2A", outcome="nfa")), "assessments[0].authorised"),
        (ep(a(date(2019, 5, 3), date(2027, 1, 4), "2A", outcome="nfa")), "assessments[0].authorised"),
        (ep(a(date(2019, 5, 3), date(2019, 6, 1), "2A")), "assessments[0].outcome"),
        (ep(a(date(2019, 5, 3), None, outcome="nfa")), "assessments[0].outcome"),
        (ep(a(date(2019, 5, 3), date(2019, 6, 1), "2A", outcome="maybe")), "assessments[0].outcome"),
        (ep(a(date(2019, 5, 3), date(2019, 6, 1), outcome="nfa")), "assessments[0].factors"),
        (ep(a(date(2019, 5, 3), date(2019, 6, 1), "21", "2A", outcome="nfa")), "assessments[0].factors"),
        (ep(a(date(2019, 5, 3), date(2019, 6, 1), "2A", outcome="nfa"), need=None), "assessments[0].primary_need"),
        (ep(a(date(2019, 5, 3)), need="N12"), "primary_need"),
        (ep(a(date(2019, 5, 3), date(2019, 6, 1), "2A", outcome="cin_plan"), need="N9"), "assessments[0].primary_need"),
        (ep(a(date(2019, 5, 3)), a(date(2019, 5, 3))), "assessments[1]"),
        (ep(s47s=(s(date(2019, 5, 3)),)), "section47s[0]"),
        (ep(a(date(2019, 5, 3)), s47s=(s(date(2019, 5, 1)),)), "section47s[0].start"),
        (ep(a(date(2019, 5, 3)), s47s=(s(date(2019, 5, 3), date(2019, 5, 2)),)), "section47s[0].icpc"),
        (
            ep(a(date(2019, 5, 3)), s47s=(s(date(2019, 5, 3), date(2019, 5, 9), not_required=True),)),
            "section47s[0].icpc_not_required",
        ),
        (ep(a(date(2019, 5, 3)), s47s=(s(date(2019, 5, 3), target=date(2019, 5, 2)),)), "section47s[0].icpc_target"),
        (ep(a(date(2019, 5, 3)), a(date(2019, 6, 3)), s47s=(s(date(2019, 5, 3)), s(date(2019, 6, 3)))), "section47s[1]"),
    ],
)
def test_a_record_the_census_rules_refuse_names_its_element(episode: ReturnedEpisode, field: str) -> None:
    assert refusal(episode)[0] == field


def test_partners_hear_the_current_stage_only_and_withheld_without_a_number() -> None:
    [record] = episode_records(ep(a(date(2026, 11, 3), current=True)), CTX)
    child = ChildIdentity("9434765919", date(2015, 1, 1))
    told, events = partner_statuses(record, child=child, policy=POLICY)
    assert told.partner_status_sent and isinstance(events[0].data, StatusChanged)
    assert events[0].data.since == date(2026, 11, 3)
    waiting, events = partner_statuses(record, child=replace(child, nhs_number=None), policy=POLICY)
    assert not waiting.partner_status_sent and isinstance(events[0].data, StatusWithheld)
    assert partner_statuses(record, child=None, policy=POLICY)[1] == []  # the copy not here yet: it waits
    [quiet] = episode_records(ep(a(date(2026, 11, 3))), CTX)
    assert partner_statuses(quiet, child=child, policy=POLICY) == (quiet.assessment, [])


NUMBER = ChildIdentity("9434765919", date(2015, 1, 1))


def withheld_then_identified(episode: ReturnedEpisode) -> list[tuple[str, date]]:
    """Import ``episode``'s records for a child known without an NHS number, then identify the
    child twice (as two ``child.updated`` would): the statuses withheld, then those sent."""
    said: list[tuple[str, date]] = []
    for record in episode_records(episode, CTX):
        state, events = partner_statuses(record, child=replace(NUMBER, nhs_number=None), policy=POLICY)
        said += [("withheld", e.data.since) for e in events if isinstance(e.data, StatusWithheld)]
        for _ in range(2):
            state, told = domain.child_identified(state, child=NUMBER, policy=POLICY, section47=record.section47)
            said += [("sent", e.since) for e in told if isinstance(e, StatusChanged)]
    return said


def test_an_imported_open_assessment_withheld_is_sent_once_since_its_start_once_identified() -> None:
    assert withheld_then_identified(ep(a(date(2026, 11, 3), current=True))) == [
        ("withheld", date(2026, 11, 3)),
        ("sent", date(2026, 11, 3)),
    ]


def test_an_imported_open_enquiry_is_sent_since_its_open_assessments_start_or_its_own_once_authorised() -> None:
    within = ep(a(date(2026, 11, 3)), s47s=(s(date(2026, 11, 9), current=True),))
    assert withheld_then_identified(within) == [("withheld", date(2026, 11, 3)), ("sent", date(2026, 11, 3))]
    authorised = ep(
        a(date(2026, 11, 3), date(2026, 11, 20), "2A", outcome="child_protection"), s47s=(s(date(2026, 11, 9), current=True),)
    )
    assert withheld_then_identified(authorised) == [("withheld", date(2026, 11, 9)), ("sent", date(2026, 11, 9))]


def test_an_imported_closed_or_superseded_stage_withholds_and_sends_nothing() -> None:
    closed = ep(a(date(2026, 11, 3), date(2026, 11, 20), "2A", outcome="cin_plan", current=True))
    superseded = ep(a(date(2026, 11, 3)), a(date(2026, 11, 24), current=True))  # the earlier not current
    # The current stage, the enquiry, concluded (its plan is the plan service's to announce).
    concluded = ep(a(date(2026, 11, 3)), s47s=(s(date(2026, 11, 9), date(2026, 11, 20), current=True),))
    assert withheld_then_identified(closed) == []
    assert withheld_then_identified(superseded) == [("withheld", date(2026, 11, 24)), ("sent", date(2026, 11, 24))]
    assert withheld_then_identified(concluded) == []


def test_a_later_return_adds_stages_and_a_repeat_adds_nothing() -> None:
    [opened] = episode_records(ep(a(date(2019, 5, 3)), s47s=(s(date(2019, 5, 3)),)), CTX)
    first = import_record(opened, held=None, held_section47=None, open_enquiry=None)
    assert first.assessment == opened.assessment and len(first.events) == 3
    later = ep(
        a(date(2019, 5, 3), date(2019, 6, 1), "2A", outcome="child_protection"), s47s=(s(date(2019, 5, 3), date(2019, 5, 20)),)
    )
    [record] = episode_records(later, CTX)
    added = import_record(record, held=opened.assessment, held_section47=opened.section47, open_enquiry=opened.section47)
    assert [d.data.event_type for d in added.events] == ["section47.concluded", "assessment.authorised"]
    assert added.assessment is not None and added.assessment.version == opened.assessment.version + 1
    assert added.section47 is not None and added.section47.status is Section47Status.CONCLUDED
    again = import_record(record, held=added.assessment, held_section47=added.section47, open_enquiry=None)
    assert again == type(again)(None, None, [])


def test_a_return_that_takes_back_or_changes_a_stage_or_meets_live_work_is_refused() -> None:
    [done] = episode_records(ep(a(date(2019, 5, 3), date(2019, 6, 1), "2A", outcome="nfa")), CTX)
    [reopened] = episode_records(ep(a(date(2019, 5, 3))), CTX)
    with pytest.raises(DomainError) as taken_back:
        import_record(reopened, held=done.assessment, held_section47=None, open_enquiry=None)
    assert taken_back.value.field == "assessments[0]"
    [other_outcome] = episode_records(ep(a(date(2019, 5, 3), date(2019, 6, 1), "2A", outcome="early_help")), CTX)
    with pytest.raises(DomainError) as changed:
        import_record(other_outcome, held=done.assessment, held_section47=None, open_enquiry=None)
    assert changed.value.field == "assessments[0].outcome"
    allocated = replace(reopened.assessment, lead=done.assessment.lead, status=Status.IN_PROGRESS)
    with pytest.raises(DomainError) as live:
        import_record(done, held=allocated, held_section47=None, open_enquiry=None)
    assert live.value.slug == "taken-up-live"
    [enquiring] = episode_records(ep(a(date(2019, 5, 3)), s47s=(s(date(2019, 5, 3)),)), CTX)
    assert enquiring.section47 is not None
    another = replace(enquiring.section47, id=module_key("201", "section47", "C0001", REFERRAL, date(2019, 4, 1)))
    with pytest.raises(DomainError) as two_open:
        import_record(enquiring, held=None, held_section47=None, open_enquiry=another)
    assert two_open.value.field == "section47s[0].start"


def test_a_child_is_imported_updated_or_unchanged_by_its_records() -> None:
    new, updated, same = ImportOutcome.IMPORTED, ImportOutcome.UPDATED, ImportOutcome.UNCHANGED
    assert child_outcome([new, new]) is new and child_outcome([same, same]) is same and child_outcome([]) is same
    assert child_outcome([new, same]) is updated and child_outcome([updated]) is updated
