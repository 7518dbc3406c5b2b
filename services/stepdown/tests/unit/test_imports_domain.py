"""The history import's rules without a database (decision 59): a closed episode of a census return
becomes a closure record and its ``case.closed`` by the census rules of every closure; a repeat
changes nothing and a return that takes one back is refused; an imported fact keeps the episode's
state but ends nothing; partners hear nothing of an imported closure."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any

import pytest

from continuum.casework.errors import Conflict, Invalid
from continuum.casework.imports import ImportOutcome, instant_on
from continuum.casework.policy import load_policy
from continuum.contracts.assessment import AssessmentOutcome
from continuum.contracts.codes import ReasonForClosure
from continuum.contracts.plan import ActionSummary, NextStep, PlanType
from continuum.contracts.stepdown import CaseClosed
from stepdown import domain
from stepdown.domain import AssessmentFacts, ChildFacts, Episode, PlanEnd, StatutoryWork, StepdownStatus
from stepdown.domain.imports import (
    ClosedEpisode,
    ImportedClosure,
    child_outcome,
    distinct_episodes,
    import_closure,
    unmet_need_of,
)

CASE, CHILD, CLOSURE = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
TODAY = date(2026, 12, 6)
SOURCE = "CIN_2019-20.xml"


def record(**kw: Any) -> ClosedEpisode:
    values: dict[str, Any] = {
        "case_id": CASE,
        "child_id": CHILD,
        "closure_id": CLOSURE,
        "team": "north",
        "referral_date": date(2019, 4, 1),
        "closure_date": date(2019, 6, 28),
        "reason_for_closure": "RC8",
        "referral_nfa": False,
        "assessed": True,
        "statutory": False,
        "unmet_need": None,
        "source": SOURCE,
    }
    return ClosedEpisode(**(values | kw))


def imported(episode: Episode | None = None, held: domain.Stepdown | None = None, **kw: Any) -> ImportedClosure:
    died = kw.pop("date_of_death", None)
    return import_closure(episode, held, record(**kw), today=TODAY, date_of_death=died)


def test_a_closed_episode_becomes_a_closure_record_and_case_closed_at_its_real_instant() -> None:
    done = imported(reason_for_closure="RC9")
    assert done.stepdown is not None and done.episode is not None
    s = done.stepdown
    assert (s.id, s.case_id, s.child_id) == (CLOSURE, CASE, CHILD)
    assert (s.status, s.kind) == (StepdownStatus.CLOSED, domain.TransitionKind.CLOSE)
    assert s.closure is not None and s.closure.closure_date == date(2019, 6, 28) and s.closure.reason is ReasonForClosure("RC9")
    assert s.closure.closed_at == instant_on(date(2019, 6, 28), 50) == s.requested_at
    assert s.imported_from == SOURCE and s.unmet_need  # RC9: early help picks up the needs
    [event] = done.events
    assert isinstance(event, CaseClosed)
    assert (event.closure_date, event.referral_nfa, event.assessed, event.unmet_need) == (date(2019, 6, 28), False, True, True)
    assert done.episode.stepdown_id == CLOSURE and done.episode.imported_from == SOURCE
    assert done.episode.referral_date == date(2019, 4, 1)


def test_the_front_doors_nfa_closes_on_its_referral_date_with_no_assessment() -> None:
    done = imported(referral_nfa=True, assessed=False, closure_date=date(2019, 4, 1))
    assert done.stepdown is not None and done.stepdown.trigger is domain.TransitionTrigger.FRONT_DOOR
    assert isinstance(done.events[0], CaseClosed) and done.events[0].referral_nfa
    with pytest.raises(Invalid) as later:
        imported(referral_nfa=True, assessed=False, closure_date=date(2019, 4, 2))
    assert later.value.field == "closure_date"
    with pytest.raises(Invalid) as assessed:
        imported(referral_nfa=True, assessed=True, closure_date=date(2019, 4, 1))
    assert assessed.value.field == "referral_nfa"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"reason_for_closure": "RC0"}, "reason_for_closure"),
        ({"reason_for_closure": "rc8"}, "reason_for_closure"),
        ({"closure_date": date(2019, 3, 31)}, "closure_date"),  # before the referral
        ({"closure_date": date(2026, 12, 7)}, "closure_date"),  # after today
        ({"statutory": True}, "reason_for_closure"),  # RC8 after statutory work: rule 2990
        ({"assessed": False}, "reason_for_closure"),  # RC8 after no assessment
        ({"reason_for_closure": "RC2", "date_of_death": date(2019, 7, 1)}, "closure_date"),  # closed before the death
    ],
)
def test_the_census_rules_of_every_closure_hold(changes: dict[str, Any], field: str) -> None:
    with pytest.raises(Invalid) as refused:
        imported(**changes)
    assert refused.value.field == field


def test_statutory_work_step_down_heard_of_counts_for_rule_2990_too() -> None:
    known = Episode(case_id=CASE, child_id=CHILD, team="north", statutory_work=frozenset({StatutoryWork.SECTION47}), version=3)
    with pytest.raises(Invalid, match="2990"):
        imported(known)
    done = imported(known, reason_for_closure="RC7", statutory=True)
    assert done.stepdown is not None and done.stepdown.statutory_work == {StatutoryWork.SECTION47}
    assert done.episode is not None and done.episode.version == 4 and done.episode.imported_from == SOURCE


def test_rc2_goes_on_the_returns_word_when_the_date_of_death_is_not_known_here() -> None:
    assert imported(reason_for_closure="RC2").stepdown is not None
    assert imported(reason_for_closure="RC2", date_of_death=date(2019, 6, 1)).stepdown is not None


def test_a_repeat_changes_nothing_and_a_return_that_takes_a_closure_back_is_refused() -> None:
    held = imported().stepdown
    assert imported(held=held) == ImportedClosure(None, None, [])
    for changes, field in (
        ({"closure_date": date(2019, 7, 1)}, "closure_date"),
        ({"reason_for_closure": "RC1"}, "reason_for_closure"),
        ({"unmet_need": True}, "unmet_need"),
    ):
        with pytest.raises(Conflict) as refused:
            imported(held=held, **changes)
        assert refused.value.field == field and "correction is live work" in refused.value.reason


def test_a_closure_of_live_work_is_compared_on_what_a_return_knows_and_an_open_one_is_refused() -> None:
    done = imported().stepdown
    assert done is not None
    live = replace(done, imported_from=None, unmet_need=True)
    assert imported(held=live).stepdown is None  # the same date and reason: nothing to add
    with pytest.raises(Conflict):
        imported(held=live, closure_date=date(2019, 6, 29))
    with pytest.raises(Conflict) as open_:
        imported(held=replace(live, closure=None, status=StepdownStatus.PENDING))
    assert open_.value.slug == "episode-open"


def test_unknown_unmet_need_is_what_live_work_records() -> None:
    assert unmet_need_of(record(unmet_need=None), ReasonForClosure("RC9"))
    assert not unmet_need_of(record(unmet_need=None), ReasonForClosure("RC7"))
    assert not unmet_need_of(record(unmet_need=False), ReasonForClosure("RC9"))


def test_a_childs_outcome_and_its_episodes_named_once() -> None:
    new, held, added = ImportOutcome.IMPORTED, ImportOutcome.UNCHANGED, ImportOutcome.UPDATED
    assert child_outcome([new, new]) is new
    assert child_outcome([held, held]) is held and child_outcome([]) is held
    assert child_outcome([held, new]) is added and child_outcome([added]) is added
    with pytest.raises(Invalid) as twice:
        distinct_episodes([date(2019, 1, 1), date(2019, 2, 1), date(2019, 1, 1)])
    assert twice.value.field == "episodes[2].referral_date"


# --- imported facts in the transitions -----------------------------------------------------------------

NOW = datetime(2026, 12, 7, 10, tzinfo=UTC)
ACTIONS = ActionSummary(total=1, done=1, in_progress=0, not_started=0, dropped=0)


def facts(*, imported_assessment: bool, imported_end: bool | None) -> Episode:
    a = AssessmentFacts(uuid.uuid4(), AssessmentOutcome.CIN_PLAN, date(2025, 12, 19), "sw-1", imported=imported_assessment)
    referred = date(2025, 11, 3)
    episode = domain.receive_assessment(None, case_id=CASE, child_id=CHILD, team="north", referral_date=referred, facts=a)
    if imported_end is None:
        return episode
    end = PlanEnd(uuid.uuid4(), date(2026, 12, 4), NextStep.UNIVERSAL, False, ACTIONS, imported=imported_end)
    return domain.receive_plan_end(episode, case_id=CASE, child_id=CHILD, team="north", plan_end=end, plan_type=PlanType.CIN)


def transition(episode: Episode) -> tuple[Episode, domain.Stepdown | None, domain.Events]:
    return domain.make_transition(
        episode, stepdown_id=uuid.uuid4(), now=NOW, receiving_team="early-help", response_working_days=10
    )


def test_an_imported_end_is_kept_but_ends_nothing() -> None:
    ended = facts(imported_assessment=True, imported_end=True)
    assert domain.ended_by_import(ended)
    assert transition(ended) == (ended, None, [])
    nfa = AssessmentFacts(uuid.uuid4(), AssessmentOutcome.NFA, date(2019, 6, 1), "sw-1", imported=True)
    closed_by_assessment = domain.receive_assessment(
        None, case_id=CASE, child_id=CHILD, team="north", referral_date=date(2019, 4, 1), facts=nfa
    )
    assert transition(closed_by_assessment)[1] is None


def test_a_live_end_of_an_imported_open_episode_transitions_with_the_imported_facts() -> None:
    _, stepdown, events = transition(facts(imported_assessment=True, imported_end=False))
    assert stepdown is not None and stepdown.referral_date == date(2025, 11, 3) and stepdown.assessed
    assert [type(e).__name__ for e in events] == ["StepdownRequested", "CaseClosed"]  # universal services: RC7 at once


def test_an_episode_first_heard_of_from_an_import_is_marked_once() -> None:
    fresh = facts(imported_assessment=True, imported_end=None)
    marked = domain.heard_from_import(None, fresh, source=SOURCE)
    assert marked.imported_from == SOURCE
    assert domain.heard_from_import(fresh, fresh, source=SOURCE).imported_from is None  # known before: live
    assert domain.heard_from_import(None, fresh, source=None).imported_from is None


def test_partners_hear_nothing_of_an_imported_closure_when_the_nhs_number_comes() -> None:
    done = imported()
    assert done.episode is not None and done.stepdown is not None
    child = ChildFacts(nhs_number="9434765919", date_of_birth=date(2016, 3, 14), date_of_death=None)
    policy = load_policy()
    assert domain.status_when_identified([done.episode], [done.stepdown], child=child, policy=policy) == []
    live = replace(done.stepdown, imported_from=None)
    assert domain.status_when_identified([done.episode], [live], child=child, policy=policy) != []
