"""The front door's pure rules (``referral.domain``): no database, no broker.

Expected dates are worked out by hand from the published England and Wales bank holidays.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from continuum.codes import ReasonForClosure, Sex
from continuum.contracts import DecisionOutcome
from referral import domain
from referral.domain import RuleBroken

TODAY = date(2026, 11, 26)


def identity(**overrides: Any) -> dict[str, Any]:
    values: dict[str, Any] = {
        "date_of_birth": date(2016, 3, 14),
        "expected_date_of_birth": None,
        "sex": Sex.FEMALE,
        "upn": None,
        "nhs_number": None,
        "postcode": None,
        "today": TODAY,
    }
    return values | overrides


# NHS number


def test_nhs_number_with_a_correct_check_digit_is_valid() -> None:
    assert domain.valid_nhs_number("9434765919") is True


def test_nhs_number_with_a_wrong_check_digit_is_invalid() -> None:
    assert domain.valid_nhs_number("9434765918") is False


def test_an_invalid_nhs_number_is_refused_naming_the_field() -> None:
    with pytest.raises(RuleBroken) as caught:
        domain.check_child_identity(**identity(nhs_number="9434765918"))
    assert caught.value.field == "nhs_number"
    assert caught.value.status == 422


# date of birth, unborn children


def test_date_of_birth_in_the_future_is_refused() -> None:
    with pytest.raises(RuleBroken) as caught:
        domain.check_child_identity(**identity(date_of_birth=date(2026, 11, 27)))
    assert caught.value.field == "date_of_birth"


def test_date_of_birth_today_is_accepted() -> None:
    domain.check_child_identity(**identity(date_of_birth=TODAY))


def test_unborn_child_with_expected_date_of_birth_and_sex_u_is_accepted() -> None:
    domain.check_child_identity(**identity(date_of_birth=None, expected_date_of_birth=date(2027, 2, 1), sex=Sex.UNBORN))


def test_unborn_child_with_a_sex_other_than_u_is_refused() -> None:
    with pytest.raises(RuleBroken) as caught:
        domain.check_child_identity(**identity(date_of_birth=None, expected_date_of_birth=date(2027, 2, 1), sex=Sex.FEMALE))
    assert caught.value.field == "sex"


def test_sex_u_for_a_born_child_is_refused() -> None:
    with pytest.raises(RuleBroken) as caught:
        domain.check_child_identity(**identity(sex=Sex.UNBORN))
    assert caught.value.field == "sex"


def test_a_child_with_neither_date_of_birth_nor_expected_date_is_refused() -> None:
    with pytest.raises(RuleBroken) as caught:
        domain.check_child_identity(**identity(date_of_birth=None))
    assert caught.value.field == "date_of_birth"


# re-referral


def test_a_referral_ten_months_after_the_last_is_a_re_referral() -> None:
    received = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)
    assert domain.is_re_referral(received, [datetime(2026, 1, 20, 10, 0, tzinfo=UTC)]) is True


def test_a_referral_thirteen_months_after_the_last_is_not_a_re_referral() -> None:
    received = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)
    assert domain.is_re_referral(received, [datetime(2025, 10, 20, 10, 0, tzinfo=UTC)]) is False


def test_a_first_referral_is_not_a_re_referral() -> None:
    assert domain.is_re_referral(datetime(2026, 11, 20, 10, 0, tzinfo=UTC), []) is False


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
    ("received", "due"),
    [
        # Friday before the summer bank holiday (Monday 31 August 2026) -> Tuesday 1 September, 10:00 BST.
        (datetime(2026, 8, 28, 9, 0, tzinfo=UTC), datetime(2026, 9, 1, 9, 0, tzinfo=UTC)),
        # Christmas Eve 2026 (Thursday): Christmas Friday, the weekend, Boxing Day's substitute Monday 28th.
        (datetime(2026, 12, 24, 10, 0, tzinfo=UTC), datetime(2026, 12, 29, 10, 0, tzinfo=UTC)),
    ],
)
def test_decision_due_skips_a_bank_holiday(received: datetime, due: datetime) -> None:
    assert domain.decision_due_at(received) == due


# deciding, correcting, closing


def test_an_undecided_referral_may_be_decided() -> None:
    domain.check_can_decide("received")


def test_deciding_twice_is_refused_as_a_conflict() -> None:
    with pytest.raises(RuleBroken) as caught:
        domain.check_can_decide("decided")
    assert (caught.value.status, caught.value.slug, caught.value.field) == (409, "already-decided", "referral")


def test_a_correction_that_changes_nothing_is_refused() -> None:
    with pytest.raises(RuleBroken) as caught:
        domain.check_can_correct("decided", DecisionOutcome.ASSESSMENT, "north", "assessment", "north")
    assert (caught.value.status, caught.value.field) == (422, "outcome")


def test_a_correction_to_another_team_is_allowed() -> None:
    domain.check_can_correct("decided", DecisionOutcome.ASSESSMENT, "south", "assessment", "north")


def test_an_undecided_referral_cannot_be_corrected() -> None:
    with pytest.raises(RuleBroken) as caught:
        domain.check_can_correct("received", DecisionOutcome.NFA, "north", None, None)
    assert (caught.value.status, caught.value.slug) == (409, "not-decided")


def test_nfa_closes_the_episode_on_the_referral_date_with_rc8() -> None:
    closure = domain.closure_for(DecisionOutcome.NFA, date(2026, 11, 20))
    assert closure == domain.Closure(date(2026, 11, 20), ReasonForClosure.NFA_AFTER_ASSESSMENT)
    assert ReasonForClosure.NFA_AFTER_ASSESSMENT.value == "RC8"


def test_assessment_keeps_the_episode_open() -> None:
    assert domain.closure_for(DecisionOutcome.ASSESSMENT, date(2026, 11, 20)) is None


def test_received_time_in_the_future_is_refused() -> None:
    now = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
    with pytest.raises(RuleBroken) as caught:
        domain.check_received_at(datetime(2026, 11, 26, 12, 1, tzinfo=UTC), now)
    assert caught.value.field == "received_at"
