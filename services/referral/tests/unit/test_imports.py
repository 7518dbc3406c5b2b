"""The import's rules (decision 59), pure: a child of a council's history becomes the register's
state and events at their real instants; codes, census rules and teams are checked as live; what
a later return takes back is refused; what it adds is all it publishes."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

import pytest

from continuum.casework.errors import Conflict, Invalid
from continuum.casework.imports import ImportOutcome, child_key, episode_key, event_id, instant_on
from continuum.casework.policy import load_policy
from continuum.contracts import DecisionOutcome
from referral.domain.imports import (
    NAME_NOT_KNOWN,
    ChildImport,
    HeldReferral,
    ImportedChild,
    ImportedEpisode,
    import_child,
    referral_id_of,
)

POLICY = load_policy()
LA = "801"
TODAY = date(2026, 12, 6)


def _episode(day: str, decision: str = "assessment", *, current: bool = False, source: str = "6") -> ImportedEpisode:
    outcome = DecisionOutcome(decision)
    nfa = outcome in (DecisionOutcome.NFA, DecisionOutcome.EARLY_HELP)
    return ImportedEpisode(
        referral_date=date.fromisoformat(day), source=source, referral_nfa=nfa, decision=outcome, current_status=current
    )


def _child(*episodes: ImportedEpisode, **overrides: Any) -> ImportedChild:
    values: dict[str, Any] = {
        "la_child_id": "C100",
        "date_of_birth": date(2015, 3, 14),
        "sex": "F",
        "ethnicity": "WBRI",
        "disabilities": ("NONE",),
        "team": "north",
        "episodes": episodes or (_episode("2024-05-02"),),
    }
    return ImportedChild(**values | overrides)


def _new(record: ImportedChild) -> ChildImport:
    return import_child(
        record,
        la=LA,
        source_file="2025.xml",
        held=None,
        held_referrals={},
        child_outcome=ImportOutcome.IMPORTED,
        episode_outcomes={},
        by="import-job",
        today=TODAY,
        policy=POLICY,
    )


def test_a_new_child_is_registered_on_its_first_referral_day_and_each_referral_received_and_decided_that_day() -> None:
    record = _child(_episode("2024-11-04", "strategy_discussion", current=True), _episode("2024-01-08", "nfa"))
    result = _new(record)
    child_id = child_key(LA, "C100")
    assert (result.child.id, result.child.given_name, result.child.family_name) == (child_id, NAME_NOT_KNOWN, NAME_NOT_KNOWN)
    assert [(e.data.event_type, e.imported.at) for e in result.events] == [
        ("child.registered", instant_on(date(2024, 1, 8), 0)),
        ("referral.received", instant_on(date(2024, 1, 8), 0)),
        ("referral.decided", instant_on(date(2024, 1, 8), 1)),
        ("referral.received", instant_on(date(2024, 11, 4), 0)),
        ("referral.decided", instant_on(date(2024, 11, 4), 1)),
        ("status.withheld", instant_on(date(2024, 11, 4), 2)),
    ]
    assert result.events[0].subject == str(episode_key(LA, "C100", date(2024, 1, 8)))
    assert result.events[0].imported.event_id == event_id(child_id, "child.registered")
    first, second = result.referrals
    assert first.id == referral_id_of(LA, "C100", date(2024, 1, 8)) and first.referral_date == date(2024, 1, 8)
    assert (first.re_referral, second.re_referral) == (False, True)
    assert second.decision is not None and second.decision.outcome is DecisionOutcome.STRATEGY_DISCUSSION
    assert second.decision.decided_by == "import-job" and second.decided_within_one_working_day
    assert {e.imported.source for e in result.events} == {"2025.xml"}


def test_the_returns_primary_need_is_carried_on_the_front_doors_decision() -> None:
    # An NFA episode has no assessment to record its primary need at: the decision keeps the return's.
    result = _new(_child(replace(_episode("2024-01-08", "nfa"), primary_need="N4"), _episode("2024-11-04")))
    decided = [e.data for e in result.events if e.data.event_type == "referral.decided"]
    assert [d.model_dump(mode="json").get("primary_need") for d in decided] == ["N4", None]


def test_the_same_record_gives_the_same_ids() -> None:
    record = _child(_episode("2024-01-08", current=True))
    assert [e.imported.event_id for e in _new(record).events] == [e.imported.event_id for e in _new(record).events]


@pytest.mark.parametrize(
    ("overrides", "element"),
    [
        ({"ethnicity": "XXXX"}, "ethnicity"),
        ({"ethnicity": None}, "ethnicity"),
        ({"sex": "U"}, "sex"),  # U is for an unborn child only, as live
        ({"disabilities": ("NONE", "MOB")}, "disabilities"),
        ({"upn_unknown_reason": "UN9"}, "upn_unknown_reason"),
        ({"la_child_id": "C-100"}, "la_child_id"),
        ({"team": "nowhere"}, "team"),
        ({"date_of_death": date(2024, 1, 1)}, "date_of_death"),  # before its referral
        ({"date_of_birth": date(1990, 1, 1)}, "date_of_birth"),  # 25 or older at the referral
        ({"episodes": (_episode("2024-05-02", source="9Z"),)}, "episodes[0].source"),
        ({"episodes": (_episode("2027-01-01"),)}, "episodes[0].referral_date"),
        ({"episodes": (_episode("2024-05-02"), _episode("2024-05-02", "nfa"))}, "episodes[1].referral_date"),
        ({"episodes": (replace(_episode("2024-05-02"), referral_nfa=True),)}, "episodes[0].referral_nfa"),
        ({"episodes": ()}, "episodes"),
        ({"episodes": (replace(_episode("2024-05-02", "nfa"), primary_need="N10"),)}, "episodes[0].primary_need"),
    ],
)
def test_a_record_that_breaks_a_live_rule_is_refused_naming_its_element(overrides: dict[str, Any], element: str) -> None:
    with pytest.raises(Invalid) as refused:
        _new(_child(**overrides))
    assert refused.value.field == element


def test_an_unborn_child_and_a_child_referred_before_today_are_imported() -> None:
    unborn = _child(_episode("2026-10-01"), date_of_birth=None, expected_date_of_birth=date(2027, 2, 1), sex="U")
    assert _new(unborn).child.expected_date_of_birth == date(2027, 2, 1)
    assert _new(_child(_episode("2026-12-06"))).referrals[0].referral_date == TODAY  # today is not in the future


def _again(record: ImportedChild, before: ChildImport, **outcomes: Any) -> ChildImport:
    held = {r.id: HeldReferral(id=r.id, source=r.source, outcome=r.decision.outcome, team=r.team) for r in before.referrals}  # type: ignore[union-attr]
    return import_child(
        record,
        la=LA,
        source_file="2026.xml",
        held=before.child,
        held_received=[r.received_at for r in before.referrals],
        held_referrals=held,
        child_outcome=outcomes.get("child", ImportOutcome.UPDATED),
        episode_outcomes=outcomes.get("episodes", {r: ImportOutcome.UPDATED for r in held}),
        by="import-job",
        today=TODAY,
        policy=POLICY,
    )


def test_a_later_return_publishes_only_what_it_adds() -> None:
    first = _child(_episode("2024-01-08", current=True))
    before = _new(first)
    later = replace(
        first,
        given_name="Ada",
        episodes=(_episode("2024-01-08"), _episode("2025-06-02", current=True)),
    )
    result = _again(later, before)
    assert [e.data.event_type for e in result.events] == [
        "child.updated",
        "referral.received",
        "referral.decided",
        "status.withheld",
    ]
    assert result.updated and not result.registered and result.child.version == 2 and result.child.given_name == "Ada"
    assert [r.referral_date for r in result.referrals] == [date(2025, 6, 2)]


def test_an_episode_that_becomes_the_current_stage_tells_partners_once() -> None:
    before = _new(_child(_episode("2024-01-08")))
    result = _again(_child(_episode("2024-01-08", current=True)), before, child=ImportOutcome.UNCHANGED)
    assert [e.data.event_type for e in result.events] == ["status.withheld"]
    assert result.referrals == () and not result.updated
    assert result.current_stages == ((referral_id_of(LA, "C100", date(2024, 1, 8)), True),)


def test_a_referral_is_imported_as_its_episodes_current_stage_and_a_later_return_moves_it_on() -> None:
    before = _new(_child(_episode("2024-01-08", current=True), _episode("2023-01-09", "nfa")))
    assert {r.referral_date: r.import_current_stage for r in before.referrals} == {
        date(2024, 1, 8): True,
        date(2023, 1, 9): False,
    }
    later = _child(_episode("2024-01-08"), _episode("2023-01-09", "nfa"))
    moved_on = _again(later, before, child=ImportOutcome.UNCHANGED)
    assert dict(moved_on.current_stages)[referral_id_of(LA, "C100", date(2024, 1, 8))] is False
    assert moved_on.events == ()


@pytest.mark.parametrize(
    ("later", "element"),
    [
        ({"episodes": (_episode("2024-01-08", "nfa"),)}, "episodes[0].decision"),
        ({"episodes": (_episode("2024-01-08", source="1A"),)}, "episodes[0].source"),
        ({"team": "south"}, "episodes[0].team"),
        ({"date_of_birth": date(2015, 3, 15)}, "date_of_birth"),
    ],
)
def test_a_later_return_that_takes_back_what_was_imported_is_refused(later: dict[str, Any], element: str) -> None:
    first = _child(_episode("2024-01-08"))
    with pytest.raises(Conflict) as refused:
        _again(replace(first, **later), _new(first))
    assert refused.value.field == element


def test_names_and_an_nhs_number_matched_since_are_kept_when_a_return_has_none() -> None:
    first = _child(given_name="Ada", family_name="Lovelace", nhs_number="9434765919")
    before = _new(first)
    result = _again(replace(first, given_name=None, family_name=None, nhs_number=None), before)
    assert (result.child.given_name, result.child.nhs_number, result.events) == ("Ada", "9434765919", ())
