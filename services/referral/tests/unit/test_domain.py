"""The front door's rules and transitions (``referral.domain``): no database, no broker.

Expected dates are worked out by hand from the published England and Wales bank holidays.
"""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from continuum.casework.errors import DomainError
from continuum.casework.policy import load_policy
from continuum.casework.principal import Principal, Role
from continuum.contracts import (
    ChildRegistered,
    ChildUpdated,
    DecisionOutcome,
    InformationReceived,
    InformationRequested,
    PartnerStatus,
    ReferralDecided,
    ReferralReceived,
    StatusChanged,
    ThresholdLevel,
)
from continuum.contracts.codes import Disability, Ethnicity, ReasonForClosure, ReferralSource, Sex, upn_check_letter, upn_problem
from continuum.web.errors import problem_for
from referral import domain
from referral.domain import (
    Agency,
    Candidate,
    ChildIdentity,
    ChildState,
    Intake,
    LawfulBasis,
    MatchConflict,
    ReferralState,
    ReferralStatus,
)

TODAY = date(2026, 11, 26)
NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
POLICY = load_policy()


def identity(**overrides: Any) -> ChildIdentity:
    values: dict[str, Any] = {
        "la_child_id": "LA1",
        "given_name": "Sam",
        "family_name": "Example",
        "date_of_birth": date(2016, 3, 14),
        "expected_date_of_birth": None,
        "sex": Sex.FEMALE,
        "ethnicity": Ethnicity("WBRI"),
        "disabilities": (Disability.NONE,),
        "nhs_number": "9434765919",
    }
    return ChildIdentity(**values | overrides)


def registered(**overrides: Any) -> ChildState:
    child, _ = domain.register_child(identity(**overrides), child_id=uuid.uuid4(), today=TODAY)
    return child


def intake(**overrides: Any) -> Intake:
    values: dict[str, Any] = {
        "received_at": datetime(2026, 11, 20, 10, 0, tzinfo=UTC),
        "source": ReferralSource.POLICE,
        "referrer_name": "PC Example",
        "referrer_agency": "Example Constabulary",
        "concerns": "Police attended a domestic incident; the child was present.",
        "lawful_basis": LawfulBasis.SAFEGUARDING_CHILDREN,
        "suggested_threshold": ThresholdLevel.CHILD_IN_NEED,
        "team": "north",
    }
    return Intake(**values | overrides)


def received(child: ChildState | None = None, **overrides: Any) -> ReferralState:
    referral, _ = domain.receive(
        intake(**overrides),
        case_id=uuid.uuid4(),
        child=child or registered(),
        earlier_referrals=[],
        by="fd",
        now=NOW,
        policy=POLICY,
    )
    return referral


def decide(referral: ReferralState, outcome: DecisionOutcome, team: str = "north", **kw: Any) -> tuple[ReferralState, list[Any]]:
    return domain.decide(
        referral, child=registered(), outcome=outcome, reasons="Reasons.", team=team, by="m1", at=NOW, policy=POLICY, **kw
    )


def announced(referral: ReferralState, event_id: uuid.UUID) -> ReferralState:
    """As the repository saves it: the decision in force remembers the event that announced it."""
    *earlier, last = referral.decisions
    return replace(referral, decisions=(*earlier, replace(last, event_id=event_id)))


def principal(*roles: Role, teams: tuple[str, ...] = ("north",)) -> Principal:
    return Principal("u", "U", frozenset(roles), frozenset(teams), False, "999")


# --- a child's identity -----------------------------------------------------------------------------


def test_nhs_number_with_a_correct_check_digit_is_valid() -> None:
    assert domain.valid_nhs_number("9434765919") is True


def test_nhs_number_with_a_wrong_check_digit_is_invalid() -> None:
    assert domain.valid_nhs_number("9434765918") is False


def test_an_invalid_nhs_number_is_refused_naming_the_field() -> None:
    with pytest.raises(DomainError) as caught:
        domain.check_child_identity(identity(nhs_number="9434765918"), today=TODAY)
    assert caught.value.field == "nhs_number"
    assert problem_for(caught.value).status == 422


def test_date_of_birth_in_the_future_is_refused() -> None:
    with pytest.raises(DomainError) as caught:
        domain.check_child_identity(identity(date_of_birth=date(2026, 11, 27)), today=TODAY)
    assert caught.value.field == "date_of_birth"


def test_date_of_birth_today_is_accepted() -> None:
    domain.check_child_identity(identity(date_of_birth=TODAY), today=TODAY)


def test_unborn_child_with_expected_date_of_birth_and_sex_u_is_accepted() -> None:
    unborn = identity(date_of_birth=None, expected_date_of_birth=date(2027, 2, 1), sex=Sex.UNBORN)
    domain.check_child_identity(unborn, today=TODAY)


def test_unborn_child_with_a_sex_other_than_u_is_refused() -> None:
    with pytest.raises(DomainError) as caught:
        domain.check_child_identity(identity(date_of_birth=None, expected_date_of_birth=date(2027, 2, 1)), today=TODAY)
    assert caught.value.field == "sex"


def test_sex_u_for_a_born_child_is_refused() -> None:
    with pytest.raises(DomainError) as caught:
        domain.check_child_identity(identity(sex=Sex.UNBORN), today=TODAY)
    assert caught.value.field == "sex"


def test_a_child_with_neither_date_of_birth_nor_expected_date_is_refused() -> None:
    with pytest.raises(DomainError) as caught:
        domain.check_child_identity(identity(date_of_birth=None), today=TODAY)
    assert caught.value.field == "date_of_birth"


# --- registering and updating a child -----------------------------------------------------------------


def test_registering_a_child_is_version_1_announced_by_child_registered_without_the_address() -> None:
    child, events = domain.register_child(identity(address="1 Example Street"), child_id=uuid.uuid4(), today=TODAY)
    assert child.version == 1
    [event] = events
    assert isinstance(event, ChildRegistered)
    assert (event.child_id, event.nhs_number, event.version) == (child.id, "9434765919", 1)
    assert "address" not in event.model_dump()


def test_registering_a_child_that_breaks_a_census_rule_is_refused() -> None:
    with pytest.raises(DomainError) as caught:
        domain.register_child(identity(upn="not-a-upn"), child_id=uuid.uuid4(), today=TODAY)
    assert caught.value.field == "upn"


def test_updating_a_child_bumps_its_version_and_announces_child_updated() -> None:
    child = registered()
    updated, [event] = domain.update_child(child, changes={"postcode": "EX2 2BB"}, today=TODAY)
    assert (updated.postcode, updated.version, updated.id) == ("EX2 2BB", 2, child.id)
    assert isinstance(event, ChildUpdated)
    assert (event.postcode, event.version) == ("EX2 2BB", 2)


def test_an_update_that_breaks_a_census_rule_is_refused() -> None:
    with pytest.raises(DomainError) as caught:
        domain.update_child(registered(), changes={"date_of_birth": date(2027, 1, 1)}, today=TODAY)
    assert caught.value.field == "date_of_birth"


# --- matching a child sent as new -------------------------------------------------------------------


def match(given: ChildIdentity, **kw: Any) -> tuple[ChildState, list[Any]]:
    values: dict[str, Any] = {"same": None, "may_see_same": True, "candidates": [], "sees_candidates": True}
    return domain.register_or_match(given, **values | kw, child_id=uuid.uuid4(), today=TODAY)


def test_the_same_identifier_and_identity_is_the_registered_child_with_no_events() -> None:
    child = registered()
    found, events = match(identity(given_name=" SAM ", la_child_id="LA2"), same=child)
    assert (found, events) == (child, [])


def test_the_same_identifier_with_another_identity_is_an_identity_conflict_naming_the_fields() -> None:
    child = registered()
    with pytest.raises(MatchConflict) as caught:
        match(identity(family_name="Other", date_of_birth=date(2015, 1, 2)), same=child)
    assert (caught.value.kind, caught.value.fields, caught.value.discloses) == (
        "identity-conflict",
        ("family_name", "date_of_birth"),
        True,
    )
    assert caught.value.candidates == (
        Candidate(child.id, child.la_child_id, domain.SAME_IDENTIFIER, ("family_name", "date_of_birth")),
    )


def test_the_same_identifier_of_a_child_the_caller_may_not_see_is_for_the_front_door_to_review() -> None:
    with pytest.raises(MatchConflict) as caught:
        match(identity(), same=registered(), may_see_same=False)
    assert (caught.value.kind, caught.value.discloses, caught.value.fields) == ("front-door-review", False, ("nhs_number",))


def test_possible_matches_are_offered_to_whoever_may_see_them() -> None:
    candidate = Candidate(uuid.uuid4(), "LA-9", domain.SAME_NAME_AND_BIRTH)
    with pytest.raises(MatchConflict) as caught:
        match(identity(nhs_number=None), candidates=[candidate])
    assert (caught.value.kind, caught.value.candidates) == ("possible-match", (candidate,))


def test_possible_matches_are_for_the_front_door_to_review_when_the_caller_may_not_see_them() -> None:
    candidate = Candidate(uuid.uuid4(), "LA-9", domain.SAME_NAME_AND_BIRTH)
    with pytest.raises(MatchConflict) as caught:
        match(identity(nhs_number=None), candidates=[candidate], sees_candidates=False)
    assert (caught.value.kind, caught.value.discloses) == ("front-door-review", False)


def test_no_match_registers_a_new_child() -> None:
    child, [event] = match(identity())
    assert (child.version, event.event_type) == (1, "child.registered")


def test_only_whoever_sees_the_candidates_may_confirm_a_new_child() -> None:
    child = identity()
    assert domain.looks_for_possible_matches(child, confirmed_new=True, sees_candidates=True) is False
    assert domain.looks_for_possible_matches(child, confirmed_new=True, sees_candidates=False) is True
    assert domain.looks_for_possible_matches(identity(date_of_birth=None), confirmed_new=False, sees_candidates=True) is False


# --- who sees which case ------------------------------------------------------------------------------


def test_the_front_door_auditors_and_the_service_itself_see_every_case() -> None:
    assert domain.sees_every_case(principal(Role.FRONT_DOOR, teams=())) is True
    assert domain.sees_every_case(principal(Role.AUDITOR, teams=())) is True
    assert domain.sees_every_case(None) is True
    assert domain.sees_every_case(principal(Role.MANAGER)) is False


def test_a_practitioner_sees_a_case_referred_or_allocated_to_their_team() -> None:
    north = principal(Role.PRACTITIONER)
    assert domain.may_see_case(north, ("south", "north")) is True
    assert domain.may_see_case(north, ("south", None)) is False


# --- receiving a referral -----------------------------------------------------------------------------


def test_a_referral_received_is_announced_and_partners_see_it_referred() -> None:
    child = registered()
    referral, events = domain.receive(
        intake(), case_id=uuid.uuid4(), child=child, earlier_referrals=[], by="fd", now=NOW, policy=POLICY
    )
    assert (referral.status, referral.version, referral.re_referral, referral.child_id) == (
        ReferralStatus.RECEIVED,
        1,
        False,
        child.id,
    )
    assert [type(e) for e in events] == [ReferralReceived, StatusChanged]
    received_event, status = events
    assert isinstance(received_event, ReferralReceived) and isinstance(status, StatusChanged)
    assert (received_event.case_id, received_event.decision_due_at) == (referral.case_id, referral.decision_due_at)
    # status.changed v2: since is the referral's London date; the public label, never the team id.
    responsible, contact = POLICY.partner_contact("north")
    assert (status.status, status.nhs_number, status.since, status.responsible_service, status.contact) == (
        PartnerStatus.REFERRED,
        "9434765919",
        date(2026, 11, 20),
        responsible,
        contact,
    )


def test_a_referral_to_an_unknown_team_is_refused() -> None:
    with pytest.raises(DomainError) as caught:
        received(team="nowhere")
    assert caught.value.field == "team"


def test_received_time_in_the_future_is_refused() -> None:
    with pytest.raises(DomainError) as caught:
        domain.check_received_at(datetime(2026, 11, 26, 12, 1, tzinfo=UTC), NOW)
    assert caught.value.field == "received_at"


def test_a_referral_received_after_now_is_refused() -> None:
    with pytest.raises(DomainError) as caught:
        received(received_at=NOW + timedelta(minutes=1))
    assert caught.value.field == "received_at"


# re-referral


def test_a_referral_ten_months_after_the_last_is_a_re_referral() -> None:
    received_at = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)
    assert domain.is_re_referral(received_at, [datetime(2026, 1, 20, 10, 0, tzinfo=UTC)]) is True


def test_a_referral_thirteen_months_after_the_last_is_not_a_re_referral() -> None:
    received_at = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)
    assert domain.is_re_referral(received_at, [datetime(2025, 10, 20, 10, 0, tzinfo=UTC)]) is False


def test_a_first_referral_is_not_a_re_referral() -> None:
    assert domain.is_re_referral(datetime(2026, 11, 20, 10, 0, tzinfo=UTC), []) is False


def test_the_re_referral_window_reads_london_calendar_dates() -> None:
    # 23:30 UTC on 31 May 2025 is 00:30 on 1 June in London: exactly 12 months before 1 June 2026.
    received_at = datetime(2026, 6, 1, 10, 0, tzinfo=UTC)
    assert domain.is_re_referral(received_at, [datetime(2025, 5, 31, 23, 30, tzinfo=UTC)]) is True


# decision due time


def test_decision_on_a_friday_morning_is_due_on_monday_at_the_same_london_time() -> None:
    # 20 November 2026 is a Friday; London is on GMT.
    due = domain.decision_due_at(datetime(2026, 11, 20, 10, 0, tzinfo=UTC))
    assert due == datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


def test_decision_due_keeps_the_london_clock_time_in_summer() -> None:
    # Friday 12 June 2026, 10:00 BST (09:00 UTC) -> Monday 15 June, 10:00 BST.
    due = domain.decision_due_at(datetime(2026, 6, 12, 9, 0, tzinfo=UTC))
    assert due == datetime(2026, 6, 15, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("received_at", "due"),
    [
        # Friday before the summer bank holiday (Monday 31 August 2026) -> Tuesday 1 September, 10:00 BST.
        (datetime(2026, 8, 28, 9, 0, tzinfo=UTC), datetime(2026, 9, 1, 9, 0, tzinfo=UTC)),
        # Christmas Eve 2026 (Thursday): Christmas Friday, the weekend, Boxing Day's substitute Monday 28th.
        (datetime(2026, 12, 24, 10, 0, tzinfo=UTC), datetime(2026, 12, 29, 10, 0, tzinfo=UTC)),
    ],
)
def test_decision_due_skips_a_bank_holiday(received_at: datetime, due: datetime) -> None:
    assert domain.decision_due_at(received_at) == due


# --- deciding -------------------------------------------------------------------------------------------


def test_an_undecided_referral_may_be_decided() -> None:
    decided, _ = decide(received(), DecisionOutcome.ASSESSMENT)
    assert (decided.status, decided.version, decided.allocated_team) == (ReferralStatus.DECIDED, 2, "north")


def test_deciding_twice_is_refused_as_a_conflict() -> None:
    decided, _ = decide(received(), DecisionOutcome.ASSESSMENT)
    with pytest.raises(DomainError) as caught:
        decide(decided, DecisionOutcome.NFA)
    assert (problem_for(caught.value).status, caught.value.slug, caught.value.field) == (409, "already-decided", "referral")


def test_a_decision_for_an_unknown_team_is_refused() -> None:
    with pytest.raises(DomainError) as caught:
        decide(received(), DecisionOutcome.ASSESSMENT, team="nowhere")
    assert caught.value.field == "team"


def test_nfa_no_longer_closes_the_episode_nor_tells_partners_it_is_closed() -> None:
    # Issue 16 point 5: step-down closes every episode (the NFA with case.closed RC8), alone.
    decided, events = decide(received(), DecisionOutcome.NFA)
    assert decided.closure is None
    assert [type(e) for e in events] == [ReferralDecided]
    [decided_event] = events
    assert isinstance(decided_event, ReferralDecided)
    assert (decided_event.closed_on, decided_event.correction_of, decided_event.within_one_working_day) == (None, None, False)


def test_early_help_no_longer_closes_the_episode() -> None:
    decided, [event] = decide(received(), DecisionOutcome.EARLY_HELP)
    assert isinstance(event, ReferralDecided)
    assert (decided.closure, event.closed_on) == (None, None)


def test_step_downs_closure_is_shown_and_a_reopening_withdraws_only_that_closure() -> None:
    decided, _ = decide(received(), DecisionOutcome.NFA)
    closed = domain.close_episode(decided, closed_on=date(2026, 11, 20), reason=ReasonForClosure.NFA_AFTER_ASSESSMENT)
    assert closed.closure == domain.Closure(date(2026, 11, 20), ReasonForClosure.NFA_AFTER_ASSESSMENT)
    assert closed.version == decided.version  # step-down's fact, shown here: the referral is unchanged
    assert domain.reopen_episode(closed, closure_date=date(2026, 11, 21)) is None  # not the closure in force
    reopened = domain.reopen_episode(closed, closure_date=date(2026, 11, 20))
    assert reopened is not None and reopened.closure is None
    assert domain.reopen_episode(reopened, closure_date=date(2026, 11, 20)) is None  # a repeat changes nothing


def test_an_assessment_decision_publishes_no_partner_status() -> None:
    _, events = decide(received(), DecisionOutcome.ASSESSMENT)
    assert [type(e) for e in events] == [ReferralDecided]


def test_a_decision_by_its_due_time_is_within_one_working_day() -> None:
    decided, [event] = decide(received(received_at=NOW - timedelta(hours=1)), DecisionOutcome.ASSESSMENT)
    assert (decided.decided_within_one_working_day, event.within_one_working_day) == (True, True)


def test_the_referral_date_is_the_london_date_of_receipt() -> None:
    # 23:30 UTC on 11 June 2026 is 00:30 on 12 June in London (BST).
    referral = received(received_at=datetime(2026, 6, 11, 23, 30, tzinfo=UTC))
    _, [event] = decide(referral, DecisionOutcome.NFA)
    assert referral.referral_date == date(2026, 6, 12)
    assert isinstance(event, ReferralDecided)
    assert (event.referral_date, event.closed_on) == (date(2026, 6, 12), None)


# --- correcting a decision: the same transition ------------------------------------------------------------


def correct(referral: ReferralState, outcome: DecisionOutcome, team: str = "north") -> tuple[ReferralState, list[Any]]:
    return domain.correct_decision(
        referral,
        child=registered(),
        outcome=outcome,
        reasons="New facts.",
        team=team,
        correction_reason="Wrong.",
        by="m2",
        at=NOW,
        policy=POLICY,
    )


def test_a_correction_names_the_decision_and_the_event_it_corrects() -> None:
    first_event = uuid.uuid4()
    decided, _ = decide(received(), DecisionOutcome.ASSESSMENT)
    decided = announced(decided, first_event)
    corrected, [event] = correct(decided, DecisionOutcome.ASSESSMENT, team="south")
    original, correction = corrected.decisions
    assert (correction.corrects, correction.correction_reason, correction.decided_by) == (original.id, "Wrong.", "m2")
    assert isinstance(event, ReferralDecided)
    assert (event.correction_of, event.team, corrected.version, corrected.allocated_team) == (first_event, "south", 3, "south")


def test_a_correction_to_nfa_announces_the_decision_only() -> None:
    decided, _ = decide(received(), DecisionOutcome.ASSESSMENT)
    corrected, events = correct(decided, DecisionOutcome.NFA)
    assert [type(e) for e in events] == [ReferralDecided]
    assert corrected.closure is None


def test_a_correction_from_nfa_to_assessment_reopens_the_episode() -> None:
    decided, _ = decide(received(), DecisionOutcome.NFA)
    corrected, [event] = correct(decided, DecisionOutcome.ASSESSMENT)
    assert (corrected.closure, event.closed_on) == (None, None)


def test_a_correction_keeps_whether_the_original_decision_was_in_time() -> None:
    decided, _ = decide(received(received_at=NOW - timedelta(hours=1)), DecisionOutcome.ASSESSMENT)
    late = replace(decided, decision_due_at=NOW - timedelta(minutes=1))  # the correction comes after the due time
    corrected, [event] = correct(late, DecisionOutcome.NFA)
    assert (corrected.decided_within_one_working_day, event.within_one_working_day) == (True, True)


def test_a_correction_that_changes_nothing_is_refused() -> None:
    decided, _ = decide(received(), DecisionOutcome.ASSESSMENT)
    with pytest.raises(DomainError) as caught:
        correct(decided, DecisionOutcome.ASSESSMENT)
    assert (problem_for(caught.value).status, caught.value.field) == (422, "outcome")


def test_a_correction_to_another_team_is_allowed() -> None:
    decided, _ = decide(received(), DecisionOutcome.ASSESSMENT)
    corrected, _ = correct(decided, DecisionOutcome.ASSESSMENT, team="south")
    assert corrected.allocated_team == "south"


def test_an_undecided_referral_cannot_be_corrected() -> None:
    with pytest.raises(DomainError) as caught:
        correct(received(), DecisionOutcome.NFA)
    assert (problem_for(caught.value).status, caught.value.slug) == (409, "not-decided")


def test_a_correction_to_an_unknown_team_is_refused_like_a_decision() -> None:
    decided, _ = decide(received(), DecisionOutcome.ASSESSMENT)
    with pytest.raises(DomainError) as caught:
        correct(decided, DecisionOutcome.ASSESSMENT, team="nowhere")
    assert caught.value.field == "team"


# --- information from partner agencies -------------------------------------------------------------------


def ask(referral: ReferralState, due_at: datetime) -> tuple[Any, list[Any]]:
    return domain.request_information(referral, agency=Agency.POLICE, question="Call-outs?", due_at=due_at, by="fd", now=NOW)


def test_a_request_for_information_is_announced_with_its_due_time() -> None:
    referral = received()
    request, [event] = ask(referral, NOW + timedelta(hours=4))
    assert isinstance(event, InformationRequested)
    assert (event.request_id, event.case_id, event.agency, event.due_at) == (
        request.id,
        referral.case_id,
        "police",
        request.due_at,
    )
    assert request.overdue(NOW) is False


def test_a_request_due_now_or_earlier_is_refused() -> None:
    with pytest.raises(DomainError) as caught:
        ask(received(), NOW)
    assert caught.value.field == "due_at"


def test_an_answer_by_the_due_time_is_on_time() -> None:
    referral = received()
    request, _ = ask(referral, NOW + timedelta(hours=4))
    answered, [event] = domain.record_information(
        request, referral=referral, answer="None.", by="fd", now=NOW + timedelta(hours=1)
    )
    assert isinstance(event, InformationReceived)
    assert (answered.answer, event.on_time) == ("None.", True)


def test_an_answer_after_the_due_time_is_late() -> None:
    referral = received()
    request, _ = ask(referral, NOW + timedelta(hours=4))
    _, [event] = domain.record_information(request, referral=referral, answer="None.", by="fd", now=NOW + timedelta(hours=5))
    assert event.on_time is False


def test_a_request_is_answered_once() -> None:
    referral = received()
    request, _ = ask(referral, NOW + timedelta(hours=4))
    answered, _ = domain.record_information(request, referral=referral, answer="None.", by="fd", now=NOW)
    with pytest.raises(DomainError) as caught:
        domain.record_information(answered, referral=referral, answer="Again.", by="fd", now=NOW)
    assert (problem_for(caught.value).status, caught.value.slug, caught.value.field) == (409, "already-answered", "answer")


# --- census identifiers (issue 16 point 3) -------------------------------------------------------------


def test_rule_1510_the_check_letter_of_published_examples() -> None:
    # python-stdnum's documented example of a valid UPN, and a temporary UPN (last character K = 9).
    assert upn_check_letter("801200005001") == "B"
    assert upn_problem("B801200005001") is None
    assert upn_problem("A801200005001") is not None
    assert upn_check_letter("80112345678K") == upn_check_letter("801123456789")


def test_rule_8770Q_school_age_begins_with_year_1() -> None:
    # The 2024-25 census: born on or before 31 August 2019 is of school age (the validator's cut-off).
    on = date(2025, 3, 31)
    assert domain.school_age(date(2019, 8, 31), on) and not domain.school_age(date(2019, 9, 1), on)
    assert domain.census_queries(identity(date_of_birth=date(2019, 8, 31)), on=on)[0].rule == "8770Q"
    assert domain.census_queries(identity(date_of_birth=date(2019, 9, 1)), on=on) == []


def test_the_age_rule_reads_the_referral_date_not_today() -> None:
    born = date(2001, 6, 1)  # 25 on 1 June 2026
    domain.check_child_identity(identity(date_of_birth=born), today=TODAY, referred_on=[date(2026, 5, 31)])
    with pytest.raises(DomainError) as caught:
        domain.check_child_identity(identity(date_of_birth=born), today=TODAY, referred_on=[date(2026, 6, 1)])
    assert caught.value.field == "date_of_birth"


def test_referred_again_only_when_the_nhs_number_becomes_known_and_only_for_undecided_referrals() -> None:
    before = registered(nhs_number=None)
    after = replace(before, nhs_number="9434765919", version=2)
    waiting = domain.Episode(
        referral_id=uuid.uuid4(),
        case_id=uuid.uuid4(),
        team="north",
        allocated_team=None,
        received_at=datetime(2026, 11, 20, 10, 0, tzinfo=UTC),
        undecided=True,
        outcome=None,
        closed_on=None,
    )
    decided = replace(waiting, referral_id=uuid.uuid4(), undecided=False, outcome=DecisionOutcome.ASSESSMENT)
    [status] = domain.statuses_once_identified(before, after, episodes=[waiting, decided], policy=POLICY)
    assert isinstance(status, StatusChanged)
    assert (status.status, status.since, status.nhs_number) == (PartnerStatus.REFERRED, date(2026, 11, 20), "9434765919")
    assert domain.statuses_once_identified(after, replace(after, version=3), episodes=[waiting], policy=POLICY) == []


def test_an_imported_referral_that_is_its_open_episodes_current_stage_is_referred_again_once_identified() -> None:
    """Decision 59: its ``referred`` was withheld at the import (no NHS number in a census return);
    it goes out, since the referral date, when the number comes, unless the episode moved on
    (a later return, a decision in live work) or closed; and only once."""
    before = registered(nhs_number=None)
    after = replace(before, nhs_number="9434765919", version=2)
    imported = domain.Episode(
        referral_id=uuid.uuid4(),
        case_id=uuid.uuid4(),
        team="north",
        allocated_team="north",
        received_at=datetime(2025, 9, 1, 11, 0, tzinfo=UTC),  # noon in London, as imported
        undecided=False,
        outcome=DecisionOutcome.STRATEGY_DISCUSSION,
        closed_on=None,
        import_current_stage=True,
    )
    [status] = domain.statuses_once_identified(before, after, episodes=[imported], policy=POLICY)
    assert isinstance(status, StatusChanged)
    assert (status.status, status.since, status.nhs_number) == (PartnerStatus.REFERRED, date(2025, 9, 1), "9434765919")
    assert domain.statuses_once_identified(after, replace(after, version=3), episodes=[imported], policy=POLICY) == []
    moved_on = replace(imported, import_current_stage=False)
    closed = replace(imported, closed_on=date(2025, 12, 1))
    assert domain.statuses_once_identified(before, after, episodes=[moved_on, closed], policy=POLICY) == []


def test_a_decision_in_live_work_moves_an_imported_current_stage_on() -> None:
    imported, _ = decide(received(), DecisionOutcome.ASSESSMENT)
    corrected, _ = decide(replace(imported, import_current_stage=True), DecisionOutcome.NFA, correction_reason="Wrong.")
    assert not corrected.import_current_stage
