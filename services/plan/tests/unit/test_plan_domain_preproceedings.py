"""Pre-proceedings blocks of an episode, with no database and every date given: a block starts for
an open episode (with or without a plan), one undecided at a time; its dates follow the DfE's draft
rules 9006 to 9013 where they are about order; its step decision maps to the census PPOutcome in
one place; the court application needs the FGDM offer or a reasoned exception."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import date
from typing import Any

import pytest
from plan_builders import status_of

from continuum.casework.errors import DomainError
from continuum.contracts.plan import PreproceedingsDecision, PreproceedingsOutcome
from plan import domain
from plan.domain import Episode, Preproceedings
from plan.domain.preproceedings import CENSUS_OUTCOME

EPISODE = Episode(case_id=uuid.uuid4(), child_id=uuid.uuid4(), team="north", opened_on=date(2026, 1, 5))
START = date(2026, 3, 2)


def _start(
    episode: Episode = EPISODE,
    *,
    on: date = START,
    current: Preproceedings | None = None,
    last_decided_on: date | None = None,
    plan_id: uuid.UUID | None = None,
) -> tuple[Preproceedings, domain.Events]:
    return domain.preproceedings.start(
        episode,
        block_id=uuid.uuid4(),
        current=current,
        last_decided_on=last_decided_on,
        plan_id=plan_id,
        start_date=on,
        today=date(2026, 3, 2),
        by="manager-1",
    )


def _block() -> Preproceedings:
    return _start()[0]


def test_pre_proceedings_start_for_an_open_episode_with_or_without_a_plan() -> None:
    for plan_id in (None, uuid.uuid4()):
        block, events = _start(plan_id=plan_id)
        assert (block.case_id, block.child_id, block.plan_id, block.start_date, block.version) == (
            EPISODE.case_id,
            EPISODE.child_id,
            plan_id,
            START,
            1,
        )
        assert [(e.event_type, e.preproceedings_id, e.plan_id) for e in events] == [  # type: ignore[attr-defined]
            ("preproceedings.started", block.id, plan_id)
        ]


@pytest.mark.parametrize(
    ("change", "field", "status"),
    [
        ({"episode": replace(EPISODE, closed_on=date(2026, 2, 27))}, "case_id", 409),
        ({"current": "undecided"}, "case_id", 409),
        ({"on": date(2026, 1, 4)}, "start_date", 422),  # before the episode's referral
        ({"on": date(2026, 3, 3)}, "start_date", 422),  # in the future
        ({"last_decided_on": date(2026, 3, 2), "on": date(2026, 3, 1)}, "start_date", 422),  # before the last step decision
    ],
)
def test_a_block_is_refused_for_a_closed_episode_beside_an_undecided_one_or_out_of_order(
    change: dict[str, Any], field: str, status: int
) -> None:
    if change.get("current") == "undecided":
        change = change | {"current": _block()}
    with pytest.raises(DomainError) as refused:
        _start(**change)
    assert (refused.value.field, status_of(refused.value)) == (field, status)


def _record(block: Preproceedings, **values: Any) -> tuple[Preproceedings, domain.Events]:
    record: dict[str, Any] = {
        "letter_before_proceedings_date": None,
        "fgdm_offered": None,
        "fgdm_held": None,
        "initial_meeting_date": None,
        "review_meeting_dates": (),
    } | values
    return domain.preproceedings.record(block, today=date(2026, 4, 1), **record)


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"letter_before_proceedings_date": date(2026, 3, 1), "fgdm_offered": False}, "letter_before_proceedings_date"),
        ({"fgdm_offered": True, "fgdm_held": True}, "fgdm_offered"),
        ({"letter_before_proceedings_date": date(2026, 3, 3), "fgdm_offered": True}, "fgdm_held"),
        ({"review_meeting_dates": (date(2026, 3, 10),)}, "review_meeting_dates.0"),
        ({"initial_meeting_date": date(2026, 3, 10), "review_meeting_dates": (date(2026, 3, 9),)}, "review_meeting_dates.0"),
    ],
)
def test_the_census_pre_proceedings_rules(values: dict[str, Any], field: str) -> None:
    with pytest.raises(DomainError) as refused:
        _record(_block(), **values)
    assert refused.value.field == field


def test_rule_9006_the_letter_before_proceedings_is_not_before_the_start() -> None:
    with pytest.raises(DomainError, match="9006") as refused:
        _record(_block(), letter_before_proceedings_date=date(2026, 3, 1), fgdm_offered=False)
    assert refused.value.field == "letter_before_proceedings_date"
    recorded, events = _record(_block(), letter_before_proceedings_date=START, fgdm_offered=False)
    assert recorded.letter_before_proceedings_date == START and recorded.version == 2
    assert events[0].event_type == "preproceedings.recorded"


def test_rule_9007_a_letter_says_whether_it_offered_an_fgdm_meeting() -> None:
    with pytest.raises(DomainError, match="9007") as refused:
        _record(_block(), letter_before_proceedings_date=date(2026, 3, 3))
    assert refused.value.field == "fgdm_offered"


def _decide(block: Preproceedings, **values: Any) -> tuple[Preproceedings, domain.Events]:
    decision: dict[str, Any] = {
        "decision": PreproceedingsDecision.ISSUE_PROCEEDINGS,
        "decision_date": date(2026, 4, 1),
        "court_application_date": date(2026, 4, 2),
        "fgdm_exception_reason": None,
    } | values
    return domain.preproceedings.decide(block, today=date(2026, 4, 6), **decision)


def _offered() -> Preproceedings:
    return _record(
        _block(),
        letter_before_proceedings_date=date(2026, 3, 3),
        fgdm_offered=True,
        fgdm_held=False,
        initial_meeting_date=date(2026, 3, 10),
        review_meeting_dates=(date(2026, 3, 24),),
    )[0]


def test_rule_9009_the_step_decision_is_not_before_the_start() -> None:
    with pytest.raises(DomainError, match="9009") as refused:
        _decide(
            _offered(), decision=PreproceedingsDecision.STEP_DOWN, decision_date=date(2026, 3, 1), court_application_date=None
        )
    assert refused.value.field == "decision_date"


def test_rule_9012_the_court_application_is_not_before_the_step_decision() -> None:
    with pytest.raises(DomainError, match="9012") as refused:
        _decide(_offered(), court_application_date=date(2026, 3, 31))
    assert refused.value.field == "court_application_date"


def test_rule_9013_the_letter_initiating_care_proceedings_is_not_before_the_court_application() -> None:
    with pytest.raises(DomainError, match="9013") as refused:
        _decide(_offered(), letter_initiating_proceedings_date=date(2026, 4, 1))
    assert refused.value.field == "letter_initiating_proceedings_date"
    decided, events = _decide(_offered())
    with pytest.raises(DomainError, match="9013"):
        domain.preproceedings.record_care_proceedings_letter(decided, on=date(2026, 4, 1), today=date(2026, 4, 6))
    sent, events = domain.preproceedings.record_care_proceedings_letter(decided, on=date(2026, 4, 3), today=date(2026, 4, 6))
    assert sent.letter_initiating_proceedings_date == date(2026, 4, 3)
    assert [(e.event_type, e.court_application_date, e.letter_date) for e in events] == [  # type: ignore[attr-defined]
        ("preproceedings.care_proceedings_letter_sent", date(2026, 4, 2), date(2026, 4, 3))
    ]
    with pytest.raises(DomainError) as again:
        domain.preproceedings.record_care_proceedings_letter(sent, on=date(2026, 4, 4), today=date(2026, 4, 6))
    assert status_of(again.value) == 409


def test_rule_9013_a_letter_initiating_care_proceedings_needs_a_court_application() -> None:
    stepped_down, _ = _decide(
        _offered(), decision=PreproceedingsDecision.STEP_DOWN, court_application_date=None, decision_date=date(2026, 4, 1)
    )
    with pytest.raises(DomainError) as refused:
        domain.preproceedings.record_care_proceedings_letter(stepped_down, on=date(2026, 4, 3), today=date(2026, 4, 6))
    assert refused.value.field == "letter_initiating_proceedings_date"


def test_a_court_application_without_the_fgdm_offer_or_a_reasoned_exception_is_refused() -> None:
    with pytest.raises(DomainError) as refused:
        _decide(_block())
    assert (refused.value.field, refused.value.slug) == ("fgdm_exception_reason", "fgdm-offer-required")
    _, events = _decide(_block(), fgdm_exception_reason="A family meeting would put the child at risk of harm.")
    assert events[0].fgdm_exception is True  # type: ignore[attr-defined]


def test_the_step_decision_carries_the_census_outcome_and_ends_the_block() -> None:
    decided, events = _decide(_offered(), letter_initiating_proceedings_date=date(2026, 4, 2))
    (event,) = events
    assert (event.outcome, event.fgdm_offered, event.fgdm_exception, event.letter_initiating_proceedings_date) == (  # type: ignore[attr-defined]
        PreproceedingsOutcome.A,
        True,
        False,
        date(2026, 4, 2),
    )
    with pytest.raises(DomainError, match="decided already"):
        _decide(decided)
    with pytest.raises(DomainError, match="no longer change"):
        _record(decided)


def test_every_step_decision_has_one_census_outcome() -> None:
    assert CENSUS_OUTCOME == {
        PreproceedingsDecision.ISSUE_PROCEEDINGS: PreproceedingsOutcome.A,
        PreproceedingsDecision.STEP_DOWN: PreproceedingsOutcome.B,
        PreproceedingsDecision.EXTEND: PreproceedingsOutcome.C,
    }


def test_an_episode_closed_before_its_opening_arrives_stays_closed_until_that_closure_is_withdrawn() -> None:
    case, child = uuid.uuid4(), uuid.uuid4()
    closed = domain.episodes.closed(None, case_id=case, child_id=child, team="north", closure_date=date(2026, 3, 1))
    opened = domain.episodes.opened(closed, case_id=case, child_id=child, team="south", opened_on=date(2026, 1, 5))
    assert (opened.is_open, opened.team, opened.opened_on) == (False, "south", date(2026, 1, 5))
    assert domain.episodes.reopened(opened, closure_date=date(2026, 2, 1)) == opened  # another closure
    again = domain.episodes.reopened(opened, closure_date=date(2026, 3, 1))
    assert again is not None and again.is_open
